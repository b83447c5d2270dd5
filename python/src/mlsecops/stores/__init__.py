"""Artifact stores, one file per scheme; see `interface.py`.

STORES is the only list of schemes: a store is one file (its ArtifactStore subclass and the settings
model it names as `settings_model`) plus one line here. The config's `connections.<scheme>` keys and
their validation (config/schema.py) and the reference docs are derived from it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from mlsecops.config import Section
from mlsecops.errors import UsageError
from mlsecops.redact import scrub_url
from mlsecops.registry import load_plugin
from mlsecops.stores.interface import ArtifactStore

STORES: dict[str, str] = {
    "file": "mlsecops.stores.file:FileStore",
    "s3": "mlsecops.stores.s3:S3Store",
    "nexus": "mlsecops.stores.nexus:NexusStore",
    "nexus+http": "mlsecops.stores.nexus:NexusStore",
    "ftp": "mlsecops.stores.ftp:FtpStore",
    "ftps": "mlsecops.stores.ftp:FtpStore",
}


def scheme_of(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise UsageError(f"'{scrub_url(url)}': a store URL needs a scheme such as file://, s3://, nexus://, ftp://")
    return scheme.lower()


def open_store(root_url: str, connections: dict[str, Section] | None = None) -> ArtifactStore:
    """The store for `root_url`; its connection settings are `connections.<scheme>`."""
    scheme = scheme_of(root_url)
    if scheme not in STORES:
        raise UsageError(
            f"'{scrub_url(root_url)}': unsupported scheme '{scheme}' (supported: {', '.join(sorted(STORES))})"
        )
    store_class = load_plugin(STORES, scheme, "store")
    connections = connections or {}
    # nexus+http and ftps share the settings of their family unless given their own
    family = {"nexus+http": "nexus", "ftps": "ftp"}.get(scheme, scheme)
    return store_class(root_url, connections.get(scheme) or connections.get(family))


def split_url(url: str) -> tuple[str, str]:
    """'s3://bucket/a/b.csv' -> ('s3://bucket/a', 'b.csv'): the store root and the key in it."""
    scheme_of(url)
    head, _, name = url.rstrip("/").rpartition("/")
    if not name or not head or head.endswith(":/") or head.endswith(":"):
        raise UsageError(f"'{scrub_url(url)}': the URL names no file")
    return head, name


def check_url_path(url: str) -> None:
    """Refuse '.'/'..' segments (also percent-encoded): they would walk around an allowlisted prefix."""
    _, _, rest = url.partition("://")
    segments = unquote(rest).replace("\\", "/").split("/")
    if any(segment in (".", "..") for segment in segments) or "\x00" in rest:
        raise UsageError(f"'{scrub_url(url)}': '.' or '..' path segments are not allowed in a source URL")


def absolute_file_url(url: str, base_dir: Path) -> str:
    """A relative `file://` URL is relative to the config's folder; other URLs pass unchanged."""
    if scheme_of(url) != "file":
        return url
    from mlsecops.stores.file import path_of_file_url

    path = path_of_file_url(url)
    return url if path.is_absolute() else f"file://{(base_dir / path).resolve()}"
