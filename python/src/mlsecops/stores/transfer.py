"""What every backend shares: retries with backoff and jitter, verified atomic downloads, quiet progress."""

from __future__ import annotations

import hashlib
import os
import queue
import random
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TypeVar

from mlsecops.errors import EnvironmentFailure, MlsecopsError, UsageError
from mlsecops.redact import scrub, scrub_url
from mlsecops.stores.interface import DigestMismatch

T = TypeVar("T")
CHUNK = 1024 * 1024
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
BACKOFF_CAP_SECONDS = 20.0


class Failure(Enum):
    TRANSIENT = "transient"  # worth another attempt: connection reset, timeout, 5xx, throttling
    AUTH = "auth"  # the server refused the credentials: retrying cannot help
    MISSING = "missing"  # the key does not exist
    FATAL = "fatal"  # anything else the server said no to


Classifier = Callable[[BaseException], Failure]


def backoff_delay(attempt: int, base: float) -> float:
    """Full jitter (AWS architecture blog): spreads retries of many agents hitting one server."""
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, base * (2**attempt)))


def with_retries(
    action: Callable[[], T],
    *,
    what: str,
    url: str,
    classify: Classifier,
    retries: int,
    backoff: float,
) -> T:
    """Run `action`; retry transient failures; turn the rest into one line naming `url`, never a credential."""
    attempt = 0
    while True:
        try:
            return action()
        except MlsecopsError:
            raise
        except Exception as exc:
            kind = classify(exc)
            detail = scrub(scrub_url(_describe(exc)))
            if kind is Failure.AUTH:
                raise EnvironmentFailure(f"{url}: {what} refused: credentials rejected ({detail})") from None
            if kind is Failure.MISSING:
                raise UsageError(f"{url}: not found") from None
            if kind is Failure.FATAL or attempt >= retries:
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise EnvironmentFailure(f"{url}: {what} failed{tries} ({detail})") from None
            time.sleep(backoff_delay(attempt, backoff))
            attempt += 1


def _describe(exc: BaseException) -> str:
    exc = _root_cause(exc)
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text[:160]}" if text else exc.__class__.__name__


def _root_cause(exc: BaseException) -> BaseException:
    """The error under the wrappers (requests' ConnectionError around urllib3's MaxRetryError around
    the ssl or socket error): its message is the one that says what went wrong, and it is short."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        if inner is None:
            break
        exc = inner
    return exc


class HashingWriter:
    """A file being written whose sha256 is computed on the way (no second read).

    Hashing and writing run on a helper thread (hashlib releases the GIL), so they overlap
    with the network reads of the caller instead of adding to them.
    """

    def __init__(self, handle, progress: Callable[[int], None]) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self._progress = progress
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=16)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        self.size = 0

    def _drain(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._handle.write(chunk)
                    self._digest.update(chunk)
                except BaseException as exc:  # surfaced by close() in the caller's thread
                    self._error = exc

    def write(self, data: bytes) -> int:
        if self._error is not None:
            raise self._error
        self._queue.put(bytes(data))
        self.size += len(data)
        self._progress(len(data))
        return len(data)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def hexdigest(self) -> str:
        self.close()
        return self._digest.hexdigest()


@contextmanager
def atomic_download(
    dest: Path, url: str, expected_sha256: str | None, total: int | None = None
) -> Iterator[HashingWriter]:
    """Write into a hidden temp file beside `dest`; rename only when the digest matches.

    A reader never sees a partial or unverified file; a mismatch leaves nothing behind. No
    fsync: a download into a workspace is redone by the next run, unlike a release on disk.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle, progress_bar(total, dest.name) as advance:
            writer = HashingWriter(handle, advance)
            try:
                yield writer
            finally:
                writer.close()
        actual = writer.hexdigest()
        if expected_sha256 and actual != expected_sha256.lower():
            raise DigestMismatch(url, expected_sha256.lower(), actual)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class LocalDigests:
    sha256: str  # hex, of the whole file: what the manifest records
    size: int
    parts: list[bytes]  # per-part checksums (multipart uploads), in the server's algorithm
    whole: bytes  # the whole file's checksum in the server's algorithm


def digest_in_background(path: Path, part_size: int = 0, algorithm: str = "sha256") -> Future[LocalDigests]:
    """The local file's digests in one read that runs while the upload does (both mostly wait on
    I/O or release the GIL): sha256, and the server's checksum per part and over the whole file."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsecops-digest")
    future = executor.submit(_digests, path, part_size, algorithm)
    executor.shutdown(wait=False)
    return future


def _digests(path: Path, part_size: int, algorithm: str) -> LocalDigests:
    whole = hashlib.sha256()
    crc = 0
    parts: list[bytes] = []
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(part_size or 4 * CHUNK):
            whole.update(chunk)
            if algorithm == "crc32":
                crc = zlib.crc32(chunk, crc)
            if part_size:
                parts.append(checksum_bytes(chunk, algorithm))
            size += len(chunk)
    digest = whole.digest()
    return LocalDigests(digest.hex(), size, parts, crc.to_bytes(4, "big") if algorithm == "crc32" else digest)


def checksum_bytes(data: bytes, algorithm: str) -> bytes:
    if algorithm == "crc32":
        return zlib.crc32(data).to_bytes(4, "big")
    return hashlib.sha256(data).digest()


def file_digest_and_size(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@contextmanager
def progress_bar(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar for large transfers on a terminal; a no-op in CI logs."""
    if not total or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),  # stdout stays for results that scripts read
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
