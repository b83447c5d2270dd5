"""Sign + verify of a large model file: mlsecops (blake3 and sha256) beside sha256sum, openssl and model-signing's CLI.

Usage: python bench/bench_signing.py [--size-mb 1024] [--runs 3]
The model is one file of random bytes in a temp folder (page cache warm after the first
read, as on a CI agent that just trained it); it is deleted at the end. Prints medians and
GB/s = size / time.
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


def median_seconds(action, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


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
        rows: list[tuple[str, float]] = []

        rows.append(("sha256sum", median_seconds(lambda: run(["sha256sum", str(weights)]), args.runs)))
        rows.append(("openssl dgst -sha256", median_seconds(lambda: run(["openssl", "dgst", "-sha256", str(weights)]),
                                                            args.runs)))
        for algorithm in ("sha256", "blake3"):
            signer = KeyFileSigner(SignConfig(hash=algorithm), work, echo=lambda _: None)
            bundle, public = scratch / f"{algorithm}.sig", scratch / f"{algorithm}.pub"
            rows.append((f"mlsecops sign ({algorithm})",
                         median_seconds(lambda s=signer, b=bundle, p=public: s.sign(model, b, p), args.runs)))

            def check(b=bundle, p=public) -> None:
                assert verify_model(model, b, p).ok

            rows.append((f"mlsecops verify ({algorithm})", median_seconds(check, args.runs)))

        cli = str(VENV_BIN / "model_signing")
        key = work / "local-key/private-key.pem"
        public_key = scratch / "sha256.pub"
        rows.append(("model_signing CLI sign (sha256)", median_seconds(
            lambda: run([cli, "sign", "key", "--private_key", str(key), "--signature", str(scratch / "cli.sig"),
                         str(model)]), args.runs)))
        rows.append(("model_signing CLI verify (sha256)", median_seconds(
            lambda: run([cli, "verify", "key", "--public_key", str(public_key), "--signature",
                         str(scratch / "cli.sig"), str(model)]), args.runs)))

        print(f"model: {size_gb:.2f} GB, {os.cpu_count()} CPU(s), median of {args.runs}")
        for name, seconds in rows:
            print(f"  {name:36} {seconds:7.2f} s  {size_gb / seconds:6.2f} GB/s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
