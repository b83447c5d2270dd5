"""One `ArtifactStore` interface used by both `load` (download) and `store` (upload).

Keys are '/'-separated paths relative to the store's root URL. Every implementation
verifies digests itself (after download and after upload) and retries transient errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from ..config import ConnectionConfig


class ArtifactStore(ABC):
    scheme: str

    def __init__(self, root_url: str, connection: ConnectionConfig | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self.connection = connection or ConnectionConfig()

    @abstractmethod
    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        """Fetch `key` into `dest` (written atomically); return its sha256; UsageError on mismatch."""

    @abstractmethod
    def upload(self, src: Path, key: str) -> str:
        """Put `src` at `key`, verify what the server holds, return the sha256."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def read_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def write_bytes(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Keys under `prefix`, relative to the store root."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    def url_of(self, key: str) -> str:
        return f"{self.root_url}/{key.lstrip('/')}"
