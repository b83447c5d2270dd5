"""Compressed streams and archives that model loaders open: bounded decompression, zip and tar members.

Loaders read every stream of a multi-stream file (gzip, bz2, xz, joblib's zlib): so does this.
Sizes are capped before anything is inflated into memory.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from typing import Any, BinaryIO

MAX_INFLATED = 1 << 30
STEP = 16 << 20  # inflated bytes produced per decompressor call
HOLE_BYTES = 1 << 20  # an inflated step of only zeros at least this long is not written out
_ZLIB_TYPE = type(zlib.decompressobj())

# joblib's compressor prefixes (joblib.compressor) plus the formats Python's own readers detect.
COMPRESSION_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00", "lzma"),  # joblib's own prefix: two bytes
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"ZF", "joblib-zfile"),
    (b"\x28\xb5\x2f\xfd", "zstd"),  # pandas.to_pickle(compression="zstd"), joblib's .zst
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


def compression_of(head: bytes) -> str | None:
    for magic, kind in COMPRESSION_MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) > 1 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0 and not head[1] & 0x20:
        # a two-byte header is weak evidence (text can start so): the first bytes must inflate too
        try:
            zlib.decompressobj().decompress(head)
        except zlib.error:
            return None
        return "zlib"
    return None


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    if kind == "lzma":
        return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE)
    raise ValueError(f"no decompressor for {kind}")


class DecompressError(ValueError):
    pass


class DecompressorMissing(DecompressError):
    """A stream this machine has no decompressor for: its content cannot be judged."""


class _Sink:
    """Where inflated bytes go (memory or a spooled temporary file), counted against the limit."""

    def __init__(self, out: BinaryIO, limit: int, kind: str):
        self.out, self.limit, self.kind, self.size = out, limit, kind, 0
        self.hole_at_end = False

    def room(self) -> int:
        return self.limit + 1 - self.size

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise DecompressError(f"{self.kind} stream inflates beyond {self.limit} bytes")
        if len(data) >= HOLE_BYTES and data.count(0) == len(data):
            # a run of zeros (padding): left as a hole of the spooled file rather than written out (on disk:
            # a spooled file still in memory would fill the hole when the next byte is written)
            rollover = getattr(self.out, "rollover", None)
            if rollover is not None:
                rollover()
            self.out.seek(len(data), io.SEEK_CUR)
            self.hole_at_end = True
        elif data:
            self.out.write(data)
            self.hole_at_end = False

    def finish(self) -> int:
        if self.hole_at_end:
            self.out.seek(self.size - 1)
            self.out.write(b"\x00")  # a file ends where its last byte is written
        return self.size


def _zstd(handle: BinaryIO, sink: _Sink) -> None:
    """Every frame, as pandas' and joblib's readers return them, read in bounded chunks."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        raise DecompressorMissing("zstd stream and the zstandard package is not installed") from None
    try:
        with zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True, closefd=False) as reader:
            while True:
                chunk = reader.read(min(1 << 20, sink.room()))
                if not chunk:
                    break
                sink.write(chunk)
    except zstandard.ZstdError as exc:
        if not sink.size:
            raise DecompressError(f"corrupt zstd stream ({exc.__class__.__name__})") from None
    if not sink.size:
        raise DecompressError("empty zstd stream")


def decompress(handle: BinaryIO, kind: str, limit: int = MAX_INFLATED) -> bytes:
    """Every stream of the file, concatenated, as the readers (gzip.GzipFile, joblib) return them."""
    out = io.BytesIO()
    decompress_into(handle, kind, out, limit)
    return out.getvalue()


def decompress_into(handle: BinaryIO, kind: str, out: BinaryIO, limit: int = MAX_INFLATED) -> int:
    """`decompress`, written chunk by chunk to `out` (a spooled file keeps a large stream off the heap);
    the number of bytes written."""
    sink = _Sink(out, limit, kind)
    if kind == "lz4":
        try:
            import lz4.frame  # type: ignore[import-not-found]
        except ImportError:
            raise DecompressorMissing("lz4 stream and the lz4 package is not installed") from None
        sink.write(bytes(lz4.frame.decompress(handle.read(limit))))
        return sink.finish()
    if kind == "zstd":
        _zstd(handle, sink)
        return sink.finish()
    if kind == "7z":
        raise DecompressorMissing("7z archive: no 7z reader is installed")
    if kind == "joblib-zfile":
        # joblib < 0.10: b"ZF" + hex length, then one zlib stream
        header = handle.read(2 + 19)
        start = header.find(b"x", 2)
        if start < 0:
            raise DecompressError("joblib ZF file without a zlib stream")
        handle.seek(start)
        kind = "zlib"
    decompressor = _decompressor(kind)
    pending = b""
    try:
        while True:
            chunk = pending or handle.read(1 << 20)
            pending = b""
            if not chunk:
                break
            # at most STEP bytes per call: a megabyte of zeros inflates to a gigabyte in one call otherwise
            sink.write(decompressor.decompress(chunk, min(STEP, sink.room())))
            while not decompressor.eof:
                if isinstance(decompressor, _ZLIB_TYPE):
                    tail = decompressor.unconsumed_tail  # input zlib had no room to inflate yet
                    if not tail:
                        break
                    sink.write(decompressor.decompress(tail, min(STEP, sink.room())))
                elif decompressor.needs_input:
                    break
                else:
                    sink.write(decompressor.decompress(b"", min(STEP, sink.room())))
            if decompressor.eof:
                pending = decompressor.unused_data
                if not pending:
                    pending = handle.read(1 << 20)
                if not pending or not pending.strip(b"\x00"):
                    break  # trailing zero padding ends a gzip file, as gzip.GzipFile allows
                decompressor = _decompressor(kind)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        if not sink.size:
            raise DecompressError(f"corrupt {kind} stream ({exc.__class__.__name__})") from None
        # the readers stop here too, after returning what came before
    if not sink.size:
        raise DecompressError(f"empty {kind} stream")
    return sink.finish()


# ---------------------------------------------------------------------- members that leave the archive


def _parts(name: str) -> list[str]:
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def member_escape(name: str) -> str | None:
    """Why extracting a member of this name writes outside the folder (`..`, an absolute or drive path,
    a NUL byte), or None. Judged on the name alone: nothing is extracted."""
    if "\x00" in name:
        return "NUL byte in the member name"
    flat = name.replace("\\", "/")
    if flat.startswith("/") or (len(flat) > 1 and flat[1] == ":"):
        return f"absolute member path {name[:120]!r}"
    if ".." in _parts(name):
        return f"member path climbs out with '..' ({name[:120]!r})"
    return None


def link_escape(name: str, target: str, *, hard: bool = False) -> tuple[str, bool] | None:
    """Why a symbolic or hard link member points outside the archive: (reason, absolute target). A symbolic
    link is read from the folder it sits in, a tar hard link from the archive's root."""
    if not target or "\x00" in target:
        return "link with an empty or NUL target", False
    flat = target.replace("\\", "/")
    if flat.startswith("/") or (len(flat) > 1 and flat[1] == ":"):
        return f"link {name[:80]!r} points to the absolute path {target[:120]!r}", True
    depth = 0 if hard else len(_parts(name)) - 1
    for part in _parts(target):
        depth = depth - 1 if part == ".." else depth + 1
        if depth < 0:
            return f"link {name[:80]!r} points outside the archive ({target[:120]!r})", False
    return None


def through_links(target_of: dict[str, str]) -> list[str]:
    """Links whose target passes through another link of the same archive (`u1 -> l/..` with `l -> .`): a
    chain whose end only the filesystem knows, judged as leaving the archive."""
    links = {"/".join(_parts(name)) for name in target_of}
    found = []
    for name, target in target_of.items():
        base = _parts(name)[:-1]
        parts = base + _parts(target)
        if any("/".join(parts[:i]) in links for i in range(len(base) + 1, len(parts) + 1)):
            found.append(name)
    return found
