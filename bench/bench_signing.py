"""Sign + verify of a large model file: mlsecops (blake3 and sha256) beside sha256sum, openssl and model-signing's CLI.

Usage: python bench/bench_signing.py [--size-mb 1024] [--runs 3]
The model is one file of random bytes in a temp folder (page cache warm after the first
read, as on a CI agent that just trained it); it is deleted at the end. The tools run in
interleaved rounds; prints medians and GB/s = size / time.
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
from collections.abc import Callable
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def random_file(path: Path, size_mb: int) -> Path:
    with open(path, "wb") as handle:
        handle.writelines(os.urandom(1024 * 1024) for _ in range(size_mb))
    return path


def make_model(folder: Path, size_mb: int) -> Path:
    model = folder / "model"
    model.mkdir()
    random_file(model / "weights.bin", size_mb)
    (model / "tokenizer.json").write_text('{"vocab": {}}')
    return model


def interleaved_medians(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median seconds of each action, run in rounds (one of each per round) rather than one tool's
    runs back to back: on a shared machine the load drifts, and every tool should meet the same drift."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            t0 = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - t0)
    return {name: statistics.median(times) for name, times in samples.items()}


def run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {completed.stderr.decode(errors='replace')[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from mlsecops.config import SignConfig
    from mlsecops.signing.keyfile import KeyFileSigner
    from mlsecops.signing.verifier import verify_model

    scratch = Path(tempfile.mkdtemp(prefix="mlsecops-bench-sign-"))
    try:
        model = make_model(scratch, args.size_mb)
        weights = model / "weights.bin"
        size_gb = (weights.stat().st_size + 13) / 1e9
        work = scratch / "work"
        work.mkdir()
        cli = str(VENV_BIN / "model_signing")
        key = work / "local-key/private-key.pem"
        actions: dict[str, Callable[[], object]] = {
            "sha256sum": lambda: run(["sha256sum", str(weights)]),
            "openssl dgst -sha256": lambda: run(["openssl", "dgst", "-sha256", str(weights)]),
        }
        for algorithm in ("sha256", "blake3"):
            signer = KeyFileSigner(SignConfig(hash=algorithm), work, echo=lambda _: None)
            bundle, public = scratch / f"{algorithm}.sig", scratch / f"{algorithm}.pub"
            signer.sign(model, bundle, public)  # creates the local key the model_signing CLI uses too

            def check(b=bundle, p=public) -> None:
                assert verify_model(model, b, p).ok

            actions[f"mlsecops sign ({algorithm})"] = lambda s=signer, b=bundle, p=public: s.sign(model, b, p)
            actions[f"mlsecops verify ({algorithm})"] = check
        actions["model_signing CLI sign (sha256)"] = lambda: run(
            [cli, "sign", "key", "--private_key", str(key), "--signature", str(scratch / "cli.sig"), str(model)])
        actions["model_signing CLI verify (sha256)"] = lambda: run(
            [cli, "verify", "key", "--public_key", str(scratch / "sha256.pub"), "--signature",
             str(scratch / "cli.sig"), str(model)])
        medians = interleaved_medians(actions, args.runs)

        print(f"model: {size_gb:.2f} GB, {os.cpu_count()} CPU(s), median of {args.runs}")
        for name, seconds in medians.items():
            print(f"  {name:36} {seconds:7.2f} s  {size_gb / seconds:6.2f} GB/s")
        sign, openssl = medians["mlsecops sign (sha256)"], medians["openssl dgst -sha256"]
        print(f"sha256 sign vs openssl dgst: {openssl / sign:.2f} (>= 1.0: no slower)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
