"""`mlsecops handoff`: a stage folder too large for a controller stash travels through the store.

Jenkins stashes go through the controller, which the stash documentation reserves for small
files. Above `jenkins.stashMaxMb` the library hands a stage's folder off instead:

    mlsecops handoff size train          # {"folder": "train", "bytes": ..., "files": ...}
    mlsecops handoff put train --build jenkins-team-model-7
    (stash only .mlsecops/.handoff/train.json, the pointer)
    ...next agent: unstash, then
    mlsecops handoff get train           # the folder back, digest-verified; the pointer removed

The folder is packed into one tar (sorted, regular files only, fixed mode and time, so the same
folder gives the same bytes), stored content-addressed at
`<handoff root>/handoff/<build>/<folder>/<sha256>.tar` and verified by the store after upload.
`get` refuses other bytes than the pointer names (exit 3: the store returned something else)
and a pointer that is missing or malformed (exit 2). `mlsecops run` shares one workspace and
needs none of this.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores.interface import DigestMismatch, check_key

POINTER_DIR = ".handoff"  # <workspace>/.handoff/<folder>.json: the only thing stashed for a handed-off folder
PREFIX = "handoff"
POINTER_VERSION = 1
_BUILD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_FOLDER = re.compile(r"^[a-z][a-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")  # train, scan/secrets


@dataclass(frozen=True)
class Pointer:
    version: int
    folder: str
    build: str
    key: str  # relative to the handoff store's root
    sha256: str  # of the tar
    bytes: int  # of the tar
    files: int


def check_folder(folder: str) -> str:
    """A stage folder (`train`) or a branch folder (`scan/secrets`), never a path out of the workspace."""
    folder = folder.strip().rstrip("/")
    if not _FOLDER.match(folder):
        raise UsageError(f"handoff: '{folder}' is not a workspace stage folder (train, scan/secrets, ...)")
    return folder


def pointer_path(workspace: Path, folder: str) -> Path:
    return workspace / POINTER_DIR / f"{check_folder(folder)}.json"


def _excluded(relative: str, excludes: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, pattern.replace("**", "*")) for pattern in excludes)


def folder_files(workspace: Path, folder: str, excludes: tuple[str, ...] = ()) -> list[tuple[str, Path]]:
    """(path relative to the folder, path) of every file handed off, sorted; a link is refused:
    it would travel as whatever it points at on this agent."""
    root = workspace / check_folder(folder)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if _excluded(relative, excludes):
            continue
        if path.is_symlink():
            raise UsageError(f"handoff: {folder}/{relative} is a symbolic link: not handed off")
        if path.is_file():
            found.append((relative, path))
    return found


def folder_size(workspace: Path, folder: str, excludes: tuple[str, ...] = ()) -> dict[str, object]:
    files = folder_files(workspace, folder, excludes)
    return {"folder": folder, "bytes": sum(path.stat().st_size for _, path in files), "files": len(files)}


def _pack(files: list[tuple[str, Path]], target: Path) -> None:
    # reproducible: same folder, same bytes, same key (a retried stage uploads nothing new)
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for relative, path in files:
            info = tarfile.TarInfo(relative)
            info.size = path.stat().st_size
            info.mode = 0o600 if path.stat().st_mode & 0o077 == 0 else 0o644
            info.mtime = 0
            with open(path, "rb") as handle:
                tar.addfile(info, handle)


def put(store, workspace: Path, folder: str, build: str, excludes: tuple[str, ...] = ()) -> Pointer:
    """Upload `folder` as one content-addressed tar and write its pointer; the pointer is returned."""
    from mlsecops.hashing import file_sha256

    folder = check_folder(folder)
    if not _BUILD.match(build):
        raise UsageError(f"handoff: --build '{build}' must be letters, digits, '.', '_' or '-' (e.g. $BUILD_TAG)")
    files = folder_files(workspace, folder, excludes)
    if not files:
        raise UsageError(f"handoff: {workspace / folder} holds no file: nothing to hand off")
    pointer_file = pointer_path(workspace, folder)
    pointer_file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".handoff.", suffix=".tar", dir=workspace)
    os.close(handle)
    try:
        _pack(files, Path(temporary))
        digest = file_sha256(Path(temporary))
        key = check_key(f"{PREFIX}/{build}/{folder}/{digest}.tar")
        size = Path(temporary).stat().st_size
        if not store.exists(key):  # content-addressed: a retried stage uploads nothing new
            store.upload(Path(temporary), key)
    finally:
        Path(temporary).unlink(missing_ok=True)
    pointer = Pointer(POINTER_VERSION, folder, build, key, digest, size, len(files))
    partial = pointer_file.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(pointer), indent=2) + "\n", encoding="utf-8")
    partial.replace(pointer_file)
    return pointer


def read_pointer(workspace: Path, folder: str) -> Pointer:
    path = pointer_path(workspace, folder)
    if not path.is_file():
        raise UsageError(f"handoff: no pointer {path}: unstash the stage's stash first (or it was not handed off)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pointer = Pointer(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"handoff: {path}: not a hand-off pointer ({exc.__class__.__name__})") from None
    if pointer.version != POINTER_VERSION or pointer.folder != folder:
        raise UsageError(f"handoff: {path}: a pointer of version {pointer.version} for '{pointer.folder}'")
    if not re.fullmatch(r"[0-9a-f]{64}", pointer.sha256) or not pointer.key.endswith(f"/{pointer.sha256}.tar"):
        raise UsageError(f"handoff: {path}: its key does not name its digest")
    check_key(pointer.key)
    return pointer


def _unpack(archive: Path, target: Path) -> int:
    """Regular files only, each inside `target`: the tar is ours and verified, and still checked."""
    count = 0
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            parts = member.name.split("/")
            if not member.isfile() or member.name.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise EnvironmentFailure(f"handoff: {archive.name}: unexpected member '{member.name[:80]}'")
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # a regular file always has content
            with source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)
            os.chmod(destination, member.mode & 0o644)
            count += 1
    return count


def get(store, workspace: Path, folder: str) -> Pointer:
    """Restore `folder` from the pointer the stash carried; the pointer is removed afterwards, so a
    later build on this agent never restores it again."""
    folder = check_folder(folder)
    pointer = read_pointer(workspace, folder)
    staging = Path(tempfile.mkdtemp(prefix=".handoff.", dir=workspace))
    try:
        archive = staging / "folder.tar"
        try:
            store.download(pointer.key, archive, expected_sha256=pointer.sha256)
        except DigestMismatch:
            raise EnvironmentFailure(
                f"handoff: the store returned other bytes for {folder} than were handed off "
                f"(expected sha256 {pointer.sha256[:12]}...): not restored"
            ) from None
        unpacked = staging / "folder"
        unpacked.mkdir()
        count = _unpack(archive, unpacked)
        if count != pointer.files:
            raise EnvironmentFailure(f"handoff: {folder}: {count} file(s) arrived, the pointer names {pointer.files}")
        target = workspace / folder
        if target.exists():
            shutil.rmtree(target)  # what the stash left of an older run must not mix with it
        target.parent.mkdir(parents=True, exist_ok=True)
        unpacked.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pointer_path(workspace, folder).unlink()
    return pointer


def handoff_store(config, workspace: Path):
    """The store folders are handed off through: `store.handoff_url`, else `store.url`; never the
    workspace's own default store, which no other agent can read."""
    from mlsecops.config import DEFAULT_STORE_URL
    from mlsecops.stores import absolute_file_url, open_store
    from mlsecops.stores.release import store_connections

    url = config.store.handoff_url or config.store.url
    if url == DEFAULT_STORE_URL:
        raise UsageError(
            "handoff: store.url is the workspace's own folder, which other agents cannot read: set "
            "store.handoff_url (or store.url) to a shared store, or raise jenkins.stashMaxMb"
        )
    return open_store(absolute_file_url(url, config.base_dir), store_connections(config))


def _runtime():
    return click.get_current_context().find_root().obj


_EXCLUDE = click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
                        help="Files of the folder (relative glob) that never leave this agent (repeatable).")


@click.group(name="handoff")
def handoff() -> None:
    """Jenkins: move a large stage folder between agents through the store instead of a stash."""


@handoff.command("size")
@click.argument("folder")
@_EXCLUDE
def size_command(folder: str, excludes: tuple[str, ...]) -> None:
    """Print the folder's size as JSON: {"folder", "bytes", "files"} (0 when it does not exist)."""
    click.echo(json.dumps(folder_size(Path(_runtime().workspace_path), check_folder(folder), excludes)))


@handoff.command("put")
@click.argument("folder")
@click.option("--build", required=True, envvar="BUILD_TAG", help="The build's id, e.g. $BUILD_TAG (default).")
@_EXCLUDE
def put_command(folder: str, build: str, excludes: tuple[str, ...]) -> None:
    """Upload FOLDER to the store and write its pointer .handoff/FOLDER.json (printed as JSON)."""
    runtime = _runtime()
    workspace = Path(runtime.workspace_path)
    with handoff_store(runtime.config(), workspace) as store:
        pointer = put(store, workspace, folder, build, excludes)
    click.echo(json.dumps(asdict(pointer)))


@handoff.command("get")
@click.argument("folder")
def get_command(folder: str) -> None:
    """Restore FOLDER from its pointer .handoff/FOLDER.json; exit 2 without a pointer, 3 on a digest mismatch."""
    runtime = _runtime()
    workspace = Path(runtime.workspace_path)
    read_pointer(workspace, check_folder(folder))  # no pointer: exit 2 before any store is opened
    with handoff_store(runtime.config(), workspace) as store:
        pointer = get(store, workspace, folder)
    click.echo(f"{folder}: {pointer.files} file(s) restored from the store ({pointer.bytes} bytes, sha256 "
               f"{pointer.sha256[:12]}...)")
