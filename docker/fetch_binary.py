"""Fetch one release binary (gitleaks, trivy) into the image, verified by sha256 before it is unpacked.

    python3 fetch_binary.py --out /out gitleaks 8.18.4 <sha256 of the release tarball>

An empty version leaves the tool out (exit 0). A version without a sha256, a digest
mismatch, or an archive without the expected member fails the build. Only the named member
is extracted, so a crafted archive cannot write elsewhere. Standard library only: it runs
in the bare base image.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import ssl
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

RELEASE_URLS = {
    "gitleaks": "https://github.com/gitleaks/gitleaks/releases/download/v{version}/gitleaks_{version}_linux_x64.tar.gz",
    "trivy": "https://github.com/aquasecurity/trivy/releases/download/v{version}/trivy_{version}_Linux-64bit.tar.gz",
}
CHUNK = 1024 * 1024
MAX_DOWNLOAD = 512 * 1024 * 1024


def fail(message: str) -> None:
    print(f"fetch_binary: {message}", file=sys.stderr)
    sys.exit(1)


def download(url: str, target: Path, ca_file: str | None) -> str:
    """Stream `url` into `target`; returns the sha256 of what was written."""
    if not url.startswith(("https://", "file://")):
        fail(f"refusing a non-https URL: {url}")
    context = ssl.create_default_context(cafile=ca_file if ca_file and os.path.getsize(ca_file) else None)
    digest = hashlib.sha256()
    written = 0
    with urllib.request.urlopen(url, context=context, timeout=120) as response, target.open("wb") as out:  # noqa: S310
        while chunk := response.read(CHUNK):
            written += len(chunk)
            if written > MAX_DOWNLOAD:
                fail(f"{url}: larger than {MAX_DOWNLOAD} bytes")
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def extract_member(archive: Path, member_name: str, out_dir: Path) -> Path:
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if Path(member.name).name == member_name and member.isfile():
                source = tar.extractfile(member)
                if source is None:
                    break
                target = out_dir / member_name
                with source, target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                target.chmod(0o755)
                return target
    fail(f"{archive.name}: no file named '{member_name}' inside")
    raise AssertionError  # unreachable: fail() exits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder that receives the binary")
    parser.add_argument("--ca", help="CA bundle for TLS (used when the file exists and is not empty)")
    parser.add_argument("--url", help="override the release URL (a mirror, or file:// in tests)")
    parser.add_argument("tool", choices=sorted(RELEASE_URLS))
    parser.add_argument("version", help="release version without the leading v; empty: skip the tool")
    parser.add_argument("sha256", help="sha256 of the release archive")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    version = args.version.strip().removeprefix("v")
    if not version:
        print(f"fetch_binary: {args.tool}: no version given, left out")
        return 0
    expected = args.sha256.strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        fail(f"{args.tool} {version}: a sha256 (64 hex digits) is required to verify the download")
    url = args.url or RELEASE_URLS[args.tool].format(version=version)
    ca_file = args.ca if args.ca and os.path.isfile(args.ca) else None
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "release.tar.gz"
        actual = download(url, archive, ca_file)
        if actual != expected:
            fail(f"{args.tool} {version}: sha256 mismatch (expected {expected[:12]}..., got {actual[:12]}...)")
        binary = extract_member(archive, args.tool, args.out)
    print(f"fetch_binary: {args.tool} {version} verified and installed as {binary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
