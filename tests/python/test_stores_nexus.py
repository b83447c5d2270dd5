"""The Nexus store's upload verification: by Nexus' recorded sha256 where its REST API has one,
else by reading the upload back and comparing it with the local file byte for byte.

Servers: Debian's nginx as the raw repository, with /service/rest/ proxied to a small stand-in
of Nexus' asset search (servers/nexus_rest.py; Nexus itself is not installable here), and a
local http.server for the answers nginx never gives (chunked, gzip, redirects, TLS).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from json_http import local_server
from mlsecops.config import ConnectionConfig
from mlsecops.errors import EnvironmentFailure
from mlsecops.stores import http_compare, open_store
from mlsecops.stores.http_compare import HttpStatus, remote_equals_file
from servers.ftp_server import self_signed_certificate
from servers.nexus_rest import nexus_rest
from servers.nginx_nexus import nginx_nexus

pytestmark = pytest.mark.timeout(120)


@contextmanager
def nexus_with_rest(**settings) -> Iterator[tuple[object, object]]:
    with nexus_rest(Path("/nonexistent"), **settings) as (port, state), nginx_nexus(rest_port=port) as server:
        state.data = server.data.parent
        yield server, state


def _store(server, folder: str = "models"):
    connection = ConnectionConfig(username=server.username, password=server.password, retries=0, timeout=5)
    return open_store(f"{server.url}/{folder}", {"nexus": connection})


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _count_read_backs(store) -> list[str]:
    read_backs: list[str] = []
    original = store._read_back_matches
    store._read_back_matches = lambda key, src: read_backs.append(key) or original(key, src)
    return read_backs


# ------------------------------------------------------------------ Nexus' recorded sha256


@pytest.mark.parametrize("legacy_names", [False, True], ids=["nexus-3.88+", "nexus-before-3.88"])
def test_an_upload_to_nexus_is_verified_by_its_recorded_sha256_without_a_read_back(tmp_path, legacy_names):
    src = _file(tmp_path, "model.bin", 300_000)
    with nexus_with_rest(legacy_names=legacy_names) as (server, state), _store(server) as store:
        read_backs = _count_read_backs(store)
        assert store.upload(src, "v1/model.bin") == hashlib.sha256(src.read_bytes()).hexdigest()
        assert store.upload(src, "v1/copy.bin") == hashlib.sha256(src.read_bytes()).hexdigest()
    assert read_backs == []
    assert "/models/v1/model.bin" in state.searches


def test_a_sha256_reported_by_nexus_that_differs_fails_the_upload_naming_the_url(tmp_path):
    src = _file(tmp_path, "model.bin", 100_000)
    with nexus_with_rest() as (server, state), _store(server) as store:
        state.reported_sha256["models/model.bin"] = "0" * 64
        with pytest.raises(EnvironmentFailure, match="checksum differs") as caught:
            store.upload(src, "model.bin")
    assert store.url_of("model.bin") in str(caught.value)
    assert server.password not in str(caught.value)


def test_a_nexus_that_records_no_sha256_gets_its_uploads_read_back_and_is_asked_again_next_time(tmp_path):
    src = _file(tmp_path, "model.bin", 100_000)
    with nexus_with_rest(with_sha256=False) as (server, state), _store(server) as store:
        read_backs = _count_read_backs(store)
        assert store.upload(src, "model.bin") == hashlib.sha256(src.read_bytes()).hexdigest()
        assert read_backs == ["model.bin"]
        state.with_sha256 = True  # e.g. its search index caught up, or it was upgraded
        store.upload(src, "model-2.bin")
    assert read_backs == ["model.bin"]


def test_a_plain_webdav_server_is_read_back_and_asked_for_checksums_only_once(tmp_path):
    src = _file(tmp_path, "model.bin", 100_000)
    with nginx_nexus() as server, _store(server) as store:
        read_backs = _count_read_backs(store)
        asked: list[str] = []
        original = store._asset_sha256
        store._asset_sha256 = lambda key: asked.append(key) or original(key)
        for name in ("a.bin", "b.bin", "c.bin"):
            store.upload(src, name)
    assert read_backs == ["a.bin", "b.bin", "c.bin"]
    assert asked == ["a.bin"]


@pytest.mark.parametrize("legacy_names", [False, True], ids=["nexus-3.88+", "nexus-before-3.88"])
def test_listing_pages_through_nexus_search_results(tmp_path, legacy_names):
    names = [f"v1/part-{n}.bin" for n in range(5)] + ["v2/model.bin"]
    with nexus_with_rest(legacy_names=legacy_names, page_size=2) as (server, state), _store(server) as store:
        for name in names:
            store.write_bytes(name, name.encode())
        assert store.list() == sorted(names)
        assert store.list("v1") == names[:5]
        assert store.list("v3") == []
    assert any(search.endswith("v1/*") for search in state.searches)


# ------------------------------------------------------------------ the read-back comparison

SIZES = [0, 1, 4095, 4096, 4097, 3 * 4096 + 7]


@pytest.fixture(scope="module")
def nginx():
    with nginx_nexus() as server:
        yield server


@pytest.fixture
def session(nginx):
    with requests.Session() as session:
        session.auth = (nginx.username, nginx.password)
        yield session


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(http_compare, "PIECE", 4096)  # every boundary case in a few KiB


def _put(nginx, name: str, data: bytes) -> str:
    (nginx.data / name).write_bytes(data)
    return f"{nginx.url.replace('nexus+http', 'http')}/{name}"


@pytest.mark.parametrize("size", SIZES)
def test_an_identical_remote_copy_compares_equal_at_every_piece_boundary(nginx, session, small_pieces, tmp_path, size):
    local = _file(tmp_path, "local.bin", size)
    assert remote_equals_file(session, _put(nginx, f"same-{size}.bin", local.read_bytes()), local, 5) is True


@pytest.mark.parametrize("size", [1, 4096, 4097, 3 * 4096 + 7])
@pytest.mark.parametrize("where", ["first", "last"])
def test_one_changed_byte_anywhere_makes_the_copies_differ(nginx, session, small_pieces, tmp_path, size, where):
    local = _file(tmp_path, "local.bin", size)
    remote = bytearray(local.read_bytes())
    remote[0 if where == "first" else -1] ^= 0x01
    assert remote_equals_file(session, _put(nginx, f"flip-{where}-{size}.bin", bytes(remote)), local, 5) is False


@pytest.mark.parametrize("remote_size", [4096 * 2 - 1, 4096 * 2 + 1])
def test_a_remote_copy_shorter_or_longer_than_the_file_differs(nginx, session, small_pieces, tmp_path, remote_size):
    local = _file(tmp_path, "local.bin", 4096 * 2)
    remote = (local.read_bytes() + b"x")[:remote_size]
    assert remote_equals_file(session, _put(nginx, f"len-{remote_size}.bin", remote), local, 5) is False


def test_a_missing_remote_copy_is_an_http_status_for_the_retry_policy(nginx, session, tmp_path):
    local = _file(tmp_path, "local.bin", 10)
    with pytest.raises(HttpStatus) as caught:
        remote_equals_file(session, f"{nginx.url.replace('nexus+http', 'http')}/absent.bin", local, 5)
    assert caught.value.status == 404


def test_behind_a_proxy_the_comparison_goes_through_requests(nginx, session, tmp_path, monkeypatch):
    local = _file(tmp_path, "local.bin", 50_000)
    url = _put(nginx, "proxied.bin", local.read_bytes())
    monkeypatch.setattr(http_compare, "_compare_direct", lambda *args: pytest.fail("bypassed the proxy"))
    # nginx answers absolute-form requests for its own host, so it can stand in for the proxy too
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{nginx.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert remote_equals_file(session, url, local, 5) is True


# ------------------------------------------------------------------ answers nginx never gives


class _Odd(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/plain")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/cut":  # announces the whole body, sends half, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body[: len(self.body) // 2])
            self.close_connection = True
        elif self.path == "/gzip":
            data = gzip.compress(self.body)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(self.body), 3000):
                piece = self.body[start : start + 3000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)


@contextmanager
def odd_server(body: bytes, tls_bundle: Path | None = None) -> Iterator[str]:
    with local_server(type("Handler", (_Odd,), {"body": body}), tls_bundle) as url:
        yield url


@pytest.mark.parametrize("path", ["/chunked", "/gzip", "/redirect"])
def test_chunked_encoded_and_redirected_answers_still_compare_by_content(small_pieces, tmp_path, path):
    local = _file(tmp_path, "local.bin", 20_000)
    with odd_server(local.read_bytes()) as base, requests.Session() as session:
        assert remote_equals_file(session, base + path, local, 5) is True
        changed = bytearray(local.read_bytes())
        changed[-1] ^= 0x01
        local.write_bytes(bytes(changed))
        assert remote_equals_file(session, base + path, local, 5) is False


def test_a_configured_private_ca_holds_over_a_ca_bundle_from_the_environment(tmp_path, monkeypatch):
    import certifi

    bundle, ca_file = self_signed_certificate(tmp_path)
    local = _file(tmp_path, "local.bin", 20_000)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # as a CI agent's image often sets it
    with odd_server(local.read_bytes(), tls_bundle=bundle) as base:
        root = base.replace("https://", "nexus://") + "/repository/raw"
        trusting = open_store(root, {"nexus": ConnectionConfig(ca_bundle=str(ca_file), retries=0, timeout=5)})
        assert trusting.read_bytes("plain") == local.read_bytes()
        assert trusting._read_back_matches("plain", local) is True
        unaware = open_store(root, {"nexus": ConnectionConfig(retries=0, timeout=5)})
        with pytest.raises(EnvironmentFailure, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            unaware.read_bytes("plain")
        with pytest.raises(ssl.SSLError):
            unaware._read_back_matches("plain", local)


def test_a_read_back_cut_short_is_a_transient_failure_to_retry(tmp_path):
    from mlsecops.stores.nexus import classify
    from mlsecops.stores.transfer import Failure

    local = _file(tmp_path, "local.bin", 20_000)
    with (
        odd_server(local.read_bytes()) as base,
        requests.Session() as session,
        pytest.raises(http.client.HTTPException) as caught,
    ):
        remote_equals_file(session, base + "/cut", local, 5)
    assert classify(caught.value) is Failure.TRANSIENT
