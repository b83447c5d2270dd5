"""The file:// store and the release protocol on it: atomic writes, digest checks, releases need a manifest."""

from __future__ import annotations

import hashlib

import pytest
from mlsecops.errors import EnvironmentFailure, UsageError
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


def test_a_key_that_is_a_symlink_out_of_the_root_is_neither_read_nor_written(store, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"private")
    store.write_bytes("keep.txt", b"x")  # creates the root
    (tmp_path / "store/link.txt").symlink_to(outside)
    for action in (
        lambda: store.read_bytes("link.txt"),
        lambda: store.exists("link.txt"),
        lambda: store.download("link.txt", tmp_path / "dl/link.txt"),
        lambda: store.write_bytes("link.txt", b"overwrite"),
    ):
        with pytest.raises(UsageError, match="resolves outside the store root"):
            action()
    assert outside.read_bytes() == b"private" and not (tmp_path / "dl/link.txt").exists()
    store.delete("link.txt")  # removes the link, never its target
    assert not (tmp_path / "store/link.txt").is_symlink() and outside.read_bytes() == b"private"


def test_a_store_root_reached_through_a_symlink_works_as_usual(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    store = open_store(f"file://{tmp_path / 'linked'}")
    store.write_bytes("p/a.txt", b"data")
    assert store.read_bytes("p/a.txt") == b"data" and (tmp_path / "real/p/a.txt").is_file()


@pytest.mark.parametrize("root", ["base.yaml", "base.yaml/releases"])
def test_a_store_root_that_is_a_file_is_bad_config_in_one_line(tmp_path, root):
    (tmp_path / "base.yaml").write_text("project: {}\n")
    with pytest.raises(UsageError, match="the store root must be a folder") as caught:
        open_store(f"file://{tmp_path / root}")
    assert "\n" not in str(caught.value)


def test_a_failed_write_reports_its_own_cause_not_the_cleanup_error(store, tmp_path):
    store.write_bytes("p", b"a file where a folder is needed")
    with pytest.raises(EnvironmentFailure, match="p/1.0/model.keras: cannot write"):
        store.write_bytes("p/1.0/model.keras", b"x")


def test_a_symlink_loop_in_the_store_is_refused_in_one_line(store, tmp_path):
    store.write_bytes("keep.txt", b"x")
    (tmp_path / "store/loop").symlink_to(tmp_path / "store/loop")
    with pytest.raises(UsageError, match="resolves outside the store root"):
        store.read_bytes("loop")
