"""numpy `.npy` headers read as `np.load` reads them: the descr becomes a dtype through numpy's own grammar.

`np.load(allow_pickle=True)` unpickles the data of any array whose dtype has objects: `'O'`,
`'object'`, `'object_'`, a structured dtype with an object field, a sub-array of objects. The
question is answered by numpy itself (`descr_to_dtype(...).hasobject`) on the literal header, so
no spelling of "object" slips past a pattern.
"""

from __future__ import annotations

import ast
import math
from typing import Any, BinaryIO

NPY_MAGIC = b"\x93NUMPY"
MAX_HEADER = 1 << 20


class NpyError(ValueError):
    pass


def read_header(handle: BinaryIO) -> dict[str, Any]:
    """The header dict of the `.npy` stream at the handle's position; leaves it at the data."""
    magic = handle.read(8)
    if len(magic) != 8 or not magic.startswith(NPY_MAGIC):
        raise NpyError("bad .npy magic")
    major = magic[6]
    if major not in (1, 2, 3):
        raise NpyError(f"unknown .npy version {major}")
    length_bytes = handle.read(2 if major == 1 else 4)
    length = int.from_bytes(length_bytes, "little") if length_bytes else 0
    if not 0 < length <= MAX_HEADER:
        raise NpyError("bad .npy header length")
    raw = handle.read(length)
    if len(raw) != length:
        raise NpyError(".npy header is truncated")
    try:
        header = ast.literal_eval(raw.decode("utf-8" if major == 3 else "latin-1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError) as exc:
        raise NpyError(f"unreadable .npy header ({exc.__class__.__name__})") from None
    if not isinstance(header, dict) or "descr" not in header:
        raise NpyError(".npy header without a descr")
    return header


def header_dtype(header: dict[str, Any]) -> Any:
    """The dtype numpy builds from the header's descr (numpy raises on what it would refuse)."""
    from numpy.lib.format import descr_to_dtype

    try:
        return descr_to_dtype(header["descr"])
    except Exception as exc:  # noqa: BLE001 - numpy refuses a bad descr in many ways; so would np.load
        raise NpyError(f"numpy refuses the .npy descr ({exc.__class__.__name__})") from None


def data_size(header: dict[str, Any], dtype: Any) -> int:
    shape = header.get("shape")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise NpyError(".npy header with a bad shape")
    return math.prod(shape) * int(dtype.itemsize)
