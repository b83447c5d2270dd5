"""The embedded demo project that `mlsecops run` uses when no config is given.

`materialize(name, dest)` writes a complete small project (config, lock, dataset, app code,
requirements, notebook) into `dest`; variants (see `variants.py`) plant problems on purpose.
Only the standard library, PyYAML and the demo's own modules are imported: the CLI calls
this on every `--demo` invocation.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsecops.errors import UsageError

if TYPE_CHECKING:
    from mlsecops.demo.project import DemoProject

STAMP_FILE = ".mlsecops-demo.json"


def generator_digest() -> str:
    """A digest of what generates the demos (this package, and the modules of variants registered from
    elsewhere): a folder written by another generator version is rewritten."""
    from mlsecops.demo.variants import VARIANTS

    package = Path(__file__).parent
    sources = {path for path in package.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    sources |= {Path(sys.modules[variant.__module__].__file__ or "") for variant in VARIANTS.values()}
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def known_variants() -> list[str]:
    from mlsecops.demo.variants import VARIANTS

    return sorted(VARIANTS)


def build(name: str) -> DemoProject:
    """The variant's project in memory (nothing written)."""
    from mlsecops.demo.project import default_project
    from mlsecops.demo.variants import VARIANTS

    if name not in VARIANTS:
        raise UsageError(f"unknown demo '{name}' (known: {', '.join(known_variants())})")
    project = default_project(name)
    VARIANTS[name](project)
    return project


def _read_stamp(dest: Path) -> dict[str, Any]:
    try:
        stamp = json.loads((dest / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)


def _remove_with_empty_parents(relative: str, root: Path) -> None:
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        return  # the stamp is a file on disk: never let it point outside the demo folder
    path = root / relative
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def materialize(name: str, dest: Path) -> Path:
    """Write demo `name` into `dest` and return the path of its `mlsecops.yaml`.

    Cheap when `dest` already holds this variant (a stamp file records variant and generator
    version): nothing is regenerated, and edits made there since are kept, as in a checkout.
    Files of another variant that this one does not have are removed.
    """
    dest = Path(dest)
    stamp = _read_stamp(dest)
    config_path = dest / "mlsecops.yaml"
    generator = generator_digest()
    if stamp.get("variant") == name and stamp.get("generator") == generator and config_path.is_file():
        return config_path
    files = build(name).render()
    try:
        for stale in sorted(set(stamp.get("files", [])) - set(files)):
            _remove_with_empty_parents(stale, dest)
        for relative, data in files.items():
            target = dest / relative
            if not (target.is_file() and target.read_bytes() == data):
                _write_atomically(target, data)
        stamp = {"variant": name, "generator": generator, "files": sorted(files)}
        _write_atomically(dest / STAMP_FILE, (json.dumps(stamp, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{dest}: cannot write the demo project ({exc.strerror or exc.__class__.__name__})") from None
    return config_path


def planted_values(name: str) -> list[str]:
    """The secret and PII values variant `name` plants: no output of mlsecops may contain one in full."""
    return list(build(name).planted)


def responses(config: Any = None) -> dict[str, str]:
    """The support bot's response template per intent (plus `fallback`).

    With a config (a `Config` or the folder of a project), the project's own
    `app/responses.json` is read when it exists; otherwise the demo's templates are returned.
    """
    from mlsecops.demo.project import RESPONSES, RESPONSES_FILE

    if config is not None:
        base = Path(config) if isinstance(config, str | Path) else Path(config.base_dir)
        path = base / RESPONSES_FILE
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                raise UsageError(f"{path}: not valid JSON") from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise UsageError(f"{path}: expected an object of intent -> response template")
            return data
    return dict(RESPONSES)
