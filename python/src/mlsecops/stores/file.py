"""`file://` store: a folder on a local or mounted disk (NFS, SMB); every write is temp-then-rename."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, ClassVar
from urllib.parse import unquote

from mlsecops.config import Section
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores.interface import ArtifactStore, check_key
from mlsecops.stores.transfer import CHUNK, atomic_download, file_digest_and_size, progress_bar


def path_of_file_url(url: str) -> Path:
    """'file:///abs/dir' -> /abs/dir; 'file://rel/dir' -> rel/dir (the caller makes it absolute)."""
    if not url.lower().startswith("file://"):
        raise UsageError(f"'{url}': not a file:// URL")
    rest = unquote(url[len("file://") :])
    if rest.startswith("localhost/"):
        rest = rest[len("localhost") :]
    if not rest:
        raise UsageError(f"'{url}': a file:// URL needs a path")
    return Path(rest)


def is_within(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink resolved, is `root` (also resolved) or lies under it.

    Keys cannot climb with '..', but a symlink inside the folder can point anywhere
    (`data/link.csv -> /etc/passwd`); resolving both sides also accepts a root that is itself
    reached through a symlink (an NFS mount linked into the project). A link loop is outside."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return False


class FileSettings(Section):
    """A local or mounted folder: no connection settings (the entry, if given, must be empty)."""


class FileStore(ArtifactStore):
    scheme = "file"
    settings_model: ClassVar[type[FileSettings]] = FileSettings

    def __init__(self, root_url: str, connection: Section | None = None) -> None:
        super().__init__(root_url, connection)
        self.root = path_of_file_url(self.root_url)
        self._check_root()

    def _check_root(self) -> None:
        """The root may not exist yet (the first release creates it), but what exists must be folders."""
        nearest = next((path for path in (self.root, *self.root.parents) if path.exists()), None)
        if nearest is not None and not nearest.is_dir():
            raise UsageError(f"{self.display_root()}: the store root must be a folder ({nearest} is not one)")

    def _path(self, key: str) -> Path:
        path = self.root / check_key(key)
        if not is_within(path, self.root):
            raise UsageError(f"{self.url_of(key)}: resolves outside the store root (a symlink?): refused")
        return path

    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        source = self._path(key)
        if not source.is_file():
            raise UsageError(f"{self.url_of(key)}: not found")
        try:
            with (
                open(source, "rb") as handle,
                atomic_download(dest, self.url_of(key), expected_sha256, source.stat().st_size) as writer,
            ):
                while chunk := handle.read(4 * CHUNK):
                    writer.write(chunk)
        except OSError as exc:
            raise EnvironmentFailure(f"{self.url_of(key)}: cannot read ({exc.strerror})") from None
        return writer.hexdigest()

    def upload(self, src: Path, key: str) -> str:
        target = self._path(key)
        with (
            self._writing(key) as sink,
            open(src, "rb") as source,
            progress_bar(src.stat().st_size, src.name) as advance,
        ):
            while chunk := source.read(4 * CHUNK):
                sink.write(chunk)
                advance(len(chunk))
        # read back what the disk holds, not what we think we wrote
        stored, _ = file_digest_and_size(target)
        expected, _ = file_digest_and_size(src)
        if stored != expected:
            raise EnvironmentFailure(f"{self.url_of(key)}: read-back digest differs from the uploaded file")
        return stored

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def read_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{self.url_of(key)}: not found") from None
        except OSError as exc:
            raise EnvironmentFailure(f"{self.url_of(key)}: cannot read ({exc.strerror})") from None

    def write_bytes(self, key: str, data: bytes) -> None:
        with self._writing(key) as sink:
            sink.write(data)

    @contextmanager
    def _writing(self, key: str) -> Iterator[BinaryIO]:
        """A file that appears at `key` only once fully written and synced (temp then rename)."""
        target = self._path(key)
        tmp = target.with_name(f".{target.name}.part-{os.getpid()}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as sink:
                yield sink
                sink.flush()
                os.fsync(sink.fileno())
            tmp.replace(target)
        except OSError as exc:
            raise EnvironmentFailure(f"{self.url_of(key)}: cannot write ({exc.strerror})") from None
        finally:
            # a failed cleanup must not replace the error that says what went wrong
            with suppress(OSError):
                tmp.unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        base = self._path(prefix) if prefix.strip("/") else self.root
        if not base.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in base.rglob("*")
            if path.is_file() and ".part-" not in path.name  # an upload in flight is not a key yet
        )

    def delete(self, key: str) -> None:
        link = self.root / check_key(key)
        if link.is_symlink() and is_within(link.parent, self.root):
            link.unlink()  # removes the link only, never what it points at: safe wherever it points
            return
        target = self._path(key)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
