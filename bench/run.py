"""Benchmarks of the backbone: CLI start-up beside the tools a user would otherwise call, and the demo run.

Usage: python bench/run.py [--runs N] [--demo-runs N] [--skip-demo]
Prints medians; the others benchmarks of this folder (bench_*.py) are run by name.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
    t0 = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - t0, completed.returncode


def median_of(command: list[str], runs: int) -> float | None:
    if not shutil.which(command[0]) and not Path(command[0]).exists():
        return None
    samples = [timed(command)[0] for _ in range(runs)]
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--demo-runs", type=int, default=1)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    ours = median_of([str(VENV_BIN / "mlsecops"), "--help"], args.runs)
    print(f"startup  mlsecops --help          median {ours:.3f} s over {args.runs} runs (target < 0.3 s)")
    for tool in ("modelscan", "garak", "detect-secrets", "bandit"):
        theirs = median_of([str(VENV_BIN / tool), "--help"], max(3, args.runs // 3))
        if theirs is not None and ours:
            print(f"startup  {tool + ' --help':26} median {theirs:.3f} s   ratio {theirs / ours:6.1f}x slower than ours")

    if args.skip_demo:
        return
    env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1"}
    samples = []
    for _ in range(args.demo_runs):
        with tempfile.TemporaryDirectory() as folder:
            seconds, code = timed([str(VENV_BIN / "mlsecops"), "run"], cwd=folder, env=env)
            samples.append(seconds)
            print(f"demo     mlsecops run             {seconds:.1f} s (exit {code})")
    print(f"demo     mlsecops run             median {statistics.median(samples):.1f} s over {len(samples)} "
          "run(s) (target < 180 s on 2 cores)")


if __name__ == "__main__":
    main()
