"""Upload/download through mlsecops' stores beside the raw tools: boto3 (`aws s3 cp`-style) on moto's S3 server,
and `curl --upload-file` / `curl -o` on nginx-as-Nexus. mlsecops' numbers include its verification
(the server's sha256 or crc32 checksum after an S3 upload, a read-back after a Nexus upload since
nginx reports no checksum, sha256 while downloading); the raw tools verify nothing (boto3 sends
its default CRC32).

Usage: python bench/bench_transfer.py [--size-mb 256] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_signing import median_seconds, random_file


def curl(*args: str) -> None:
    subprocess.run(["curl", "-sS", "-f", *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import logging

    import boto3
    from boto3.s3.transfer import TransferConfig
    from mlsecops.config import ConnectionConfig
    from mlsecops.stores import open_store
    from servers.moto_server import moto_server_process
    from servers.nginx_nexus import nginx_nexus

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    scratch = Path(tempfile.mkdtemp(prefix="mlsecops-bench-xfer-"))
    rows: list[tuple[str, float, float]] = []  # name, mlsecops seconds, raw seconds
    try:
        src = random_file(scratch / "model.bin", args.size_mb)
        size_mb = src.stat().st_size / 1e6

        os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
        with moto_server_process() as endpoint:
            raw = boto3.client("s3", endpoint_url=endpoint)
            raw.create_bucket(Bucket="bench")
            connection = ConnectionConfig(endpoint_url=endpoint, region="us-east-1")
            store = open_store("s3://bench/ours", {"s3": connection})
            transfer = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=16 << 20, max_concurrency=8)
            ours_up = median_seconds(lambda: store.upload(src, "model.bin"), args.runs)
            raw_up = median_seconds(
                lambda: raw.upload_file(str(src), "bench", "raw/model.bin", Config=transfer), args.runs
            )
            rows.append(("S3 upload, sha256 (moto)", ours_up, raw_up))
            crc = open_store("s3://bench/crc", {"s3": connection.model_copy(update={"upload_checksum": "crc32"})})
            rows.append(("S3 upload, crc32 (moto)", median_seconds(lambda: crc.upload(src, "m.bin"), args.runs), raw_up))
            ours_down = median_seconds(lambda: store.download("model.bin", scratch / "dl-ours.bin"), args.runs)
            raw_down = median_seconds(
                lambda: raw.download_file("bench", "raw/model.bin", str(scratch / "dl-raw.bin"), Config=transfer),
                args.runs,
            )
            rows.append(("S3 download (moto)", ours_down, raw_down))

        with nginx_nexus() as nexus:
            connection = ConnectionConfig(username=nexus.username, password=nexus.password)
            store = open_store(nexus.url, {"nexus": connection})
            http = nexus.url.replace("nexus+http", "http")
            auth = f"{nexus.username}:{nexus.password}"
            ours_up = median_seconds(lambda: store.upload(src, "ours/model.bin"), args.runs)
            raw_up = median_seconds(lambda: curl("-u", auth, "--upload-file", str(src), f"{http}/raw/model.bin"),
                                    args.runs)
            rows.append(("Nexus upload (nginx)", ours_up, raw_up))
            ours_down = median_seconds(lambda: store.download("ours/model.bin", scratch / "dl-ours.bin"), args.runs)
            raw_down = median_seconds(lambda: curl("-u", auth, "-o", str(scratch / "dl-raw.bin"),
                                                   f"{http}/raw/model.bin"), args.runs)
            rows.append(("Nexus download (nginx)", ours_down, raw_down))

        print(f"file: {size_mb:.0f} MB, {os.cpu_count()} CPU(s), median of {args.runs}; ratio = raw time / mlsecops time")
        for name, ours, raw_seconds in rows:
            print(f"  {name:24} mlsecops {ours:6.2f} s ({size_mb / ours:7.1f} MB/s)   raw {raw_seconds:6.2f} s "
                  f"({size_mb / raw_seconds:7.1f} MB/s)   ratio {raw_seconds / ours:5.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
