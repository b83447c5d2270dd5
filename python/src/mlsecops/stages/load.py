"""Stage 2, load: fetch allowlisted sources, check each against its pinned sha256, extract archives safely.

Order per source: allowlist and scheme and lock entry are checked for all sources before any
byte is fetched; the download lands in a hidden temp file that becomes visible only when its
digest matches the lock; only then may the safe extractor open an archive.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from mlsecops.config import Config, SourceConfig
from mlsecops.errors import UsageError
from mlsecops.redact import scrub_url
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.workspace import StageResult

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def run(ctx: StageContext) -> StageResult:
    return run_stage("load", _load, ctx)


def allowed(url: str, allowlist: list[str]) -> bool:
    """A prefix matches at a path boundary: 's3://b/data' allows 's3://b/data/x', not 's3://b/data-evil/x'."""
    for prefix in allowlist:
        if url == prefix or url.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return True
    return False


def check_sources(config: Config, lock: dict[str, dict[str, str]], require_lock: bool) -> None:
    """Every check that needs no network, for every source, before anything is fetched."""
    from mlsecops.lockfile import lock_path
    from mlsecops.stores import STORES, absolute_file_url, check_url_path, scheme_of, split_url

    load = config.load
    for index, prefix in enumerate(load.allowlist):
        _check_url_text(prefix, f"load.allowlist[{index}]")
    seen: set[str] = set()
    for source in load.sources:
        where = f"load.sources '{source.name}'"
        if not _SAFE_NAME.match(source.name) or source.name in seen:
            raise UsageError(f"{where}: a source name must be unique and use only letters, digits, '.', '_', '-'")
        seen.add(source.name)
        _check_url_text(source.url, where)
        url = scrub_url(source.url)
        scheme = scheme_of(source.url)
        if scheme not in STORES:
            known = ", ".join(sorted(STORES))
            raise UsageError(f"{where}: unsupported scheme '{scheme}' in {url} (supported: {known})")
        check_url_path(source.url)
        if not load.allowlist:
            raise UsageError(f"{where}: load.allowlist is empty, so no source may be loaded (fail closed)")
        if not allowed(source.url, load.allowlist):
            raise UsageError(f"{where}: {url} matches no load.allowlist prefix")
        check_stays_inside_allowlist(config, source)
        _, filename = split_url(absolute_file_url(source.url, config.base_dir))
        if filename.startswith(".") or not _SAFE_NAME.match(filename):
            raise UsageError(f"{where}: {url}: unsafe file name '{filename}'")
        entry = lock.get(source.name)
        if entry is None and require_lock:
            raise UsageError(f"{where}: not pinned in {lock_path(config).name}: run `mlsecops lock` and review it")
        if entry is not None and entry["url"] != source.url:
            raise UsageError(
                f"{where}: {lock_path(config).name} pins another URL ({scrub_url(entry['url'])}): run `mlsecops lock`"
            )


def _check_url_text(url: str, where: str) -> None:
    """A control character, written plainly or percent-encoded (`%00`, `%0a`), names no file or
    object a user meant: refused before any path is built from it (a NUL crashes the OS calls)."""
    from urllib.parse import unquote

    if any(ord(char) < 32 or ord(char) == 127 for char in url + unquote(url)):
        raise UsageError(f"{where}: a control character (such as %00) in the URL {scrub_url(url)!r}: refused")


def check_stays_inside_allowlist(config: Config, source: SourceConfig) -> None:
    """A file:// source must lie inside an allowlisted folder once symlinks are resolved, and must
    not be a hard link.

    The allowlist compares URL text, but `data/link.csv -> /etc/passwd` passes that test
    and would copy the target into the workspace (and from there into reports and releases).
    A hard link is the same file under two names, one of which may lie anywhere on the disk
    (`ln /etc/shadow data/x.csv`); nothing on the file tells where its other names are, so a
    file with more than one name is refused (a copy of it is fine).
    """
    from mlsecops.stores import absolute_file_url, scheme_of
    from mlsecops.stores.file import is_within, path_of_file_url

    if scheme_of(source.url) != "file":
        return

    def local(url: str) -> Path:
        try:
            return path_of_file_url(absolute_file_url(url, config.base_dir))
        except UsageError:  # a prefix without a path ('file://') allows every local file
            return Path("/")

    target = local(source.url)
    folders = [local(prefix) for prefix in config.load.allowlist if allowed(source.url, [prefix])]
    if not any(is_within(target, folder) for folder in folders):
        raise UsageError(
            f"load.sources '{source.name}': {scrub_url(source.url)} resolves outside its allowlisted "
            "folder (a symlink?): refused"
        )
    linked = _hard_linked(target)
    if linked is not None:
        shown = "" if linked == target else f" ({linked.name})"
        raise UsageError(
            f"load.sources '{source.name}': {scrub_url(source.url)}{shown} is a hard link (one file with "
            "several names, which may lie outside the allowlisted folder): copy it instead: refused"
        )


def _hard_linked(target: Path) -> Path | None:
    """The source file, or the first file of a source folder (a release), that has more than one name."""
    if target.is_file():
        return target if os.stat(target).st_nlink > 1 else None
    if not target.is_dir():
        return None  # absent: the store says so when it fetches
    for directory, _, names in os.walk(target):  # links are not followed; the store refuses those leading out
        for name in sorted(names):
            path = Path(directory) / name
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                return path
    return None


def is_release(url: str) -> bool:
    """A URL ending in '/' names a release folder of an mlsecops store (`<project>/<version>/`)."""
    return url.endswith("/")


def fetch(config: Config, source: SourceConfig, dest_dir: Path, expected_sha256: str | None) -> str:
    """Download one source into `dest_dir/<file name>` (a release: into `dest_dir/`, pinned by the
    sha256 of its manifest); DigestMismatch leaves nothing behind."""
    from mlsecops.stores import absolute_file_url, open_store, split_url
    from mlsecops.stores.release import fetch_release

    check_stays_inside_allowlist(config, source)  # again: a link may have changed since check_sources
    root, filename = split_url(absolute_file_url(source.url, config.base_dir))
    with open_store(root, config.load.connections) as store:
        if is_release(source.url):
            try:
                return fetch_release(store, filename, dest_dir, expected_manifest_sha256=expected_sha256)[1]
            except UsageError:
                shutil.rmtree(dest_dir, ignore_errors=True)  # never half a release
                raise
        return store.download(filename, dest_dir / filename, expected_sha256=expected_sha256)


def _load(ctx: StageContext, result: StageResult) -> None:
    from mlsecops.archive import ArchiveLimits, safe_extract
    from mlsecops.lockfile import lock_path, read_lock
    from mlsecops.stores import absolute_file_url, split_url
    from mlsecops.stores.interface import DigestMismatch

    config = ctx.config
    load = config.load
    lock_file = lock_path(config)
    lock = read_lock(lock_file)
    check_sources(config, lock, load.require_lock)
    limits = ArchiveLimits(
        max_members=load.archive_max_members,
        max_total_bytes=load.archive_max_total_mb * 1024 * 1024,
        max_ratio=load.archive_max_ratio,
    )
    stage_dir = ctx.workspace.stage_dir("load")
    records = []
    for source in load.sources:
        dest_dir = stage_dir / source.name
        shutil.rmtree(dest_dir, ignore_errors=True)  # a stale copy must never stand in for a refused one
        entry = lock.get(source.name)
        expected = entry["sha256"] if entry else None
        url = scrub_url(source.url)
        try:
            digest = fetch(config, source, dest_dir, expected)
        except DigestMismatch as exc:
            if exc.expected != expected:  # a file of a release differs from the release's manifest
                raise UsageError(f"source '{source.name}': {exc} (differs from the release manifest)") from None
            raise UsageError(
                f"source '{source.name}': sha256 mismatch with {lock_file.name} "
                f"(locked {exc.expected[:12]}, fetched {exc.actual[:12]}) from {url}"
            ) from None
        if expected is None:
            result.warnings.append(f"source '{source.name}' is not pinned in {lock_file.name}")
        _, filename = split_url(absolute_file_url(source.url, config.base_dir))
        fetched = dest_dir / ("manifest.json" if is_release(source.url) else filename)
        result.artifacts.append(ctx.workspace.artifact(fetched))
        path = dest_dir if is_release(source.url) else fetched
        if source.extract and not is_release(source.url):
            try:
                members = safe_extract(fetched, dest_dir, limits)
            except UsageError:
                shutil.rmtree(dest_dir, ignore_errors=True)
                raise
            path = dest_dir
            ctx.echo(f"load: {source.name}: extracted {len(members)} file(s)")
        records.append(
            {
                "name": source.name,
                "kind": source.kind,
                "path": os.path.relpath(path, ctx.workspace.root),
                "url": url,
                "sha256": digest,
            }
        )
        ctx.echo(f"load: {source.name} ({source.kind}) {digest[:12]} from {url}")
    result.details["sources"] = records
    result.details["lock_file"] = str(lock_file)
    result.metrics["sources"] = len(records)
