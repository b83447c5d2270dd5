"""`nexus://host[:port]/repository/<repo>/<path>`: a Nexus 3 raw repository (HTTPS; `nexus+http://` for HTTP).

PUT and GET with basic auth (`username`/`password`, also a Nexus user token's name/pass
codes) or a bearer `token`. Checksum headers are used when the server sends them
(X-Checksum-Sha256, as Nexus/Artifactory do); otherwise an upload is verified by reading it
back and comparing it with the local file byte for byte. Listing uses Nexus' REST search
API, or a JSON directory index on plain WebDAV servers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

from mlsecops.config import ConnectionConfig
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores.http_compare import HttpStatus, remote_equals_file
from mlsecops.stores.interface import ArtifactStore, check_key
from mlsecops.stores.transfer import Failure, atomic_download, progress_bar, with_retries

BODY_PIECE = 4 * 1024 * 1024  # large socket writes and reads: a fraction of the per-call overhead of 1 MiB
_CHECKSUM_HEADERS = ("X-Checksum-Sha256", "X-Checksum-SHA256", "X-Content-Sha256")


def classify(exc: BaseException) -> Failure:
    import http.client

    import requests

    if isinstance(exc, HttpStatus):
        if exc.status in (401, 403):
            return Failure.AUTH
        if exc.status == 404:
            return Failure.MISSING
        if exc.status >= 500 or exc.status in (408, 429):
            return Failure.TRANSIENT
        return Failure.FATAL
    if isinstance(exc, requests.RequestException | http.client.HTTPException | OSError):
        return Failure.TRANSIENT
    return Failure.FATAL


def _configured_tls_session():
    """A requests session whose configured TLS choice (a private CA bundle, or no verification)
    holds: a plain session lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the environment replace it."""
    import requests

    class ConfiguredTlsSession(requests.Session):
        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            settings["verify"] = self.verify if verify is None else verify
            return settings

    return ConfiguredTlsSession()


def _asset_names(path: str) -> tuple[str, str]:
    """Nexus 3.88 and later match raw asset names with a leading '/', earlier releases without one."""
    return f"/{path}", path


class _HashedBody:
    """A PUT body read once in large pieces into one reused buffer and hashed on the way, so the
    sha256 is of exactly the bytes sent (http.client's file path would send 8 KiB pieces)."""

    def __init__(self, handle, size: int, advance) -> None:
        self._handle = handle
        self._size = size
        self._advance = advance
        self.digest = hashlib.sha256()

    def __iter__(self):
        buffer = bytearray(BODY_PIECE)
        view = memoryview(buffer)
        while size := self._handle.readinto(buffer):
            self.digest.update(view[:size])
            self._advance(size)
            yield view[:size]  # sent (and released) before the next read refills the buffer

    def __len__(self) -> int:
        return self._size


class NexusSettings(ConnectionConfig):
    """Sonatype Nexus raw repositories over https (nexus+http: plain http).

    `token` is sent as a bearer token in place of username/password.
    """

    token: str | None = None  # a bearer token (a ${secret:...} reference), in place of username/password


class NexusStore(ArtifactStore):
    scheme = "nexus"
    settings_model: ClassVar[type[NexusSettings]] = NexusSettings
    connection: NexusSettings

    def __init__(self, root_url: str, connection: ConnectionConfig | None = None) -> None:
        super().__init__(root_url, connection)
        scheme, _, rest = self.root_url.partition("://")
        http = "http" if scheme.lower() == "nexus+http" else "https"
        parts = urlsplit(f"{http}://{rest}")
        if not parts.hostname:
            raise UsageError(f"'{self.display_root()}': a nexus:// URL needs a host")
        self.base = f"{http}://{parts.netloc.rpartition('@')[2]}{parts.path.rstrip('/')}"
        self.host_base = f"{http}://{parts.netloc.rpartition('@')[2]}"
        segments = [s for s in parts.path.split("/") if s]
        self.repository = segments[1] if len(segments) >= 2 and segments[0] == "repository" else None
        self.path_in_repo = "/".join(segments[2:]) if self.repository else "/".join(segments)
        self._userinfo = (parts.username, parts.password) if parts.username else None
        self._session = None
        # a plain WebDAV server sends no checksum header and has no search API: learnt once, not asked per file
        self._plain_webdav = False
        self._search_api_missing = False

    @property
    def session(self):
        if self._session is None:
            import requests

            c = self.connection
            session = _configured_tls_session() if c.ca_bundle or not c.verify_tls else requests.Session()
            if c.token:
                session.headers["Authorization"] = f"Bearer {c.token}"
            elif c.username:
                session.auth = (c.username, c.password or "")
            elif self._userinfo:
                session.auth = (self._userinfo[0], self._userinfo[1] or "")
            session.verify = c.ca_bundle or c.verify_tls
            self._session = session
        return self._session

    def _url(self, key: str) -> str:
        return f"{self.base}/{quote(check_key(key))}"

    def _retry(self, action, what: str, key: str):
        c = self.connection
        return with_retries(
            action, what=what, url=self.url_of(key), classify=classify, retries=c.retries, backoff=c.backoff_seconds
        )

    @staticmethod
    def _check(response) -> None:
        if response.status_code >= 400:
            raise HttpStatus(response.status_code, response.reason or "")

    @staticmethod
    def _server_sha256(response) -> str | None:
        for header in _CHECKSUM_HEADERS:
            if value := response.headers.get(header):
                return value.strip().lower()
        return None

    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        def attempt() -> str:
            with self.session.get(self._url(key), stream=True, timeout=self.connection.timeout) as response:
                self._check(response)
                total = int(response.headers.get("Content-Length") or 0) or None
                announced = self._server_sha256(response)
                with atomic_download(dest, self.url_of(key), expected_sha256 or announced, total) as writer:
                    for chunk in response.iter_content(BODY_PIECE):
                        writer.write(chunk)
                return writer.hexdigest()

        return self._retry(attempt, "download", key)

    def upload(self, src: Path, key: str) -> str:
        size = src.stat().st_size

        def attempt() -> str:
            with open(src, "rb", buffering=0) as handle, progress_bar(size, src.name) as advance:
                body = _HashedBody(handle, size, advance)
                response = self.session.put(
                    self._url(key),
                    data=body,
                    headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                    timeout=self.connection.timeout,
                )
            self._check(response)
            return body.digest.hexdigest()

        digest = self._retry(attempt, "upload", key)
        announced = None
        if not self._plain_webdav:
            head = self._retry(lambda: self._head(key), "verify", key)
            announced = self._server_sha256(head) or self._retry(lambda: self._asset_sha256(key), "verify", key)
            # a Nexus that has not indexed the asset yet (or records no sha256) is asked again next time
            self._plain_webdav = announced is None and self._search_api_missing
        if announced is None:  # a plain WebDAV server: read the upload back
            if not self._retry(lambda: self._read_back_matches(key, src), "verify", key):
                raise EnvironmentFailure(f"{self.url_of(key)}: the server's copy differs from the uploaded file")
            return digest
        if announced != digest:
            raise EnvironmentFailure(f"{self.url_of(key)}: the server's checksum differs from the uploaded file")
        return digest

    def _read_back_matches(self, key: str, src: Path) -> bool:
        """Whether the stored object is byte for byte the local file, streamed (nothing written to
        disk). Comparing bytes runs at copy speed where hashing the read-back doubled its time; the
        sha256 returned was taken from the bytes sent, so a file changed since also fails here."""
        return remote_equals_file(self.session, self._url(key), src, self.connection.timeout)

    def _asset_sha256(self, key: str) -> str | None:
        """Nexus 3 records each asset's sha256 (raw repositories since 3.68): ask its REST API.
        None on servers without that API (plain WebDAV), where the caller reads the file back."""
        if not self.repository:
            return None
        path = "/".join(p for p in (self.path_in_repo, check_key(key)) if p)
        for name in _asset_names(path):
            page = self._search_assets(name)
            if page is None:
                return None
            if items := page.get("items", []):
                checksum = items[0].get("checksum", {}).get("sha256") if len(items) == 1 else None
                return str(checksum).lower() if checksum else None
        return None

    def _search_assets(self, name: str, continuation: str | None = None) -> dict | None:
        """One page of Nexus' asset search; None when the server has no such API."""
        params = {"repository": self.repository, "name": name}
        if continuation:
            params["continuationToken"] = continuation
        response = self.session.get(
            f"{self.host_base}/service/rest/v1/search/assets", params=params, timeout=self.connection.timeout
        )
        if response.status_code in (404, 405):
            self._search_api_missing = True
            return None
        self._check(response)
        return response.json()

    def _head(self, key: str):
        response = self.session.head(self._url(key), timeout=self.connection.timeout)
        self._check(response)
        return response

    def exists(self, key: str) -> bool:
        def attempt() -> bool:
            try:
                self._head(key)
                return True
            except HttpStatus as exc:
                if exc.status == 404:
                    return False
                raise

        return self._retry(attempt, "lookup", key)

    def read_bytes(self, key: str) -> bytes:
        def attempt() -> bytes:
            response = self.session.get(self._url(key), timeout=self.connection.timeout)
            self._check(response)
            return response.content

        return self._retry(attempt, "download", key)

    def write_bytes(self, key: str, data: bytes) -> None:
        def attempt() -> None:
            response = self.session.put(self._url(key), data=data, timeout=self.connection.timeout)
            self._check(response)

        self._retry(attempt, "upload", key)

    def delete(self, key: str) -> None:
        def attempt() -> None:
            response = self.session.delete(self._url(key), timeout=self.connection.timeout)
            if response.status_code != 404:
                self._check(response)

        self._retry(attempt, "delete", key)

    def list(self, prefix: str = "") -> list[str]:
        prefix = check_key(prefix) if prefix.strip("/") else ""
        return self._retry(lambda: self._list(prefix), "list", prefix)

    def _list(self, prefix: str) -> list[str]:
        if self.repository:
            keys = self._list_rest(prefix)
            if keys is not None:
                return keys
        return self._list_index(prefix)

    def _list_rest(self, prefix: str) -> list[str] | None:
        """Nexus 3: /service/rest/v1/search/assets, paged by continuationToken; None when not a Nexus."""
        root = "/".join(p for p in (self.path_in_repo, prefix) if p)
        strip = len(self.path_in_repo) + 1 if self.path_in_repo else 0
        for name in _asset_names(f"{root}/*") if root else ("*",):
            keys: list[str] = []
            continuation = None
            while True:
                page = self._search_assets(name, continuation)
                if page is None:
                    return None
                keys += [item["path"].lstrip("/")[strip:] for item in page.get("items", [])]
                if not (continuation := page.get("continuationToken")):
                    break
            if keys:
                return sorted(keys)
        return []

    def _list_index(self, prefix: str) -> list[str]:
        """A WebDAV-style server with a JSON directory index (nginx `autoindex_format json`)."""
        keys: list[str] = []
        folders = [prefix]
        while folders:
            folder = folders.pop()
            url = f"{self.base}/{quote(folder)}/" if folder else f"{self.base}/"
            response = self.session.get(url, timeout=self.connection.timeout)
            if response.status_code == 404:
                continue
            self._check(response)
            for entry in response.json():
                name = f"{folder}/{entry['name']}" if folder else entry["name"]
                (folders if entry.get("type") == "directory" else keys).append(name)
        return sorted(keys)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
