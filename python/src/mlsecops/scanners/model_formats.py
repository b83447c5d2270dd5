"""Our own model-file checks: formats told by content (magic bytes, pickle opcodes), never loaded.

Covers what modelscan and fickling miss: `.keras` archives (config.json read as JSON),
`.h5` model configs (an HDF5 attribute), pickles inside zips (`.pt`), joblib with inline
arrays and compression, `.npy`/`.npz` object arrays, safetensors headers. Nothing here
imports, unpickles or deserializes a model: pickles are walked symbolically, zips are read
member by member with size caps, HDF5 is opened only to read one attribute.
"""

from __future__ import annotations

import ast
import bz2
import io
import json
import lzma
import math
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Severity
from .model_problems import CLEAN, ERROR, UNSAFE, UNSUPPORTED, FileVerdict, Problem, unreadable
from .pickle_inspect import is_pickle, itemsize_of, walk_pickle

SCANNER = "mlsecops"

# Extensions that announce a model or serialized-object file; content decides the format.
MODEL_EXTENSIONS = frozenset(
    (
        ".pkl", ".pickle", ".p", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".dill", ".dat", ".data", ".h5",
        ".hdf5", ".keras", ".npy", ".npz", ".safetensors", ".onnx", ".pb", ".gguf", ".ggml", ".msgpack",
        ".model", ".mar", ".tflite", ".sav",
    )
)

MAX_MEMBER_BYTES = 1 << 30  # a zip member or decompressed stream larger than this is not read
MAX_ZIP_MEMBERS = 100_000
MAX_NESTING = 3
FICKLING_MAX_BYTES = 64 << 20

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# Keras layers that embed Python code in the saved config.
_CODE_LAYERS = frozenset(("Lambda", "TFOpLambda", "SlicingOpLambda"))


@dataclass
class PickleStream:
    """A pickle found inside a file: handed to pickle scanners (fickling) as bytes."""

    where: str
    data: bytes


@dataclass
class Inspection:
    verdict: FileVerdict
    format: str = "unknown"
    pickles: list[PickleStream] = field(default_factory=list)


def sniff(head: bytes) -> str:
    """The format of a file from its first bytes."""
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_HDF5_MAGIC):
        return "hdf5"
    if head.startswith(_NPY_MAGIC):
        return "npy"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return "pickle"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00") or head.startswith(b"\x5d\x00\x00"):
        return "xz"
    if head[:1] == b"\x78" and len(head) > 1 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    if len(head) >= 10 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] < (100 << 20):
        return "safetensors"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    if head[:1] in (b"(", b"]", b"}", b"c", b"I"):
        return "pickle0"  # maybe a protocol 0/1 pickle: confirmed by parsing
    return "unknown"


def looks_like_model(path: Path) -> bool:
    """Whether a file met while walking a tree is a model file (by extension or content)."""
    if path.suffix.lower() in MODEL_EXTENSIONS:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
            kind = sniff(head)
            if kind in ("hdf5", "npy", "pickle"):
                return True
            if kind == "zip":
                return _zip_holds_model(path)
            if kind == "pickle0" and path.stat().st_size < (8 << 20):
                handle.seek(0)
                return is_pickle(handle.read())
    except OSError:
        return False
    return False


def _zip_holds_model(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()[:MAX_ZIP_MEMBERS]
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return False
    suffixes = (*MODEL_EXTENSIONS, ".zip", "config.json")
    return any(n.lower().endswith(suffixes) for n in names)


def inspect_file(path: Path, trusted: frozenset[tuple[str, str]] = frozenset()) -> Inspection:
    """Our verdict on one file. Never raises on bad content: a read failure is a problem."""
    inspection = Inspection(FileVerdict(SCANNER, CLEAN))
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
        kind = sniff(head)
        inspection.format = kind
        if kind == "hdf5":
            _check_hdf5(path, inspection)
        elif kind == "zip":
            with zipfile.ZipFile(path) as archive:
                _check_zip(archive, path.name, inspection, trusted, depth=0)
        else:
            with path.open("rb") as handle:
                _check_stream(handle, kind, path.name, inspection, trusted, path.stat().st_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, EOFError, ValueError, OSError) as exc:
        _fail(inspection, f"{path.name}: {exc.__class__.__name__}: {str(exc)[:160]}")
    return inspection


def _fail(inspection: Inspection, detail: str) -> None:
    inspection.verdict.problems.append(unreadable(detail))
    inspection.verdict.verdict = UNSAFE if len(inspection.verdict.problems) > 1 else ERROR
    inspection.verdict.note = detail


def _record(inspection: Inspection, problems: list[Problem]) -> None:
    for problem in problems:
        if problem.key == "unreadable":
            _fail(inspection, problem.detail)
        else:
            inspection.verdict.add(problem)


def _check_stream(
    handle: io.BufferedIOBase | io.BytesIO,
    kind: str,
    where: str,
    inspection: Inspection,
    trusted: frozenset[tuple[str, str]],
    size: int,
) -> None:
    if kind in ("pickle", "pickle0"):
        data = handle.read(FICKLING_MAX_BYTES + 1)
        if kind == "pickle0" and not is_pickle(data):
            inspection.verdict.verdict = UNSUPPORTED
            inspection.verdict.note = "not a recognised model format"
            inspection.format = "unknown"
            return
        inspection.format = "pickle"
        if len(data) <= FICKLING_MAX_BYTES:
            inspection.pickles.append(PickleStream(where, data))
            stream: Any = io.BytesIO(data)
        else:
            handle.seek(0)
            stream = handle
        _check_pickle(stream, where, inspection, trusted)
    elif kind == "npy":
        _check_npy(handle, where, inspection, trusted)
    elif kind in ("gzip", "bz2", "xz", "zlib"):
        data = _decompress(handle, kind)
        if data is None:
            _fail(inspection, f"{where}: {kind} stream larger than {MAX_MEMBER_BYTES} bytes or corrupt")
            return
        inner = sniff(data[:16])
        if inner not in ("pickle", "pickle0", "npy"):
            inspection.verdict.verdict = UNSUPPORTED
            inspection.verdict.note = f"{kind} stream of unknown content"
            return
        inspection.format = f"{kind}+{inner}"
        _check_stream(io.BytesIO(data), inner, f"{where} ({kind})", inspection, trusted, len(data))
    elif kind == "safetensors":
        _check_safetensors(handle, where, inspection, size)
    elif kind == "json":
        try:
            json.loads(handle.read(MAX_MEMBER_BYTES).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            _fail(inspection, f"{where}: invalid JSON ({exc.__class__.__name__})")
            return
        inspection.verdict.note = "JSON (data only)"
    else:
        inspection.verdict.verdict = UNSUPPORTED
        inspection.verdict.note = "not a recognised model format"


def _check_pickle(stream: Any, where: str, inspection: Inspection, trusted: frozenset[tuple[str, str]]) -> None:
    walk = walk_pickle(stream, where=where, trusted=trusted)
    _record(inspection, walk.problems)
    if walk.error:
        _fail(inspection, f"{where}: pickle stops after {walk.opcodes} opcodes ({walk.error})")
    elif walk.pickles == 0:
        _fail(inspection, f"{where}: empty pickle")


def _check_npy(handle: Any, where: str, inspection: Inspection, trusted: frozenset[tuple[str, str]]) -> None:
    header = _npy_header(handle)
    if header is None:
        _fail(inspection, f"{where}: bad .npy header")
        return
    descr = str(header.get("descr", ""))
    if "O" in descr:
        # an object array is a pickle after the header: np.load(allow_pickle=True) would run it
        inspection.format = "npy+pickle"
        rest = handle.read(MAX_MEMBER_BYTES)
        inspection.pickles.append(PickleStream(f"{where} (object array)", rest[:FICKLING_MAX_BYTES]))
        _check_pickle(io.BytesIO(rest), f"{where} (object array)", inspection, trusted)
        return
    shape, itemsize = header.get("shape"), itemsize_of(descr)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape) and itemsize:
        start = handle.tell()
        handle.seek(0, io.SEEK_END)
        if handle.tell() - start < math.prod(shape) * itemsize:
            _fail(inspection, f"{where}: array data is truncated")


def _npy_header(handle: Any) -> dict[str, Any] | None:
    magic = handle.read(8)
    if len(magic) != 8 or not magic.startswith(_NPY_MAGIC):
        return None
    major = magic[6]
    length_bytes = handle.read(2 if major == 1 else 4)
    length = int.from_bytes(length_bytes, "little") if length_bytes else 0
    if not 0 < length < 1 << 20:
        return None
    try:
        header = ast.literal_eval(handle.read(length).decode("latin-1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return header if isinstance(header, dict) else None


def _check_safetensors(handle: Any, where: str, inspection: Inspection, size: int) -> None:
    length = struct.unpack("<Q", handle.read(8))[0]
    try:
        header = json.loads(handle.read(length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        _fail(inspection, f"{where}: bad safetensors header")
        return
    end = max((v.get("data_offsets", [0, 0])[1] for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + length + end > size:
        _fail(inspection, f"{where}: safetensors data is truncated")


def _decompress(handle: Any, kind: str) -> bytes | None:
    makers = {
        "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
        "zlib": zlib.decompressobj,
        "bz2": bz2.BZ2Decompressor,
        "xz": lzma.LZMADecompressor,
    }
    decompressor = makers[kind]()
    out = bytearray()
    try:
        while chunk := handle.read(1 << 20):
            out += decompressor.decompress(chunk, MAX_MEMBER_BYTES + 1 - len(out))
            if len(out) > MAX_MEMBER_BYTES:
                return None
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError):
        return None
    return bytes(out) if out else None


# ---------------------------------------------------------------------- zip archives


def _members(archive: zipfile.ZipFile) -> Iterator[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ValueError(f"zip has more than {MAX_ZIP_MEMBERS} members")
    yield from (info for info in infos if not info.is_dir())


def _check_zip(
    archive: zipfile.ZipFile, where: str, inspection: Inspection, trusted: frozenset[tuple[str, str]], depth: int
) -> None:
    """Walk each member that holds code or structure: pickles, nested zips, npy, Keras config."""
    inspection.format = "zip"
    for info in _members(archive):
        member_where = f"{where}:{info.filename}"
        with archive.open(info) as member:
            head = member.read(16)
        kind = sniff(head)
        name = info.filename.rsplit("/", 1)[-1]
        if name == "config.json" and kind == "json":
            inspection.format = "keras"
            config = _read_member_json(archive, info, member_where, inspection)
            if config is not None:
                _record(inspection, keras_config_problems(config, member_where))
            continue
        if kind not in ("pickle", "pickle0", "zip", "npy") and not name.endswith((".pkl", ".pickle")):
            continue  # raw tensor data, weights in HDF5, metadata: nothing that runs on load
        if info.file_size > MAX_MEMBER_BYTES:
            _fail(inspection, f"{member_where}: member larger than {MAX_MEMBER_BYTES} bytes, not read")
            continue
        data = archive.read(info)
        if len(data) > MAX_MEMBER_BYTES:
            _fail(inspection, f"{member_where}: member inflates beyond its declared size")
            continue
        if kind == "zip":
            if depth >= MAX_NESTING:
                _fail(inspection, f"{member_where}: zip nested deeper than {MAX_NESTING} levels")
                continue
            with zipfile.ZipFile(io.BytesIO(data)) as nested:
                _check_zip(nested, member_where, inspection, trusted, depth + 1)
            continue
        if kind == "pickle0" and not is_pickle(data) and not name.endswith((".pkl", ".pickle")):
            continue
        if kind == "npy":
            _check_npy(io.BytesIO(data), member_where, inspection, trusted)
            continue
        if inspection.format == "zip":
            inspection.format = "zip+pickle"
        if len(data) <= FICKLING_MAX_BYTES:
            inspection.pickles.append(PickleStream(member_where, data))
        _check_pickle(io.BytesIO(data), member_where, inspection, trusted)


def _read_member_json(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, inspection: Inspection) -> Any:
    if info.file_size > MAX_MEMBER_BYTES:
        _fail(inspection, f"{where}: config larger than {MAX_MEMBER_BYTES} bytes")
        return None
    try:
        return json.loads(archive.read(info).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        _fail(inspection, f"{where}: invalid JSON ({exc.__class__.__name__})")
        return None


# ---------------------------------------------------------------------- Keras configs


def _check_hdf5(path: Path, inspection: Inspection) -> None:
    import h5py  # reading attributes parses the HDF5 structure only; no model is built

    inspection.format = "hdf5"
    with h5py.File(path, "r") as handle:
        raw = handle.attrs.get("model_config")
    if raw is None:
        inspection.verdict.note = "HDF5 without a model config (weights only)"
        return
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        config = json.loads(str(raw))
    except ValueError:
        _fail(inspection, f"{path.name}: model_config attribute is not JSON")
        return
    inspection.format = "keras-h5"
    _record(inspection, keras_config_problems(config, f"{path.name}:model_config"))


def keras_config_problems(config: Any, where: str) -> list[Problem]:
    """Lambda layers (marshalled Python code) and custom objects (imports) in a Keras config."""
    problems: dict[str, Problem] = {}
    for node in _walk_json(config):
        class_name = node.get("class_name")
        if not isinstance(class_name, str):
            continue
        layer = _layer_name(node)
        if class_name in _CODE_LAYERS:
            problems.setdefault(
                "lambda-layer",
                Problem(
                    key="lambda-layer",
                    rule="model-file/keras-lambda",
                    severity=Severity.HIGH,
                    title="Keras model contains a Lambda layer: Python code runs when the model is loaded",
                    detail=f"{where} layer {layer}",
                ),
            )
            continue
        module = node.get("module")
        registered = node.get("registered_name")
        if isinstance(module, str) and module and not _is_keras_module(module):
            ref = f"{module}.{node.get('config') if class_name == 'function' else class_name}"
            from .pickle_inspect import DANGEROUS_MODULES

            dangerous = any(module == m or module.startswith(m + ".") for m in DANGEROUS_MODULES) or module in (
                "builtins", "__builtin__",
            )
            problems.setdefault(
                f"custom-object:{ref}",
                Problem(
                    key=f"custom-object:{ref}",
                    rule="model-file/keras-custom-object",
                    severity=Severity.CRITICAL if dangerous else Severity.MEDIUM,
                    title=(
                        f"Keras config imports {ref} when the model is loaded"
                        + (" (a module that executes code)" if dangerous else " (a custom object: code outside Keras)")
                    ),
                    detail=f"{where} layer {layer}",
                ),
            )
        elif isinstance(registered, str) and registered.startswith("Custom>"):
            problems.setdefault(
                f"custom-object:{registered}",
                Problem(
                    key=f"custom-object:{registered}",
                    rule="model-file/keras-custom-object",
                    severity=Severity.MEDIUM,
                    title=f"Keras config needs the custom object {registered} (code outside Keras)",
                    detail=f"{where} layer {layer}",
                ),
            )
    return list(problems.values())


def _is_keras_module(module: str) -> bool:
    return module == "keras" or module.startswith(("keras.", "keras_nlp.", "keras_hub.", "keras_cv."))


def _layer_name(node: dict[str, Any]) -> str:
    config = node.get("config")
    if isinstance(config, dict) and isinstance(config.get("name"), str):
        return config["name"]
    return str(node.get("name", "?"))


def _walk_json(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 200:
        return
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_json(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_json(value, depth + 1)
