"""One `ArtifactStore` interface used by both `load` (download) and `store` (upload).

Keys are '/'-separated paths relative to the store's root URL. Every implementation
verifies digests itself (after download and after upload) and retries transient errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError

from mlsecops.config import ConnectionConfig, Section, describe_problem
from mlsecops.errors import UsageError
from mlsecops.redact import register_secret, scrub, scrub_url


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


def backend_settings(model: type[Section], connection: Section | None, scheme: str) -> Section:
    """`connection` as `model`, the backend's settings: settings of the common model (or another
    backend's, e.g. ftp's for ftps) are validated again, so a key this backend lacks is refused."""
    if connection is None:
        return model()
    if isinstance(connection, model):
        return connection
    try:
        return model.model_validate(connection.model_dump(exclude_unset=True))
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        text = "unknown key" if problem["type"] == "extra_forbidden" else describe_problem(problem)
        raise UsageError(f"connections.{scheme}.{where}: {text} (for {scheme}:// stores)") from None


class ArtifactStore(ABC):
    scheme: str
    # the keys of `connections.<scheme>` this backend reads: ConnectionConfig's and its own (one model per file)
    settings_model: ClassVar[type[Section]] = ConnectionConfig

    def __init__(self, root_url: str, connection: Section | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self.connection = backend_settings(self.settings_model, connection, self.scheme)
        # a credential written literally in the config is masked like a resolved secret reference
        register_secret(getattr(self.connection, "password", None))
        register_secret(getattr(self.connection, "token", None))

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
