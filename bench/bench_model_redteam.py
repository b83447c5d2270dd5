"""Independent red-team corpus: mlsecops' model-file gate beside modelscan and fickling.

    python bench/bench_model_redteam.py [--corpus DIR] [--keep DIR] [--details]

Generates bench/independent/gen_model_redteam.py's corpus into a temporary folder (or reads an
existing one with --corpus), then runs, per label folder (malicious/, benign/):

* mlsecops as a user would: `mlsecops scan models DIR --format json --fail-on high`. A file fails
  the security gate when a finding located in it (or in a member of it) reaches the default
  policy's `fail_on` severity for the finding's category (python/src/mlsecops/data/policy.yaml).
  A run whose status is not "ran" fails the gate for every file it covered; the bench then scans
  file by file to attribute.
* modelscan: `modelscan -p DIR -r json -o FILE`; a file is flagged by an issue whose source is it
  (or a member of it); an error naming it is reported as "error" and also fails a CI step.
* fickling: `--check-safety` semantics through its API (StackedPickle, any pickle above
  LIKELY_SAFE); zips are opened and every *.pkl member checked (as for PyTorch archives); formats
  fickling does not claim (HDF5, Keras zip, GGUF, ONNX, safetensors, npy/npz, tar, compressed)
  are "n/a" and pass.

No tool loads a model here; nothing in the corpus is ever unpickled by this script.
Prints per-tool tables and ends with one JSON summary line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SEV = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
PICKLE_FORMATS = {"pickle", "pytorch-zip", "pytorch-legacy", "joblib", "pickle+zip", "torchscript", "zip"}


def tool(name: str) -> str:
    p = VENV_BIN / name
    return str(p) if p.exists() else name


def policy_thresholds() -> dict[str, int]:
    import yaml

    pol = yaml.safe_load((ROOT / "python/src/mlsecops/data/policy.yaml").read_text())
    return {cat: SEV[s] for cat, s in pol["gates"]["security"]["fail_on"].items()}


def owner(loc: str, files: list[str]) -> str | None:
    """The manifest file a finding location belongs to (the file itself or a member of it)."""
    loc = loc.replace("\\", "/")
    best = None
    for f in files:
        member = loc == f or any(loc.startswith(f + sep) for sep in ("!", ":", "/", "#", "::", "["))
        if member and (best is None or len(f) > len(best)):
            best = f
    return best


def parse_json_prefix(text: str) -> dict[str, Any] | None:
    try:
        obj, _ = json.JSONDecoder().raw_decode(text.lstrip())
        return obj if isinstance(obj, dict) else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- mlsecops
def run_mlsecops(target: Path, files: list[str], thr: dict[str, int]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    env = dict(os.environ, KERAS_BACKEND="torch", HF_HUB_OFFLINE="1")
    r = subprocess.run([tool("mlsecops"), "scan", "models", str(target), "--format", "json", "--fail-on", "high"],
                       check=False, capture_output=True, text=True, env=env, timeout=600)
    rep = parse_json_prefix(r.stdout)
    meta = {"rc": r.returncode, "status": rep.get("status") if rep else None,
            "stderr": r.stderr.strip()[-300:] if not rep else ""}
    out: dict[str, dict[str, Any]] = {f: {"fail": False, "max": None, "rules": []} for f in files}
    if rep is None or rep.get("status") != "ran":
        for f in files:
            out[f] = {"fail": True, "max": "scanner-did-not-run", "rules": [f"rc={r.returncode}"]}
        return out, meta
    unattributed = []
    for fd in rep.get("findings", []):
        loc = fd.get("location") or {}
        path = loc.get("path") or loc.get("artifact") or ""
        rel = path if not os.path.isabs(path) else os.path.relpath(path, target)
        o = owner(rel, files)
        if o is None:
            unattributed.append(f"{fd.get('severity')}:{fd.get('rule')}:{rel}")
            continue
        sev = SEV.get(fd.get("severity", "info"), 0)
        cat = fd.get("category", "")
        e = out[o]
        e["rules"].append(f"{fd.get('severity')}:{fd.get('rule')}")
        if e["max"] is None or sev > SEV.get(e["max"], -1):
            e["max"] = fd.get("severity")
        if cat in thr and sev >= thr[cat]:
            e["fail"] = True
    meta["unattributed"] = unattributed
    meta["skipped"] = rep.get("skipped", [])
    return out, meta


def mlsecops_per_file(target: Path, files: list[str], thr: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Fallback when a folder scan did not run: scan each file alone (in a 1-file folder)."""
    out = {}
    for f in files:
        with tempfile.TemporaryDirectory() as d:
            link = Path(d) / Path(f).name
            link.write_bytes((target / f).read_bytes())
            res, meta = run_mlsecops(Path(d), [Path(f).name], thr)
            out[f] = res[Path(f).name]
            if meta.get("status") != "ran":
                out[f]["rules"].append(f"alone: status={meta.get('status')}")
    return out


# --------------------------------------------------------------------------- modelscan
def run_modelscan(target: Path, files: list[str]) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as d:
        rp = Path(d) / "r.json"
        subprocess.run([tool("modelscan"), "-p", str(target), "-r", "json", "-o", str(rp)],
                       check=False, capture_output=True, text=True, timeout=600, cwd=d)
        rep = json.loads(rp.read_text()) if rp.exists() else {}
    out: dict[str, dict[str, Any]] = {f: {"fail": False, "issue": False, "error": False, "why": []} for f in files}
    base = str(target.resolve())
    for kind in ("issues", "errors"):
        for it in rep.get(kind, []) or []:
            src = str(it.get("source", ""))
            src = os.path.relpath(src, base) if src.startswith(base) else src
            o = owner(src, files)
            if o is None:
                continue
            e = out[o]
            e["fail"] = True
            if kind == "issues":
                e["issue"] = True
                e["why"].append(f"{it.get('severity')}:{it.get('module')}.{it.get('operator')}")
            else:
                e["error"] = True
                e["why"].append("error:" + str(it.get("category", "")))
    return out


# --------------------------------------------------------------------------- fickling
FICKLING_CHILD = r"""
import json, sys, zipfile, io
from fickling import fickle
from fickling.analysis import Severity, check_safety
import contextlib, os
res = {}
sink = open(os.devnull, "w")
for path, fmt in json.loads(sys.stdin.read()):
    blobs = []
    try:
        if zipfile.is_zipfile(path) and fmt != "pickle+zip":
            z = zipfile.ZipFile(path)
            blobs = [z.read(n) for n in z.namelist() if n.endswith(".pkl")]
        else:
            blobs = [open(path, "rb").read()]
        worst = "LIKELY_SAFE"
        for b in blobs:
            st = fickle.StackedPickle.load(io.BytesIO(b), fail_on_decode_error=False)
            for p in st:
                with contextlib.redirect_stdout(sink):
                    s = check_safety(p, json_output_path="/dev/null").severity
                if s > Severity[worst]:
                    worst = s.name
        res[path] = {"verdict": "unsafe" if worst != "LIKELY_SAFE" else "safe", "severity": worst}
    except Exception as e:
        res[path] = {"verdict": "error", "severity": type(e).__name__}
sys.__stdout__.write("\n@@FICKLING@@" + json.dumps(res) + "\n")
"""


def run_fickling(target: Path, files: list[str], fmts: dict[str, str]) -> dict[str, dict[str, Any]]:
    todo = [(str(target / f), fmts[f]) for f in files if fmts[f] in PICKLE_FORMATS]
    r = subprocess.run([sys.executable, "-c", FICKLING_CHILD], input=json.dumps(todo),
                       check=False, capture_output=True, text=True, timeout=600)
    tail = r.stdout.rsplit("@@FICKLING@@", 1)
    got = json.loads(tail[1]) if len(tail) == 2 else {}
    if not got:
        print(f"fickling run failed: rc={r.returncode} {r.stderr[-300:]}", file=sys.stderr)
    out = {}
    for f in files:
        g = got.get(str(target / f))
        if g is None:
            out[f] = {"fail": False, "verdict": "n/a", "severity": ""}
        else:
            out[f] = {"fail": g["verdict"] != "safe", **g}
    return out


# --------------------------------------------------------------------------- main
def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", help="use an existing corpus folder instead of generating one")
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--details", action="store_true", help="print every file's verdicts")
    a = ap.parse_args(argv[1:])

    tmp = None
    if a.corpus:
        dest = Path(a.corpus)
    else:
        dest = Path(a.keep) if a.keep else Path(tmp := tempfile.mkdtemp(prefix="redteam-"))
        t0 = time.perf_counter()
        g = subprocess.run([sys.executable, str(ROOT / "bench/independent/gen_model_redteam.py"), str(dest)],
                           check=False, capture_output=True, text=True, env=dict(os.environ, KERAS_BACKEND="torch"))
        if g.returncode != 0:
            print("generator failed:", g.stderr[-2000:], file=sys.stderr)
            return 3
        print(f"corpus generated in {time.perf_counter() - t0:.1f}s: {g.stdout.strip()}")
    manifest = json.loads((dest / "manifest.json").read_text())
    thr = policy_thresholds()
    by_label: dict[str, list[str]] = defaultdict(list)
    meta_of = {m["path"]: m for m in manifest}
    for m in manifest:
        sub, rel = m["path"].split("/", 1)
        by_label[sub].append(rel)

    results: dict[str, dict[str, dict[str, Any]]] = {"mlsecops": {}, "modelscan": {}, "fickling": {}}
    times = {"mlsecops": 0.0, "modelscan": 0.0, "fickling": 0.0}
    notes: list[str] = []
    for sub, files in by_label.items():
        target = dest / sub
        fmts = {f: meta_of[f"{sub}/{f}"]["format"] for f in files}
        t0 = time.perf_counter()
        res, meta = run_mlsecops(target, files, thr)
        if meta.get("status") != "ran":
            notes.append(f"mlsecops on {sub}/: status={meta.get('status')} rc={meta['rc']} {meta.get('stderr', '')}; "
                         "the whole folder fails the gate; attributed file by file below")
            res = mlsecops_per_file(target, files, thr)
        elif meta.get("unattributed"):
            notes.append(f"mlsecops on {sub}/: findings not tied to a manifest file: {meta['unattributed'][:5]}")
        times["mlsecops"] += time.perf_counter() - t0
        results["mlsecops"].update({f"{sub}/{f}": v for f, v in res.items()})
        t0 = time.perf_counter()
        results["modelscan"].update({f"{sub}/{f}": v for f, v in run_modelscan(target, files).items()})
        times["modelscan"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        results["fickling"].update({f"{sub}/{f}": v for f, v in run_fickling(target, files, fmts).items()})
        times["fickling"] += time.perf_counter() - t0

    mal = [m for m in manifest if m["label"] == "malicious"]
    ben = [m for m in manifest if m["label"] == "benign"]
    classes = sorted({m["class"] for m in mal})
    summary: dict[str, Any] = {"malicious": len(mal), "benign": len(ben), "classes": len(classes), "tools": {}}
    print(f"\n{len(mal)} malicious files in {len(classes)} classes, {len(ben)} benign files\n")
    hdr = f"{'class':28} {'n':>3} " + " ".join(f"{t + ' missed':>17}" for t in results)
    print(hdr)
    per_class: dict[str, dict[str, int]] = {}
    for c in classes:
        ms = [m for m in mal if m["class"] == c]
        row = {t: sum(1 for m in ms if not results[t][m["path"]]["fail"]) for t in results}
        per_class[c] = {"n": len(ms), **row}
        print(f"{c:28} {len(ms):>3} " + " ".join(f"{row[t]:>17}" for t in results))
    for t, res in results.items():
        missed = [m["path"] for m in mal if not res[m["path"]]["fail"]]
        fps = [m["path"] for m in ben if res[m["path"]]["fail"]]
        summary["tools"][t] = {"malicious_missed": len(missed), "benign_flagged": len(fps),
                               "wall_s": round(times[t], 2), "missed": missed, "false_positives": fps}
    print()
    for t, s in summary["tools"].items():
        print(f"{t:10} malicious missed (pass the gate) {s['malicious_missed']}/{len(mal)}   "
              f"benign flagged {s['benign_flagged']}/{len(ben)}   wall {s['wall_s']:.1f}s")
    for t in results:
        fps = summary["tools"][t]["false_positives"]
        if fps:
            print(f"\n{t} benign flagged:")
            for f in fps:
                r = results[t][f]
                print(f"  {f}: {r.get('rules') or r.get('why') or r.get('severity')}")
    print("\nmlsecops: malicious files that pass the gate:")
    for f in summary["tools"]["mlsecops"]["missed"]:
        r = results["mlsecops"][f]
        print(f"  [{meta_of[f]['class']}] {f}: {', '.join(sorted(set(r['rules']))) or 'no finding'}")
    if a.details:
        for m in manifest:
            p = m["path"]
            print(f"{m['label']:9} {m['class']:24} {p:55} ms={results['mlsecops'][p]['fail']!s:5} "
                  f"modelscan={results['modelscan'][p]['fail']!s:5} fickling={results['fickling'][p]['fail']!s:5}")
    for n in notes:
        print("note:", n)
    summary["per_class"] = per_class
    summary["notes"] = notes
    compact = {k: v for k, v in summary.items()}
    compact["tools"] = {t: {k: v for k, v in s.items() if k not in ("missed", "false_positives")} for t, s in summary["tools"].items()}
    print(json.dumps(compact))
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
