"""Which files make the model release: the ones `sign` signs, the model gate vouches for and `store` ships.

In order of precedence:
1. `sign.paths`: globs relative to the project folder (every match is released);
2. `details.model_files` of train's result: workspace-relative paths train wrote (any kind);
3. today's keras-text outputs in `train/` (results written before train recorded its files).

A file's name in the release is its path below the deepest folder all files share, so
`train/model.keras` is released as `model.keras` and `models/**` keeps its own layout.
The pipeline's bookkeeping (result.json, gates, sign, store, reports, the local signing key) is never
part of a release.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mlsecops.config import Config
from mlsecops.errors import GateFailed, UsageError
from mlsecops.signing.bundle import RELEASE_METADATA
from mlsecops.workspace import RESULT_FILE, Workspace

KERAS_TEXT_FILES = ("model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json")
KERAS_TEXT_REQUIRED = ("model.keras", "tokenizer.json")
# model-signing's verifier skips these names in any folder it checks: a model file so named would go unsigned
_UNSIGNABLE = (".git", ".gitattributes", ".github", ".gitignore")
# What a glob such as `.mlsecops/**` would otherwise reach: the pipeline's own bookkeeping, which changes
# between the gate and sign (and the local signing key), is never part of a model.
_NEVER_RELEASED = ("sign", "store", "reports", "gate-security", "gate-model", "notify")


@dataclass(frozen=True)
class ModelFile:
    name: str  # posix path inside the signed folder and the release
    source: Path  # the file as it is now
    shown: str  # how messages name it (workspace- or project-relative)
    recorded: str = ""  # the sha256 train recorded for it; "" when train did not record this file


def model_release(workspace: Workspace, config: Config) -> tuple[list[ModelFile], str]:
    """The files of the model release and where the list came from. Refuses (exit 1) when there is
    nothing to sign; a pattern or file that can never be released is bad config (exit 2)."""
    train = workspace.optional_result("train")
    recorded = {a.path: a.sha256 for a in train.artifacts} if train else {}
    if config.sign.paths:
        found = _globbed(workspace, config)
        origin = "sign.paths"
    elif train and isinstance(train.details.get("model_files"), list):
        found = _listed(workspace, [str(p) for p in train.details["model_files"]])
        origin = f"train.kind {train.details.get('kind') or '?'}"
    else:
        found = _keras_text(workspace)
        origin = "train's keras-text outputs"
    if not found:
        raise GateFailed(f"refusing to sign: no model file to sign (from {origin})")
    names = _release_names([shown for shown, _ in found])
    files = []
    for (shown, source), name in zip(found, names, strict=True):
        _check_name(name, shown)
        files.append(ModelFile(name, source, shown, recorded.get(_workspace_relative(workspace, source), "")))
    return files, origin


def file_digests(files: list[ModelFile]) -> dict[str, str]:
    """name -> sha256 of each file as it is now."""
    digests = {}
    for file in files:
        digest = hashlib.sha256()
        with open(file.source, "rb") as handle:
            while chunk := handle.read(4 * 1024 * 1024):
                digest.update(chunk)
        digests[file.name] = digest.hexdigest()
    return digests


def _workspace_relative(workspace: Workspace, path: Path) -> str:
    return Path(os.path.relpath(path, workspace.root)).as_posix()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _excluded(workspace: Workspace, path: Path) -> bool:
    if path.name == RESULT_FILE and _inside(path, workspace.root):
        return True
    return any(_inside(path, workspace.root / name) for name in _NEVER_RELEASED)


def _files_under(path: Path) -> list[Path]:
    if path.is_dir() and not path.is_symlink():
        return sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink())
    return [path]


def _globbed(workspace: Workspace, config: Config) -> list[tuple[str, Path]]:
    base = Path(config.base_dir)
    found: dict[str, Path] = {}
    for index, pattern in enumerate(config.sign.paths):
        where = f"sign.paths[{index}] '{pattern}'"
        pure = PurePosixPath(pattern)
        if not pattern.strip() or pure.is_absolute() or ".." in pure.parts:
            raise UsageError(f"{where}: must be a glob relative to the project folder, without '..'")
        matched = [
            file
            for hit in sorted(base.glob(pattern))
            for file in _files_under(hit)
            if not _excluded(workspace, file)
        ]
        if not matched:
            raise GateFailed(f"refusing to sign: {where} matches no file in {base.resolve()}")
        for file in matched:
            if file.is_symlink() or not _inside(file, base):
                # a link could make the release carry (and the signature vouch for) any file of the machine
                raise UsageError(f"{where}: {file.relative_to(base).as_posix()} is a symbolic link or leads outside "
                                 "the project: sign the file itself")
            found.setdefault(file.relative_to(base).as_posix(), file)
    return sorted(found.items())


def _listed(workspace: Workspace, paths: list[str]) -> list[tuple[str, Path]]:
    found: dict[str, Path] = {}
    for rel in paths:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise UsageError(f"train result: model file '{rel}' is not a path inside the workspace")
        path = workspace.root / rel
        if not path.exists():
            raise GateFailed(f"refusing to sign: model file {rel} that train recorded is missing from "
                             f"{workspace.root} (unstash the train folder)")
        for file in _files_under(path):
            if file.is_symlink() or not _inside(file, workspace.root):
                raise UsageError(f"train result: model file {_workspace_relative(workspace, file)} is a symbolic link")
            if not _excluded(workspace, file):
                found.setdefault(_workspace_relative(workspace, file), file)
    return sorted(found.items())


def _keras_text(workspace: Workspace) -> list[tuple[str, Path]]:
    folder = workspace.root / "train"
    missing = [name for name in KERAS_TEXT_REQUIRED if not (folder / name).is_file()]
    if missing:
        raise GateFailed(f"refusing to sign: train output missing in {folder} ({', '.join(missing)})")
    return [(f"train/{name}", folder / name) for name in KERAS_TEXT_FILES if (folder / name).is_file()]


def _release_names(paths: list[str]) -> list[str]:
    """Each path below the deepest folder all of them share."""
    parents = [PurePosixPath(p).parts[:-1] for p in paths]
    common = 0
    while parents and all(len(p) > common and p[common] == parents[0][common] for p in parents):
        common += 1
    return [PurePosixPath(*PurePosixPath(p).parts[common:]).as_posix() for p in paths]


def _check_name(name: str, shown: str) -> None:
    first = PurePosixPath(name).parts[0]
    if first in RELEASE_METADATA or first in _UNSIGNABLE:
        raise UsageError(
            f"{shown}: a model file cannot be released as '{name}' ('{first}' is reserved for the release's "
            "signature, key, manifest and reports): rename it or put it in a folder"
        )
