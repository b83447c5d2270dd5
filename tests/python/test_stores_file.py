"""The file:// store and the release protocol on it: atomic writes, digest checks, releases need a manifest."""

from __future__ import annotations

import hashlib

import pytest
from mlsecops.errors import UsageError
from mlsecops.stores import open_store, split_url
from mlsecops.stores.interface import DigestMismatch
from mlsecops.stores.release import fetch_release, publish_release, read_manifest


@pytest.fixture
def store(tmp_path):
    return open_store(f"file://{tmp_path / 'store'}")


def test_upload_then_download_round_trips_and_returns_the_digest(store, tmp_path):
    src = tmp_path / "weights.bin"
    src.write_bytes(b"w" * 5000)
    digest = hashlib.sha256(b"w" * 5000).hexdigest()
    assert store.upload(src, "m/weights.bin") == digest
    assert store.download("m/weights.bin", tmp_path / "out/weights.bin", expected_sha256=digest) == digest
    assert (tmp_path / "out/weights.bin").read_bytes() == b"w" * 5000
    assert store.list("m") == ["m/weights.bin"] and store.exists("m/weights.bin")


def test_a_download_that_does_not_match_leaves_no_file(store, tmp_path):
    store.write_bytes("a.txt", b"actual")
    with pytest.raises(DigestMismatch) as caught:
        store.download("a.txt", tmp_path / "dl/a.txt", expected_sha256="0" * 64)
    assert "000000000000" in str(caught.value)
    assert list((tmp_path / "dl").iterdir()) == []


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", ""])
def test_keys_cannot_leave_the_store_root(store, key):
    with pytest.raises(UsageError):
        store.write_bytes(key, b"x")


def test_split_url_names_the_root_and_the_key():
    assert split_url("s3://bucket/data/train.csv") == ("s3://bucket/data", "train.csv")
    with pytest.raises(UsageError):
        split_url("s3://")


def test_a_release_without_its_manifest_is_absent(store, tmp_path):
    model = tmp_path / "model.keras"
    model.write_bytes(b"model")
    store.upload(model, "p/1.0/model.keras")  # an interrupted publish: files but no manifest
    assert read_manifest(store, "p/1.0") is None
    with pytest.raises(UsageError, match="no release there"):
        fetch_release(store, "p/1.0", tmp_path / "fetched")


def test_a_published_release_is_fetched_file_by_file_against_its_manifest(store, tmp_path):
    model = tmp_path / "model.keras"
    model.write_bytes(b"model")
    lines: list[str] = []
    publish_release(store, "p/1.0", {"model.keras": model}, {"model.keras"}, {"project": "p"}, echo=lines.append)
    manifest, digest = fetch_release(store, "p/1.0", tmp_path / "fetched")
    assert (tmp_path / "fetched/model.keras").read_bytes() == b"model" and manifest["project"] == "p"
    assert digest == hashlib.sha256((tmp_path / "fetched/manifest.json").read_bytes()).hexdigest()
    store.write_bytes("p/1.0/model.keras", b"swapped on the server")
    with pytest.raises(DigestMismatch):
        fetch_release(store, "p/1.0", tmp_path / "fetched-again")


def test_a_release_with_nothing_signed_is_refused(store, tmp_path):
    report = tmp_path / "summary.md"
    report.write_text("# summary")
    with pytest.raises(UsageError, match="nothing signed"):
        publish_release(store, "p/1.0", {"reports/summary.md": report}, set(), {})
