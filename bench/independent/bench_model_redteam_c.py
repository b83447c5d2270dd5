"""Set C bench: ``mlsecops scan models`` vs modelscan and fickling on the set C red-team corpus.

    python bench/independent/bench_model_redteam_c.py [--keep DIR] [--corpus DIR] [--details] [--per-file]

Generates the corpus with ``gen_model_redteam_c.py`` into a temporary folder (``--keep DIR`` keeps it
there, ``--corpus DIR`` reuses one), then runs, per label folder (``--per-file``: per sample):

- ``mlsecops scan models . --format json --fail-on high`` inside the folder; a sample fails the gate
  when a finding at ``high`` or ``critical`` (any category) names the sample or a file or member in it;
- ``modelscan -p . -r json``: an issue at HIGH or CRITICAL on the sample or a member of it;
- fickling (``scan_file`` / ``scan_zip_archive`` on pickle-family files: ``.pkl .pickle .p .dat .bin .pt
  .pth .ckpt .joblib .npy .npz .zip`` and other zips): ``LIKELY_UNSAFE`` or worse.

A malicious sample "passes" a tool when that tool raises nothing at or above that level for it; a
benign sample "fails" when it does. Prints passes per class, benign failures, wall time per tool and a
final JSON summary line. Written from the public README and ``--help`` only (see README.md here).
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GATE = {"high", "critical"}
SEPARATORS = ("/", "!", ":", "#", " ", "[", "(")

FICKLING_SCRIPT = r"""
import json, os, sys, zipfile
import fickling
from fickling.analysis import Severity
root = sys.argv[1]
EXTS = (".pkl", ".pickle", ".p", ".dat", ".bin", ".pt", ".pth", ".ckpt", ".joblib", ".npy", ".npz", ".zip")
out = {}
for dirpath, dirnames, filenames in os.walk(root):
    for fn in filenames:
        path = os.path.join(dirpath, fn)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        rel = os.path.relpath(path, root)
        if not (fn.lower().endswith(EXTS) or zipfile.is_zipfile(path)):
            continue  # fickling judges pickle-family files only, as a user would run it
        try:
            if zipfile.is_zipfile(path):
                results = fickling.scan_zip_archive(path, graceful=True)
                sev = max((r.severity for r in results.values()), default=Severity.LIKELY_SAFE)
            else:
                sev = fickling.scan_file(path, graceful=True).severity
            out[rel] = sev.name
        except Exception as exc:  # fickling could not judge this file
            out[rel] = "ERROR " + type(exc).__name__
print(json.dumps(out))
"""


def tool(name: str) -> str:
    venv = ROOT / ".venv" / "bin" / name
    found = shutil.which(name)
    return str(venv) if venv.exists() else (found or name)


def venv_python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def first_json(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def attribute(path: str, samples: list[str]) -> str | None:
    """The sample a reported path belongs to: the sample itself, or a file or member inside it."""
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    best = None
    for s in samples:
        if (p == s or any(p.startswith(s + sep) for sep in SEPARATORS)) and (best is None or len(s) > len(best)):
            best = s
    return best


def run_mlsecops(folder: Path, samples: list[str], per_file: bool) -> tuple[dict[str, list[str]], list[str]]:
    """Return sample -> gate-failing findings ('severity rule'), plus error notes."""
    hits: dict[str, list[str]] = defaultdict(list)
    errors: list[str] = []
    env = dict(os.environ, KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "torch"), HF_HUB_OFFLINE="1")
    targets = samples if per_file else ["."]
    for target in targets:
        proc = subprocess.run([tool("mlsecops"), "scan", "models", target, "--format", "json", "--fail-on", "high"],
                              cwd=folder, capture_output=True, text=True, env=env, check=False)
        report = first_json(proc.stdout)
        if report is None or proc.returncode not in (0, 1) or report.get("status") != "ran":
            note = (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]
            if not per_file:  # fall back to one run per sample, so one bad file cannot hide the rest
                errors.append(f"folder run exit {proc.returncode} ({note}); retried per sample")
                return run_mlsecops(folder, samples, per_file=True)
            errors.append(f"{target}: exit {proc.returncode} ({note})")
            if proc.returncode == 3 or report is None:  # scanner could not run: fail closed
                hits[target].append(f"exit-{proc.returncode} scanner-error")
            continue
        for f in report.get("findings", []):
            if str(f.get("severity", "")).lower() not in GATE:
                continue
            loc = f.get("location") or {}
            path = loc.get("path") or loc.get("artifact") or ""
            if per_file and (not path or path == "."):
                path = target
            sample = attribute(path, samples)
            if sample is None:
                errors.append(f"finding on unknown path {path!r}: {f.get('rule')}")
                continue
            hits[sample].append(f"{f.get('severity')} {f.get('rule')}")
    return hits, errors


def run_modelscan(folder: Path, samples: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    hits: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ms.json"
        proc = subprocess.run([tool("modelscan"), "-p", ".", "-r", "json", "-o", str(out)], cwd=folder,
                              capture_output=True, text=True, check=False)
        if not out.exists():
            return hits, [f"modelscan exit {proc.returncode}, no report"]
        report = json.loads(out.read_text())
    for issue in report.get("issues", []):
        if str(issue.get("severity", "")).lower() in GATE:
            sample = attribute(str(issue.get("source", "")), samples)
            if sample:
                hits[sample].append(f"{issue['severity']} {issue.get('module')}.{issue.get('operator')}")
    return hits, [f"{len(report.get('errors', []))} modelscan errors (not counted as findings)"]


def run_fickling(folder: Path, samples: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    hits: dict[str, list[str]] = defaultdict(list)
    proc = subprocess.run([venv_python(), "-c", FICKLING_SCRIPT, str(folder)], capture_output=True, text=True,
                          check=False)
    report = first_json(proc.stdout)
    if report is None:
        return hits, [f"fickling run failed: exit {proc.returncode}"]
    unsafe = {"LIKELY_UNSAFE", "LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS"}
    for rel, sev in report.items():
        if sev in unsafe:
            sample = attribute(rel, samples)
            if sample:
                hits[sample].append(sev)
    return hits, []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    ap.add_argument("--corpus", type=Path, help="reuse an already generated corpus")
    ap.add_argument("--details", action="store_true", help="list every miss and false positive")
    ap.add_argument("--per-file", action="store_true", help="one mlsecops run per sample instead of per folder")
    args = ap.parse_args()

    tmp = None
    t0 = time.monotonic()
    if args.corpus:
        dest = args.corpus.resolve()
        gen_s = 0.0
    else:
        dest = args.keep.resolve() if args.keep else Path(tmp := tempfile.mkdtemp(prefix="rtc-"))
        env = dict(os.environ, KERAS_BACKEND="torch", HF_HUB_OFFLINE="1", PYTHONHASHSEED="0")
        subprocess.run([venv_python(), str(HERE / "gen_model_redteam_c.py"), str(dest)], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        gen_s = time.monotonic() - t0
    try:
        return report(dest, args, gen_s)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def report(dest: Path, args: argparse.Namespace, gen_s: float) -> int:
    manifest = json.loads((dest / "manifest.json").read_text())
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for e in manifest:
        by_label[e["label"]].append(e)
    names = {lab: [e["path"].split("/", 1)[1] for e in es] for lab, es in by_label.items()}

    results: dict[str, dict[str, dict[str, list[str]]]] = {}
    timings: dict[str, float] = {}
    notes: dict[str, list[str]] = defaultdict(list)
    runners = {
        "mlsecops": lambda f, s: run_mlsecops(f, s, args.per_file),
        "modelscan": run_modelscan,
        "fickling": run_fickling,
    }
    for tname, runner in runners.items():
        start = time.monotonic()
        results[tname] = {}
        for label in ("malicious", "benign"):
            hits, errs = runner(dest / label, names[label])
            results[tname][label] = hits
            notes[tname] += [f"{label}: {e}" for e in errs]
        timings[tname] = time.monotonic() - start

    classes = sorted({e["class"] for e in by_label["malicious"]})
    print(f"set C corpus: {dest}  ({len(by_label['malicious'])} malicious in {len(classes)} classes, "
          f"{len(by_label['benign'])} benign; generated in {gen_s:.1f}s)\n")
    print("malicious samples that PASS the gate (no high/critical finding), per class:")
    header = f"  {'class':34s} {'n':>3s} " + " ".join(f"{t:>10s}" for t in runners)
    print(header)
    summary: dict[str, Any] = {"malicious": len(by_label["malicious"]), "benign": len(by_label["benign"]), "tools": {}}
    for cls in classes:
        members = [e for e in by_label["malicious"] if e["class"] == cls]
        cells = []
        for tname in runners:
            missed = [e for e in members if not results[tname]["malicious"].get(e["path"].split("/", 1)[1])]
            cells.append(f"{len(missed):>10d}")
        print(f"  {cls:34s} {len(members):>3d} " + " ".join(cells))
    print()
    for tname in runners:
        mal_hits = results[tname]["malicious"]
        ben_hits = results[tname]["benign"]
        missed = [e for e in by_label["malicious"] if not mal_hits.get(e["path"].split("/", 1)[1])]
        fps = [e for e in by_label["benign"] if ben_hits.get(e["path"].split("/", 1)[1])]
        summary["tools"][tname] = {"malicious_passed": len(missed), "benign_failed": len(fps),
                                   "seconds": round(timings[tname], 1)}
        print(f"{tname}: {len(missed)}/{len(by_label['malicious'])} malicious pass the gate, "
              f"{len(fps)}/{len(by_label['benign'])} benign fail it, {timings[tname]:.1f}s")
        if args.details or tname == "mlsecops":
            for e in missed:
                print(f"    MISS  {e['path']:58s} [{e['class']}] {e['technique']}")
            if args.details and tname == "mlsecops":
                for e in by_label["malicious"]:
                    rules = sorted(set(mal_hits.get(e["path"].split("/", 1)[1], [])))
                    if rules:
                        print(f"    hit   {e['path']:58s} {', '.join(rules)[:150]}")
            for e in fps:
                rules = sorted(set(ben_hits[e["path"].split("/", 1)[1]]))
                print(f"    FP    {e['path']:58s} [{e['class']}] {', '.join(rules)[:160]}")
        for n in notes[tname]:
            print(f"    note: {n}")
    print(json.dumps({"set": "C", **summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
