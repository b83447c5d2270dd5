"""The content digest of a model file: equal for two saves of the same model, whatever the save time.

Zip-based model formats embed what changes on every save: member timestamps in the zip
headers (all of them), `date_saved` in a `.keras` file's metadata.json and Python object
ids (`shared_object_id`) in its config.json, a random `.data/serialization_id` in PyTorch's
zip format. The content digest hashes each member's normalised content in name order and
ignores the zip headers, so a retried build with unchanged inputs is recognised as the same
model. Any other file's content digest is its plain sha256.

Only JSON is parsed here (never a pickle), and only files a gate has already passed.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

CONTENT_FORMAT = "mlsecops-content/1"  # bump when the normalisation changes: old digests then never match
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_JSON = 64 * 1024 * 1024  # larger JSON members are hashed as bytes: normalising them is not worth the memory
_CHUNK = 1024 * 1024


def content_sha256(path: Path) -> str | None:
    """The normalised digest of a zip-based model file; None for any other file (compare its sha256)."""
    with open(path, "rb") as handle:
        if handle.read(4) != _ZIP_MAGIC:
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            return _archive_digest(archive, keras=path.suffix == ".keras")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None  # not a readable zip after all (encrypted, damaged): its bytes are its identity


def _archive_digest(archive: zipfile.ZipFile, *, keras: bool) -> str:
    digest = hashlib.sha256(CONTENT_FORMAT.encode())
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or _volatile(info.filename):
            continue
        digest.update(json.dumps([info.filename, _member_digest(archive, info, keras=keras)]).encode())
    return digest.hexdigest()


def _volatile(name: str) -> bool:
    # torch.save writes a fresh random id per save (torch >= 2.5)
    return name.endswith("/.data/serialization_id")


def _member_digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keras: bool) -> str:
    if keras and info.filename in ("metadata.json", "config.json") and info.file_size <= _MAX_JSON:
        try:
            document = json.loads(archive.read(info))
        except (ValueError, UnicodeDecodeError):
            document = None
        if document is not None:
            normalised = _keras_metadata(document) if info.filename == "metadata.json" else _renumbered(document)
            return hashlib.sha256(json.dumps(normalised, sort_keys=True).encode()).hexdigest()
    digest = hashlib.sha256()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _keras_metadata(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: value for key, value in document.items() if key != "date_saved"}
    return document


def _renumbered(document: Any) -> Any:
    """Object ids replaced by their order of first appearance: the sharing structure stays, the memory
    addresses go."""
    seen: dict[Any, int] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "shared_object_id" and isinstance(value, int | str):
                    out[key] = seen.setdefault(value, len(seen))
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document)
