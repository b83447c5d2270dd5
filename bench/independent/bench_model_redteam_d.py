"""Score `mlsecops scan models` (and modelscan, side by side) on red-team set D.

    .venv/bin/python bench/independent/bench_model_redteam_d.py                 # temp dir, cleaned up
    .venv/bin/python bench/independent/bench_model_redteam_d.py --keep /tmp/rtd --details
    .venv/bin/python bench/independent/bench_model_redteam_d.py --corpus /tmp/rtd

The corpus comes from gen_model_redteam_d.py (loader behaviours: joblib legacy wrappers, npy
header grammar, npz member names, trusted reconstructors calling an argument, torch.package
module shadowing, duplicate zip records, Keras compile/training configs, named GGUF templates,
transformers side configs, PyTables attribute pickles, pyarrow extension pickles, copyreg EXT
opcodes, loader-side decompression). A sample is one file or one folder.

mlsecops: `scan models . --format json --fail-on high` run inside malicious/ and benign/. A
sample fails the gate when a finding of category model-file or scanner at high/critical names
the sample, a member of it (`sample!member`, `sample:member`) or a file inside the folder.
modelscan: `modelscan -p . -r json -o FILE`, HIGH/CRITICAL issues matched the same way.
A malicious sample that fails no gate "passes" (a miss); a benign sample that fails is a false
positive. Nothing in the corpus is ever loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
MLSECOPS = VENV_BIN / "mlsecops"
MODELSCAN = VENV_BIN / "modelscan"
GEN = Path(__file__).with_name("gen_model_redteam_d.py")
BAD = {"high", "critical"}
SEPARATORS = "/!:#[ "


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("KERAS_BACKEND", "torch")
    e["HF_HUB_OFFLINE"] = "1"
    return e


def owner(path: str, samples: list[str]) -> str | None:
    """The sample a reported path belongs to (the file itself, a member or a folder file)."""
    p = path.replace("\\", "/")
    for prefix in ("./",):
        p = p.removeprefix(prefix)
    best = None
    for s in samples:
        if (p == s or (p.startswith(s) and p[len(s)] in SEPARATORS)) and (
                best is None or len(s) > len(best)):
            best = s
    return best


def run_mlsecops(folder: Path, samples: list[str]) -> tuple[dict[str, list[str]], float, str]:
    t0 = time.monotonic()
    proc = subprocess.run([str(MLSECOPS), "scan", "models", ".", "--format", "json",
                           "--fail-on", "high"], cwd=folder, capture_output=True, text=True, check=False,
                          env=env(), timeout=1800)
    took = time.monotonic() - t0
    hits: dict[str, list[str]] = defaultdict(list)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return hits, took, f"exit {proc.returncode}, no JSON: {proc.stderr.strip()[-300:]}"
    for f in report.get("findings", []):
        if f.get("severity") not in BAD or f.get("category") not in ("model-file", "scanner"):
            continue
        loc = f.get("location") or {}
        for key in ("path", "artifact"):
            s = owner(str(loc.get(key) or ""), samples)
            if s:
                hits[s].append(f"{f.get('severity')} {f.get('rule')}")
                break
    return hits, took, f"exit {proc.returncode}, status {report.get('status')}"


def run_modelscan(folder: Path, samples: list[str]) -> tuple[dict[str, list[str]], float, str]:
    hits: dict[str, list[str]] = defaultdict(list)
    if not MODELSCAN.exists():
        return hits, 0.0, "not installed"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ms.json"
        t0 = time.monotonic()
        proc = subprocess.run([str(MODELSCAN), "-p", ".", "-r", "json", "-o", str(out)],
                              cwd=folder, capture_output=True, text=True, env=env(), timeout=1800,
                              check=False)
        took = time.monotonic() - t0
        if not out.exists():
            return hits, took, f"exit {proc.returncode}, no report"
        report = json.loads(out.read_text())
    for issue in report.get("issues", []):
        if str(issue.get("severity", "")).lower() not in BAD:
            continue
        s = owner(str(issue.get("source", "")), samples)
        if s:
            hits[s].append(f"{issue.get('severity')} {issue.get('module')}.{issue.get('operator')}")
    return hits, took, f"exit {proc.returncode}, {len(report.get('errors', []))} error(s)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    ap.add_argument("--corpus", type=Path, help="score an existing corpus, do not generate")
    ap.add_argument("--details", action="store_true", help="show the rules behind every verdict")
    args = ap.parse_args()

    tmp: str | None = None
    if args.corpus:
        dest = args.corpus
    else:
        dest = args.keep or Path(tmp := tempfile.mkdtemp(prefix="rtd-"))
        t0 = time.monotonic()
        subprocess.run([sys.executable, str(GEN), str(dest)], check=True, env=env())
        print(f"generated in {time.monotonic() - t0:.1f}s")
    try:
        return score(dest, args.details)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def score(dest: Path, details: bool) -> int:
    manifest: list[dict[str, Any]] = json.loads((dest / "manifest.json").read_text())
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in manifest:
        m["sample"] = m["path"].split("/", 1)[1]
        by_label[m["label"]].append(m)
    verdicts: dict[str, dict[str, dict[str, list[str]]]] = {}
    times: dict[str, float] = defaultdict(float)
    for label, items in by_label.items():
        samples = [m["sample"] for m in items]
        for tool, fn in (("mlsecops", run_mlsecops), ("modelscan", run_modelscan)):
            hits, took, note = fn(dest / label, samples)
            times[tool] += took
            verdicts.setdefault(tool, {}).update({f"{label}/{s}": v for s, v in hits.items()})
            print(f"{tool:9s} {label:9s} {took:6.1f}s  {note}")

    mal = by_label["malicious"]
    classes = sorted({m["class"] for m in mal})
    print(f"\nmalicious samples that PASS the gate (misses), per class ({len(mal)} samples)")
    print(f"{'class':34s} {'n':>3s} {'mlsecops':>9s} {'modelscan':>10s}")
    summary: dict[str, Any] = {"malicious": len(mal), "benign": len(by_label["benign"])}
    for tool in ("mlsecops", "modelscan"):
        summary[tool] = {"missed": 0, "false_positives": 0, "seconds": round(times[tool], 1)}
    for cls in classes:
        items = [m for m in mal if m["class"] == cls]
        row = []
        for tool in ("mlsecops", "modelscan"):
            missed = sum(1 for m in items if m["path"] not in verdicts[tool])
            summary[tool]["missed"] += missed
            row.append(missed)
        print(f"{cls:34s} {len(items):3d} {row[0]:9d} {row[1]:10d}")
    print(f"{'total':34s} {len(mal):3d} {summary['mlsecops']['missed']:9d} "
          f"{summary['modelscan']['missed']:10d}")

    print("\nmlsecops misses (malicious samples with no high/critical finding):")
    for m in mal:
        if m["path"] not in verdicts["mlsecops"]:
            ms = "caught" if m["path"] in verdicts["modelscan"] else "missed"
            print(f"  {m['path']:45s} [{m['class']}] {m['technique']} (modelscan: {ms})")

    ben = by_label["benign"]
    for tool in ("mlsecops", "modelscan"):
        fps = [m for m in ben if m["path"] in verdicts[tool]]
        summary[tool]["false_positives"] = len(fps)
        print(f"\n{tool} benign samples that FAIL the gate: {len(fps)} of {len(ben)}")
        for m in fps:
            print(f"  {m['path']:45s} {m['technique']}: {'; '.join(sorted(set(verdicts[tool][m['path']])))}")

    if details:
        print("\nrules behind each verdict")
        for m in manifest:
            for tool in ("mlsecops", "modelscan"):
                rules = sorted(set(verdicts[tool].get(m["path"], [])))
                print(f"  {tool:9s} {m['path']:45s} {'; '.join(rules) or '-'}")
    print(json.dumps({"summary": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
