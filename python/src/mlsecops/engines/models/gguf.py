"""GGUF (llama.cpp) files: the metadata key/values are parsed, tensors are not read.

A GGUF file runs no code by itself, but its `tokenizer.chat_template` is a Jinja template that
several runtimes render: a template reaching Python internals is a server-side template injection.
Every count and length in the header (tensors, metadata entries, strings, arrays) is judged against
the bytes the file has before anything is read by it: a header that cannot be true is hostile.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from mlsecops.engines.models.problems import Problem
from mlsecops.engines.models.templates import template_problems
from mlsecops.findings import Severity

GGUF_MAGIC = b"GGUF"
MAX_KV = 1 << 16
MAX_STRING = 64 << 20
MAX_ARRAY = 1 << 24
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class GgufError(ValueError):
    pass


class GgufHostile(GgufError):
    """A header whose counts or lengths cannot be true of this file: a loader that trusts them allocates
    by them (or reads past the end)."""


# The fewest bytes one metadata entry (key length, 1-byte key, type, 1-byte value) and one tensor
# description (name length, 1-byte name, dims count, one dim, type, offset) take in a GGUF file.
_MIN_KV_BYTES = {False: 4 + 1 + 4 + 1, True: 8 + 1 + 4 + 1}
_MIN_TENSOR_BYTES = {False: 4 + 1 + 4 + 4 + 4 + 8, True: 8 + 1 + 4 + 8 + 4 + 8}
MAX_TENSOR_DIMS = 8


class _Reader:
    """The file and where it ends: every declared count and length is judged against what is left."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.order = "<"  # ">" for a big-endian file (ggml's big-endian builds write one)
        here = handle.tell()
        self.end = handle.seek(0, 2)
        handle.seek(here)

    def remaining(self) -> int:
        return self.end - self.handle.tell()


def _read(reader: _Reader, fmt: str) -> Any:
    fmt = reader.order + fmt.lstrip("<")
    size = struct.calcsize(fmt)
    data = reader.handle.read(size)
    if len(data) != size:
        raise GgufError("GGUF metadata is truncated")
    return struct.unpack(fmt, data)[0]


def _string(reader: _Reader, wide: bool) -> str:
    handle = reader.handle
    length = _read(reader, "<Q" if wide else "<I")
    if length > reader.remaining():
        raise GgufHostile(f"a GGUF string declares {length} bytes, past the end of the file")
    if length > MAX_STRING:
        raise GgufError("GGUF string longer than the limit")
    data = handle.read(length)
    if len(data) != length:
        raise GgufError("GGUF string is truncated")
    return data.decode("utf-8", "replace")


def _value(reader: _Reader, kind: int, wide: bool, depth: int = 0) -> Any:
    handle = reader.handle
    if kind in _SCALARS:
        return _read(reader, _SCALARS[kind])
    if kind == 8:
        return _string(reader, wide)
    if kind == 9 and depth < 4:
        inner = _read(reader, "<I")
        count = _read(reader, "<Q" if wide else "<I")
        if count > reader.remaining():
            raise GgufHostile(f"a GGUF array declares {count} entries, more than the file has bytes")
        if count > MAX_ARRAY:
            raise GgufError("GGUF array longer than the limit")
        if inner in _SCALARS:
            size = struct.calcsize(_SCALARS[inner]) * count
            if size > reader.remaining():
                raise GgufHostile("a GGUF array runs past the end of the file")
            handle.seek(size, 1)
            return None
        return [_value(reader, inner, wide, depth + 1) for _ in range(count)]
    raise GgufError(f"unknown GGUF value type {kind}")


def metadata(handle: BinaryIO) -> dict[str, Any]:
    if handle.read(4) != GGUF_MAGIC:
        raise GgufError("not a GGUF file")
    reader = _Reader(handle)
    version = _read(reader, "<I")
    if version & 0xFFFF == 0 and version:
        # a big-endian file: its version reads byte-swapped, as gguf-py's reader detects it
        reader.order = ">"
        version = int.from_bytes(version.to_bytes(4, "little"), "big")
    if version not in (1, 2, 3):
        raise GgufError(f"unknown GGUF version {version}")
    wide = version >= 2
    tensor_count = _read(reader, "<Q" if wide else "<I")
    kv_count = _read(reader, "<Q" if wide else "<I")
    # judged against the bytes the file has, never used to allocate
    room = reader.remaining()
    if kv_count * _MIN_KV_BYTES[wide] > room:
        raise GgufHostile(f"GGUF header declares {kv_count} metadata entries, more than the file can hold")
    if tensor_count * _MIN_TENSOR_BYTES[wide] > room:
        raise GgufHostile(f"GGUF header declares {tensor_count} tensors, more than the file can hold")
    if kv_count > MAX_KV:
        raise GgufError("too many GGUF metadata entries")
    found: dict[str, Any] = {}
    for _ in range(kv_count):
        key = _string(reader, wide)
        kind = _read(reader, "<I")
        found[key] = _value(reader, kind, wide)
    for _ in range(tensor_count):
        _tensor_info(reader, wide)
    return found


def _tensor_info(reader: _Reader, wide: bool) -> None:
    """One tensor description, as llama.cpp reads it: name, dims, type, data offset."""
    _string(reader, wide)
    dims = _read(reader, "<I")
    if dims > MAX_TENSOR_DIMS:
        raise GgufHostile(f"a GGUF tensor declares {dims} dimensions")
    for _ in range(dims):
        _read(reader, "<Q" if wide else "<I")
    _read(reader, "<I")  # ggml type
    _read(reader, "<Q")  # offset in the data section


def hostile_header(error: GgufHostile, where: str) -> Problem:
    return Problem(
        key="gguf-header", rule="model-file/gguf-header", severity=Severity.HIGH,
        title="Malformed or hostile GGUF header: its counts or lengths cannot be true of this file",
        detail=f"{where}: {error}",
    )


def problems(meta: dict[str, Any], where: str) -> list[Problem]:
    """Chat templates in the metadata (`tokenizer.chat_template`, `tokenizer.chat_template.<name>`),
    judged by their structure as every other chat template is (`model_templates`)."""
    out: list[Problem] = []
    for key, value in meta.items():
        if "chat_template" in key and isinstance(value, str):
            out += template_problems(value, f"{where} key {key}", key)
    return out
