"""Upload/download through mlsecops' stores beside the raw tools: boto3 (`aws s3 cp`-style) on moto's S3 server,
and `curl --upload-file` / `curl -o` on nginx-as-Nexus. mlsecops' numbers include its verification
(the server's sha256 or crc32 checksum after an S3 upload, a read-back after a Nexus upload since
nginx reports no checksum, sha256 while downloading); the raw tools verify nothing (boto3 sends
its default CRC32). Tools run in interleaved rounds so that both meet the same load. Nexus
uploads are timed twice: over the same key each round, and to a new key each round, as a
release does; replacing a file costs nginx more than creating one (it frees the old one).

Usage: python bench/bench_transfer.py [--size-mb 256] [--runs 3] [--scratch DIR]
`--scratch /dev/shm` keeps the file and nginx's repository in memory, taking the disk's
write-back (a shared, noisy cost) out of the numbers.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_signing import interleaved_medians, random_file


def curl(*args: str) -> None:
    subprocess.run(["curl", "-sS", "-f", *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scratch", default=None, help="folder for the file and nginx's data (default: $TMPDIR)")
    args = parser.parse_args()
    if args.scratch:
        os.environ["TMPDIR"] = args.scratch
        tempfile.tempdir = None

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
            sha = open_store("s3://bench/sha", {"s3": connection.model_copy(update={"upload_checksum": "sha256"})})
            up = interleaved_medians({
                "ours": lambda: store.upload(src, "model.bin"),
                "ours sha256": lambda: sha.upload(src, "m.bin"),
                "raw": lambda: raw.upload_file(str(src), "bench", "raw/model.bin", Config=transfer),
            }, args.runs)
            rows.append(("S3 upload, crc32 (moto)", up["ours"], up["raw"]))
            rows.append(("S3 upload, sha256 (moto)", up["ours sha256"], up["raw"]))
            down = interleaved_medians({
                "ours": lambda: store.download("model.bin", scratch / "dl-ours.bin"),
                "raw": lambda: raw.download_file("bench", "raw/model.bin", str(scratch / "dl-raw.bin"), Config=transfer),
            }, args.runs)
            rows.append(("S3 download (moto)", down["ours"], down["raw"]))

        with nginx_nexus() as nexus:
            connection = ConnectionConfig(username=nexus.username, password=nexus.password)
            store = open_store(nexus.url, {"nexus": connection})
            http = nexus.url.replace("nexus+http", "http")
            auth = f"{nexus.username}:{nexus.password}"
            fresh = itertools.count()
            up = interleaved_medians({
                "ours": lambda: store.upload(src, "ours/model.bin"),
                "raw": lambda: curl("-u", auth, "--upload-file", str(src), f"{http}/raw/model.bin"),
                "ours new key": lambda: store.upload(src, f"ours/new-{next(fresh)}.bin"),
                "raw new key": lambda: curl("-u", auth, "--upload-file", str(src), f"{http}/raw/new-{next(fresh)}.bin"),
                "raw read-back": lambda: curl("-u", auth, "-o", os.devnull, f"{http}/raw/model.bin"),
            }, args.runs)
            rows.append(("Nexus upload, same key", up["ours"], up["raw"]))
            rows.append(("Nexus upload, new key", up["ours new key"], up["raw new key"]))
            # nginx sends no checksum, so a verified upload is a PUT plus a full GET; nginx's own CPU
            # bounds the GET, so this is about the best ratio a read-back can reach on this server
            ceilings = [up[put] / (up[put] + up["raw read-back"]) for put in ("raw", "raw new key")]
            down = interleaved_medians({
                "ours": lambda: store.download("ours/model.bin", scratch / "dl-ours.bin"),
                "raw": lambda: curl("-u", auth, "-o", str(scratch / "dl-raw.bin"), f"{http}/raw/model.bin"),
            }, args.runs)
            rows.append(("Nexus download", down["ours"], down["raw"]))

        print(f"file: {size_mb:.0f} MB, {os.cpu_count()} CPU(s), median of {args.runs}; ratio = raw time / mlsecops time")
        for name, ours, raw_seconds in rows:
            print(f"  {name:24} mlsecops {ours:6.2f} s ({size_mb / ours:7.1f} MB/s)   raw {raw_seconds:6.2f} s "
                  f"({size_mb / raw_seconds:7.1f} MB/s)   ratio {raw_seconds / ours:5.2f}")
        print("  Nexus upload ceiling with a read-back, curl PUT / (curl PUT + curl GET): "
              f"same key {ceilings[0]:4.2f}, new key {ceilings[1]:4.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
