"""Artifact stores, one file per scheme; see `interface.py`."""

from __future__ import annotations

from ..config import ConnectionConfig
from ..errors import UsageError
from ..registry import load_plugin
from .interface import ArtifactStore

STORES: dict[str, str] = {
    "file": "mlsecops.stores.file:FileStore",
}


def scheme_of(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise UsageError(f"'{url}': a store URL needs a scheme such as file://, s3://, nexus://, ftp://")
    return scheme.lower()


def open_store(root_url: str, connections: dict[str, ConnectionConfig] | None = None) -> ArtifactStore:
    """The store for `root_url`; its connection settings are `load.connections.<scheme>`."""
    scheme = scheme_of(root_url)
    if scheme not in STORES:
        raise UsageError(f"'{root_url}': unsupported scheme '{scheme}' (supported: {', '.join(sorted(STORES))})")
    store_class = load_plugin(STORES, scheme, "store")
    return store_class(root_url, (connections or {}).get(scheme))


def split_url(url: str) -> tuple[str, str]:
    """'s3://bucket/a/b.csv' -> ('s3://bucket/a', 'b.csv'): the store root and the key in it."""
    scheme_of(url)
    head, _, name = url.rstrip("/").rpartition("/")
    return head, name
