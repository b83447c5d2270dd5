"""`mlsecops lock`: pin every load source to the sha256 of what it serves today, in `mlsecops.lock`.

The lock file is YAML (JSON is accepted too): `source name -> {url, sha256}`. Review its diff
like code: a changed digest means the artifact behind an allowlisted URL changed.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import UsageError
from ..redact import scrub_url

if TYPE_CHECKING:  # `mlsecops --help` lists this command: keep its import light
    from ..config import Config

_HEADER = (
    "# mlsecops.lock: sha256 of every load source, written by `mlsecops lock`.\n"
    "# `mlsecops load` refuses a source whose digest differs. Review changes to this file like code.\n"
)


def lock_path(config: Config) -> Path:
    return config.resolve_path(config.load.lock_file)


def read_lock(path: Path) -> dict[str, dict[str, str]]:
    """The pinned sources; an absent file is an empty lock (load decides whether that is allowed)."""
    import yaml

    from ..yaml_safe import check_yaml_bounds

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


def resolve_digests(config: Config, echo) -> dict[str, dict[str, str]]:
    """Fetch every source into a scratch folder (never the workspace) and hash it."""
    from .load import check_sources, fetch

    sources = config.load.sources
    if not sources:
        raise UsageError("load.sources is empty: nothing to lock")
    check_sources(config, lock={}, require_lock=False)
    entries: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="mlsecops-lock-") as scratch:
        for source in sources:
            digest = fetch(config, source, Path(scratch) / source.name, expected_sha256=None)
            entries[source.name] = {"url": source.url, "sha256": digest}
            echo(f"  {source.name}: {digest[:12]}  {scrub_url(source.url)}")
    return entries


@click.command("lock")
@click.option("--check", is_flag=True, help="Do not write: exit 1 when the lock file is missing or stale.")
def lock_command(check: bool) -> None:
    """Resolve every load source to its sha256 and write mlsecops.lock (load.lock_file)."""
    from ..cli import Runtime
    from ..errors import GateFailed

    runtime = click.get_current_context().find_object(Runtime)
    config = runtime.config()
    path = lock_path(config)
    entries = resolve_digests(config, click.echo)
    if check:
        current = read_lock(path)
        stale = sorted(n for n in entries.keys() | current.keys() if entries.get(n) != current.get(n))
        if stale:
            raise GateFailed(f"{path}: stale for {', '.join(stale)}: run `mlsecops lock` and review the diff")
        click.echo(f"{path}: up to date ({len(entries)} source(s))")
        return
    write_lock(path, entries)
    click.echo(f"{path}: {len(entries)} source(s) pinned at {datetime.now(UTC).isoformat(timespec='seconds')}")
