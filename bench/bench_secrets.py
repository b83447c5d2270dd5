"""Secrets scanning: our engine beside detect-secrets (and gitleaks when it is on PATH), one tree, one run.

Usage: python bench/bench_secrets.py [--megabytes 20] [--secrets 100] [--skip-detect-secrets]
The tree comes from bench/gen_secrets_tree.py (planted secrets plus decoys) in a temp folder.
Each tool runs as a user runs it: ours through the `secrets` scanner API (Hyperscan, and
the pure-`re` fallback), `detect-secrets scan --all-files`, `gitleaks dir`. A reported
(path, line) that holds a planted secret is a hit; any other reported line is a false
positive. Prints recall, false positives, precision, wall and CPU seconds (the CPU time of
the tool's process: the benchmark machine may be shared) and the speed ratio on CPU time.
Targets: recall >= 0.97, precision >= 0.95, >= 50x faster than detect-secrets.

`--ml-packages` instead scans the installed source of popular ML libraries (transformers, torch,
keras, scikit-learn, garak: real code nobody here wrote, full of `token`/`key` identifiers) and
prints every finding: each is a false positive unless it is a real credential. Target: <= 5 in all.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).parent))

from gen_secrets_tree import generate

VENV_BIN = Path(sys.executable).parent
Place = tuple[str, int]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU seconds of what runs inside `with`, in this process and in the children it waits for."""

    def __enter__(self) -> Self:
        self.wall, self.cpu = time.perf_counter(), time.process_time() + children_cpu()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() + children_cpu() - self.cpu


def ours(root: Path, hyperscan: bool) -> tuple[set[Place], Clock]:
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import ScanTargets

    with Clock() as clock:
        outcome = get_scanner("secrets").scan(ScanTargets(paths=[root], options={"hyperscan": hyperscan}))
    return {(f.location.path, int(f.location.line or 0)) for f in outcome.findings}, clock


def detect_secrets(root: Path) -> tuple[set[Place], Clock]:
    with Clock() as clock:
        completed = subprocess.run([str(VENV_BIN / "detect-secrets"), "scan", "--all-files", "."], cwd=root,
                                   capture_output=True, text=True, check=False)
    results = json.loads(completed.stdout)["results"]
    return {(path, entry["line_number"]) for path, entries in results.items() for entry in entries}, clock


def gitleaks(root: Path, binary: str) -> tuple[set[Place], Clock]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        with Clock() as clock:
            subprocess.run([binary, "dir", ".", "--report-format", "json", "--report-path", str(report),
                            "--no-banner", "--exit-code", "0", "--redact"], cwd=root, capture_output=True, check=False)
        entries = json.loads(report.read_text() or "[]")
    return {(str(e["File"]).removeprefix("./"), int(e["StartLine"])) for e in entries}, clock


def report(name: str, found: set[Place], clock: Clock, planted: list[dict[str, object]], baseline: Clock | None) -> None:
    truth = {(str(p["path"]), int(str(p["line"]))) for p in planted}
    # a multi-line secret (a key block) counts when any of its lines is reported
    hits = {t for t in truth if t in found or any(f[0] == t[0] and t[1] <= f[1] <= t[1] + 30 for f in found)}
    false = {f for f in found if f not in truth and not any(f[0] == t[0] and t[1] <= f[1] <= t[1] + 30
                                                            for t in truth)}
    precision = len(hits) / (len(hits) + len(false)) if hits or false else 0.0
    ratio = f"{clock.cpu / baseline.cpu:7.1f}x ours (CPU)" if baseline else ""
    print(f"  {name:22} recall {len(hits) / len(truth):4.2f} ({len(hits):3}/{len(truth)})  false positives "
          f"{len(false):5}  precision {precision:4.2f}  {clock.wall:7.2f} s wall {clock.cpu:7.2f} s CPU  {ratio}")


ML_PACKAGES = ("transformers", "torch", "keras", "sklearn", "garak")


def ml_packages() -> int:
    """Findings over the installed ML libraries' source; found by spec, never imported."""
    import importlib.util

    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import ScanTargets

    total = 0
    for name in ML_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"  {name:14} not installed: not scanned")
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        with Clock() as clock:
            outcome = get_scanner("secrets").scan(ScanTargets(paths=[root], options={}))
        total += len(outcome.findings)
        print(f"  {name:14} {outcome.scanned:6} files {len(outcome.findings):4} finding(s) {clock.cpu:6.2f} s CPU")
        for finding in outcome.findings:
            print(f"      {finding.rule:36} {name}/{finding.location.path}:{finding.location.line} {finding.evidence}")
    print(f"  total {total} finding(s) over the installed ML packages (target <= 5)")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--secrets", type=int, default=100)
    parser.add_argument("--skip-detect-secrets", action="store_true")
    parser.add_argument("--ml-packages", action="store_true",
                        help="count findings over the installed source of transformers, torch, keras, sklearn, garak")
    args = parser.parse_args()
    if args.ml_packages:
        ml_packages()
        return
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as scratch:
        root = Path(scratch) / "tree"
        planted = generate(root, args.megabytes, args.secrets, seed=7)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(f"tree: {size / 1e6:.1f} MB, {sum(1 for p in root.rglob('*') if p.is_file())} files, "
              f"{len(planted)} planted secrets")
        found, fast = ours(root, hyperscan=True)
        report("mlsecops (hyperscan)", found, fast, planted, None)
        found, clock = ours(root, hyperscan=False)
        report("mlsecops (python re)", found, clock, planted, fast)
        if not args.skip_detect_secrets:
            found, clock = detect_secrets(root)
            report("detect-secrets", found, clock, planted, fast)
        binary = shutil.which("gitleaks")
        if binary:
            found, clock = gitleaks(root, binary)
            report("gitleaks", found, clock, planted, fast)
        else:
            print("  gitleaks                   not on PATH: not compared")


if __name__ == "__main__":
    main()
