"""Keras model configs (`config.json` of a `.keras` zip, `model_config` of an `.h5`), read as JSON only.

Keras imports and calls what a config names. Nothing is trusted because it sits under `keras.*`:
layers that run code or load other files (`Lambda`, `TFSMLayer`, `TorchModuleWrapper`, ...),
functions outside the activations/losses/metrics families (`keras.utils.get_file`), and objects
from any other module (custom objects, imports) are findings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mlsecops.engines.models.pickle_trusted import DANGEROUS_MODULES, DANGEROUS_NAMES
from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

# Layers whose config carries code, or that load and run another artifact when built.
CODE_LAYERS = frozenset(
    ("Lambda", "TFOpLambda", "SlicingOpLambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer",
     "KerasLayer", "SavedModel", "TFLayer")
)
# Lookup layers whose `vocabulary` may be a path: the file is read when the model is loaded.
_FILE_READING_LAYERS = frozenset(("StringLookup", "IntegerLookup", "TextVectorization", "Hashing"))
KERAS_PACKAGES = ("keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras", "tensorflow.keras")
# Families of Keras functions a config may name (activation, loss, metric, initializer...).
SAFE_FUNCTION_FAMILIES = (
    "activations", "losses", "metrics", "initializers", "regularizers", "constraints", "ops", "random",
)
# Keras module segments that hold code which downloads, saves, loads or runs things.
UNSAFE_KERAS_SEGMENTS = ("utils", "saving", "legacy", "export", "callbacks")


def parse_json(data: bytes) -> Any:
    """JSON as Python's json.loads(bytes) reads it: a UTF-8 BOM and leading whitespace are fine."""
    return json.loads(data)


def looks_like_json(head: bytes) -> bool:
    """What json.loads(bytes) would accept as the start of a document: UTF-8/16/32 with or without a BOM,
    leading whitespace."""
    if not head:
        return False
    try:
        text = head.decode(json.detect_encoding(head), "ignore")
    except (LookupError, ValueError):
        return False
    stripped = text.lstrip("\ufeff \t\r\n")
    return stripped[:1] in ("{", "[") or not stripped


def config_problems(config: Any, where: str, trusted: frozenset[tuple[str, str]] = frozenset()) -> list[Problem]:
    problems: dict[str, Problem] = {}

    def add(key: str, rule: str, severity: Severity, title: str, layer: str) -> None:
        problems.setdefault(key, Problem(key, rule, severity, title, f"{where} layer {layer}"))

    for node in _walk(config):
        class_name = node.get("class_name")
        if not isinstance(class_name, str):
            continue
        layer = _layer_name(node)
        module = node.get("module")
        module = module if isinstance(module, str) else ""
        package = module.split(".", 1)[0]
        is_keras = not module or module.startswith(KERAS_PACKAGES) or package in KERAS_PACKAGES
        if class_name == "__lambda__":
            add("lambda-layer", "model-file/keras-lambda", Severity.HIGH,
                "Keras config holds a marshalled Python function (__lambda__): code runs when the model is loaded",
                layer)
            continue
        # Keras looks a class up by its registered name first, then by module and class name
        registered = node.get("registered_name")
        names = {_short(class_name)} | ({_short(registered)} if isinstance(registered, str) else set())
        code_layer = next((n for n in sorted(names) if n in CODE_LAYERS), None)
        if code_layer and (is_keras or code_layer == "Lambda"):
            class_name = code_layer
            add(f"lambda-layer:{class_name}" if class_name != "Lambda" else "lambda-layer", "model-file/keras-lambda",
                Severity.HIGH,
                f"Keras model contains a {class_name} layer: code runs (or another artifact loads) when the "
                "model is loaded", layer)
            continue
        config = node.get("config")
        if isinstance(config, dict) and _short(class_name) in _FILE_READING_LAYERS:
            vocabulary = config.get("vocabulary")
            if isinstance(vocabulary, str) and vocabulary:
                add(f"keras-file-read:{layer}", "model-file/keras-custom-object", Severity.HIGH,
                    f"Keras {class_name} layer reads the file {vocabulary[:80]!r} when the model is built", layer)
        if class_name == "function":
            name = node.get("config")
            name = name if isinstance(name, str) else str(name)
            ref = f"{module}.{name}" if module else name
            if (module, name) in trusted:
                continue
            if is_keras and module and _safe_keras_function(module) and name not in DANGEROUS_NAMES:
                continue
            if not module and name not in DANGEROUS_NAMES:
                continue  # a registered name looked up by Keras itself, never imported
            dangerous = _dangerous(module) or name in DANGEROUS_NAMES
            add(f"custom-object:{ref}", "model-file/keras-custom-object",
                Severity.CRITICAL if dangerous else Severity.HIGH,
                f"Keras config calls the function {ref} when the model is loaded", layer)
            continue
        if not module:
            registered = node.get("registered_name")
            if isinstance(registered, str) and registered.startswith("Custom>"):
                add(f"custom-object:{registered}", "model-file/keras-custom-object", Severity.HIGH,
                    f"Keras config needs the custom object {registered} (code outside Keras)", layer)
            continue
        ref = f"{module}.{class_name}"
        if (module, class_name) in trusted:
            continue
        if is_keras:
            if any(f".{segment}" in f".{module.split('.', 1)[-1]}" for segment in UNSAFE_KERAS_SEGMENTS) or (
                class_name in DANGEROUS_NAMES
            ):
                add(f"custom-object:{ref}", "model-file/keras-custom-object", Severity.HIGH,
                    f"Keras config builds {ref}, a Keras object that is not a layer or model part", layer)
            continue
        dangerous = _dangerous(module) or class_name in DANGEROUS_NAMES
        add(f"custom-object:{ref}", "model-file/keras-custom-object", Severity.CRITICAL if dangerous else Severity.HIGH,
            f"Keras config imports {ref} when the model is loaded"
            + (" (a module that executes code)" if dangerous else " (a custom object: code outside Keras)"), layer)
    return list(problems.values())


def _short(name: str) -> str:
    """`Custom>pkg.Lambda` or `keras.layers.Lambda` -> `Lambda`."""
    return name.rsplit(">", 1)[-1].rsplit(".", 1)[-1]


def _safe_keras_function(module: str) -> bool:
    parts = module.split(".")
    return any(part in SAFE_FUNCTION_FAMILIES for part in parts[1:]) and not any(
        part in ("utils", "saving", "backend", "config") for part in parts[1:]
    )


def _dangerous(module: str) -> bool:
    return module in ("builtins", "__builtin__") or any(
        module == m or module.startswith(m + ".") for m in DANGEROUS_MODULES
    )


def _layer_name(node: dict[str, Any]) -> str:
    config = node.get("config")
    if isinstance(config, dict) and isinstance(config.get("name"), str):
        return config["name"]
    return str(node.get("name", "?"))


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 200:
        return
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1)


HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def hdf5_offset(handle: Any, size: int) -> int | None:
    """Where the HDF5 superblock is: at 0, or after a user block at 512, 1024, 2048, ... (as libhdf5 looks)."""
    offset = 0
    while offset + 8 <= size:
        handle.seek(offset)
        if handle.read(8) == HDF5_MAGIC:
            return offset
        offset = 512 if offset == 0 else offset * 2
    return None


def hdf5_contents(handle: Any, where: str, pickles: list[tuple[str, bytes]] | None = None,
                  attribute_pickles: list[tuple[str, bytes]] | None = None,
                  ) -> tuple[list[tuple[str, Any]], list[Problem]]:
    """The Keras configs of an HDF5 file and what in it reads other files: attributes and layouts only, no
    link is followed. The one kind of dataset that is read is a PyTables object VLArray: its rows are
    pickles (pandas HDFStore, `tables.ObjectAtom`) that PyTables unpickles on read; they go to `pickles`."""
    import h5py

    found: list[tuple[str, Any]] = []
    with h5py.File(handle, "r") as h5:
        for name in ("model_config", "training_config"):
            raw = h5.attrs.get(name)
            if raw is None:
                continue
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", "replace")
            try:
                found.append((name, json.loads(str(raw))))
            except ValueError:
                raise ValueError(f"{name} attribute is not JSON") from None
        objects: list[tuple[str, Any]] = []
        holders: list[tuple[str, Any]] = [("/", h5)]
        problems = hdf5_storage_problems(h5, where, objects, holders)
        problems.extend(_object_rows(objects, where, pickles if pickles is not None else []))
        if attribute_pickles is not None:
            attribute_pickles.extend(_pickled_attributes(holders))
    return found, problems


MAX_ATTRIBUTE_BYTES = 64 << 20


def _pickled_attributes(holders: list[tuple[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """Attribute values PyTables unpickles when the node's attributes are read (`node._v_attrs`, pandas
    HDFStore): a byte string that ends with the STOP opcode and starts like a pickle (any protocol)."""
    from mlsecops.engines.models.pickle_inspect import may_start_pickle

    total = 0
    for path, holder in holders:
        try:
            names = list(holder.attrs)
        except (OSError, KeyError, ValueError, TypeError):
            continue
        for name in names:
            try:
                value = holder.attrs[name]
            except (OSError, KeyError, ValueError, TypeError):
                continue
            if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "V":
                value = value.tobytes()  # an opaque (H5T_OPAQUE) value
            if not isinstance(value, bytes) or len(value) < 2 or not value.rstrip(b"\0").endswith(b"."):
                continue
            if not may_start_pickle(value[:8]):
                continue
            total += len(value)
            if total > MAX_ATTRIBUTE_BYTES:
                return
            yield f"{path.rstrip('/')}/@{str(name)[:120]}", bytes(value)


MAX_OBJECT_BYTES = 1 << 30


def _is_object_vlarray(dataset: Any) -> bool:
    """PyTables writes CLASS=VLARRAY and PSEUDOATOM=object for an ObjectAtom: each row is unpickled."""
    def text(name: str) -> str:
        value = dataset.attrs.get(name)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")

    try:
        return text("CLASS").upper() == "VLARRAY" and text("PSEUDOATOM").lower() in ("object", "objectatom")
    except (OSError, KeyError, ValueError, TypeError):
        return True  # attributes that do not read: cannot rule out an object array


def _object_rows(objects: list[tuple[str, Any]], where: str, pickles: list[tuple[str, bytes]]) -> list[Problem]:
    """Read every row of the object VLArrays (h5py applies gzip/lzf/shuffle itself); a row that cannot be read
    (a filter missing here) is a HIGH "not scanned": PyTables would still unpickle it."""
    problems: list[Problem] = []
    total = 0
    for path, dataset in objects:
        try:
            rows = int(dataset.shape[0]) if dataset.shape else 1
            for index in range(rows):
                row = dataset[index] if dataset.shape else dataset[()]
                data = bytes(memoryview(row).cast("B")) if hasattr(row, "tobytes") else bytes(row)
                total += len(data)
                if total > MAX_OBJECT_BYTES:
                    raise ValueError(f"object rows larger than {MAX_OBJECT_BYTES} bytes")
                pickles.append((f"{path}[{index}]", data))
        except Exception as exc:  # noqa: BLE001 - a filter h5py lacks, corrupt chunks: not scanned, not clean
            problems.append(Problem(
                key=f"not-scanned:hdf5-object:{path[:200]}", rule="model-file/not-scanned", severity=Severity.HIGH,
                title="Model file not scanned: a PyTables object array (pickled rows) could not be read",
                detail=f"{where} object {path[:200]} ({exc.__class__.__name__}: {str(exc)[:120]})",
            ))
    return problems


MAX_HDF5_OBJECTS = 200_000


def hdf5_storage_problems(h5: Any, where: str, objects: list[tuple[str, Any]] | None = None,
                          holders: list[tuple[str, Any]] | None = None) -> list[Problem]:
    """Datasets whose bytes live in another file (external storage, virtual datasets) and links to other
    files: loading the weights reads that file (a host file such as /etc/passwd becomes weights).
    The tree is walked link by link: external and soft links are judged, never followed."""
    import h5py

    problems: dict[str, Problem] = {}

    def add(kind: str, path: str, target: str, what: str) -> None:
        outside = _leaves_folder(target)
        key = f"hdf5-external:{kind}:{path[:200]}"
        problems.setdefault(key, Problem(
            key=key, rule="model-file/hdf5-external", severity=Severity.CRITICAL if outside else Severity.HIGH,
            title=f"HDF5 {what} reads another file ({target[:120]!r})"
            + (": a file outside the model folder is read when the model is loaded" if outside else ""),
            detail=f"{where} object {path[:200]}",
        ))

    seen: set[int] = set()
    pending: list[tuple[Any, str]] = [(h5, "/")]
    visited = 0
    while pending:
        group, path = pending.pop()
        for name in group:
            visited += 1
            if visited > MAX_HDF5_OBJECTS:
                raise ValueError(f"HDF5 file has more than {MAX_HDF5_OBJECTS} objects")
            child_path = f"{path.rstrip('/')}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                add("link", child_path, str(link.filename), "external link")
                continue
            if isinstance(link, h5py.SoftLink):
                continue  # a path inside this file: its target is walked under its own name
            if not isinstance(link, h5py.HardLink):
                add("link", child_path, "user-defined link", "link of a user-defined type")
                continue
            try:
                child = group.get(name)
            except (KeyError, OSError, ValueError):
                continue
            if child is None or hash(child.id) in seen:
                continue
            seen.add(hash(child.id))
            if holders is not None:
                holders.append((child_path, child))
            if isinstance(child, h5py.Group):
                pending.append((child, child_path))
            elif isinstance(child, h5py.Dataset):
                _dataset_storage(child, child_path, add)
                if objects is not None and _is_object_vlarray(child):
                    objects.append((child_path, child))
    return list(problems.values())


def _dataset_storage(dataset: Any, path: str, add: Any) -> None:
    import h5py

    plist = dataset.id.get_create_plist()
    for index in range(min(plist.get_external_count(), 1024)):
        name = plist.get_external(index)[0]
        add("storage", path, name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name),
            "dataset with external storage")
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        for index in range(min(plist.get_virtual_count(), 1024)):
            source = plist.get_virtual_filename(index)
            add("virtual", path, "this file" if source == "." else source, "virtual dataset")


def _leaves_folder(target: str) -> bool:
    """An absolute path, a home or a parent reference: the file read is not one shipped with the model."""
    name = target.replace("\\", "/")
    return name.startswith(("/", "~")) or ".." in name.split("/") or (len(name) > 1 and name[1] == ":")
