"""Stages 9 and 10 for any model: the files train recorded or `sign.paths` name, only as the model gate judged them."""

from __future__ import annotations

import json
import os

import pytest
from mlsecops.workspace import StageResult, Workspace
from stores_support import (
    result_json,
    run_cli,
    write_config,
    write_gate,
    write_model_gate,
)

SKLEARN_FILES = {
    "train/model/model.skops": b"PK\x03\x04 stand-in for a skops archive " + os.urandom(32),
    "train/model/feature_names.json": b'["mean radius", "mean texture"]',
}


def write_train(workspace, files: dict[str, bytes], kind: str = "sklearn", extra: dict[str, bytes] | None = None):
    """A train result as every kind writes it: `details.model_files` plus each file in `artifacts`."""
    ws = Workspace(workspace)
    result = StageResult(stage="train", details={"kind": kind, "model_files": sorted(files)})
    for rel, data in {**files, **(extra or {})}.items():
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        result.artifacts.append(ws.artifact(path))
    ws.write_result(result.finish())


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLSECOPS_SIGNING_KEY", raising=False)
    write_config(tmp_path, {"project": {"name": "tabular", "version": "0.1"}})
    return tmp_path


def passed_gates(workspace) -> None:
    write_gate(workspace, "gate-security", "passed")
    write_model_gate(workspace)


def test_the_model_files_train_recorded_are_signed_stored_and_verified_in_their_own_layout(project, capsys):
    workspace = project / ".mlsecops"
    # a file train wrote but did not name as a model file (its predictions) is not released
    write_train(workspace, SKLEARN_FILES, extra={"train/predictions.csv": b"row,label\n1,0\n"})
    passed_gates(workspace)
    code, _, err = run_cli(capsys, "sign")
    assert code == 0, err
    sign = result_json(workspace, "sign")
    assert sign["details"]["files"] == ["feature_names.json", "model.skops"]
    assert "sklearn" in sign["details"]["model_files_from"]
    assert run_cli(capsys, "store")[0] == 0
    release = workspace / "store/tabular/0.1"
    manifest = json.loads((release / "manifest.json").read_text())
    assert sorted(f["path"] for f in manifest["files"] if f["signed"]) == ["feature_names.json", "model.skops"]
    code, _, err = run_cli(capsys, "verify", str(release))
    assert code == 0, err


def test_nested_model_folders_keep_their_paths_in_the_signature_and_the_release(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, {
        "train/model/model.safetensors": os.urandom(64),
        "train/model/tokenizer/vocab.json": b'{"a": 1}',
        "train/model/config.json": b'{"hidden": 8}',
    }, kind="command")
    passed_gates(workspace)
    assert run_cli(capsys, "sign")[0] == 0
    assert result_json(workspace, "sign")["details"]["files"] == [
        "config.json", "model.safetensors", "tokenizer/vocab.json"]
    assert run_cli(capsys, "store")[0] == 0
    release = workspace / "store/tabular/0.1"
    assert (release / "tokenizer/vocab.json").read_bytes() == b'{"a": 1}'
    (release / "tokenizer/vocab.json").write_bytes(b'{"a": 2}')
    code, out, _ = run_cli(capsys, "verify", str(release))
    assert code == 1 and "changed: tokenizer/vocab.json" in out


def test_sign_paths_globs_name_the_release_relative_to_the_project(project, capsys):
    (project / "app/prompts").mkdir(parents=True)
    (project / "app/prompts/system.txt").write_text("You answer questions about invoices.")
    (project / "app/prompts/refusal.txt").write_text("I cannot help with that.")
    (project / "app/config.yaml").write_text("model: gpt-4o-mini\n")
    (project / "app/notes.md").write_text("not part of the release")
    write_config(project, {"project": {"name": "tabular", "version": "0.1"},
                           "sign": {"paths": ["app/prompts/*.txt", "app/config.yaml"]}})
    workspace = project / ".mlsecops"
    write_train(workspace, {}, kind="none")
    passed_gates(workspace)
    code, _, err = run_cli(capsys, "sign")
    assert code == 0, err
    assert result_json(workspace, "sign")["details"]["files"] == [
        "config.yaml", "prompts/refusal.txt", "prompts/system.txt"]
    assert result_json(workspace, "sign")["details"]["model_files_from"] == "sign.paths"


def test_a_recursive_glob_never_signs_the_local_key_the_signed_copy_or_the_store(project, capsys):
    write_config(project, {"project": {"name": "tabular", "version": "0.1"}, "sign": {"paths": [".mlsecops/**"]}})
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    passed_gates(workspace)
    assert run_cli(capsys, "sign")[0] == 0
    assert (workspace / "sign/local-key/private-key.pem").is_file()
    assert run_cli(capsys, "sign")[0] == 0  # the second time the key, the bundle and sign/model exist
    assert result_json(workspace, "sign")["details"]["files"] == ["feature_names.json", "model.skops"]


@pytest.mark.parametrize(
    "paths,code,words",
    [
        (["models/*.onnx"], 1, "sign.paths[0] 'models/*.onnx' matches no file"),
        (["../outside.bin"], 2, "without '..'"),
        (["/etc/hostname"], 2, "relative to the project folder"),
    ],
)
def test_a_sign_paths_glob_that_names_nothing_or_escapes_the_project_is_refused(project, capsys, paths, code, words):
    write_config(project, {"project": {"name": "tabular", "version": "0.1"}, "sign": {"paths": paths}})
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    write_gate(workspace, "gate-security", "passed")
    write_gate(workspace, "gate-model", "passed")
    got, _, err = run_cli(capsys, "sign")
    assert got == code and words in err and len(err.strip().splitlines()) == 1
    assert not (workspace / "sign/model.sig").exists()


def test_a_symbolic_link_in_the_release_is_refused(project, capsys):
    (project / "models").mkdir()
    (project / "models/model.bin").symlink_to("/etc/hostname")
    write_config(project, {"project": {"name": "tabular", "version": "0.1"}, "sign": {"paths": ["models/*"]}})
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    passed_gates(workspace)
    code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "symbolic link" in err


def test_a_model_file_that_would_shadow_the_release_signature_is_refused(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, {"train/out/model.sig": b"weights", "train/out/model.bin": b"more"}, kind="command")
    passed_gates(workspace)
    code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "reserved" in err and "train/out/model.sig" in err


def test_nothing_to_sign_is_refused(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, {}, kind="none")
    passed_gates(workspace)
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and "no model file to sign" in err


def test_without_model_files_recorded_train_keras_text_outputs_are_signed(project, capsys):
    from stores_support import passed_pipeline

    passed_pipeline(project / ".mlsecops")  # a train result.json without details.model_files
    assert run_cli(capsys, "sign")[0] == 0
    assert result_json(project / ".mlsecops", "sign")["details"]["model_files_from"] == "train's keras-text outputs"


# ------------------------------------------------------------------ fail closed on order


def test_a_model_gate_that_recorded_no_model_digests_does_not_let_sign_run(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    write_gate(workspace, "gate-security", "passed")
    write_gate(workspace, "gate-model", "passed")  # no `details.model`: which model did it judge?
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and "model gate recorded no model digests" in err
    assert not (workspace / "sign/model.sig").exists()


def test_a_model_retrained_after_the_gate_judged_it_is_not_signed(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    passed_gates(workspace)
    # train runs again (new digests recorded) but evaluate, modeltest and the gate do not
    write_train(workspace, {**SKLEARN_FILES, "train/model/model.skops": b"PK\x03\x04 another model"})
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and "model gate judged other model files (model.skops)" in err
    assert not (workspace / "sign/model.sig").exists()


def test_the_model_gate_records_the_digests_of_the_files_it_judged(project, capsys):
    import hashlib

    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    run_cli(capsys, "gate", "--stage", "model")  # nothing to judge: it fails, yet records what it judged
    gate = result_json(workspace, "gate-model")
    assert gate["details"]["model"]["files"] == {
        rel.rsplit("/", 1)[1]: hashlib.sha256(data).hexdigest() for rel, data in SKLEARN_FILES.items()}


def test_a_model_gate_without_a_model_records_why(project, capsys):
    run_cli(capsys, "gate", "--stage", "model")
    model = result_json(project / ".mlsecops", "gate-model")["details"]["model"]
    assert model["files"] == {} and "train output missing" in model["problem"]


def test_a_signed_model_is_not_stored_once_the_model_gate_judged_another(project, capsys):
    workspace = project / ".mlsecops"
    write_train(workspace, SKLEARN_FILES)
    passed_gates(workspace)
    assert run_cli(capsys, "sign")[0] == 0
    # train and the gate run again on a new model, but sign does not: the signed model is the old one
    write_train(workspace, {**SKLEARN_FILES, "train/model/model.skops": b"PK\x03\x04 another model"})
    write_model_gate(workspace)
    code, _, err = run_cli(capsys, "store")
    assert code == 1 and "refusing to store: the model gate judged other model files (model.skops)" in err
    assert not (workspace / "store/tabular").exists()
