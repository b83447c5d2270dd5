"""Atomic releases on any `ArtifactStore`: every file under its final key first, `manifest.json` last.

A release is visible only through its manifest: readers (load, verify, evaluate's baseline)
treat a folder without one as absent, so an interrupted upload never looks like a release.
Re-publishing the same model is a no-op once the stored copy is read back intact: the same
signed files, or files whose content digest matches (a `.keras` saved again by a retried build
differs only in timestamps and object ids, see `signing/content.py`);
different files for the same version, or a stored release that no longer matches its own
manifest (damaged), are refused unless forced, and a forced replace hides the old release
(manifest deleted) first.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsecops.config import DEFAULT_STORE_URL
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores.interface import ArtifactStore, DigestMismatch, check_key
from mlsecops.stores.transfer import file_digest_and_size

if TYPE_CHECKING:
    from mlsecops.config import Config
    from mlsecops.workspace import Workspace

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "mlsecops-release/1"


def store_url(config: Config, workspace: Workspace) -> str:
    """The configured store as an absolute URL; the default is `<workspace>/store`."""
    from mlsecops.stores import absolute_file_url

    if config.store.url == DEFAULT_STORE_URL:
        return f"file://{(workspace.root / 'store').resolve()}"
    return absolute_file_url(config.store.url, config.base_dir)


def store_connections(config: Config) -> dict[str, Any]:
    """The store's connection settings by backend; `store.connections` wins over `load.connections`."""
    return {**config.load.connections, **config.store.connections}


@dataclass
class PublishOutcome:
    prefix: str
    url: str
    files: list[dict[str, Any]]
    unchanged: bool = False  # the same signed files were already released: nothing written
    replaced: bool = False  # an older release of this version was replaced (--force)
    manifest: dict[str, Any] = field(default_factory=dict)


def release_prefix(project: str, version: str) -> str:
    return check_key(f"{project}/{version}")


def read_manifest(store: ArtifactStore, prefix: str) -> dict[str, Any] | None:
    """The release's manifest, or None when there is no complete release at `prefix`."""
    key = f"{check_key(prefix)}/{MANIFEST}"
    if not store.exists(key):
        return None
    return _parse_manifest(store.read_bytes(key), store.url_of(key))


def _parse_manifest(data: bytes, url: str) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{url}: not a valid release manifest (bad JSON)") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise UsageError(f"{url}: not a valid release manifest (no 'files' list)")
    for entry in manifest["files"]:
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("path", "sha256"))):
            raise UsageError(f"{url}: not a valid release manifest (a file entry without path or sha256)")
    return manifest


def _signed_entries(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in files if entry.get("signed")}


def _same_file(before: dict[str, Any] | None, now: dict[str, Any] | None) -> bool:
    """The same bytes, or the same model content saved at another time (see signing/content.py)."""
    if before is None or now is None:
        return False
    if before["sha256"] == now["sha256"]:
        return True
    return bool(before.get("content_sha256")) and before.get("content_sha256") == now.get("content_sha256")


def _changed_model_files(existing: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[str]:
    before, now = _signed_entries(existing), _signed_entries(entries)
    return sorted(path for path in before.keys() | now.keys() if not _same_file(before.get(path), now.get(path)))


def publish_release(
    store: ArtifactStore,
    prefix: str,
    files: dict[str, Path],
    signed: set[str],
    metadata: dict[str, Any],
    *,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> PublishOutcome:
    """Upload `files` (release-relative path -> local file) and write the manifest last.

    `signed` names the paths whose identity makes the release (the model files the
    signature covers): reports and signatures differ between runs of the same model.
    """
    from mlsecops.signing.content import content_sha256

    prefix = check_key(prefix)
    entries = []
    for rel in sorted(files):
        digest, size = file_digest_and_size(files[rel])
        entry = {"path": check_key(rel), "sha256": digest, "size": size, "signed": rel in signed}
        content = content_sha256(files[rel]) if rel in signed else None
        if content:
            entry["content_sha256"] = content
        entries.append(entry)
    if not any(entry["signed"] for entry in entries):
        raise UsageError(f"{store.url_of(prefix)}: nothing signed to release (fail closed)")

    replaced = False
    if store.exists(f"{prefix}/{MANIFEST}"):
        existing, damage = _existing_release(store, prefix)
        if existing is not None and damage is None:
            changed = _changed_model_files(existing["files"], entries)
            if not changed:
                damage = _damage(store, prefix, existing)
                if damage is None:
                    return PublishOutcome(
                        prefix, store.url_of(prefix), existing["files"], unchanged=True, manifest=existing
                    )
            elif not force:
                raise UsageError(
                    f"{store.url_of(prefix)}: release already exists with different model files "
                    f"({', '.join(changed[:5])}); bump project.version or pass --force"
                )
        if damage is not None and not force:
            # Exit 3, not 2 or 1: the user's input is fine and no gate judged the model; the
            # store no longer holds what its own manifest records (disk fault or tampering),
            # which is the environment failing. Someone must look at the store, or --force.
            raise EnvironmentFailure(
                f"{store.url_of(prefix)}: the stored release is damaged ({damage}); pass --force to replace it"
            )
        # hide the old release before touching its files: readers see "absent", never a mix
        store.delete(f"{prefix}/{MANIFEST}")
        replaced = True

    for entry in entries:
        key = f"{prefix}/{entry['path']}"
        uploaded = store.upload(files[entry["path"]], key)
        if uploaded != entry["sha256"]:
            raise EnvironmentFailure(f"{store.url_of(key)}: the store holds different bytes than were uploaded")
        echo(f"  uploaded {store.url_of(key)} ({entry['size']} bytes)")

    if replaced:
        keep = {entry["path"] for entry in entries} | {MANIFEST}
        for stale in store.list(prefix):
            if stale[len(prefix) + 1 :] not in keep:
                store.delete(stale)

    manifest = {"format": MANIFEST_FORMAT, **metadata, "files": entries}
    payload = json.dumps(manifest, indent=2, sort_keys=False).encode("utf-8")
    store.write_bytes(f"{prefix}/{MANIFEST}", payload)
    if store.read_bytes(f"{prefix}/{MANIFEST}") != payload:
        raise EnvironmentFailure(f"{store.url_of(prefix)}/{MANIFEST}: read-back differs from what was written")
    return PublishOutcome(prefix, store.url_of(prefix), entries, replaced=replaced, manifest=manifest)


class MissingReleaseFile(EnvironmentFailure):
    """A file the release manifest lists is not in the store."""


def _existing_release(store: ArtifactStore, prefix: str) -> tuple[dict[str, Any] | None, str | None]:
    """The stored manifest, or (None, why) when it is no longer a valid manifest."""
    try:
        return read_manifest(store, prefix), None
    except UsageError as exc:  # bad JSON or entries: the stored release is damaged, not the user's input
        return None, str(exc)


def _damage(store: ArtifactStore, prefix: str, manifest: dict[str, Any]) -> str | None:
    """Why the stored release no longer matches its manifest, or None when every file does."""
    try:
        verify_release(store, prefix, manifest)
    except (DigestMismatch, MissingReleaseFile) as exc:
        return str(exc)
    return None


def verify_release(store: ArtifactStore, prefix: str, manifest: dict[str, Any]) -> None:
    """Read every file of a release back and compare it with the manifest: the store is not trusted."""
    with tempfile.TemporaryDirectory(prefix="mlsecops-verify-") as scratch:
        for entry in manifest["files"]:
            key = f"{prefix}/{check_key(entry['path'])}"
            if not store.exists(key):
                raise MissingReleaseFile(f"{store.url_of(key)}: listed in the manifest but missing")
            store.download(key, Path(scratch) / "file", expected_sha256=entry["sha256"])


def fetch_release(
    store: ArtifactStore, prefix: str, dest: Path, expected_manifest_sha256: str | None = None
) -> tuple[dict[str, Any], str]:
    """Download a complete release into `dest`: the manifest first (checked against a pinned digest),
    then each file checked against the manifest. Returns the manifest and its sha256."""
    prefix = check_key(prefix)
    key = f"{prefix}/{MANIFEST}"
    if not store.exists(key):
        raise UsageError(f"{store.url_of(prefix)}: no release there (no {MANIFEST}: absent or incomplete)")
    digest = store.download(key, dest / MANIFEST, expected_sha256=expected_manifest_sha256)
    manifest = _parse_manifest((dest / MANIFEST).read_bytes(), store.url_of(key))
    for entry in manifest["files"]:
        rel = check_key(entry["path"])
        store.download(f"{prefix}/{rel}", dest / rel, expected_sha256=entry["sha256"])
    return manifest, digest


def list_releases(store: ArtifactStore, project: str) -> list[dict[str, Any]]:
    """Complete releases of `project`, oldest first (by the manifest's `created`)."""
    project = check_key(project)
    keys = store.list(project)
    versions = sorted({k.split("/")[1] for k in keys if k.count("/") == 2 and k.endswith(f"/{MANIFEST}")})
    manifests = [m for v in versions if (m := read_manifest(store, f"{project}/{v}")) is not None]
    return sorted(manifests, key=lambda m: str(m.get("created", "")))
