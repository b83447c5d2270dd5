"""Stage 7 on the demo: wall time of `mlsecops modeltest` with a garak profile, capped prompts per probe.

Usage: python bench/bench_modeltest.py [--profile offline] [--prompts 2] [--workdir DIR]

Runs the real pipeline up to train on the embedded demo (load, scan, gate, train), then times
stage 7 alone with the given profile and prompt cap, and prints where the time went (model
scan, each test, garak's own run). Target: under 90 s on 2 cores for `offline` capped at a
few prompts per probe. garak beside us: the same probes with garak's CLI alone is the
`garak` line of the per-test table (we add the model scan, injection, poisoning, disclosure).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

MLSECOPS = [sys.executable, "-m", "mlsecops.cli"]


def run(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    completed = subprocess.run([*MLSECOPS, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"mlsecops {' '.join(args)} failed ({completed.returncode}): {completed.stderr.strip()[-400:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="offline")
    parser.add_argument("--prompts", type=int, default=2, help="prompts per probe (garak soft_probe_prompt_cap)")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch) / "demo"
        if not (folder / ".mlsecops" / "train" / "model.keras").is_file():
            subprocess.run([*MLSECOPS, "demo", "init", str(folder)], check=True, capture_output=True)
            for stage in (["load"], ["scan"], ["gate", "--stage", "security"], ["train"]):
                print(f"{' '.join(stage):24} {run(stage, folder):7.1f} s")
        config_file = folder / "mlsecops.yaml"
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
        config.setdefault("modeltest", {})["garak"] = {"profile": args.profile, "prompts_per_probe": args.prompts}
        config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        seconds = run(["modeltest"], folder)
        result = json.loads((folder / ".mlsecops" / "modeltest" / "result.json").read_text(encoding="utf-8"))
        garak = result["details"].get("garak", {})
        print(f"modeltest ({args.profile}, {args.prompts} prompts/probe): {seconds:.1f} s wall "
              f"(target < 90 s on 2 cores); {garak.get('probe_count', 0)} probes in {garak.get('seconds', 0)} s of garak")
        for scanner in result["scanners"]:
            print(f"  {scanner['scanner']:11} {scanner['status']:8} {scanner['findings']:3} finding(s)  {scanner['message']}")
        high = [f for f in result["findings"] if f["severity"] in ("critical", "high")]
        print(f"findings: {len(result['findings'])} ({len(high)} critical/high)")


if __name__ == "__main__":
    main()
