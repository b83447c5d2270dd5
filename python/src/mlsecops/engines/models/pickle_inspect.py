"""Read a pickle stream without unpickling it: the unpickler's own loop, with inert placeholders.

The walk decodes every opcode as CPython's unpickler does (its own byte reader, frames, the
`fix_imports` mapping of protocol < 3 names) and keeps a model of the stack and memo holding
only inert values (strings, numbers, containers) and placeholders for what a real unpickler
would import (`GlobalRef`) or call (`CallResult`). Each import is judged against the explicit
list in `pickle_trusted`; each call, BUILD and APPEND/SETITEM is judged by what it would call.

joblib's NumpyUnpickler reads raw array bytes from the file right after a `NumpyArrayWrapper`
is built: the walk follows it exactly (the wrapper's attributes as `__init__` and BUILD set
them, its dtype rebuilt by numpy from the inert state, alignment padding whenever the alignment
attribute is set, array bytes read from the file position even inside a frame, object arrays
as a nested pickle). Nothing is ever imported or called, apart from numpy building a dtype
from literal strings and numbers, which is what the real loader does first.

`torch.storage._load_from_bytes` (how `pickle.dumps` of a tensor or module embeds a whole
`torch.save` file) is accepted only when the caller asks for embedded files and only on a literal
bytes argument; the bytes are listed in `PickleWalk.embedded` for the caller to inspect.
"""

from __future__ import annotations

import _compat_pickle
import io
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from mlsecops.engines.models.pickle_trusted import (
    CALLS_ARGUMENTS,
    CALLS_FIRST_ARGUMENT_PREFIXES,
    CALLS_FIRST_ARGUMENT_SUFFIXES,
    CONTAINER_CLASSES,
    DANGEROUS_BUILTINS,
    DANGEROUS_MODULES,
    DANGEROUS_NAMES,
    OPENS_ARGUMENT,
    SCIPY_DISTRIBUTIONS,
    TRUSTED_GLOBALS,
)
from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

MAX_OPCODES = 20_000_000  # a pickle with more opcodes is reported as not read completely
MAX_INLINE_BYTES = 1 << 16  # longer byte/str arguments are skipped, not kept (names are short)
MAX_LINE = 1 << 20
MAX_NESTED = 8  # pickles inside joblib object arrays inside pickles...
JOBLIB_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper"
# estimators whose `memory` parameter is a joblib cache location used on fit
CACHE_MEMORY_OWNERS = frozenset(
    ("sklearn.pipeline.Pipeline", "sklearn.cluster._agglomerative.FeatureAgglomeration",
     "sklearn.cluster._agglomerative.AgglomerativeClustering", "imblearn.pipeline.Pipeline")
)
_WRAPPER_INIT = ("subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes")
_WRAPPER_DEFAULTS = {"allow_mmap": False, "numpy_array_alignment_bytes": 16}
HIGHEST_PROTOCOL = 5
# torch reconstructors that apply their 4th argument as object state (setattr per key)
_STATE_SETTERS = frozenset(("torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_parameter_with_state"))


@dataclass(frozen=True)
class GlobalRef:
    """A placeholder for what GLOBAL/STACK_GLOBAL/INST would import."""

    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class GetattrRef(GlobalRef):
    """`builtins.getattr`: judged where it is called. getattr(trusted class, "name") is how a few
    savers reach a trusted classmethod (zoneinfo.ZoneInfo._unpickle); any other use is critical."""


@dataclass(eq=False)
class CallResult:
    """A placeholder for the object a REDUCE/NEWOBJ/INST/OBJ call would return."""

    callee: Any
    args: Any
    cls: str = ""  # the class it is an instance of, when the call creates an instance of a known class
    attrs: dict[str, Any] = field(default_factory=dict)  # instance attributes set by __init__ and BUILD
    state: Any = None
    built: bool = False


@dataclass(frozen=True)
class Opaque:
    """A value the walk does not model (persistent ids, buffers, arrays, long data)."""

    what: str


@dataclass(frozen=True)
class LongBytes(Opaque):
    """A bytes argument too long to keep: where it is in the walked stream, to be read again if needed."""

    offset: int = 0
    length: int = 0
    latin1: bool = False  # protocol 0-2 bytes: UTF-8 text in the stream, `_codecs.encode(text, "latin1")` on load


@dataclass(frozen=True)
class LongText(Opaque):
    """A text argument too long to keep, and where it is in the walked stream."""

    offset: int = 0
    length: int = 0


@dataclass(frozen=True)
class BytesLoaderRef(GlobalRef):
    """`torch.storage._load_from_bytes`, how `pickle.dumps(tensor)` embeds a whole `torch.save` file:
    trusted only when called on a literal bytes object, which the caller then inspects as a torch file."""


LOAD_FROM_BYTES = "torch.storage._load_from_bytes"


@dataclass
class PickleWalk:
    globals: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    opcodes: int = 0
    pickles: int = 0  # complete pickle streams read (a file may hold several)
    error: str | None = None  # why the walk stopped before the end
    value: Any = None  # what the last complete pickle returned (inert placeholder)
    joblib_arrays: int = 0
    trusted_refs: set[str] = field(default_factory=set)  # imports judged trusted (in this file's context)
    # torch files embedded as literal bytes (`_load_from_bytes`): the bytes, or (offset, length, latin1) in the
    # stream (latin1: UTF-8 text there that protocol 0-2 pickles turn into bytes with `_codecs.encode`)
    embedded: list[bytes | tuple[int, int, bool]] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        if all(p.key != problem.key for p in self.problems):
            self.problems.append(problem)


# ---------------------------------------------------------------------- judging imports


def effective_name(module: str, name: str, proto: int) -> tuple[str, str]:
    """What the unpickler imports: protocol < 3 names go through Python 2's `fix_imports` mapping."""
    if proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return _compat_pickle.NAME_MAPPING[(module, name)]
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


def classify_global(module: str, name: str, trusted: frozenset[tuple[str, str]] = frozenset()) -> Problem | None:
    """None for a trusted global; otherwise the problem importing (and calling) it would be."""
    ref = f"{module}.{name}"
    if ref in TRUSTED_GLOBALS or (module, name) in trusted or _trusted_prefix(ref, trusted):
        return None
    parts = name.split(".")
    last = parts[-1]
    if any(part.startswith("__") and part.endswith("__") for part in parts) and len(parts) > 1:
        return _unsafe(ref, Severity.CRITICAL, "attribute traversal in a global's name reaches dunder members")
    if module in ("builtins", "__builtin__", "__builtins__") and (name in DANGEROUS_BUILTINS or parts[0] in
                                                                  DANGEROUS_BUILTINS):
        return _unsafe(ref, Severity.CRITICAL, "builtin that executes code or touches files")
    for dangerous in DANGEROUS_MODULES:
        if module == dangerous or module.startswith(dangerous + ".") or ref == dangerous or ref.startswith(
            dangerous + "."
        ):
            return _unsafe(ref, Severity.CRITICAL, "module that executes code, touches files or the network")
    if last in DANGEROUS_NAMES or any(part in DANGEROUS_NAMES for part in parts):
        return _unsafe(ref, Severity.CRITICAL, "a name that executes code, touches files or the network")
    if len(parts) > 1:
        return _unsafe(ref, Severity.HIGH, "attribute traversal through a module (never trusted)")
    return Problem(
        key=f"unknown-global:{ref}",
        rule="model-file/unknown-global",
        severity=Severity.HIGH,
        title=f"Pickle imports {ref} on load, which is not on the list of trusted globals (it may run code)",
    )


def _trusted_prefix(ref: str, trusted: frozenset[tuple[str, str]]) -> bool:
    # `package.*` in scan.options.models.trusted_globals: the project's own choice
    return any(name == "*" and ref.startswith(module + ".") for module, name in trusted)


def _unsafe(ref: str, severity: Severity, why: str) -> Problem:
    return Problem(
        key=f"unsafe-global:{ref}",
        rule="model-file/unsafe-global",
        severity=severity,
        title=f"Pickle imports {ref} on load ({why})",
    )


# Constructors a saver never calls with sizes, but an attacker can: what they allocate when called with the
# literal integers a pickle passes (trusted callables, so nothing else would flag the call).
MAX_LOAD_ALLOCATION = 1 << 30
_FLOAT32 = 4
_SIZED_BUFFERS = frozenset(("builtins.bytearray", "builtins.bytes"))
_ARRAY_RECONSTRUCTORS = frozenset(("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"))


def _ints(value: Any) -> list[int] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, tuple | list) and value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return None


def allocation_bytes(ref: str, values: Any) -> int:
    """What calling `ref(*values)` allocates, from its integer arguments: `bytearray(n)` n bytes; a torch.nn
    module its parameters (Linear(a, b), Embedding(n, d), Conv2d(i, o, k)..., float32, the product of the
    leading size arguments); numpy's `_reconstruct(cls, shape, dtype)` the shape. 0 when unknown."""
    if not isinstance(values, tuple | list) or not values:
        return 0
    if ref in _SIZED_BUFFERS:
        sizes = _ints(values[0])
        return sizes[0] if sizes and len(sizes) == 1 and sizes[0] > 0 else 0
    if ref in _ARRAY_RECONSTRUCTORS and len(values) > 1:
        shape = _ints(values[1])
        return math.prod(shape) if shape and all(n > 0 for n in shape) else 0
    if ref.startswith("torch.nn.modules.") and ref in TRUSTED_GLOBALS:
        sizes: list[int] = []
        for value in values[:4]:
            found = _ints(value)
            if found is None or any(n <= 0 for n in found):
                break
            sizes += found
        return math.prod(sizes) * _FLOAT32 if len(sizes) > 1 else 0
    return 0


# Attribute names whose value, set on an instance, redirects nothing (documentation and naming), when a string.
_INERT_DUNDERS = frozenset(("__doc__", "__module__", "__name__", "__qualname__"))
# scipy.stats' `parse_arg_template` (scipy/stats/_distn_infrastructure.py), verbatim: `rv_generic.__setstate__`
# execs the instance's `_parse_arg_template`, which scipy builds from this text and the shape names only.
_SCIPY_TEMPLATE = """
def _parse_args(self, %(shape_arg_str)s %(locscale_in)s):
    return (%(shape_arg_str)s), %(locscale_out)s

def _parse_args_rvs(self, %(shape_arg_str)s %(locscale_in)s, size=None):
    return self._argcheck_rvs(%(shape_arg_str)s %(locscale_out)s, size=size)

def _parse_args_stats(self, %(shape_arg_str)s %(locscale_in)s, moments='mv'):
    return (%(shape_arg_str)s), %(locscale_out)s, moments
"""
_SCIPY_LOCSCALE = (("loc=0, scale=1", "loc, scale"), ("loc=0", "loc, 1"))  # rv_continuous, rv_discrete/rv_sample
_SCIPY_SHAPES = re.compile(r"\ndef _parse_args\(self, ((?:[A-Za-z_][A-Za-z0-9_]*, )*)")


def scipy_template_ok(text: Any) -> bool:
    """Whether a distribution's `_parse_arg_template` is exactly what scipy writes for some shape names."""
    if text is None:
        return True  # nothing to exec: scipy's __setstate__ fails on the missing attribute instead
    match = _SCIPY_SHAPES.match(text) if isinstance(text, str) else None
    if match is None:
        return False
    shapes = match.group(1)
    return any(text == _SCIPY_TEMPLATE % {"shape_arg_str": shapes, "locscale_in": inside, "locscale_out": outside}
               for inside, outside in _SCIPY_LOCSCALE)


def _calls_arguments(ref: str) -> tuple[int, ...]:
    if ref in CALLS_ARGUMENTS:
        return CALLS_ARGUMENTS[ref]
    name = ref.rsplit(".", 1)[-1]
    if ref.endswith(CALLS_FIRST_ARGUMENT_SUFFIXES) or name.startswith(CALLS_FIRST_ARGUMENT_PREFIXES):
        return (0,)
    return ()


# ---------------------------------------------------------------------- reading bytes like the unpickler


class _Source:
    """The pure-Python unpickler's reader: opcodes come from the current frame, when there is one.

    joblib reads array bytes from the file itself (`file_read`), past the frame, exactly as
    `pickle._Unpickler` and joblib do.
    """

    def __init__(self, stream: BinaryIO, size: int):
        self.stream = stream
        self.size = size
        self.frame: io.BytesIO | None = None
        self.frame_len = 0

    def file_read(self, n: int) -> bytes:
        if n < 0 or self.stream.tell() + n > self.size:
            raise EOFError(f"{n} bytes wanted past the end of the data")
        data = self.stream.read(n)
        if len(data) < n:
            raise EOFError("data is truncated")
        return data

    def file_skip(self, n: int) -> None:
        if n < 0 or self.stream.tell() + n > self.size:
            raise EOFError(f"{n} bytes to skip past the end of the data")
        self.stream.seek(n, io.SEEK_CUR)

    def read(self, n: int) -> bytes:
        if self.frame is not None:
            data = self.frame.read(n)
            if not data and n != 0:
                self.frame = None
                return self.file_read(n)
            if len(data) < n:
                raise ValueError("pickle exhausted before end of frame")
            return data
        return self.file_read(n)

    def skip(self, n: int) -> None:
        if self.frame is not None:
            self.read(n)
            return
        self.file_skip(n)

    def readline(self) -> bytes:
        if self.frame is not None:
            data = self.frame.readline(MAX_LINE)
            if not data:
                self.frame = None
                return self.file_readline()
            if not data.endswith(b"\n"):
                raise ValueError("pickle exhausted before end of frame")
            return data
        return self.file_readline()

    def file_readline(self) -> bytes:
        data = self.stream.readline(MAX_LINE)
        if not data.endswith(b"\n"):
            raise EOFError("line without a newline")
        return data

    def load_frame(self, size: int) -> None:
        if self.frame is not None and self.frame.read(1):
            raise ValueError("beginning of a new frame before end of current frame")
        self.frame = io.BytesIO(self.file_read(size))
        self.frame_len = size

    def tell(self) -> int:
        pending = self.frame_len - self.frame.tell() if self.frame is not None else 0
        return self.stream.tell() - pending


class _Stop(Exception):
    def __init__(self, value: Any):
        self.value = value


# ---------------------------------------------------------------------- the walk


class _Walker:
    def __init__(self, source: _Source, result: PickleWalk, trusted: frozenset[tuple[str, str]], where: str,
                 joblib: bool, depth: int = 0, embedded: bool = False):
        self.source = source
        self.follow_embedded = embedded  # the caller inspects embedded torch files (see BytesLoaderRef)
        self.pending_loads: list[tuple[BytesLoaderRef, int]] = []
        self.result = result
        self.trusted = trusted
        self.where = where
        self.joblib = joblib  # follow joblib's NumpyUnpickler (inline arrays) rather than plain pickle.load
        self.depth = depth
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo: dict[Any, Any] = {}
        self.proto = 0
        self.pos = 0
        self.pending_getattr: list[tuple[GetattrRef, int]] = []

    def problem(self, key: str, rule: str, severity: Severity, title: str) -> None:
        self.result.add(Problem(key, rule, severity, title, f"{self.where} byte {self.pos}"))

    # ------------------------------------------------------------------ stack helpers
    def pop_mark(self) -> list[Any]:
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def pop(self) -> Any:
        return self.stack.pop()

    def push(self, value: Any) -> None:
        self.stack.append(value)

    # ------------------------------------------------------------------ one pickle
    def walk_one(self) -> Any:
        """Walk one pickle up to its STOP and return its value; EOFError at a clean end of data."""
        self.stack, self.metastack, self.memo, self.proto = [], [], {}, 0
        self.source.frame = None
        try:
            return self._loop()
        except BaseException:
            if self.pending_getattr:
                self.flag_getattr()
            self.flag_loads()
            raise

    def _loop(self) -> Any:
        read = self.source.read
        first = True
        while True:
            self.pos = self.source.tell()
            try:
                code = read(1)
            except EOFError:
                if first:
                    raise
                raise EOFError("pickle ends without STOP") from None
            first = False
            self.result.opcodes += 1
            if self.result.opcodes > MAX_OPCODES:
                raise ValueError(f"more than {MAX_OPCODES} opcodes")
            handler = _DISPATCH.get(code[0])
            if handler is None:
                raise ValueError(f"invalid opcode {code!r} at byte {self.pos}")
            try:
                handler(self)
            except _Stop as stop:
                self.result.pickles += 1
                if self.pending_getattr:
                    self.flag_getattr()  # imported but not spent on a trusted classmethod
                self.flag_loads()  # imported but not spent on literal bytes
                return stop.value
            except (IndexError, KeyError, TypeError, AttributeError) as exc:
                why = f"{code!r} ({exc.__class__.__name__})"
                raise ValueError(f"inconsistent pickle at byte {self.pos}: {why}") from None

    # ------------------------------------------------------------------ imports and calls
    def note_global(self, module: Any, name: Any, opcode: str) -> Any:
        if not isinstance(module, str) or not isinstance(name, str):
            self.problem("dynamic-global", "model-file/dynamic-global", Severity.CRITICAL,
                         f"{opcode} imports a name computed at load time (an obfuscated import)")
            return Opaque("dynamic global")
        module, name = effective_name(module, name, self.proto)
        self.result.globals.append((module, name))
        if (module, name) == ("builtins", "getattr") and ("builtins", "getattr") not in self.trusted:
            ref = GetattrRef(module, name)
            self.pending_getattr.append((ref, self.pos))
            return ref
        if f"{module}.{name}" == LOAD_FROM_BYTES and self.follow_embedded and (module, name) not in self.trusted:
            loader = BytesLoaderRef(module, name)
            self.pending_loads.append((loader, self.pos))
            return loader
        problem = classify_global(module, name, self.trusted)
        if problem is None:
            self.result.trusted_refs.add(f"{module}.{name}")
        else:
            self.result.add(Problem(problem.key, problem.rule, problem.severity, problem.title,
                                    f"{self.where} byte {self.pos}"))
        return GlobalRef(module, name)

    def note_call(self, callee: Any, args: Any, how: str) -> Any:
        if isinstance(callee, GetattrRef):
            return self.call_getattr(callee, args)
        if isinstance(callee, BytesLoaderRef):
            return self.call_loader(callee, args)
        if not isinstance(callee, GlobalRef):
            self.problem("indirect-call", "model-file/indirect-call", Severity.HIGH,
                         f"Pickle calls an object that is not a plain import ({how} on a value built during the "
                         "load: a gadget chain)")
            return CallResult(callee, args)
        ref = callee.dotted
        positions = _calls_arguments(ref)
        values = args if isinstance(args, tuple | list) else ()
        if how in ("REDUCE", "INST", "OBJ") and ref in OPENS_ARGUMENT:
            index = OPENS_ARGUMENT[ref]
            if index < len(values) and values[index] is not None:
                self.problem(f"opens-file:{ref}", "model-file/file-effect", Severity.HIGH,
                             f"Pickle calls {ref} with a file to open (the load reads a file the pickle names)")
        if how in ("REDUCE", "INST", "OBJ"):
            allocated = allocation_bytes(ref, values)
            if allocated > MAX_LOAD_ALLOCATION:
                self.problem(f"allocation-bomb:{ref}", "model-file/allocation-bomb", Severity.HIGH,
                             f"Pickle calls {ref} with sizes that allocate about {allocated / (1 << 30):.0f} GiB "
                             "when the file is loaded (memory exhaustion from a few bytes)")
        for index in positions:
            if index < len(values) and (not isinstance(values[index], GlobalRef | type(None))
                                        or isinstance(values[index], GetattrRef)):
                self.problem(f"indirect-call:{ref}", "model-file/indirect-call", Severity.HIGH,
                             f"Pickle passes {ref} an object built during the load as something it calls "
                             "(a gadget chain)")
        if ref in _STATE_SETTERS and len(values) > 3:
            # torch applies this state with setattr: the same gadgets as a BUILD
            self.check_state(values[3])
            inner = values[0]
            if ref == "torch._tensor._rebuild_from_type_v2" and isinstance(inner, GlobalRef) and isinstance(
                values[2], tuple | list
            ):
                for index in _calls_arguments(inner.dotted):
                    if index < len(values[2]) and (not isinstance(values[2][index], GlobalRef | type(None))
                                                   or isinstance(values[2][index], GetattrRef)):
                        self.problem(f"indirect-call:{inner.dotted}", "model-file/indirect-call", Severity.HIGH,
                                     f"Pickle has {ref} pass {inner.dotted} an object built during the load as "
                                     "something it calls (a gadget chain)")
        # how protocol 0-2 pickles write bytes: fold it to the bytes it makes (numpy dtype metadata)
        if (ref == "_codecs.encode" and len(values) == 2 and all(isinstance(v, str) for v in values)
                and values[1].lower().replace("_", "-") in ("latin1", "latin-1", "iso-8859-1")):
            return values[0].encode("latin-1", "replace")
        if (ref == "_codecs.encode" and len(values) == 2 and isinstance(values[0], LongText)
                and isinstance(values[1], str) and values[1].lower().replace("_", "-") in ("latin1", "latin-1")):
            return LongBytes("long latin-1 data", values[0].offset, values[0].length, latin1=True)
        result = CallResult(callee, args, cls=ref)
        if ref in ("copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__") and values:
            first = values[0]
            result.cls = first.dotted if isinstance(first, GlobalRef) else ""
        elif how == "REDUCE" and ref == JOBLIB_WRAPPER:
            # the class called directly runs __init__: its defaults become attributes
            result.attrs.update(_WRAPPER_DEFAULTS)
            for key, value in zip(_WRAPPER_INIT, values, strict=False):
                result.attrs[key] = value
        return result

    def call_getattr(self, callee: GetattrRef, args: Any) -> Any:
        values = args if isinstance(args, tuple) else ()
        if (len(values) == 2 and isinstance(values[0], GlobalRef) and not isinstance(values[0], GetattrRef)
                and isinstance(values[1], str)):
            reached = GlobalRef(values[0].module, f"{values[0].name}.{values[1]}")
            if classify_global(reached.module, reached.name, self.trusted) is None:
                self.pending_getattr = [(ref, pos) for ref, pos in self.pending_getattr if ref is not callee]
                self.result.trusted_refs.add("builtins.getattr")
                return reached
        self.flag_getattr()
        return CallResult(callee, args)

    def call_loader(self, callee: BytesLoaderRef, args: Any) -> Any:
        values = args if isinstance(args, tuple) else ()
        if len(values) == 1 and isinstance(values[0], bytes | LongBytes):
            # each call on literal bytes is one more embedded file (a module pickles one per tensor)
            blob = values[0]
            self.result.embedded.append(blob if isinstance(blob, bytes) else (blob.offset, blob.length, blob.latin1))
            self.pending_loads = [(ref, pos) for ref, pos in self.pending_loads if ref is not callee]
            self.result.trusted_refs.add(LOAD_FROM_BYTES)
            return CallResult(callee, args, cls=LOAD_FROM_BYTES)
        self.flag_loads(callee)
        return CallResult(callee, args)

    def flag_loads(self, callee: BytesLoaderRef | None = None) -> None:
        """`_load_from_bytes` imported and not spent on literal bytes (or called twice): judged as any import."""
        if not self.pending_loads and callee is None:
            return
        refs = [(ref, pos) for ref, pos in self.pending_loads] or [(callee, self.pos)]
        for ref, pos in refs:
            problem = classify_global(ref.module, ref.name, self.trusted)
            if problem is not None:
                self.result.add(Problem(problem.key, problem.rule, problem.severity, problem.title,
                                        f"{self.where} byte {pos}"))
        self.pending_loads = []

    def flag_getattr(self) -> None:
        problem = classify_global("builtins", "getattr", self.trusted)
        if problem is not None:
            self.result.add(Problem(problem.key, problem.rule, problem.severity, problem.title,
                                    f"{self.where} byte {self.pos}"))
        self.pending_getattr = []

    def check_target(self, target: Any, operation: str) -> None:
        """APPEND/SETITEM call the target's append/extend/add/__setitem__: only data containers may take them."""
        if isinstance(target, list | dict):
            return
        if isinstance(target, CallResult) and target.cls in CONTAINER_CLASSES and not target.built:
            return
        self.problem(f"method-call:{operation}", "model-file/indirect-call", Severity.HIGH,
                     f"Pickle {operation} calls a method of an object that is not a plain container")

    # ------------------------------------------------------------------ BUILD
    def check_state(self, state: Any) -> list[dict[Any, Any]]:
        """The dict and slot parts of an object state; attribute names that redirect calls are problems."""
        dict_state, slot_state = state, None
        if isinstance(state, tuple) and len(state) == 2:
            dict_state, slot_state = state
        parts = [part for part in (dict_state, slot_state) if isinstance(part, dict)]
        for part in parts:
            for key in part:
                if isinstance(key, str) and key.startswith("<key "):
                    self.problem("build-computed-name", "model-file/unsafe-build", Severity.HIGH,
                                 "Pickle sets an attribute whose name is computed at load time")
                elif isinstance(key, str) and key.startswith("__") and key.endswith("__") and (
                        key not in _INERT_DUNDERS or not isinstance(part[key], str | type(None))):
                    self.problem(f"build-dunder:{key}", "model-file/unsafe-build", Severity.CRITICAL,
                                 f"Pickle sets the attribute {key} of an object (it redirects what later "
                                 "opcodes call: a __setstate__/__reduce__ gadget)")
        return parts

    def build(self) -> None:
        state = self.pop()
        target = self.stack[-1]
        if isinstance(target, GlobalRef | Opaque) or not isinstance(target, CallResult):
            if isinstance(target, GlobalRef):
                self.problem("build-on-global", "model-file/unsafe-build", Severity.CRITICAL,
                             f"Pickle sets attributes of the imported object {target.dotted} (monkey-patching)")
            elif not isinstance(target, list | dict | tuple):
                self.problem("build-on-opaque", "model-file/unsafe-build", Severity.HIGH,
                             "Pickle sets the state of an object it did not create itself")
            return
        parts = self.check_state(state)
        for part in parts:
            target.attrs.update({k: v for k, v in part.items() if isinstance(k, str)})
        if target.cls in SCIPY_DISTRIBUTIONS and parts and not scipy_template_ok(parts[0].get("_parse_arg_template")):
            self.problem(f"scipy-template:{target.cls}", "model-file/unsafe-build", Severity.CRITICAL,
                         f"Pickle gives the scipy distribution {target.cls} an argument-parser template that is not "
                         "scipy's own: scipy's __setstate__ execs that text when the file is loaded")
        target.state = state
        target.built = True
        if target.cls in CACHE_MEMORY_OWNERS:
            self.check_cache_memory(target)
        if target.cls == JOBLIB_WRAPPER and self.joblib:
            self.stack[-1] = self.read_joblib_array(target)

    def check_cache_memory(self, target: CallResult) -> None:
        """`Pipeline(memory=...)`: on fit, joblib caches every step under that location and unpickles what it
        finds there, so a path chosen by the file's author is a deferred file write and pickle load."""
        memory = target.attrs.get("memory")
        if memory is None or isinstance(memory, bool):
            return
        is_path = isinstance(memory, str | bytes | LongText)
        is_memory = isinstance(memory, CallResult) and memory.cls.startswith("joblib.memory.")
        if is_path or is_memory:
            shown = repr(memory[:80]) if isinstance(memory, str | bytes) else "a joblib.Memory"
            self.problem(f"cache-memory:{target.cls}", "model-file/deferred-trigger", Severity.HIGH,
                         f"{target.cls} caches to {shown}: fitting it writes and unpickles files there")

    # ------------------------------------------------------------------ joblib inline arrays
    def read_joblib_array(self, wrapper: CallResult) -> Opaque:
        """What joblib's NumpyArrayWrapper.read does right after BUILD: read the array from the file."""
        attrs = wrapper.attrs
        subclass = attrs.get("subclass")
        if subclass is not None and not isinstance(subclass, GlobalRef):
            self.problem("indirect-call:joblib-subclass", "model-file/indirect-call", Severity.HIGH,
                         "joblib array wrapper whose subclass is an object built during the load")
        dtype = materialize_dtype(attrs.get("dtype"))
        shape = attrs.get("shape")
        if not isinstance(shape, tuple | list) or not all(isinstance(n, int) and not isinstance(n, bool)
                                                          for n in shape):
            raise ValueError("joblib array wrapper with an unreadable shape")
        count = math.prod(shape) if shape else 1
        if count < 0:
            raise ValueError("joblib array with a negative size")
        self.result.joblib_arrays += 1
        if dtype.hasobject:
            # joblib calls pickle.load on the file handle: a plain pickle, fresh memo, from the file position
            if self.depth >= MAX_NESTED:
                raise ValueError("object arrays nested too deep")
            nested_source = _Source(self.source.stream, self.source.size)
            nested = _Walker(nested_source, self.result, self.trusted, f"{self.where} (object array)",
                             joblib=False, depth=self.depth + 1)
            nested.walk_one()
            return Opaque("object array")
        alignment = attrs.get("numpy_array_alignment_bytes")
        if alignment is not None:
            padding = self.source.file_read(1)[0]
            self.source.file_skip(padding)
        self.source.file_skip(count * dtype.itemsize)
        return Opaque("array")


def materialize_dtype(value: Any) -> Any:
    """The numpy dtype a pickled `numpy.dtype(...)` + BUILD would be, built by numpy from literals only."""
    import numpy

    if not isinstance(value, CallResult) or not isinstance(value.callee, GlobalRef) or value.callee.dotted != (
        "numpy.dtype"
    ):
        raise ValueError("joblib array wrapper whose dtype is not a numpy dtype")
    args = value.args if isinstance(value.args, tuple) else ()
    if not args or not isinstance(args[0], str):
        raise ValueError("numpy dtype without a type string")
    try:
        dtype = numpy.dtype(*[a for a in args if isinstance(a, str | bool | int)])
        state = _literal_state(value.state) if value.state is not None else None
        if state is not None:
            dtype.__setstate__(state)
    except Exception as exc:  # noqa: BLE001 - numpy refuses a bad dtype in many ways; the loader would too
        raise ValueError(f"numpy rejects the array's dtype ({exc.__class__.__name__})") from None
    return dtype


def _literal_state(state: Any, depth: int = 0) -> Any:
    if depth > 32:
        raise ValueError("numpy dtype state nested too deep")
    if depth == 0 and not (isinstance(state, tuple) and len(state) in (8, 9) and isinstance(state[0], int)
                           and isinstance(state[1], str) and all(isinstance(v, int) for v in state[5:8])):
        raise ValueError("numpy dtype state of an unknown shape")
    if state is None:
        return None
    if isinstance(state, CallResult):
        return materialize_dtype(state)
    if isinstance(state, tuple | list):
        return tuple(_literal_state(item, depth + 1) for item in state)
    if isinstance(state, dict):
        return {key: _literal_state(item, depth + 1) for key, item in state.items()}
    if isinstance(state, str | bytes | int | float | bool):
        return state
    raise ValueError("numpy dtype state holds a value that is not a literal")


# ---------------------------------------------------------------------- opcode handlers


def _read_int(source: _Source, size: int, fmt: str) -> int:
    return int(struct.unpack(fmt, source.read(size))[0])


def _bytes_arg(walker: _Walker, length: int) -> Any:
    if length < 0:
        raise ValueError("negative length")
    if length > MAX_INLINE_BYTES:
        offset = walker.source.tell()
        walker.source.skip(length)
        return LongBytes("long data", offset, length)
    return walker.source.read(length)


def _text_arg(walker: _Walker, length: int) -> Any:
    data = _bytes_arg(walker, length)
    if isinstance(data, LongBytes):
        return LongText("long text", data.offset, data.length)
    return data.decode("utf-8", "surrogatepass") if isinstance(data, bytes) else data


def _op_mark(w: _Walker) -> None:
    w.metastack.append(w.stack)
    w.stack = []


def _op_stop(w: _Walker) -> None:
    raise _Stop(w.pop())


def _op_pop(w: _Walker) -> None:
    if w.stack:
        w.stack.pop()
    else:
        w.pop_mark()


def _op_frame(w: _Walker) -> None:
    size = _read_int(w.source, 8, "<Q")
    w.source.load_frame(size)


def _op_proto(w: _Walker) -> None:
    proto = w.source.read(1)[0]
    if proto > HIGHEST_PROTOCOL:
        raise ValueError(f"unsupported pickle protocol {proto}")
    w.proto = proto


def _op_int(w: _Walker) -> None:
    data = w.source.readline()
    if data == b"00\n":
        w.push(False)
    elif data == b"01\n":
        w.push(True)
    else:
        w.push(int(data, 0))


def _op_long(w: _Walker) -> None:
    data = w.source.readline()[:-1]
    if data.endswith(b"L"):
        data = data[:-1]
    w.push(int(data, 0))


def _op_long_n(size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        length = _read_int(w.source, size, fmt)
        if length < 0:
            raise ValueError("negative byte count")
        data = _bytes_arg(w, length)
        w.push(int.from_bytes(data, "little", signed=True) if isinstance(data, bytes) else Opaque("long int"))

    return handler


def _op_float(w: _Walker) -> None:
    w.push(float(w.source.readline()[:-1]))


def _op_string(w: _Walker) -> None:
    data = w.source.readline()[:-1]
    if len(data) >= 2 and data[0] == data[-1] and data[:1] in (b"'", b'"'):
        data = data[1:-1]
    else:
        raise ValueError("the STRING opcode argument must be quoted")
    import codecs

    w.push(codecs.escape_decode(data)[0].decode("latin-1"))


def _op_unicode(w: _Walker) -> None:
    w.push(str(w.source.readline()[:-1], "raw-unicode-escape"))


def _sized(kind: str, size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        length = _read_int(w.source, size, fmt)
        if kind == "text":
            w.push(_text_arg(w, length))
        else:
            data = _bytes_arg(w, length)
            if kind == "string":
                # protocol 0-2 byte strings come back as str under the default encoding
                data = data.decode("latin-1") if isinstance(data, bytes) else Opaque("long string")
            w.push(data)

    return handler


def _push(value: Any) -> Any:
    def handler(w: _Walker) -> None:
        w.push(value() if callable(value) else value)

    return handler


def _op_binint(size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        w.push(_read_int(w.source, size, fmt))

    return handler


def _op_binfloat(w: _Walker) -> None:
    w.push(struct.unpack(">d", w.source.read(8))[0])


def _op_tuple(w: _Walker) -> None:
    w.push(tuple(w.pop_mark()))


def _op_tuple_n(n: int) -> Any:
    def handler(w: _Walker) -> None:
        if n == 0:
            w.push(())
            return
        items = w.stack[-n:]
        if len(items) != n:
            raise IndexError("stack underflow")
        del w.stack[-n:]
        w.push(tuple(items))

    return handler


def _op_list(w: _Walker) -> None:
    w.push(list(w.pop_mark()))


def _op_dict(w: _Walker) -> None:
    items = w.pop_mark()
    w.push(_as_dict(items))


def _op_frozenset(w: _Walker) -> None:
    w.push(tuple(w.pop_mark()))


def _op_append(w: _Walker) -> None:
    value = w.pop()
    target = w.stack[-1]
    w.check_target(target, "APPEND")
    if isinstance(target, list):
        target.append(value)


def _op_extend(operation: str) -> Any:
    """APPENDS and ADDITEMS: marked items added to the object below the mark (a set is walked as a list)."""
    def handler(w: _Walker) -> None:
        items = w.pop_mark()
        target = w.stack[-1]
        w.check_target(target, operation)
        if isinstance(target, list):
            target.extend(items)

    return handler


def _op_setitem(w: _Walker) -> None:
    value, key = w.pop(), w.pop()
    target = w.stack[-1]
    w.check_target(target, "SETITEM")
    if isinstance(target, dict):
        _set_item(target, key, value)


def _op_setitems(w: _Walker) -> None:
    items = w.pop_mark()
    target = w.stack[-1]
    w.check_target(target, "SETITEMS")
    if isinstance(target, dict):
        for key, value in _as_dict(items).items():
            _set_item(target, key, value)


def _op_dup(w: _Walker) -> None:
    w.push(w.stack[-1])


def _op_get(w: _Walker) -> None:
    w.push(w.memo[int(w.source.readline()[:-1])])


def _op_binget(size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        w.push(w.memo[_read_int(w.source, size, fmt)])

    return handler


def _op_put(w: _Walker) -> None:
    index = int(w.source.readline()[:-1])
    if index < 0:
        raise ValueError("negative PUT argument")
    w.memo[index] = w.stack[-1]


def _op_binput(size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        w.memo[_read_int(w.source, size, fmt)] = w.stack[-1]

    return handler


def _op_memoize(w: _Walker) -> None:
    w.memo[len(w.memo)] = w.stack[-1]


def _op_global(w: _Walker) -> None:
    module = w.source.readline()[:-1].decode("utf-8")
    name = w.source.readline()[:-1].decode("utf-8")
    w.push(w.note_global(module, name, "GLOBAL"))


def _op_stack_global(w: _Walker) -> None:
    name, module = w.pop(), w.pop()
    w.push(w.note_global(module, name, "STACK_GLOBAL"))


def _op_inst(w: _Walker) -> None:
    module = w.source.readline()[:-1].decode("ascii")
    name = w.source.readline()[:-1].decode("ascii")
    callee = w.note_global(module, name, "INST")
    args = tuple(w.pop_mark())
    w.push(w.note_call(callee, args, "INST"))


def _op_obj(w: _Walker) -> None:
    items = w.pop_mark()
    callee = items[0]
    w.push(w.note_call(callee, tuple(items[1:]), "OBJ"))


def _op_reduce(w: _Walker) -> None:
    args = w.pop()
    callee = w.pop()
    w.push(w.note_call(callee, args, "REDUCE"))


def _op_newobj(w: _Walker) -> None:
    args = w.pop()
    cls = w.pop()
    result = w.note_call(cls, args, "NEWOBJ")
    w.push(result)


def _op_newobj_ex(w: _Walker) -> None:
    kwargs, args, cls = w.pop(), w.pop(), w.pop()
    w.push(w.note_call(cls, (args, kwargs), "NEWOBJ_EX"))


def _op_build(w: _Walker) -> None:
    w.build()


def _op_persid(w: _Walker) -> None:
    w.source.readline()
    w.push(Opaque("persistent id"))


def _op_binpersid(w: _Walker) -> None:
    w.pop()
    w.push(Opaque("persistent id"))


def _op_ext(size: int, fmt: str) -> Any:
    def handler(w: _Walker) -> None:
        _read_int(w.source, size, fmt)
        w.problem("extension-code", "model-file/extension-code", Severity.HIGH,
                  "Pickle imports through the copyreg extension registry (an import the file does not name)")
        w.push(Opaque("extension"))

    return handler


def _op_pop_mark(w: _Walker) -> None:
    w.pop_mark()


def _op_next_buffer(w: _Walker) -> None:
    w.push(Opaque("out-of-band buffer"))


def _op_readonly_buffer(w: _Walker) -> None:
    pass


def _as_dict(items: list[Any]) -> dict[Any, Any]:
    if len(items) % 2:
        raise IndexError("odd number of items for DICT/SETITEMS")
    out: dict[Any, Any] = {}
    for index in range(0, len(items), 2):
        _set_item(out, items[index], items[index + 1])
    return out


def _set_item(target: dict[Any, Any], key: Any, value: Any) -> None:
    # only scalar keys are kept as they are: hashing a crafted, deeply nested tuple could exhaust the stack
    if isinstance(key, str | int | float | bytes | type(None)):
        target[key] = value
    else:
        target[f"<key {len(target)}>"] = value


_DISPATCH: dict[int, Any] = {
    ord("("): _op_mark,
    ord("."): _op_stop,
    ord("0"): _op_pop,
    ord("1"): _op_pop_mark,
    ord("2"): _op_dup,
    ord("F"): _op_float,
    ord("I"): _op_int,
    ord("J"): _op_binint(4, "<i"),
    ord("K"): _op_binint(1, "<B"),
    ord("L"): _op_long,
    ord("M"): _op_binint(2, "<H"),
    ord("N"): _push(None),
    ord("P"): _op_persid,
    ord("Q"): _op_binpersid,
    ord("R"): _op_reduce,
    ord("S"): _op_string,
    ord("T"): _sized("string", 4, "<i"),
    ord("U"): _sized("string", 1, "<B"),
    ord("V"): _op_unicode,
    ord("X"): _sized("text", 4, "<I"),
    ord("a"): _op_append,
    ord("b"): _op_build,
    ord("c"): _op_global,
    ord("d"): _op_dict,
    ord("}"): _push(dict),
    ord("e"): _op_extend("APPENDS"),
    ord("g"): _op_get,
    ord("h"): _op_binget(1, "<B"),
    ord("i"): _op_inst,
    ord("j"): _op_binget(4, "<I"),
    ord("l"): _op_list,
    ord("]"): _push(list),
    ord("o"): _op_obj,
    ord("p"): _op_put,
    ord("q"): _op_binput(1, "<B"),
    ord("r"): _op_binput(4, "<I"),
    ord("s"): _op_setitem,
    ord("t"): _op_tuple,
    ord(")"): _op_tuple_n(0),
    ord("u"): _op_setitems,
    ord("G"): _op_binfloat,
    0x80: _op_proto,
    0x81: _op_newobj,
    0x82: _op_ext(1, "<B"),
    0x83: _op_ext(2, "<H"),
    0x84: _op_ext(4, "<i"),
    0x85: _op_tuple_n(1),
    0x86: _op_tuple_n(2),
    0x87: _op_tuple_n(3),
    0x88: _push(True),
    0x89: _push(False),
    0x8A: _op_long_n(1, "<B"),
    0x8B: _op_long_n(4, "<i"),
    ord("B"): _sized("bytes", 4, "<I"),
    ord("C"): _sized("bytes", 1, "<B"),
    0x8C: _sized("text", 1, "<B"),
    0x8D: _sized("text", 8, "<Q"),
    0x8E: _sized("bytes", 8, "<Q"),
    0x8F: _push(list),
    0x90: _op_extend("ADDITEMS"),
    0x91: _op_frozenset,
    0x92: _op_newobj_ex,
    0x93: _op_stack_global,
    0x94: _op_memoize,
    0x95: _op_frame,
    0x96: _sized("bytes", 8, "<Q"),
    0x97: _op_next_buffer,
    0x98: _op_readonly_buffer,
}

# What a pickle may start with: any opcode the unpickler accepts (protocol 0 has no header).
PICKLE_START_BYTES = frozenset(_DISPATCH)


# ---------------------------------------------------------------------- entry points


def _size_of(stream: BinaryIO) -> int:
    here = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(here)
    return size


def walk_pickle(
    data: bytes | BinaryIO,
    *,
    where: str = "",
    trusted: frozenset[tuple[str, str]] = frozenset(),
    joblib: bool = True,
    embedded: bool = False,
) -> PickleWalk:
    """Walk the one pickle at the start of `data` (never raises on bad input). With `embedded`, torch files
    embedded as literal bytes are listed in `embedded` for the caller to inspect, instead of being findings."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    result = PickleWalk()
    walker = _Walker(_Source(stream, _size_of(stream)), result, trusted, where, joblib, embedded=embedded)
    try:
        result.value = walker.walk_one()
    except (ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError, MemoryError,
            UnicodeDecodeError, struct.error, RecursionError) as exc:
        result.error = f"{exc.__class__.__name__}: {str(exc)[:200]}"
    return result


def walk_following(
    stream: BinaryIO,
    result: PickleWalk,
    *,
    where: str,
    trusted: frozenset[tuple[str, str]] = frozenset(),
    count: int,
) -> int:
    """Walk up to `count` further pickles from the stream's position as torch's legacy loader reads them
    (plain pickle.load, any protocol). Returns how many were complete; sets `result.error` on a bad one."""
    walker = _Walker(_Source(stream, _size_of(stream)), result, trusted, where, joblib=False)
    done = 0
    for _ in range(count):
        try:
            result.value = walker.walk_one()
        except (ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError, MemoryError,
                UnicodeDecodeError, struct.error, RecursionError) as exc:
            result.error = f"{exc.__class__.__name__}: {str(exc)[:200]}"
            break
        done += 1
    return done


def may_start_pickle(head: bytes) -> bool:
    """Whether `head` could be the first bytes of a pickle the unpickler accepts."""
    if not head or head[0] not in PICKLE_START_BYTES:
        return False
    if head[0] == 0x80:
        return len(head) > 1 and head[1] <= HIGHEST_PROTOCOL
    return True
