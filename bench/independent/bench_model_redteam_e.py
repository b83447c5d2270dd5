"""Measure `mlsecops scan models` against red-team set E, with modelscan and fickling as peers.

    python bench/independent/bench_model_redteam_e.py [--corpus DIR | --keep DIR] [--per-file] [--details] [--bombs]

Without --corpus it generates set E (gen_model_redteam_e.py) into a temporary folder. mlsecops is run as
a black box, `mlsecops scan models . --format json --fail-on high` inside malicious/ and benign/ (or per
sample with --per-file, or when a folder run did not report status "ran"); findings are attributed to
samples by `location.path`. A malicious sample passes a tool's gate when the tool reports nothing at
high/critical on it (a member of it, or a file inside a folder sample); a benign sample fails it when it
does. modelscan: `modelscan -p DIR -r json -o FILE` per label folder (HIGH/CRITICAL issues). fickling:
`scan_file` / `scan_zip_archive` (graceful) on pickle-family files and zips, LIKELY_UNSAFE or worse. Nothing is loaded.
The last line printed is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
MLSECOPS = os.environ.get("MLSECOPS_BIN", "/work/main/.venv/bin/mlsecops")
MODELSCAN = str(VENV_BIN / "modelscan") if (VENV_BIN / "modelscan").exists() else "/work/main/.venv/bin/modelscan"
GATE = {"high", "critical"}
PICKLE_FAMILY = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin", ".ckpt", ".model", ".cloudpickle", ".npy",
                 ".npz", ".torchscript", ".zip")
FICKLING_BAD = {"LIKELY_UNSAFE", "LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS"}


def _printable(name: str) -> str:
    """A name as a tool can print it: undecodable bytes become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def owner(path: str, names: list[str]) -> str | None:
    """The sample a reported path belongs to: the longest sample name it starts with."""
    p = _printable(path.replace("\\", "/"))
    while p.startswith("./"):
        p = p[2:]
    best = None
    for n in names:
        pn = _printable(n)
        hit = p == pn or (p.startswith(pn) and not p[len(pn)].isalnum() and p[len(pn)] not in "_-")
        if hit and (best is None or len(n) > len(best)):
            best = n
    return best


def run_mlsecops(folder: Path, target: str = ".") -> tuple[dict | None, str]:
    env = dict(os.environ, KERAS_BACKEND="torch", HF_HUB_OFFLINE="1")
    r = subprocess.run([MLSECOPS, "scan", "models", target, "--format", "json", "--fail-on", "high"],
                       cwd=folder, capture_output=True, text=True, errors="replace", env=env, timeout=900, check=False)
    try:
        return json.loads(r.stdout), r.stderr.strip()
    except json.JSONDecodeError:
        return None, (r.stderr.strip() or r.stdout.strip())[-300:] + f" (exit {r.returncode})"


def mlsecops_verdicts(folder: Path, names: list[str], per_file: bool) -> tuple[dict[str, list[dict]], list[str]]:
    hits: dict[str, list[dict]] = {n: [] for n in names}
    notes: list[str] = []
    rep = None if per_file else run_mlsecops(folder)[0]
    if rep is not None and rep.get("status") == "ran":
        for f in rep.get("findings", []):
            loc = f.get("location") or {}
            path = loc.get("path") or loc.get("artifact") or ""
            o = owner(path, names)
            if o is None:
                notes.append(f"unattributed finding {f.get('severity')} {f.get('title')!r} at {path!r}")
                continue
            hits[o].append(f)
        return hits, notes
    if rep is not None:
        notes.append(f"folder run status {rep.get('status')!r}: {rep.get('message')!r}; falling back to per-sample runs")
    for n in names:
        rep1, err = run_mlsecops(folder, n)
        if rep1 is None:
            hits[n].append({"severity": "error", "title": f"no JSON: {err}"})
            continue
        if rep1.get("status") != "ran":
            hits[n].append({"severity": "status", "title": f"status {rep1.get('status')}: {rep1.get('message')}"})
        hits[n].extend(rep1.get("findings", []))
    return hits, notes


def modelscan_verdicts(folder: Path, names: list[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "ms.json"
        subprocess.run([MODELSCAN, "-p", str(folder), "-r", "json", "-o", str(out)], capture_output=True, text=True, errors="replace", timeout=900, check=False)
        try:
            rep = json.loads(out.read_text())
        except (OSError, json.JSONDecodeError):
            return hits
    for issue in rep.get("issues", []):
        if str(issue.get("severity", "")).lower() not in GATE:
            continue
        src = str(issue.get("source", ""))
        rel = os.path.relpath(src, folder) if os.path.isabs(src) else src
        rel = rel.split(":")[0] if owner(rel, names) is None else rel
        o = owner(rel, names)
        if o is not None:
            hits[o].append(f"{issue.get('module')}.{issue.get('operator')}")
    return hits


def fickling_verdict(path: Path) -> bool:
    import fickling
    files = [p for p in sorted(path.rglob("*")) if p.is_file() and not p.is_symlink()] if path.is_dir() else [path]
    for f in files:
        if not f.name.endswith(PICKLE_FAMILY):
            continue  # fickling only reads pickles (and zips of pickles)
        try:
            if zipfile.is_zipfile(f):
                res = list(fickling.scan_zip_archive(str(f), graceful=True).values())
            else:
                res = [fickling.scan_file(str(f), graceful=True)]
        except Exception:  # noqa: BLE001, S112 - a crash of the peer is its miss, not ours
            continue
        if any(getattr(r.severity, "name", str(r.severity)) in FICKLING_BAD for r in res):
            return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus")
    ap.add_argument("--keep")
    ap.add_argument("--per-file", action="store_true")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--bombs", action="store_true", help="generate the two 2 GiB decompression samples too (slow)")
    a = ap.parse_args()
    tmp = None
    if a.corpus:
        root = Path(a.corpus)
    else:
        if a.keep:
            root = Path(a.keep)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="rte-")
            root = Path(tmp.name)
        subprocess.run([sys.executable, str(HERE / "gen_model_redteam_e.py"), str(root)] + (["--bombs"] if a.bombs else []),
                       check=True,
                       env=dict(os.environ, KERAS_BACKEND="torch"), capture_output=True)
    manifest = json.loads((root / "manifest.json").read_text())
    by_label: dict[str, list[dict]] = {"malicious": [], "benign": []}
    for m in manifest:
        by_label[m["label"]].append(m)
    flagged: dict[str, dict[str, bool]] = {"mlsecops": {}, "modelscan": {}, "fickling": {}}
    ml_hits: dict[str, list[dict]] = {}
    times = {"mlsecops": 0.0, "modelscan": 0.0, "fickling": 0.0}
    notes: list[str] = []
    for label, items in by_label.items():
        folder = root / label
        names = [m["path"].split("/", 1)[1] for m in items]
        t = time.monotonic()
        hits, n = mlsecops_verdicts(folder, names, a.per_file)
        times["mlsecops"] += time.monotonic() - t
        notes += [f"{label}: {x}" for x in n]
        t = time.monotonic()
        ms = modelscan_verdicts(folder, names)
        times["modelscan"] += time.monotonic() - t
        t = time.monotonic()
        for m, nm in zip(items, names):
            key = m["path"]
            ml_hits[key] = hits[nm]
            flagged["mlsecops"][key] = any(str(f.get("severity")).lower() in GATE | {"error", "status"} for f in hits[nm])
            flagged["modelscan"][key] = bool(ms[nm])
            flagged["fickling"][key] = fickling_verdict(folder / nm)
        times["fickling"] += time.monotonic() - t

    mal, ben = by_label["malicious"], by_label["benign"]
    summary: dict = {"malicious": len(mal), "benign": len(ben)}
    print(f"set E: {len(mal)} malicious, {len(ben)} benign samples ({root})\n")
    print(f"{'tool':<10} {'malicious passing':>18} {'benign failing':>15} {'seconds':>8}")
    for tool in flagged:
        mp = sum(1 for m in mal if not flagged[tool][m["path"]])
        bf = sum(1 for m in ben if flagged[tool][m["path"]])
        summary[tool] = {"malicious_passing": mp, "benign_failing": bf, "seconds": round(times[tool], 1)}
        print(f"{tool:<10} {f'{mp}/{len(mal)}':>18} {f'{bf}/{len(ben)}':>15} {times[tool]:>8.1f}")
    classes = sorted({m["class"] for m in mal})
    print(f"\n{'class':<32} {'n':>3} {'mlsecops':>9} {'modelscan':>10} {'fickling':>9}   (malicious passing)")
    for c in classes:
        ms = [m for m in mal if m["class"] == c]
        row = [sum(1 for m in ms if not flagged[t][m["path"]]) for t in flagged]
        print(f"{c:<32} {len(ms):>3} {row[0]:>9} {row[1]:>10} {row[2]:>9}")
    print("\nmlsecops misses (malicious passing the gate):")
    for m in mal:
        if not flagged["mlsecops"][m["path"]]:
            lower = sorted({f"{f.get('severity')}: {f.get('title')}" for f in ml_hits[m["path"]]})
            extra = f"  [below gate: {'; '.join(lower)[:200]}]" if lower else ""
            print(f"  {m['path']:<48} {m['class']:<30} {m['technique']}{extra}")
    print("\nmlsecops benign failures:")
    for m in ben:
        if flagged["mlsecops"][m["path"]]:
            for f in ml_hits[m["path"]]:
                if str(f.get("severity")).lower() in GATE | {"error", "status"}:
                    print(f"  {m['path']:<40} {f.get('severity')}: {f.get('title')} ({f.get('rule', '')})")
    if a.details:
        print("\nper-sample verdicts (M=mlsecops S=modelscan F=fickling, x = flagged):")
        for m in manifest:
            marks = "".join(k[0].upper() if flagged[k][m["path"]] else "." for k in flagged)
            print(f"  {marks} {m['label']:<9} {m['path']}")
    for n in notes:
        print(f"note: {n}")
    summary["mlsecops_misses"] = [m["path"] for m in mal if not flagged["mlsecops"][m["path"]]]
    summary["mlsecops_benign_failures"] = [m["path"] for m in ben if flagged["mlsecops"][m["path"]]]
    if tmp is not None:
        tmp.cleanup()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
