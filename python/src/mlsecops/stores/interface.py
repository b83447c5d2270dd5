"""One `ArtifactStore` interface used by both `load` (download) and `store` (upload).

Keys are '/'-separated paths relative to the store's root URL. Every implementation
verifies digests itself (after download and after upload) and retries transient errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from ..config import ConnectionConfig
from ..errors import UsageError
from ..redact import register_secret, scrub, scrub_url


class DigestMismatch(UsageError):
    """What arrived is not what was pinned: exit 2, the file is not kept."""

    def __init__(self, url: str, expected: str, actual: str) -> None:
        self.url = url
        self.expected = expected
        self.actual = actual
        super().__init__(f"{scrub_url(url)}: sha256 mismatch (expected {expected[:12]}..., got {actual[:12]}...)")


def check_key(key: str) -> str:
    """A key may not climb out of the store root nor be absolute: refuse before any I/O."""
    normalized = key.replace("\\", "/").rstrip("/")
    parts = normalized.split("/")
    if not normalized or any(part in ("", ".", "..") for part in parts) or "\x00" in key:
        raise UsageError(f"'{key}': not a valid store key (empty, absolute or with '.'/'..' parts)")
    return normalized


class ArtifactStore(ABC):
    scheme: str

    def __init__(self, root_url: str, connection: ConnectionConfig | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self.connection = connection or ConnectionConfig()
        # a credential written literally in the config is masked like a resolved secret reference
        register_secret(self.connection.password)
        register_secret(self.connection.token)

    @abstractmethod
    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        """Fetch `key` into `dest` (written atomically); return its sha256; DigestMismatch on mismatch."""

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

    def close(self) -> None:  # noqa: B027 - optional hook, most stores hold no connection
        """Release connections; stores holding none need not override it."""

    def url_of(self, key: str) -> str:
        return f"{self.display_root()}/{key.lstrip('/')}"

    def display_root(self) -> str:
        """The root URL as it may be shown: no userinfo, no registered secret."""
        return scrub(scrub_url(self.root_url))

    def __enter__(self) -> ArtifactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
