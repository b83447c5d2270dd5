"""Reading files as bytes, bounded: is it binary, and its content in newline-cut chunks of bounded size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".pdf", ".zip", ".gz", ".tgz", ".bz2",
        ".xz", ".7z", ".tar", ".jar", ".whl", ".so", ".dll", ".dylib", ".exe", ".bin", ".o", ".a",
        ".pyc", ".pt", ".pth", ".h5", ".keras", ".onnx", ".safetensors", ".npy", ".npz", ".pkl",
        ".pickle", ".joblib", ".parquet", ".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4", ".mov",
        ".avi", ".wav", ".ogg", ".class", ".db", ".sqlite",
    }
)  # fmt: skip
SNIFF_BYTES = 8192


def sniff_binary(path: Path) -> bool:
    """Binary by suffix, or by a NUL byte in the first 8 KB (what git and grep use)."""
    if path.suffix.lower() in BINARY_SUFFIXES:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return b"\x00" in head


def read_chunks(path: Path, chunk_size: int, overlap: int, start: int = 0,
                end: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) pieces of [start, end) of about `chunk_size`, cut after a newline when there is one.

    A piece with no newline (a huge single line) is cut anywhere and the next piece repeats
    its last `overlap` bytes, so a value crossing the cut is still seen whole; consumers
    de-duplicate by absolute offset. Memory stays bounded whatever the line length.
    """
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = None if end is None else end - start
        offset = start
        carry = b""
        while True:
            size = chunk_size if remaining is None else min(chunk_size, remaining)
            block = handle.read(size) if size > 0 else b""
            if remaining is not None:
                remaining -= len(block)
            data = carry + block
            if not block:
                if data:
                    yield offset, data
                return
            newline = data.rfind(b"\n")
            if newline >= 0:
                yield offset, data[: newline + 1]
                carry = data[newline + 1 :]
                offset += newline + 1
            else:
                yield offset, data
                carry = data[-overlap:] if overlap else b""
                offset += len(data) - len(carry)
