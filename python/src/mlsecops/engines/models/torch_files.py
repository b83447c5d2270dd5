"""PyTorch specifics: the legacy (non-zip) `torch.save` layout and TorchScript archives.

Legacy files are five pickles in a row, in whatever protocol they were written: the magic
number, the protocol version, system info, the object (the one with code in it), the storage
keys; raw storage bytes follow. `torch.load` reads all five when the first is the magic number.

TorchScript archives (`code/` + `constants.pkl`) are read by TorchScript's own unpickler, which
resolves `__torch__.*` names to classes compiled from the archive's `code/`: that code is
inspected (imports, ops that touch files), not trusted.
"""

from __future__ import annotations

import ast
from typing import Any

from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PICKLES = 5

# TorchScript's unpickler resolves these itself (no Python import).
TORCHSCRIPT_GLOBAL_PREFIXES = ("__torch__.", "torch.jit._pickle.")
_OK_IMPORTS = ("torch", "__torch__", "typing", "math", "builtins", "collections", "enum")
_KNOWN_OP_NAMESPACES = frozenset(
    ("aten", "prim", "quantized", "_quantized", "_caffe2", "profiler", "quantized_decomposed")
)
_UNSAFE_OPS = frozenset(("from_file", "save", "load", "_load_for_mobile", "system", "load_library", "_save_parameters"))
# torch functions TorchScript can call that reach the file system (the ops behind them: aten::from_file, ...)
_FILE_FUNCTIONS = frozenset(
    ("from_file", "load", "save", "jit.load", "jit.save", "serialization.load", "serialization.save",
     "hub.load", "ops.load_library", "classes.load_library", "_C._load_for_lite_interpreter",
     "_C.import_ir_module", "storage.from_file", "UntypedStorage.from_file", "TypedStorage.from_file",
     "ByteStorage.from_file", "FloatStorage.from_file")
)
_UNSAFE_NAMES = frozenset(
    ("eval", "exec", "open", "__import__", "compile", "globals", "locals", "os", "subprocess",
     "sys", "builtins", "__builtins__", "importlib", "load_library")
)


def is_torchscript(names: list[str]) -> bool:
    return any(n.endswith("constants.pkl") for n in names) and any("/code/" in f"/{n}" for n in names)


def torchscript_code_problems(source: bytes, where: str) -> list[Problem]:
    """What a TorchScript code file does beyond tensor maths: imports, unknown op namespaces, file ops."""
    try:
        tree = ast.parse(source.decode("utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
        return [_problem("torchscript-unreadable", Severity.HIGH,
                         "TorchScript code file is not readable as TorchScript source", where)]
    out: dict[str, Problem] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [module] if module else [alias.name for alias in node.names]
            for name in names:
                if name and name.split(".")[0] not in _OK_IMPORTS:
                    out.setdefault(f"torchscript-import:{name}", _problem(
                        f"torchscript-import:{name}", Severity.CRITICAL,
                        f"TorchScript code imports {name}", where))
        elif isinstance(node, ast.Attribute):
            chain = _chain(node)
            if _rooted_in_torch(node) and chain and ".".join(chain) in _FILE_FUNCTIONS:
                # torch.from_file / torch.load / torch.jit.load ...: the model reads or writes host files
                key = f"torchscript-file-op:{'.'.join(chain)}"
                out.setdefault(key, _problem(key, Severity.HIGH,
                                             f"TorchScript code calls torch.{'.'.join(chain)}, which reads or "
                                             "writes files of the host", where))
            if len(chain) >= 3 and chain[0] == "ops":
                namespace, op = chain[1], chain[2]
                if namespace not in _KNOWN_OP_NAMESPACES or op in _UNSAFE_OPS:
                    key = f"torchscript-op:{namespace}.{op}"
                    out.setdefault(key, _problem(key, Severity.HIGH,
                                                 f"TorchScript code calls the op {namespace}::{op} (custom or file op)",
                                                 where))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _shared_mapping(node):
            # from_file(path, shared=True): a writable mapping of a host file; in-place ops write the file
            chain = ".".join(_chain(node.func))
            key = f"torchscript-shared-file:{chain}"
            out.setdefault(key, _problem(key, Severity.CRITICAL,
                                         f"TorchScript code maps a host file with {chain}(..., shared=True): "
                                         "writes to the tensor write the file", where))
        elif isinstance(node, ast.Name) and node.id in _UNSAFE_NAMES:
            key = f"torchscript-name:{node.id}"
            out.setdefault(key, _problem(key, Severity.CRITICAL, f"TorchScript code uses {node.id}", where))
    return list(out.values())


def _shared_mapping(call: ast.Call) -> bool:
    """`from_file(filename, shared, ...)` with shared true (a keyword, or the second argument as TorchScript
    writes it)."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "from_file":
        return False
    values = [k.value for k in call.keywords if k.arg == "shared"] + call.args[1:2]
    return any(not (isinstance(v, ast.Constant) and not v.value) for v in values)


def _rooted_in_torch(node: ast.Attribute) -> bool:
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        current = current.value
    return isinstance(current, ast.Name) and current.id == "torch"


def _chain(node: ast.Attribute) -> list[str]:
    parts: list[str] = []
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
    parts.reverse()
    while parts and parts[0] == "torch":
        parts = parts[1:]
    return parts


def _problem(key: str, severity: Severity, title: str, where: str) -> Problem:
    return Problem(key=key, rule="model-file/torchscript-code", severity=severity, title=title, detail=where)


# Bytes per element of the legacy storage classes (torch._utils._element_size of their dtype).
_STORAGE_ELEMENT_SIZE = {
    "FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2, "LongStorage": 8,
    "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
    "ComplexFloatStorage": 8, "ComplexDoubleStorage": 16, "QUInt8Storage": 1, "QInt8Storage": 1,
    "QInt32Storage": 4, "UntypedStorage": 1,
}
MAX_LEGACY_ENTRIES = 1 << 20
LEGACY_TAR_MEMBERS = ("storages", "tensors", "pickle")


def walk_legacy_tar_member(name: str, data: bytes, where: str, trusted: frozenset[tuple[str, str]]) -> Any:
    """The pickles of a member of torch's oldest (tar) format, read as `torch.serialization.legacy_load` reads
    them: counts, per-entry argument pickles, raw storage/tensor bytes between them. Returns a PickleWalk."""
    import io
    import struct

    from mlsecops.engines.models.pickle_inspect import GlobalRef, PickleWalk, walk_following

    stream = io.BytesIO(data)
    walk = PickleWalk()

    def one() -> Any:
        if walk_following(stream, walk, where=where, trusted=trusted, count=1) != 1:
            raise ValueError(walk.error or "pickle missing")
        return walk.value

    try:
        if name == "pickle":
            one()
            return walk
        count = one()
        if not isinstance(count, int) or not 0 <= count <= MAX_LEGACY_ENTRIES:
            raise ValueError("legacy torch entry count is not a small integer")
        for _ in range(count):
            args = one()
            if not isinstance(args, tuple) or len(args) != 3:
                raise ValueError("legacy torch entry arguments are not a 3-tuple")
            if name == "storages":
                storage_type = args[2]
                size = _STORAGE_ELEMENT_SIZE.get(storage_type.name) if isinstance(storage_type, GlobalRef) else None
                if size is None:
                    raise ValueError("legacy torch storage of an unknown type")
                (elements,) = struct.unpack("<q", stream.read(8))
                stream.seek(elements * size, io.SEEK_CUR)
            else:
                (ndim,) = struct.unpack("<i", stream.read(4))
                stream.seek(4 + 16 * ndim + 8, io.SEEK_CUR)
            if stream.tell() > len(data):
                raise ValueError("legacy torch data is truncated")
        if name == "storages":
            one()  # the storage views
    except (ValueError, struct.error) as exc:
        walk.error = walk.error or f"{exc.__class__.__name__}: {exc}"
    return walk
