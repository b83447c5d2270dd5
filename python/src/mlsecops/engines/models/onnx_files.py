"""ONNX models: the protobuf is walked field by field (no onnx package, nothing executed).

An ONNX tensor may keep its bytes in an external file named by a path in the model; a runtime
opens that path relative to the model's folder. A path that is absolute or climbs out of the
folder reads (or, with some tools, writes) files elsewhere: a finding.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

# field number -> message kind, for the fields that can hold tensors or graphs
_SCHEMA: dict[str, dict[int, str]] = {
    "model": {7: "graph", 25: "function", 20: "training"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "node": {5: "attr"},
    "attr": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
    "function": {7: "node"},
    "training": {1: "graph", 3: "graph"},
    "tensor": {13: "entry"},
    "entry": {},
}
MAX_DEPTH = 64


class OnnxError(ValueError):
    pass


def _varint(data: Any, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise OnnxError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: Any) -> list[tuple[int, int, Any]]:
    out = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise OnnxError("field number 0")
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise OnnxError("length-delimited field runs past the end")
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise OnnxError(f"unsupported wire type {wire}")
        if pos > len(data):
            raise OnnxError("field runs past the end")
        out.append((field, wire, value))
    return out


def external_locations(data: Any) -> list[str]:
    """Every external-data `location` of every tensor in the model, nested graphs included."""
    found: list[str] = []
    _walk(memoryview(data), "model", found, 0)
    if not found and not any(f == 7 for f, _, _ in _fields(memoryview(data))):
        raise OnnxError("no graph in the model")
    return found


def _walk(data: memoryview, kind: str, found: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise OnnxError("graphs nested too deep")
    schema = _SCHEMA[kind]
    entries: dict[str, str] = {}
    for field, wire, value in _fields(data):
        if kind == "entry" and wire == 2 and field in (1, 2):
            entries["key" if field == 1 else "value"] = bytes(value).decode("utf-8", "replace")
        elif field in schema and wire == 2:
            sub = schema[field]
            if sub == "entry":
                pair: list[str] = []
                _walk_entry(value, pair)
                if len(pair) == 2 and pair[0] == "location":
                    found.append(pair[1])
            else:
                _walk(value, sub, found, depth + 1)


def _walk_entry(data: memoryview, pair: list[str]) -> None:
    key = value = ""
    for field, wire, item in _fields(data):
        if wire == 2 and field == 1:
            key = bytes(item).decode("utf-8", "replace")
        elif wire == 2 and field == 2:
            value = bytes(item).decode("utf-8", "replace")
    pair.extend([key, value])


_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def location_problems(locations: list[str], where: str) -> list[Problem]:
    out = []
    for location in locations:
        normal = posixpath.normpath(location.replace("\\", "/"))
        escapes = (
            location.startswith(("/", "\\")) or (len(location) > 1 and location[1] == ":")
            or normal == ".." or normal.startswith("../") or "\x00" in location
            # a URI (`file:///etc/passwd`): onnx resolves it as a path joined to the folder, other readers as a URI
            or _URI_SCHEME.match(location) is not None or location.startswith("~")
        )
        if escapes:
            out.append(Problem(
                key=f"onnx-external-data:{location[:80]}", rule="model-file/external-data-path",
                severity=Severity.HIGH,
                title="ONNX tensor data is read from a path outside the model's folder",
                detail=f"{where} location {location[:120]!r}",
            ))
    return out


def is_protobuf(data: Any) -> bool:
    """Whether the bytes parse completely as protobuf wire format (a SentencePiece `.model`, a `.pb` graph)."""
    try:
        return bool(_fields(memoryview(data)))
    except OnnxError:
        return False


# TensorFlow graph ops that read or write files or run Python when the graph runs (NodeDef.op, field 2).
_TF_UNSAFE_OPS = ("ReadFile", "WriteFile", "PyFunc", "EagerPyFunc", "PyFuncStateless", "MatchingFiles",
                  "SaveV2", "Save", "SaveSlices", "ImmutableConst", "PrintV2", "DebugIdentityV2")


_KERAS_CODE_LAYER = re.compile(rb'"class_name":\s*"(Lambda|TFOpLambda|SlicingOpLambda|TFSMLayer|__lambda__)"')


def tf_graph_problems(data: bytes, where: str) -> list[Problem]:
    out = []
    match = _KERAS_CODE_LAYER.search(data)
    if match:
        # keras_metadata.pb of a SavedModel: tf.keras rebuilds these layers (marshalled code) on load
        out.append(Problem(
            key="lambda-layer", rule="model-file/keras-lambda", severity=Severity.HIGH,
            title=f"Keras metadata holds a {match.group(1).decode()} layer: code runs when the model is loaded",
            detail=where,
        ))
    for op in _TF_UNSAFE_OPS:
        raw = op.encode()
        if b"\x12" + bytes([len(raw)]) + raw in data:
            out.append(Problem(
                key=f"tf-op:{op}", rule="model-file/tf-unsafe-op", severity=Severity.HIGH,
                title=f"TensorFlow graph contains the op {op} (file access or Python code when it runs)",
                detail=where,
            ))
    return out
