"""Every remote backend against a real server on 127.0.0.1: S3 (moto server), Nexus raw (nginx), FTP and FTPS (pyftpdlib).

One contract, four servers: verified round trips, refused corrupt downloads, atomic releases
with the manifest last, clear exit-3 lines for bad credentials and dead servers.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from mlsecops.config import ConnectionConfig
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores import open_store
from mlsecops.stores.interface import DigestMismatch
from mlsecops.stores.release import publish_release, read_manifest
from mlsecops.stores.s3 import S3Settings
from servers.cutting_proxy import cutting_proxy
from servers.ftp_server import ftp_server
from servers.moto_server import moto_server, require_auth
from servers.nginx_nexus import nginx_nexus

pytestmark = pytest.mark.timeout(120)
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
BUCKET = "ml-releases"


@dataclass
class Backend:
    name: str
    url: str  # the store root
    connection: ConnectionConfig
    secret: str  # the credential that must never show up
    port: int = 0  # the server's port, for the cutting proxy
    server: object = None

    def store(self, **overrides):
        connection = self.connection.model_copy(update=overrides)
        scheme = self.url.partition("://")[0]
        return open_store(self.url, {scheme: connection})

    def put_behind_the_back(self, key: str, data: bytes) -> None:
        """Change a stored object without going through the store (a tampered server)."""
        self.store().write_bytes(key, data)


@pytest.fixture(scope="module")
def moto():
    with moto_server() as endpoint:
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="AKIAMLSECOPSTEST0001", aws_secret_access_key="x",
        ).create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture(scope="module")
def nexus():
    with nginx_nexus() as server:
        yield server


@pytest.fixture(scope="module")
def ftp():
    with ftp_server() as server:
        yield server


@pytest.fixture(scope="module")
def ftps():
    with ftp_server(tls=True) as server:
        yield server


@pytest.fixture(params=["s3", "nexus", "ftp", "ftps"])
def backend(request) -> Backend:
    fast = {"retries": 2, "backoff_seconds": 0.01, "timeout": 5.0}
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto")
        secret = "s3-secret-" + os.urandom(8).hex()
        connection = S3Settings(
            endpoint_url=endpoint, region="us-east-1", username="AKIAMLSECOPSTEST0001", password=secret,
            multipart_threshold_mb=5, multipart_chunk_mb=5, **fast,
        )
        return Backend("s3", f"s3://{BUCKET}/{os.urandom(4).hex()}", connection, secret,
                       port=int(endpoint.rsplit(":", 1)[1]))
    if request.param == "nexus":
        server = request.getfixturevalue("nexus")
        connection = ConnectionConfig(username=server.username, password=server.password, **fast)
        return Backend("nexus", f"{server.url}/{os.urandom(4).hex()}", connection, server.password,
                       port=server.port, server=server)
    server = request.getfixturevalue(request.param)
    connection = ConnectionConfig(
        username=server.username, password=server.password,
        ca_bundle=str(server.ca_file) if server.ca_file else None, **fast,
    )
    return Backend(request.param, f"{server.url}/{os.urandom(4).hex()}", connection, server.password, server=server)


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def test_upload_and_download_round_trip_with_digests(backend, tmp_path):
    src = _file(tmp_path, "weights.bin", 7 * 1024 * 1024 + 3)  # multipart on S3
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    with backend.store() as store:
        assert store.upload(src, "models/weights.bin") == digest
        assert store.exists("models/weights.bin") and not store.exists("models/absent.bin")
        assert store.download("models/weights.bin", tmp_path / "dl/w.bin", expected_sha256=digest) == digest
        assert store.list("models") == ["models/weights.bin"]
        store.delete("models/weights.bin")
        assert not store.exists("models/weights.bin")
    assert (tmp_path / "dl/w.bin").read_bytes() == src.read_bytes()


def test_a_download_that_differs_from_the_pin_is_refused_and_not_kept(backend, tmp_path):
    with backend.store() as store:
        store.write_bytes("data/train.csv", b"good,1\n")
        backend.put_behind_the_back("data/train.csv", b"poisoned,1\n")
        with pytest.raises(DigestMismatch) as caught:
            store.download("data/train.csv", tmp_path / "dl/train.csv", hashlib.sha256(b"good,1\n").hexdigest())
    assert caught.value.exit_code == 2
    assert not (tmp_path / "dl/train.csv").exists() and not list((tmp_path / "dl").iterdir())


def test_a_missing_key_is_bad_input_not_an_outage(backend, tmp_path):
    with backend.store() as store, pytest.raises(UsageError, match="not found"):
        store.download("nope/never.bin", tmp_path / "x")


def test_a_release_is_published_manifest_last_and_republishing_is_a_no_op(backend, tmp_path):
    model = _file(tmp_path, "model.keras", 2048)
    report = _file(tmp_path, "findings.json", 100)
    with backend.store() as store:
        first = publish_release(
            store, "demo/1.0", {"model.keras": model, "reports/findings.json": report}, {"model.keras"},
            {"project": "demo"}, echo=lambda _: None,
        )
        assert read_manifest(store, "demo/1.0")["files"] == first.files
        again = publish_release(
            store, "demo/1.0", {"model.keras": model, "reports/findings.json": report}, {"model.keras"},
            {"project": "demo"}, echo=lambda _: None,
        )
        assert again.unchanged
        model.write_bytes(b"retrained")
        with pytest.raises(UsageError, match="--force"):
            publish_release(store, "demo/1.0", {"model.keras": model}, {"model.keras"}, {}, echo=lambda _: None)
        forced = publish_release(
            store, "demo/1.0", {"model.keras": model}, {"model.keras"}, {}, force=True, echo=lambda _: None
        )
        assert forced.replaced
        assert sorted(store.list("demo/1.0")) == ["demo/1.0/manifest.json", "demo/1.0/model.keras"]


def test_wrong_credentials_are_an_environment_failure_in_one_clear_line(backend, tmp_path):
    if backend.name == "s3":
        require_auth(backend.connection.endpoint_url, True)
    try:
        with (
            backend.store(password="definitely-wrong-" + backend.secret[-4:]) as store,
            pytest.raises(EnvironmentFailure) as caught,
        ):
            store.upload(_file(tmp_path, "a.bin", 10), "a.bin")
    finally:
        if backend.name == "s3":
            require_auth(backend.connection.endpoint_url, False)
    message = str(caught.value)
    assert "credentials rejected" in message and "\n" not in message
    assert backend.secret not in message and "definitely-wrong" not in message


@pytest.mark.parametrize("name", ["s3", "nexus"])
def test_a_server_dying_mid_upload_retries_then_fails_with_the_url_and_leaves_no_release(name, request, tmp_path):
    if name == "s3":
        endpoint = request.getfixturevalue("moto")
        port, secret = int(endpoint.rsplit(":", 1)[1]), "s3-secret-" + os.urandom(6).hex()
    else:
        server = request.getfixturevalue("nexus")
        port, secret = server.port, server.password
    files = {f"part{i}.bin": _file(tmp_path, f"part{i}.bin", 1024 * 1024) for i in range(4)}
    with cutting_proxy(port, cut_after_bytes=2 * 1024 * 1024 + 1000) as proxy:
        if name == "s3":
            url = f"s3://{BUCKET}/dying"
            connection = S3Settings(
                endpoint_url=f"http://127.0.0.1:{proxy.port}", region="us-east-1",
                username="AKIAMLSECOPSTEST0001", password=secret, retries=2, backoff_seconds=0.01, timeout=3,
            )
        else:
            url = f"nexus+http://127.0.0.1:{proxy.port}/repository/raw-models/dying"
            connection = ConnectionConfig(username=server.username, password=secret, retries=2,
                                          backoff_seconds=0.01, timeout=3)
        store = open_store(url, {name.split("+")[0]: connection})
        with pytest.raises(EnvironmentFailure) as caught:
            publish_release(store, "demo/1.0", files, set(files), {}, echo=lambda _: None)
        assert proxy.cut.is_set()
    message = str(caught.value)
    assert "after 3 attempts" in message and f"127.0.0.1:{proxy.port}" in message and secret not in message
    direct = (
        open_store(f"s3://{BUCKET}/dying", {"s3": S3Settings(
            endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1", username="AKIAMLSECOPSTEST0001", password="x")})
        if name == "s3"
        else open_store(f"{server.url}/dying", {"nexus": ConnectionConfig(username=server.username,
                                                                          password=server.password)})
    )
    assert read_manifest(direct, "demo/1.0") is None


def test_an_ftp_server_stopping_mid_release_leaves_no_release(tmp_path):
    files = {f"part{i}.bin": _file(tmp_path, f"part{i}.bin", 4096) for i in range(4)}
    with ftp_server(stop_after_files=2) as server:
        connection = ConnectionConfig(username=server.username, password=server.password, retries=2,
                                      backoff_seconds=0.01, timeout=3)
        store = open_store(f"{server.url}/rel", {"ftp": connection})
        with pytest.raises(EnvironmentFailure) as caught:
            publish_release(store, "demo/1.0", files, set(files), {}, echo=lambda _: None)
        assert not (server.root / "rel/demo/1.0/manifest.json").exists()
    assert "ftp://127.0.0.1" in str(caught.value) and server.password not in str(caught.value)


def test_ftps_refuses_a_server_certificate_it_does_not_trust(ftps, tmp_path):
    connection = ConnectionConfig(username=ftps.username, password=ftps.password, retries=0, timeout=5)
    with pytest.raises(EnvironmentFailure, match="lookup failed"):
        open_store(ftps.url, {"ftp": connection}).exists("x")


def test_s3_server_side_encryption_is_requested_on_every_object(moto, tmp_path):
    connection = S3Settings(endpoint_url=moto, region="us-east-1", username="AKIAMLSECOPSTEST0001",
                                  password="x", server_side_encryption="AES256")
    with open_store(f"s3://{BUCKET}/sse", {"s3": connection}) as store:
        store.upload(_file(tmp_path, "m.bin", 1000), "m.bin")
        store.write_bytes("manifest.json", b"{}")
        heads = [store.client.head_object(Bucket=BUCKET, Key=f"sse/{key}") for key in ("m.bin", "manifest.json")]
    assert [head.get("ServerSideEncryption") for head in heads] == ["AES256", "AES256"]


def _upstream(name: str, request) -> tuple[int, object]:
    """The real server's port (and the nginx handle, for its credentials) a proxy forwards to."""
    if name == "s3":
        return int(request.getfixturevalue("moto").rsplit(":", 1)[1]), None
    server = request.getfixturevalue("nexus")
    return server.port, server


def _store_through(name: str, proxy_port: int, server, folder: str, **settings):
    if name == "s3":
        connection = S3Settings(endpoint_url=f"http://127.0.0.1:{proxy_port}", region="us-east-1",
                                      username="AKIAMLSECOPSTEST0001", password="x", **settings)
        return open_store(f"s3://{BUCKET}/{folder}", {"s3": connection})
    connection = ConnectionConfig(username=server.username, password=server.password, **settings)
    return open_store(f"nexus+http://127.0.0.1:{proxy_port}/repository/raw-models/{folder}", {"nexus": connection})


@pytest.mark.parametrize("name", ["s3", "nexus"])
def test_a_connection_cut_mid_upload_is_retried_and_the_upload_completes(name, request, tmp_path):
    src = _file(tmp_path, "m.bin", 3 * 1024 * 1024)
    port, server = _upstream(name, request)
    with cutting_proxy(port, cut_after_bytes=1024 * 1024, flaky=True) as proxy:
        with _store_through(name, proxy.port, server, "flaky", retries=3, backoff_seconds=0.01, timeout=5) as store:
            assert store.upload(src, "m.bin") == hashlib.sha256(src.read_bytes()).hexdigest()
        assert proxy.cuts == 1


@pytest.mark.parametrize("algorithm", ["sha256", "crc32"])
@pytest.mark.parametrize("size_mb", [1, 12])
def test_s3_uploads_are_verified_by_the_servers_checksum_without_a_read_back(moto, tmp_path, algorithm, size_mb):
    connection = S3Settings(endpoint_url=moto, region="us-east-1", username="AKIAMLSECOPSTEST0001",
                                  password="x", multipart_threshold_mb=5, multipart_chunk_mb=5,
                                  upload_checksum=algorithm)
    src = _file(tmp_path, "m.bin", size_mb * 1024 * 1024)
    with open_store(f"s3://{BUCKET}/{algorithm}", {"s3": connection}) as store:
        read_backs: list[str] = []
        original = store.download
        store.download = lambda key, *args, **kwargs: read_backs.append(key) or original(key, *args, **kwargs)
        assert store.upload(src, "m.bin") == hashlib.sha256(src.read_bytes()).hexdigest()
    assert read_backs == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["s3", "nexus"])
def test_a_byte_corrupted_on_the_way_to_the_server_fails_the_upload_verification(name, request, tmp_path):
    src = _file(tmp_path, "m.bin", 6 * 1024 * 1024)  # multipart on S3 (5 MiB parts)
    port, server = _upstream(name, request)
    multipart = {"multipart_threshold_mb": 5, "multipart_chunk_mb": 5} if name == "s3" else {}  # S3's own keys
    settings = {"retries": 0, "timeout": 5, **multipart}
    with (
        cutting_proxy(port, cut_after_bytes=1 << 40, flip_byte_at=2 * 1024 * 1024) as proxy,
        _store_through(name, proxy.port, server, "corrupted", **settings) as store,
        pytest.raises((EnvironmentFailure, DigestMismatch)) as caught,
    ):
        store.upload(src, "m.bin")
    assert store.url_of("m.bin") in str(caught.value)
