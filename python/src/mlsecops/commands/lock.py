"""`mlsecops lock`: pin every load source to the sha256 of what it serves today, in `mlsecops.lock`.

A command beside the CLI, not a stage: it fetches through the load stage into a scratch folder
(never the workspace) and writes the lock file that stage reads (lockfile.py).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click

from mlsecops.errors import UsageError
from mlsecops.redact import scrub_url

if TYPE_CHECKING:  # `mlsecops --help` lists this command: keep its import light
    from mlsecops.config import Config


class _Runtime(Protocol):
    """What the CLI group puts in the click context (cli.Runtime), as far as this command uses it."""

    def config(self) -> Config: ...


def resolve_digests(config: Config, echo) -> dict[str, dict[str, str]]:
    """Fetch every source into a scratch folder (never the workspace) and hash it."""
    from mlsecops.stages.load import check_sources, fetch

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
    from mlsecops.errors import GateFailed
    from mlsecops.lockfile import lock_path, read_lock, write_lock

    runtime: _Runtime = click.get_current_context().find_root().obj
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
