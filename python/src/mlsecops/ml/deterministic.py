"""Byte-identical model files from identical training: rewrite what embeds the time of saving.

Keras' `model.keras` is a zip whose `metadata.json` holds `date_saved` and whose weights
file (HDF5) records object modification times, as does the legacy `model.h5`. A retried
build with unchanged inputs must store as "unchanged", so both are rewritten with fixed
timestamps: zip members dated 1980-01-01, `date_saved` set to SOURCE_DATE_EPOCH (or the
zip epoch), HDF5 objects copied without time tracking. Content is unchanged: Keras loads
the result as it loads the original.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _fixed_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime(*ZIP_EPOCH, tzinfo=UTC)
    return moment.strftime("%Y-%m-%d@%H:%M:%S")


def _copy_h5(source: Any, target: Any) -> None:
    import h5py

    for name, value in source.attrs.items():
        target.attrs[name] = value
    for name, item in source.items():
        if isinstance(item, h5py.Group):
            plist = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            plist.set_obj_track_times(False)
            group_id = h5py.h5g.create(target.id, name.encode("utf-8"), gcpl=plist)
            _copy_h5(item, h5py.Group(group_id))
        else:
            dataset = target.create_dataset(name, data=item[()], dtype=item.dtype, track_times=False)
            for key, value in item.attrs.items():
                dataset.attrs[key] = value


def normalised_h5(data: bytes) -> bytes:
    """An HDF5 file's groups, datasets and attributes copied into a new file that records no times."""
    import h5py

    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    out = io.BytesIO()
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_fileobj_driver(h5py.h5fd.fileobj_driver, out)
    fid = h5py.h5f.create(b"normalised", h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as target, h5py.File(io.BytesIO(data), "r") as source:
        _copy_h5(source, target)
    return out.getvalue()


def normalise_h5_file(path: Path) -> None:
    path.write_bytes(normalised_h5(path.read_bytes()))


def normalise_zip(path: Path, rewrite: dict[str, Any] | None = None) -> None:
    """Rewrite a zip with every member dated ZIP_EPOCH; `rewrite` maps a member name to bytes -> bytes."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info, data in members:
            if rewrite and info.filename in rewrite:
                data = rewrite[info.filename](data)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


def _keras_metadata(data: bytes) -> bytes:
    metadata = json.loads(data)
    if "date_saved" in metadata:
        metadata["date_saved"] = _fixed_date()
    return json.dumps(metadata).encode("utf-8")


def _renumber_shared_objects(node: Any, numbers: dict[Any, int]) -> None:
    """Keras links objects shared between layers by `shared_object_id`, Python's id() of the object:
    a memory address, different on every run. Numbered in order of appearance, the links stay the same."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "shared_object_id" and isinstance(value, int):
                node[key] = numbers.setdefault(value, len(numbers) + 1)
            else:
                _renumber_shared_objects(value, numbers)
    elif isinstance(node, list):
        for item in node:
            _renumber_shared_objects(item, numbers)


def _keras_config(data: bytes) -> bytes:
    # Keras names an optimizer "adam_1", "adam_2", ... when one process builds several: the name is not
    # part of the model, so every optimizer is saved under its class's base name
    config = json.loads(data)
    _renumber_shared_objects(config, {})
    optimizer = (config.get("compile_config") or {}).get("optimizer") or {}
    inner = optimizer.get("config") if isinstance(optimizer, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("name"), str):
        inner["name"] = inner["name"].rsplit("_", 1)[0] if inner["name"].rsplit("_", 1)[-1].isdigit() else inner["name"]
    return json.dumps(config).encode("utf-8")


def normalise_keras_file(path: Path) -> None:
    """`model.keras` with a fixed `date_saved`, timeless weights and fixed member dates."""
    normalise_zip(path, {
        "metadata.json": _keras_metadata,
        "config.json": _keras_config,
        "model.weights.h5": normalised_h5,
    })


def _renumber_skops(node: Any, ids: dict[Any, int], files: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "__id__" and isinstance(value, int):
                node[key] = ids.setdefault(value, len(ids) + 1)
            elif key == "file" and isinstance(value, str) and "/" not in value:
                suffix = value.rsplit(".", 1)[-1] if "." in value else "bin"
                node[key] = files.setdefault(value, f"{len(files) + 1:05d}.{suffix}")
            else:
                _renumber_skops(value, ids, files)
    elif isinstance(node, list):
        for item in node:
            _renumber_skops(item, ids, files)


def normalise_skops_file(path: Path) -> None:
    """A skops file names objects and their array members by Python's id(): a memory address, new on
    every run. Renumbered in order of appearance (links kept), with fixed member dates, the same model
    gives the same bytes."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: (info, source.read(info.filename)) for info in source.infolist()}
    schema = json.loads(members["schema.json"][1])
    files: dict[str, str] = {}
    _renumber_skops(schema, {}, files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        renamed = [("schema.json", members["schema.json"][0], json.dumps(schema, indent=2).encode("utf-8"))]
        renamed += sorted((files.get(name, name), info, data) for name, (info, data) in members.items()
                          if name != "schema.json")
        for name, info, data in renamed:
            fixed = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())
