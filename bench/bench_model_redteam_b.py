"""Red-team set B: `mlsecops scan models` beside modelscan and fickling on an independent corpus.

    python bench/bench_model_redteam_b.py                 # generate into a temp dir, compare, clean up
    python bench/bench_model_redteam_b.py --keep /tmp/rtb --details
    python bench/bench_model_redteam_b.py --corpus /tmp/rtb   # reuse a generated corpus

The corpus comes from bench/independent/gen_model_redteam_b.py (see bench/independent/README.md,
"Set B"). A file fails the security gate for a tool when that tool reports a finding at or above
`high` on the file (for mlsecops: `scan models --format json --fail-on high`, any finding whose
path is the file, a member of it, or inside it when the sample is a folder). fickling is asked
only about pickle files and zips of pickles (its own `scan_file` / `scan_zip_archive`); a verdict
of LIKELY_UNSAFE or worse is its "high" (it gives that to files it cannot parse, too). The last line is a JSON
summary.
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

HERE = Path(__file__).resolve().parent
GEN = HERE / "independent" / "gen_model_redteam_b.py"
BIN = Path(sys.executable).parent
GATE = {"critical", "high"}
PICKLE_FORMATS = {"pickle", "torch-legacy"}
ZIP_FORMATS = {"torch-zip", "npz", "torchscript", "skops", "zip"}


def belongs(found: str, sample: str) -> bool:
    """A finding path names the sample, a member inside it, or a file of a sample folder."""
    found = found.removeprefix("./")
    return found == sample or (found.startswith(sample) and found[len(sample)] in ":/!#[ ")


def run_mlsecops(corpus: Path) -> tuple[dict[str, list[str]], float, dict[str, object]]:
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "mlsecops"), "scan", "models", ".", "--format", "json",
                           "--fail-on", "high"], cwd=corpus, capture_output=True, text=True, check=False,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - start
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"mlsecops gave no JSON (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    hits: dict[str, list[str]] = defaultdict(list)
    for f in report.get("findings", []):
        if f.get("severity") in GATE:
            hits[f["location"]["path"]].append(f"{f['severity']} {f['rule']}")
    meta = {"exit": proc.returncode, "status": report.get("status"), "scanned": report.get("scanned")}
    return hits, wall, meta


def run_modelscan(corpus: Path) -> tuple[dict[str, list[str]], float, dict[str, object]]:
    hits: dict[str, list[str]] = defaultdict(list)
    start = time.perf_counter()
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("malicious", "benign"):
            out = Path(tmp) / f"{label}.json"
            subprocess.run([str(BIN / "modelscan"), "-p", label, "-r", "json", "-o", str(out)],
                           cwd=corpus, capture_output=True, text=True, check=False)
            if not out.exists():
                continue
            report = json.loads(out.read_text())
            for issue in report.get("issues", []):
                if str(issue.get("severity", "")).lower() in GATE:
                    src = str(issue.get("source", ""))
                    hits[f"{label}/{src}"].append(f"{issue['severity']} {issue.get('module')}."
                                                  f"{issue.get('operator')}")
            errors += len(report.get("errors", []))
    return hits, time.perf_counter() - start, {"errors": errors}


def run_fickling(corpus: Path, rows: list[dict[str, str]]) -> tuple[dict[str, list[str]], float,
                                                                    dict[str, object]]:
    import fickling
    from fickling.analysis import Severity

    HIGH = Severity.LIKELY_UNSAFE  # fickling's own "unsafe"; POSSIBLY_UNSAFE/SUSPICIOUS are below
    hits: dict[str, list[str]] = {}
    start = time.perf_counter()
    asked = errors = 0
    for row in rows:
        path = corpus / row["path"]
        if path.is_dir() or not path.exists():
            continue
        try:
            if row["format"] in PICKLE_FORMATS:
                asked += 1
                result = fickling.scan_file(str(path), graceful=True)
                if result.severity >= HIGH:
                    hits[row["path"]] = [str(result.severity.name)]
            elif row["format"] in ZIP_FORMATS:
                asked += 1
                results = fickling.scan_zip_archive(str(path), graceful=True)
                bad = [n for n, r in results.items() if r.severity >= HIGH]
                if bad:
                    hits[row["path"]] = bad
        except Exception as exc:  # noqa: BLE001 - a gate on fickling fails closed on what it cannot read
            errors += 1
            hits[row["path"]] = [f"error {type(exc).__name__}"]
    return hits, time.perf_counter() - start, {"asked": asked, "errors": errors}


def judge(rows: list[dict[str, str]], hits: dict[str, list[str]]) -> dict[str, bool]:
    return {r["path"]: any(belongs(found, r["path"]) for found in hits) for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="use an already generated corpus")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--details", action="store_true", help="list every miss and false positive")
    opts = ap.parse_args()

    tmp = None
    gen_wall = 0.0
    if opts.corpus:
        corpus = opts.corpus
    else:
        if opts.keep:
            corpus = opts.keep
        else:
            tmp = Path(tempfile.mkdtemp(prefix="rtb-"))
            corpus = tmp / "corpus"
        start = time.perf_counter()
        env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1",
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run([sys.executable, str(GEN), str(corpus)], capture_output=True, text=True,
                              env=env, check=False)
        gen_wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(f"generator failed: {proc.stderr.strip()[-800:]}")
    try:
        rows = json.loads((corpus / "manifest.json").read_text())
        tools = {}
        for name, runner in (("mlsecops", lambda: run_mlsecops(corpus)),
                             ("modelscan", lambda: run_modelscan(corpus)),
                             ("fickling", lambda: run_fickling(corpus, rows))):
            hits, wall, meta = runner()
            tools[name] = {"flagged": judge(rows, hits), "wall_s": round(wall, 2), "meta": meta,
                           "hits": hits}
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)  # also holds corpus-outside/

    mal = [r for r in rows if r["label"] == "malicious"]
    ben = [r for r in rows if r["label"] == "benign"]
    techniques = sorted({r["technique"] for r in mal})
    names = list(tools)
    print(f"corpus: {len(mal)} malicious in {len(techniques)} techniques, {len(ben)} benign"
          f" (generated in {gen_wall:.1f} s)")
    print(f"\n{'technique (malicious missed / n)':44s}" + "".join(f"{n:>12s}" for n in names))
    for tech in techniques:
        group = [r for r in mal if r["technique"] == tech]
        cells = "".join(f"{sum(not tools[n]['flagged'][r['path']] for r in group):>9d}/{len(group):<2d}"
                        for n in names)
        print(f"{tech:44s}{cells}")
    print(f"\n{'benign flagged / n':44s}" + "".join(f"{n:>12s}" for n in names))
    for fmt in sorted({r["format"] for r in ben}):
        group = [r for r in ben if r["format"] == fmt]
        cells = "".join(f"{sum(tools[n]['flagged'][r['path']] for r in group):>9d}/{len(group):<2d}"
                        for n in names)
        print(f"{fmt:44s}{cells}")
    summary: dict[str, object] = {"malicious": len(mal), "benign": len(ben), "gen_wall_s": round(gen_wall, 1)}
    print()
    for n in names:
        missed = [r["path"] for r in mal if not tools[n]["flagged"][r["path"]]]
        fps = [r["path"] for r in ben if tools[n]["flagged"][r["path"]]]
        print(f"{n:10s} malicious missed {len(missed)}/{len(mal)}  benign flagged {len(fps)}/{len(ben)}"
              f"  wall {tools[n]['wall_s']:.1f} s  {tools[n]['meta']}")
        summary[n] = {"missed": len(missed), "false_positives": len(fps), "wall_s": tools[n]["wall_s"],
                      "missed_by_technique": {t: sum(1 for r in mal if r["technique"] == t
                                                     and r["path"] in missed) for t in techniques}}
        if opts.details or n == "mlsecops":
            by_tech = {r["path"]: r["technique"] for r in rows}
            for p in missed:
                print(f"    missed  {p}  [{by_tech[p]}]")
            for p in fps:
                why = sorted({h for found, hs in tools[n]["hits"].items() if belongs(found, p) for h in hs})
                print(f"    flagged {p}  {'; '.join(why)[:160]}")
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
