"""Secrets scanning: our engine beside detect-secrets (and gitleaks when it is on PATH), one tree, one run.

Usage: python bench/bench_secrets.py [--megabytes 20] [--secrets 100] [--skip-detect-secrets]
The tree comes from bench/gen_secrets_tree.py (planted secrets plus decoys) in a temp folder.
Each tool runs as a user runs it: ours through the `secrets` scanner API (Hyperscan, and
the pure-`re` fallback), `detect-secrets scan --all-files`, `gitleaks dir`. A reported
(path, line) that holds a planted secret is a hit; any other reported line is a false
positive. Prints recall, false positives, precision, wall seconds and the speed ratio.
Targets: recall >= 0.97, precision >= 0.95, >= 50x faster than detect-secrets.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_secrets_tree import generate

VENV_BIN = Path(sys.executable).parent
Place = tuple[str, int]


def ours(root: Path, hyperscan: bool) -> tuple[set[Place], float]:
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import ScanTargets

    start = time.perf_counter()
    outcome = get_scanner("secrets").scan(ScanTargets(paths=[root], options={"hyperscan": hyperscan}))
    seconds = time.perf_counter() - start
    return {(f.location.path, int(f.location.line or 0)) for f in outcome.findings}, seconds


def detect_secrets(root: Path) -> tuple[set[Place], float]:
    start = time.perf_counter()
    completed = subprocess.run([str(VENV_BIN / "detect-secrets"), "scan", "--all-files", "."], cwd=root,
                               capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    results = json.loads(completed.stdout)["results"]
    return {(path, entry["line_number"]) for path, entries in results.items() for entry in entries}, seconds


def gitleaks(root: Path, binary: str) -> tuple[set[Place], float]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        start = time.perf_counter()
        subprocess.run([binary, "dir", ".", "--report-format", "json", "--report-path", str(report), "--no-banner",
                        "--exit-code", "0", "--redact"], cwd=root, capture_output=True, check=False)
        seconds = time.perf_counter() - start
        entries = json.loads(report.read_text() or "[]")
    return {(str(e["File"]).removeprefix("./"), int(e["StartLine"])) for e in entries}, seconds


def report(name: str, found: set[Place], seconds: float, planted: list[dict[str, object]], baseline: float) -> None:
    truth = {(str(p["path"]), int(str(p["line"]))) for p in planted}
    # a multi-line secret (a key block) counts when any of its lines is reported
    hits = {t for t in truth if t in found or any(f[0] == t[0] and t[1] <= f[1] <= t[1] + 30 for f in found)}
    false = {f for f in found if f not in truth and not any(f[0] == t[0] and t[1] <= f[1] <= t[1] + 30
                                                            for t in truth)}
    precision = len(hits) / (len(hits) + len(false)) if hits or false else 0.0
    ratio = f"{seconds / baseline:8.1f}x ours" if baseline else ""
    print(f"  {name:26} recall {len(hits) / len(truth):5.2f} ({len(hits):3}/{len(truth)})  false positives "
          f"{len(false):6}  precision {precision:5.2f}  {seconds:8.2f} s  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--secrets", type=int, default=100)
    parser.add_argument("--skip-detect-secrets", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as scratch:
        root = Path(scratch) / "tree"
        planted = generate(root, args.megabytes, args.secrets, seed=7)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(f"tree: {size / 1e6:.1f} MB, {sum(1 for p in root.rglob('*') if p.is_file())} files, "
              f"{len(planted)} planted secrets")
        found, fast = ours(root, hyperscan=True)
        report("mlsecops (hyperscan)", found, fast, planted, 0)
        found, seconds = ours(root, hyperscan=False)
        report("mlsecops (python re)", found, seconds, planted, fast)
        if not args.skip_detect_secrets:
            found, seconds = detect_secrets(root)
            report("detect-secrets", found, seconds, planted, fast)
        binary = shutil.which("gitleaks")
        if binary:
            found, seconds = gitleaks(root, binary)
            report("gitleaks", found, seconds, planted, fast)
        else:
            print("  gitleaks                   not on PATH: not compared")


if __name__ == "__main__":
    main()
