"""Read a pickle stream without unpickling it: a symbolic walk over `pickletools.genops`.

The walk keeps a model of the unpickler's stack and memo holding only inert values (strings,
numbers, containers) and placeholders for what a real unpickler would import or call. So it
resolves STACK_GLOBAL operands built through the memo, sees calls on non-globals (getattr
tricks), and knows the shape of joblib's inline numpy arrays, which it skips to keep reading.
Nothing is ever imported or called.
"""

from __future__ import annotations

import io
import math
import pickletools
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..findings import Severity
from .model_problems import Problem

# Globals a benign model pickle uses: constructors of inert data. Exact (module, name) pairs.
SAFE_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    [("collections", n) for n in ("OrderedDict", "defaultdict", "Counter", "deque")]
    + [
        (m, n)
        for m in ("builtins", "__builtin__")
        for n in (
            "set", "frozenset", "dict", "list", "tuple", "bytearray", "bytes", "complex", "int", "float",
            "str", "bool", "slice", "range", "object",
        )
    ]
    + [("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor"), ("_codecs", "encode")]
    + [
        (m, n)
        for m in ("numpy.core.multiarray", "numpy._core.multiarray")
        for n in ("_reconstruct", "scalar")
    ]
    + [(m, "_frombuffer") for m in ("numpy.core.numeric", "numpy._core.numeric")]
    + [("numpy", "ndarray"), ("numpy", "dtype")]
    + [("numpy.random._pickle", n) for n in ("__randomstate_ctor", "__bit_generator_ctor", "__generator_ctor")]
    + [
        ("torch._utils", n)
        for n in (
            "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter", "_rebuild_parameter_with_state",
            "_rebuild_sparse_tensor", "_rebuild_device_tensor_from_numpy", "_rebuild_qtensor",
        )
    ]
    + [("torch._tensor", "_rebuild_from_type_v2"), ("torch", "Size"), ("torch", "device")]
    + [("torch", f"{kind}Storage") for kind in (
        "Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool", "ComplexFloat",
        "ComplexDouble", "Untyped",
    )]
    + [("torch", dtype) for dtype in (
        "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
        "complex64", "complex128",
    )]
    + [("torch.storage", "UntypedStorage"), ("torch.storage", "TypedStorage")]
    + [("joblib.numpy_pickle", "NumpyArrayWrapper"), ("sklearn.utils._bunch", "Bunch")]
)

# Namespaces whose classes (CamelCase names) are trusted as plain data holders: estimators,
# layers, sparse matrices. Their functions are not: they may download, run scripts, load files.
TRUSTED_CLASS_NAMESPACES = ("sklearn", "numpy", "scipy", "torch.nn", "pandas", "xgboost", "lightgbm")

# Modules whose every global means code execution, file or network access on load.
DANGEROUS_MODULES = (
    "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "sys", "runpy", "importlib", "imp", "pkgutil",
    "zipimport", "webbrowser", "socket", "socketserver", "ssl", "shutil", "pty", "code", "codeop", "pdb",
    "bdb", "ctypes", "marshal", "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib.numpy_pickle_utils",
    "types", "asyncio", "multiprocessing", "threading", "_thread", "signal", "requests", "urllib", "urllib2",
    "urllib3", "http", "httplib", "ftplib", "telnetlib", "smtplib", "poplib", "imaplib", "xmlrpc", "commands",
    "tempfile", "glob", "io", "_io", "pathlib", "site", "platform", "builtins.__import__", "shelve", "timeit",
    "torch.hub", "torch.jit", "torch.storage._load_from_bytes", "torch.load", "numpy.load", "numpy.testing",
    "numpy.f2py", "numpy.distutils", "numpy.ctypeslib", "sklearn.utils._testing", "keras.src.saving",
    "operator", "functools", "inspect", "gc", "weakref", "linecache", "trace", "venv", "ensurepip", "distutils",
    "setuptools", "pip",
)
DANGEROUS_BUILTINS = frozenset(
    (
        "eval", "exec", "execfile", "compile", "open", "file", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "input", "raw_input", "breakpoint", "apply", "reload", "help", "exit",
        "quit", "memoryview", "__loader__", "__build_class__",
    )
)


@dataclass
class GlobalRef:
    """A placeholder for what GLOBAL/STACK_GLOBAL/INST would import."""

    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class CallResult:
    """A placeholder for the object a REDUCE/NEWOBJ/INST/OBJ call would return."""

    callee: Any
    args: Any
    state: Any = None


@dataclass
class Opaque:
    """A value the walk does not model (persistent ids, out-of-band buffers, extension codes)."""

    what: str


@dataclass
class PickleWalk:
    globals: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    opcodes: int = 0
    pickles: int = 0  # complete pickle streams read (a file may hold several)
    error: str | None = None  # why the walk stopped before the end

    def add(self, problem: Problem) -> None:
        if all(p.key != problem.key for p in self.problems):
            self.problems.append(problem)


def classify_global(module: str, name: str, trusted: frozenset[tuple[str, str]] = frozenset()) -> Problem | None:
    """None for a safe global; otherwise the problem a load of this global would be."""
    ref = f"{module}.{name}"
    if (module, name) in SAFE_GLOBALS or (module, name) in trusted or _trusted_prefix(ref, trusted):
        return None
    parts = name.split(".")
    if any(part.startswith("__") and part.endswith("__") for part in parts[1:]) or (
        len(parts) > 1 and any(part.startswith("_") for part in parts[1:])
    ):
        return _unsafe(ref, Severity.CRITICAL, "attribute traversal in a global's name reaches private members")
    if module in ("builtins", "__builtin__", "__builtins__"):
        if name in DANGEROUS_BUILTINS or parts[0] in DANGEROUS_BUILTINS:
            return _unsafe(ref, Severity.CRITICAL, "builtin that executes code or touches files")
        return _unknown(ref, name)
    for dangerous in DANGEROUS_MODULES:
        if ref == dangerous or ref.startswith(dangerous + ".") or module == dangerous:
            return _unsafe(ref, Severity.CRITICAL, "module that executes code, touches files or the network")
    trusted_namespace = any(module == ns or module.startswith(ns + ".") for ns in TRUSTED_CLASS_NAMESPACES)
    if trusted_namespace and _is_class_name(parts[-1]):
        return None
    return _unknown(ref, name)


def _trusted_prefix(ref: str, trusted: frozenset[tuple[str, str]]) -> bool:
    return any(name == "*" and (ref.startswith(module + ".")) for module, name in trusted)


def _is_class_name(name: str) -> bool:
    return bool(name) and name[0].isupper()


def _unsafe(ref: str, severity: Severity, why: str) -> Problem:
    return Problem(
        key=f"unsafe-global:{ref}",
        rule="model-file/unsafe-global",
        severity=severity,
        title=f"Pickle imports {ref} on load ({why})",
    )


def _unknown(ref: str, name: str) -> Problem:
    # An unknown class is usually a user's own type (still code the loader must trust); an
    # unknown function is code that runs on load.
    if _is_class_name(name.split(".")[-1]):
        return Problem(
            key=f"unknown-global:{ref}",
            rule="model-file/unknown-global",
            severity=Severity.MEDIUM,
            title=f"Pickle imports class {ref}, which is not on the allowlist of safe globals",
        )
    return Problem(
        key=f"unknown-global:{ref}",
        rule="model-file/unknown-global",
        severity=Severity.HIGH,
        title=f"Pickle calls {ref} on load, a function not on the allowlist of safe globals",
    )


class _Stop(Exception):
    pass


class _Walker:
    def __init__(self, stream: BinaryIO, result: PickleWalk, trusted: frozenset[tuple[str, str]], where: str):
        self.stream = stream
        self.result = result
        self.trusted = trusted
        self.where = where
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo: dict[Any, Any] = {}

    # ------------------------------------------------------------------ stack helpers
    def pop_mark(self) -> list[Any]:
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def pop(self) -> Any:
        return self.stack.pop()

    def push(self, value: Any) -> None:
        self.stack.append(value)

    # ------------------------------------------------------------------ the walk
    def walk_one(self) -> bool:
        """Walk one pickle up to its STOP; False at a clean end of data (no more pickles)."""
        start = self.stream.tell()
        if not self.stream.read(1):
            return False
        self.stream.seek(start)
        self.stack, self.metastack, self.memo = [], [], {}
        while True:
            for opcode, arg, pos in pickletools.genops(self.stream):
                self.result.opcodes += 1
                try:
                    resume = self.step(opcode.name, arg, pos)
                except (IndexError, KeyError, TypeError, ValueError) as exc:
                    why = f"{opcode.name} ({exc.__class__.__name__})"
                    raise ValueError(f"inconsistent pickle at byte {pos}: {why}") from None
                if resume:
                    break  # the stream moved past inline array data: restart genops there
            else:
                self.result.pickles += 1
                return True

    def step(self, op: str, arg: Any, pos: int | None) -> bool:
        handler = getattr(self, f"op_{op}", None)
        if handler is not None:
            return bool(handler(arg, pos))
        if op in _PUSH_ARG:
            self.push(arg)
        elif op in _NOOP:
            pass
        else:
            raise ValueError(f"unknown opcode {op}")
        return False

    def note_global(self, module: Any, name: Any, pos: int | None, opcode: str) -> GlobalRef:
        if not isinstance(module, str) or not isinstance(name, str):
            self.result.add(
                Problem(
                    key="dynamic-global",
                    rule="model-file/dynamic-global",
                    severity=Severity.CRITICAL,
                    title=f"{opcode} imports a name computed at load time (an obfuscated import)",
                    detail=f"{self.where} byte {pos}",
                )
            )
            return GlobalRef("?", "?")
        self.result.globals.append((module, name))
        problem = classify_global(module, name, self.trusted)
        if problem is not None:
            where = f"{self.where} byte {pos}"
            self.result.add(Problem(problem.key, problem.rule, problem.severity, problem.title, where))
        return GlobalRef(module, name)

    def note_call(self, callee: Any, pos: int | None) -> None:
        if isinstance(callee, GlobalRef):
            return
        self.result.add(
            Problem(
                key="indirect-call",
                rule="model-file/indirect-call",
                severity=Severity.HIGH,
                title="Pickle calls an object that is not a plain import (a getattr-style gadget)",
                detail=f"{self.where} byte {pos}",
            )
        )

    # ------------------------------------------------------------------ opcodes
    def op_MARK(self, arg: Any, pos: int | None) -> None:
        self.metastack.append(self.stack)
        self.stack = []

    def op_STOP(self, arg: Any, pos: int | None) -> None:
        pass

    def op_POP(self, arg: Any, pos: int | None) -> None:
        if self.stack:
            self.stack.pop()
        else:
            self.pop_mark()

    def op_POP_MARK(self, arg: Any, pos: int | None) -> None:
        self.pop_mark()

    def op_DUP(self, arg: Any, pos: int | None) -> None:
        self.push(self.stack[-1])

    def op_NEWTRUE(self, arg: Any, pos: int | None) -> None:
        self.push(True)

    def op_NEWFALSE(self, arg: Any, pos: int | None) -> None:
        self.push(False)

    def op_EMPTY_LIST(self, arg: Any, pos: int | None) -> None:
        self.push([])

    def op_EMPTY_DICT(self, arg: Any, pos: int | None) -> None:
        self.push({})

    def op_EMPTY_SET(self, arg: Any, pos: int | None) -> None:
        self.push([])

    def op_EMPTY_TUPLE(self, arg: Any, pos: int | None) -> None:
        self.push(())

    def op_LIST(self, arg: Any, pos: int | None) -> None:
        self.push(list(self.pop_mark()))

    def op_TUPLE(self, arg: Any, pos: int | None) -> None:
        self.push(tuple(self.pop_mark()))

    def op_FROZENSET(self, arg: Any, pos: int | None) -> None:
        self.push(tuple(self.pop_mark()))

    def op_TUPLE1(self, arg: Any, pos: int | None) -> None:
        self.push((self.pop(),))

    def op_TUPLE2(self, arg: Any, pos: int | None) -> None:
        b, a = self.pop(), self.pop()
        self.push((a, b))

    def op_TUPLE3(self, arg: Any, pos: int | None) -> None:
        c, b, a = self.pop(), self.pop(), self.pop()
        self.push((a, b, c))

    def op_DICT(self, arg: Any, pos: int | None) -> None:
        items = self.pop_mark()
        self.push(_as_dict(items))

    def op_APPEND(self, arg: Any, pos: int | None) -> None:
        value = self.pop()
        target = self.stack[-1]
        if isinstance(target, list):
            target.append(value)

    def op_APPENDS(self, arg: Any, pos: int | None) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if isinstance(target, list):
            target.extend(items)

    def op_ADDITEMS(self, arg: Any, pos: int | None) -> None:
        self.op_APPENDS(arg, pos)

    def op_SETITEM(self, arg: Any, pos: int | None) -> None:
        value, key = self.pop(), self.pop()
        target = self.stack[-1]
        if isinstance(target, dict):
            _set_item(target, key, value)

    def op_SETITEMS(self, arg: Any, pos: int | None) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if isinstance(target, dict):
            target.update(_as_dict(items))

    def op_GET(self, arg: Any, pos: int | None) -> None:
        self.push(self.memo[arg])

    op_BINGET = op_LONG_BINGET = op_GET

    def op_PUT(self, arg: Any, pos: int | None) -> None:
        self.memo[arg] = self.stack[-1]

    op_BINPUT = op_LONG_BINPUT = op_PUT

    def op_MEMOIZE(self, arg: Any, pos: int | None) -> None:
        self.memo[len(self.memo)] = self.stack[-1]

    def op_GLOBAL(self, arg: Any, pos: int | None) -> None:
        module, _, name = str(arg).partition(" ")
        self.push(self.note_global(module, name, pos, "GLOBAL"))

    def op_STACK_GLOBAL(self, arg: Any, pos: int | None) -> None:
        name, module = self.pop(), self.pop()
        self.push(self.note_global(module, name, pos, "STACK_GLOBAL"))

    def op_INST(self, arg: Any, pos: int | None) -> None:
        module, _, name = str(arg).partition(" ")
        callee = self.note_global(module, name, pos, "INST")
        self.push(CallResult(callee, tuple(self.pop_mark())))

    def op_OBJ(self, arg: Any, pos: int | None) -> None:
        items = self.pop_mark()
        callee = items[0]
        self.note_call(callee, pos)
        self.push(CallResult(callee, tuple(items[1:])))

    def op_REDUCE(self, arg: Any, pos: int | None) -> None:
        args, callee = self.pop(), self.pop()
        self.note_call(callee, pos)
        self.push(CallResult(callee, args))

    def op_NEWOBJ(self, arg: Any, pos: int | None) -> None:
        args, cls = self.pop(), self.pop()
        self.note_call(cls, pos)
        self.push(CallResult(cls, args))

    def op_NEWOBJ_EX(self, arg: Any, pos: int | None) -> None:
        kwargs, args, cls = self.pop(), self.pop(), self.pop()
        self.note_call(cls, pos)
        self.push(CallResult(cls, (args, kwargs)))

    def op_BUILD(self, arg: Any, pos: int | None) -> bool:
        state = self.pop()
        target = self.stack[-1]
        if isinstance(target, CallResult):
            target.state = state
            if isinstance(target.callee, GlobalRef) and target.callee.dotted == "joblib.numpy_pickle.NumpyArrayWrapper":
                return self.skip_joblib_array(state, pos)
        return False

    def op_PERSID(self, arg: Any, pos: int | None) -> None:
        self.push(Opaque("persistent id"))

    def op_BINPERSID(self, arg: Any, pos: int | None) -> None:
        self.pop()
        self.push(Opaque("persistent id"))

    def op_EXT1(self, arg: Any, pos: int | None) -> None:
        self.result.add(
            Problem(
                key="extension-code",
                rule="model-file/extension-code",
                severity=Severity.HIGH,
                title="Pickle imports through the copyreg extension registry (an import the file does not name)",
                detail=f"{self.where} byte {pos}",
            )
        )
        self.push(Opaque("extension"))

    op_EXT2 = op_EXT4 = op_EXT1

    def op_NEXT_BUFFER(self, arg: Any, pos: int | None) -> None:
        self.push(Opaque("out-of-band buffer"))

    # ------------------------------------------------------------------ joblib inline arrays
    def skip_joblib_array(self, state: Any, pos: int | None) -> bool:
        """joblib writes an array's bytes right after its wrapper's BUILD: step over them."""
        if not isinstance(state, dict):
            raise ValueError("joblib array wrapper without a state")
        dtype = state.get("dtype")
        shape = state.get("shape")
        descr = _dtype_descr(dtype)
        if descr is None or not isinstance(shape, tuple) or not all(isinstance(n, int) for n in shape):
            raise ValueError("joblib array wrapper with an unreadable dtype or shape")
        if descr.startswith("O") or descr.startswith("|O"):
            # object arrays are a nested pickle: walk it like the outer one
            nested = _Walker(self.stream, self.result, self.trusted, f"{self.where} (object array)")
            if not nested.walk_one():
                raise ValueError("joblib object array is missing")
            return True
        itemsize = itemsize_of(descr)
        if itemsize is None:
            raise ValueError(f"joblib array of unknown dtype {descr!r}")
        if state.get("allow_mmap"):
            padding = self.stream.read(1)
            if len(padding) != 1:
                raise ValueError("joblib array padding is truncated")
            self.stream.seek(padding[0], io.SEEK_CUR)
        size = math.prod(shape) * itemsize
        here = self.stream.tell()
        self.stream.seek(0, io.SEEK_END)
        if self.stream.tell() < here + size:
            raise ValueError("joblib array data is truncated")
        self.stream.seek(here + size)
        return True


_PUSH_ARG = frozenset(
    (
        "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT", "STRING",
        "BINSTRING", "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8", "UNICODE",
        "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "NONE",
    )
)
_NOOP = frozenset(("PROTO", "FRAME", "READONLY_BUFFER"))


def _as_dict(items: list[Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for index in range(0, len(items) - 1, 2):
        _set_item(out, items[index], items[index + 1])
    return out


def _set_item(target: dict[Any, Any], key: Any, value: Any) -> None:
    try:
        target[key] = value
    except TypeError:  # an unhashable placeholder key: keep it under its position
        target[f"<key {len(target)}>"] = value


def _dtype_descr(dtype: Any) -> str | None:
    # numpy pickles a dtype as dtype(descr, align, copy) + BUILD state
    if isinstance(dtype, CallResult) and isinstance(dtype.args, tuple) and dtype.args:
        descr = dtype.args[0]
        if isinstance(descr, str):
            return descr
    return None


def itemsize_of(descr: str) -> int | None:
    """Bytes per element of a numpy dtype string ('<f8' -> 8); None when it is not a plain scalar type."""
    code = descr.lstrip("<>|=")
    digits = "".join(ch for ch in code if ch.isdigit())
    if digits:
        return int(digits)
    return {"b": 1, "B": 1, "?": 1}.get(code[:1])


def walk_pickle(
    data: bytes | BinaryIO, *, where: str = "", trusted: frozenset[tuple[str, str]] = frozenset(), max_pickles: int = 64
) -> PickleWalk:
    """Walk every pickle in `data` (several may follow one another); never raises on bad input."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    result = PickleWalk()
    walker = _Walker(stream, result, trusted, where)
    try:
        for _ in range(max_pickles):
            position = stream.tell()
            if not walker.walk_one():
                break
            if not _looks_like_pickle_start(stream):
                break  # trailing non-pickle data (e.g. legacy torch storages): not loaded as a pickle
            if stream.tell() == position:
                break
    except (ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError, MemoryError) as exc:
        result.error = f"{exc.__class__.__name__}: {str(exc)[:200]}"
    return result


def _looks_like_pickle_start(stream: BinaryIO) -> bool:
    here = stream.tell()
    head = stream.read(2)
    stream.seek(here)
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def is_pickle(data: bytes) -> bool:
    """Whether `data` parses as one complete pickle from its first byte (any protocol)."""
    if not data:
        return False
    if data[0] == 0x80 and len(data) > 1 and 2 <= data[1] <= 5:
        return True
    if data[:1] not in b"(]}cI\x8c" or data[:1] == b"":
        return False
    try:
        for opcode, _arg, _pos in pickletools.genops(io.BytesIO(data)):
            if opcode.name == "STOP":
                return True
    except Exception:  # noqa: BLE001 - any parse failure means "not a pickle"
        return False
    return False
