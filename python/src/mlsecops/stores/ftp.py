"""`ftp://host[:port]/path` and `ftps://` (explicit TLS, AUTH TLS + PROT P) store over ftplib, passive by default.

Uploads go to a hidden temporary name and are renamed into place, so a reader never sees a
half-written file; each upload is then read back and hashed (FTP has no standard checksum
command). Listing uses MLSD (RFC 3659). Credentials: the connection's `username`/`password`
(best as `${secret:...}`), else anonymous.
"""

from __future__ import annotations

import ftplib
import io
import os
import posixpath
import ssl
import tempfile
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from mlsecops.config import ConnectionConfig
from mlsecops.errors import UsageError
from mlsecops.stores.interface import ArtifactStore, check_key
from mlsecops.stores.transfer import CHUNK, Failure, atomic_download, digest_in_background, progress_bar, with_retries


def classify(exc: BaseException) -> Failure:
    text = str(exc)
    if isinstance(exc, ftplib.error_perm):
        if text.startswith("530"):
            return Failure.AUTH
        if text.startswith("550"):
            return Failure.MISSING
        return Failure.FATAL
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure.FATAL
    if isinstance(exc, ftplib.error_temp | ftplib.error_reply | EOFError | OSError):
        return Failure.TRANSIENT
    return Failure.FATAL


class FtpSettings(ConnectionConfig):
    """FTP and FTPS (explicit TLS): ca_bundle and verify_tls apply to ftps:// only."""

    passive: bool = True  # passive mode (the client opens the data connections): through firewalls and NAT


class FtpStore(ArtifactStore):
    scheme = "ftp"
    settings_model: ClassVar[type[FtpSettings]] = FtpSettings
    connection: FtpSettings

    def __init__(self, root_url: str, connection: ConnectionConfig | None = None) -> None:
        super().__init__(root_url, connection)
        parts = urlsplit(self.root_url)
        if not parts.hostname:
            raise UsageError(f"'{self.display_root()}': an ftp:// URL needs a host")
        self.tls = parts.scheme.lower() == "ftps"
        self.host = parts.hostname
        self.port = parts.port or 21
        self.root = unquote(parts.path) or "/"
        self._userinfo = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        self._ftp: ftplib.FTP | None = None

    # ------------------------------------------------------------ plumbing

    def _connect(self) -> ftplib.FTP:
        c = self.connection
        if self.tls:
            context = ssl.create_default_context(cafile=c.ca_bundle) if c.ca_bundle else ssl.create_default_context()
            if not c.verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            ftp: ftplib.FTP = ftplib.FTP_TLS(context=context, timeout=c.timeout)  # noqa: S321 - TLS
        else:
            ftp = ftplib.FTP(timeout=c.timeout)  # noqa: S321 - sites ask for it; ftps:// is the safe choice
        ftp.connect(self.host, self.port)
        user, password = (c.username, c.password or "") if c.username else self._userinfo or ("anonymous", "")
        ftp.login(user, password)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()  # the data channel too, not only the password
        ftp.set_pasv(c.passive)
        ftp.voidcmd("TYPE I")
        return ftp

    @property
    def ftp(self) -> ftplib.FTP:
        if self._ftp is None:
            self._ftp = self._connect()
        return self._ftp

    def _drop(self) -> None:
        if self._ftp is not None:
            try:
                self._ftp.close()
            finally:
                self._ftp = None

    def _retry(self, action, what: str, key: str):
        def attempt():
            try:
                return action()
            except Exception as exc:
                if classify(exc) is Failure.TRANSIENT:
                    self._drop()  # the control connection is not trusted after a failure
                raise

        c = self.connection
        return with_retries(
            attempt, what=what, url=self.url_of(key), classify=classify, retries=c.retries, backoff=c.backoff_seconds
        )

    def _path(self, key: str) -> str:
        return posixpath.join(self.root, check_key(key))

    def _size(self, path: str) -> int | None:
        self.ftp.voidcmd("TYPE I")  # listings switch to ASCII, where servers refuse SIZE
        return self.ftp.size(path)

    def _makedirs(self, folder: str) -> None:
        current = "/" if folder.startswith("/") else ""
        for part in [p for p in folder.split("/") if p]:
            current = posixpath.join(current, part)
            try:
                self.ftp.mkd(current)
            except ftplib.error_perm as exc:
                if not str(exc).startswith("550") and not str(exc).startswith("521"):
                    raise  # 550/521: it exists already

    # ------------------------------------------------------------ interface

    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        path = self._path(key)

        def attempt() -> str:
            try:
                total = self._size(path)
            except ftplib.error_perm:
                total = None
            with atomic_download(dest, self.url_of(key), expected_sha256, total) as writer:
                self.ftp.retrbinary(f"RETR {path}", writer.write, blocksize=CHUNK)
            return writer.hexdigest()

        return self._retry(attempt, "download", key)

    def upload(self, src: Path, key: str) -> str:
        path = self._path(key)
        folder, name = posixpath.split(path)
        temporary = posixpath.join(folder, f".{name}.part-{os.getpid()}")
        local = digest_in_background(src)
        size = src.stat().st_size

        def attempt() -> None:
            self._makedirs(folder)
            with open(src, "rb") as handle, progress_bar(size, src.name) as advance:
                self.ftp.storbinary(f"STOR {temporary}", handle, blocksize=CHUNK, callback=lambda b: advance(len(b)))
            self.ftp.rename(temporary, path)

        self._retry(attempt, "upload", key)
        digest = local.result().sha256
        with tempfile.TemporaryDirectory(prefix="mlsecops-ftp-") as scratch:
            self.download(key, Path(scratch) / "readback", expected_sha256=digest)
        return digest

    def exists(self, key: str) -> bool:
        path = self._path(key)

        def attempt() -> bool:
            try:
                self._size(path)
                return True
            except ftplib.error_perm as exc:
                if str(exc).startswith("550"):
                    return False
                raise

        return self._retry(attempt, "lookup", key)

    def read_bytes(self, key: str) -> bytes:
        path = self._path(key)

        def attempt() -> bytes:
            buffer = io.BytesIO()
            self.ftp.retrbinary(f"RETR {path}", buffer.write)
            return buffer.getvalue()

        return self._retry(attempt, "download", key)

    def write_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        folder, name = posixpath.split(path)
        temporary = posixpath.join(folder, f".{name}.part-{os.getpid()}")

        def attempt() -> None:
            self._makedirs(folder)
            self.ftp.storbinary(f"STOR {temporary}", io.BytesIO(data))
            self.ftp.rename(temporary, path)

        self._retry(attempt, "upload", key)

    def list(self, prefix: str = "") -> list[str]:
        start = self._path(prefix) if prefix.strip("/") else self.root

        def attempt() -> list[str]:
            keys: list[str] = []
            folders = [start]
            while folders:
                folder = folders.pop()
                try:
                    entries = list(self.ftp.mlsd(folder, facts=["type"]))
                except ftplib.error_perm as exc:
                    if str(exc).startswith("550"):
                        continue
                    raise
                for name, facts in entries:
                    full = posixpath.join(folder, name)
                    if facts.get("type") == "dir":
                        folders.append(full)
                    elif facts.get("type") == "file" and ".part-" not in name:
                        keys.append(posixpath.relpath(full, self.root))
            return sorted(keys)

        return self._retry(attempt, "list", prefix)

    def delete(self, key: str) -> None:
        path = self._path(key)

        def attempt() -> None:
            try:
                self.ftp.delete(path)
            except ftplib.error_perm as exc:
                if not str(exc).startswith("550"):
                    raise

        self._retry(attempt, "delete", key)

    def close(self) -> None:
        if self._ftp is not None:
            try:
                self._ftp.quit()
            except (ftplib.Error, OSError, EOFError):
                pass
            finally:
                self._ftp = None
