"""A retried build with unchanged inputs stores as "unchanged": the store compares the model's content."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from mlsecops.signing.content import content_sha256
from mlsecops.workspace import StageResult, Workspace
from stores_support import (
    result_json,
    run_cli,
    write_config,
    write_gate,
    write_model_gate,
)

WEIGHTS = bytes(range(256)) * 8


def keras_archive(date_saved: str, object_id: int, zip_time: tuple, weights: bytes = WEIGHTS) -> bytes:
    """What `model.save("model.keras")` writes: a zip whose metadata and config change on every save."""
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"units": 2, "dtype": {"class_name": "DTypePolicy",
                                                                  "shared_object_id": object_id}}},
        {"class_name": "Dense", "config": {"units": 1, "dtype": {"class_name": "DTypePolicy",
                                                                  "shared_object_id": object_id}}},
    ]}}
    members = {
        "metadata.json": json.dumps({"keras_version": "3.15.1", "date_saved": date_saved}),
        "config.json": json.dumps(config),
        "model.weights.h5": weights,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=zip_time), data)
    return buffer.getvalue()


FIRST = keras_archive("2026-12-03@16:25:20", 140035150904272, (2026, 12, 3, 16, 25, 20))
RETRIED = keras_archive("2026-12-03@17:01:44", 140686287265104, (2026, 12, 3, 17, 1, 44))


def test_two_saves_of_the_same_keras_model_have_the_same_content_digest(tmp_path):
    (tmp_path / "a.keras").write_bytes(FIRST)
    (tmp_path / "b.keras").write_bytes(RETRIED)
    assert FIRST != RETRIED
    assert content_sha256(tmp_path / "a.keras") == content_sha256(tmp_path / "b.keras")


def test_other_weights_or_another_sharing_structure_are_other_content(tmp_path):
    (tmp_path / "a.keras").write_bytes(FIRST)
    (tmp_path / "w.keras").write_bytes(keras_archive("2026-12-03@16:25:20", 140035150904272,
                                                     (2026, 12, 3, 16, 25, 20), weights=WEIGHTS[::-1]))
    config = json.loads(zipfile.ZipFile(io.BytesIO(FIRST)).read("config.json"))
    config["config"]["layers"][1]["config"]["dtype"]["shared_object_id"] = 1  # no longer shared with layer 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(FIRST)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, json.dumps(config) if info.filename == "config.json" else source.read(info))
    (tmp_path / "s.keras").write_bytes(buffer.getvalue())
    digests = {content_sha256(tmp_path / name) for name in ("a.keras", "w.keras", "s.keras")}
    assert len(digests) == 3


def test_a_torch_archive_is_compared_without_its_random_serialization_id(tmp_path):
    def torch_zip(serial: bytes, path):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("model/data.pkl", b"\x80\x02}q\x00.")
            archive.writestr("model/data/0", WEIGHTS)
            archive.writestr("model/.data/serialization_id", serial)

    torch_zip(b"1234567890", tmp_path / "a.pt")
    torch_zip(b"0987654321", tmp_path / "b.pt")
    assert content_sha256(tmp_path / "a.pt") == content_sha256(tmp_path / "b.pt")


def test_a_file_that_is_no_zip_has_no_content_digest(tmp_path):
    (tmp_path / "model.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + WEIGHTS)
    (tmp_path / "fake.keras").write_bytes(b"PK\x03\x04 but not a zip")
    assert content_sha256(tmp_path / "model.h5") is None
    assert content_sha256(tmp_path / "fake.keras") is None


def _build(workspace, keras: bytes) -> None:
    """What one Jenkins build leaves before `store`: train, both gates passed, a signature."""
    ws = Workspace(workspace)
    train = ws.stage_dir("train")
    result = StageResult(stage="train")
    for name, data in {"model.keras": keras, "tokenizer.json": b'{"vocab": {"a": 1}}', "labels.json": b'["0", "1"]'
                       }.items():
        (train / name).write_bytes(data)
        result.artifacts.append(ws.artifact(train / name))
    ws.write_result(result.finish())
    write_gate(workspace, "gate-security", "passed")
    write_model_gate(workspace)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLSECOPS_SIGNING_KEY", raising=False)
    write_config(tmp_path, {"project": {"name": "spam-filter", "version": "1.0"}})
    return tmp_path


def test_a_retried_build_of_the_same_model_stores_as_unchanged(project, capsys):
    workspace = project / ".mlsecops"
    _build(workspace, FIRST)
    assert run_cli(capsys, "sign")[0] == 0
    assert run_cli(capsys, "store")[0] == 0
    release = workspace / "store/spam-filter/1.0"
    manifest = (release / "manifest.json").read_bytes()
    entry = next(f for f in json.loads(manifest)["files"] if f["path"] == "model.keras")
    assert entry["content_sha256"] == content_sha256(release / "model.keras")

    _build(workspace, RETRIED)  # the retry saves the model again: other bytes, same model
    assert run_cli(capsys, "sign")[0] == 0
    code, out, err = run_cli(capsys, "store")
    assert code == 0, err
    assert "already released, unchanged" in out
    assert result_json(workspace, "store")["details"]["unchanged"] is True
    assert (release / "manifest.json").read_bytes() == manifest
    assert (release / "model.keras").read_bytes() == FIRST  # the release keeps the bytes its signature covers
    assert run_cli(capsys, "verify", str(release))[0] == 0


def test_a_retried_build_with_other_weights_is_still_refused(project, capsys):
    workspace = project / ".mlsecops"
    _build(workspace, FIRST)
    assert run_cli(capsys, "sign")[0] == 0
    assert run_cli(capsys, "store")[0] == 0
    _build(workspace, keras_archive("2026-12-04@09:00:00", 1, (2026, 12, 4, 9, 0, 0), weights=WEIGHTS[::-1]))
    assert run_cli(capsys, "sign")[0] == 0
    code, _, err = run_cli(capsys, "store")
    assert code == 2 and "release already exists with different model files (model.keras)" in err
