"""Which Python files of a model folder (or of a model archive) a loader imports, decided as the loaders decide.

- transformers: a `*config.json` whose `auto_map` / `custom_pipelines` names `module.Class` makes
  `from_pretrained(..., trust_remote_code=True)` import `<config folder>/module.py`, and every module that
  file imports relatively (`from .utils import x`), transitively (transformers copies and imports them all).
- transformers `custom_generate/*.py`: imported by `generate(custom_generate=..., trust_remote_code=True)`.
- torch.hub: `hubconf.py` is imported by `torch.hub.load(repo_or_dir, ...)`.
- sentence-transformers `modules.json`: a module `type` outside `sentence_transformers.` is imported from the
  model folder (`custom_st.MyModule` -> `custom_st.py`).
- diffusers `model_index.json`: a component `[library, Class]` whose library is the repository's own module
  (`unet/my_unet.py` or `my_unet.py`), and a `_class_name` `[module, Pipeline]` (`module.py`).

Each file is judged as what it is, source a loader runs, whether it lies on disk or arrives as an archive
member: the same paths are computed from the configs (relative paths inside one root, "/"-separated) and the
source is only parsed (`hf.source_bytes_problems`), never imported.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsecops.engines.models import hf as model_hf
from mlsecops.engines.models import keras_files as model_keras
from mlsecops.engines.models.python_imports import MAX_MODULES, relative_imports

MAX_CONFIG_BYTES = 16 << 20
ANCESTORS = 3  # a module may sit in a sub-package of the folder whose config names it (or a diffusers component)
_DIFFUSERS_LIBRARIES = frozenset(("diffusers", "transformers", "onnxruntime.training", "onnxruntime"))

Reader = Callable[[str], bytes | None]


@dataclass(frozen=True)
class LoaderCode:
    """Why a loader imports a Python file: `key` names the finding, `why` says which loader and how."""

    key: str
    why: str


def is_loader_config(name: str) -> bool:
    """Config files that name modules to import (basename, any case)."""
    lowered = posixpath.basename(name).lower()
    return lowered.endswith("config.json") or lowered in ("modules.json", "model_index.json")


def standalone_loader_code(name: str) -> LoaderCode | None:
    """Source a loader imports by its place alone (no config needed): hubconf.py, custom_generate/*.py."""
    parts = name.replace("\\", "/").split("/")
    if parts[-1] == "hubconf.py":
        return LoaderCode("torch-hub-hubconf",
                          "torch.hub.load imports this hubconf.py and runs its entrypoint (repository code)")
    if parts[-1].lower().endswith(".py") and len(parts) > 1 and parts[-2] == "custom_generate":
        return LoaderCode("custom-generate", "transformers custom_generate code runs when generate() is called "
                          "with this model (trust_remote_code)")
    return None


def config_modules(config: str, document: Any) -> dict[str, str]:
    """The `.py` paths (relative, like `config`) a loader imports because the config at `config` names them."""
    folder = posixpath.dirname(config)
    base = posixpath.basename(config).lower()
    out: dict[str, str] = {}

    def add(module: str, why: str) -> None:
        if not module or "--" in module or module.startswith(".") or ".." in module.split("."):
            return  # another repository's code (reported on the config) or no module path
        out.setdefault(posixpath.join(folder, module.replace(".", "/") + ".py"), why)

    if base.endswith("config.json") and model_hf.has_auto_map(document):
        for module in model_hf.remote_code_modules(document):
            add(module, f"{config} names it in auto_map/custom_pipelines: from_pretrained(trust_remote_code=True) "
                        "imports it")
    if base == "modules.json" and isinstance(document, list):
        for entry in document[:MAX_MODULES]:
            kind = entry.get("type") if isinstance(entry, dict) else None
            if isinstance(kind, str) and not kind.startswith("sentence_transformers.") and "." in kind:
                add(kind.rsplit(".", 1)[0], f"{config} names it as a module type: sentence-transformers imports it "
                                            "when the model is loaded")
    if base == "model_index.json" and isinstance(document, dict):
        for component, value in list(document.items())[:MAX_MODULES]:
            if not (isinstance(value, list) and value and isinstance(value[0], str)):
                continue
            why = f"{config} names it as a custom component: DiffusionPipeline.from_pretrained imports it"
            if component == "_class_name":
                add(value[0], why)
            elif not component.startswith("_") and value[0] not in _DIFFUSERS_LIBRARIES:
                add(f"{component}.{value[0]}", why)
                add(value[0], why)
    return out


def imported_modules(configs: Mapping[str, Any], read: Reader) -> dict[str, str]:
    """Every `.py` (relative path -> why) that the loaders import given these parsed configs, following the
    relative imports of each module that exists (`read` returns its source, or None when it is absent)."""
    out: dict[str, str] = {}
    pending: list[tuple[str, str]] = []
    for config, document in configs.items():
        pending += list(config_modules(config, document).items())
    while pending and len(out) < MAX_MODULES:
        module, why = pending.pop(0)  # breadth first: what a config names is reported as named by it
        module = posixpath.normpath(module)
        if module in out or module.startswith("../"):
            continue
        source = read(module)
        if source is None:
            continue
        out[module] = why
        imported = f"imported by {module}, which the loader imports"
        pending += [(child, imported) for child in relative_imports(module, source)]
    return out


# ---------------------------------------------------------------------- files on disk


@functools.lru_cache(maxsize=4096)
def _has_configs(folder: str, _listing_mtime: int) -> bool:
    """Whether a folder holds a loader config (cached per folder listing: a tree walk asks once per folder)."""
    try:
        return any(is_loader_config(name) for name in os.listdir(folder))
    except OSError:
        return False


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The folder's loader configs, then its Python files (a changed module may import others): the cache key.
    Empty when the folder has no loader config."""
    try:
        if not _has_configs(str(folder), folder.stat().st_mtime_ns):
            return ()
        entries = sorted(p for p in folder.iterdir() if p.is_file() and (
            is_loader_config(p.name) or p.suffix.lower() == ".py"))
        if not any(is_loader_config(p.name) for p in entries):
            return ()
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in entries)
    except OSError:
        return ()


def _read_disk(root: Path) -> Reader:
    def read(relative: str) -> bytes | None:
        path = root / relative
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > model_hf.MAX_SOURCE_BYTES:
                return b"" if path.is_file() else None
            return path.read_bytes()
        except OSError:
            return None
    return read


@functools.lru_cache(maxsize=256)
def _folder_modules(root: str, signature: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    folder = Path(root)
    configs: dict[str, Any] = {}
    for name, _mtime, size in signature:
        if size > MAX_CONFIG_BYTES or not is_loader_config(name):
            continue
        try:
            configs[name] = model_keras.parse_json((folder / name).read_bytes())
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            continue
    return imported_modules(configs, _read_disk(folder)) if configs else {}


def disk_loader_code(path: Path) -> LoaderCode | None:
    """Why a loader imports the `.py` file at `path` (a config in its folder or up to ANCESTORS folders above
    names it, or its place alone), or None."""
    if path.suffix.lower() != ".py":
        return None
    alone = standalone_loader_code(path.as_posix())
    if alone:
        return alone
    folder = path.parent
    for _ in range(ANCESTORS):
        signature = _signature(folder)
        if signature:
            modules = _folder_modules(str(folder), signature)
            try:
                relative = path.relative_to(folder).as_posix()
            except ValueError:
                return None
            if relative in modules:
                return LoaderCode(f"loader-module:{relative[:160]}", modules[relative])
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


# ---------------------------------------------------------------------- archive members


def archive_loader_code(names: Iterable[str], read: Reader) -> dict[str, LoaderCode]:
    """The `.py` members (member name -> why) a loader imports once the archive is extracted: `read` returns a
    member's bytes (bounded) or None."""
    members = [n for n in names if not n.endswith("/")]
    by_normal = {posixpath.normpath(n.lstrip("/")): n for n in members}
    out: dict[str, LoaderCode] = {}
    for name in members:
        alone = standalone_loader_code(name)
        if alone:
            out[name] = alone
    configs: dict[str, Any] = {}
    for normal, name in by_normal.items():
        if not is_loader_config(normal):
            continue
        data = read(name)
        if data is None or len(data) > MAX_CONFIG_BYTES:
            continue
        try:
            configs[normal] = model_keras.parse_json(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue

    def read_normal(relative: str) -> bytes | None:
        name = by_normal.get(relative)
        return read(name) if name is not None else None

    for normal, why in imported_modules(configs, read_normal).items():
        out.setdefault(by_normal[normal], LoaderCode(f"loader-module:{normal[:160]}", why))
    return out


def forget() -> None:
    """Drop what the folder caches hold: a new scan sees the tree as it is now (files written within one
    timestamp tick of an earlier scan included)."""
    _has_configs.cache_clear()
    _folder_modules.cache_clear()
