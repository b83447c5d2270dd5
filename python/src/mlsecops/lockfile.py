"""The lock file `mlsecops.lock`: every load source pinned to the sha256 of what it served.

The lock file is YAML (JSON is accepted too): `source name -> {url, sha256}`. Review its diff
like code: a changed digest means the artifact behind an allowlisted URL changed. The load stage
reads it; the `mlsecops lock` command (commands/lock.py) writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsecops.errors import UsageError

if TYPE_CHECKING:  # the load stage imports this inside its functions: keep it light
    from mlsecops.config import Config

_HEADER = (
    "# mlsecops.lock: sha256 of every load source, written by `mlsecops lock`.\n"
    "# `mlsecops load` refuses a source whose digest differs. Review changes to this file like code.\n"
)


def lock_path(config: Config) -> Path:
    return config.resolve_path(config.load.lock_file)


def read_lock(path: Path) -> dict[str, dict[str, str]]:
    """The pinned sources; an absent file is an empty lock (load decides whether that is allowed)."""
    import yaml

    from mlsecops.config.yaml_safe import check_yaml_bounds

    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        check_yaml_bounds(text, str(path))
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: unreadable lock file ({exc.__class__.__name__})") from None
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a lock file maps source names to {{url, sha256}}")
    data = data.get("sources", data) if isinstance(data.get("sources"), dict) else data
    entries: dict[str, dict[str, str]] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not _is_sha256(entry.get("sha256")) or not isinstance(entry.get("url"), str):
            raise UsageError(f"{path}: entry '{name}' needs a url and a 64-hex sha256")
        entries[str(name)] = {"url": entry["url"], "sha256": entry["sha256"].lower()}
    return entries


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


def write_lock(path: Path, entries: dict[str, dict[str, str]]) -> None:
    import yaml

    body = yaml.safe_dump(
        {name: {"url": e["url"], "sha256": e["sha256"]} for name, e in sorted(entries.items())},
        sort_keys=False,
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(_HEADER + body, encoding="utf-8")
    tmp.replace(path)
