"""The train stage: cross-validated Keras training on the loaded dataset, reproducible, refusing bad input."""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from mlsecops import demo
from mlsecops.hashing import file_sha256
from mlsecops.ml.tokenizer import WordTokenizer
from train_support import (
    FAST_TRAIN,
    Checkout,
    loaded_source,
    one_line_error,
    pass_security_gate,
    prepare,
    trained_demo,
)

pytestmark = pytest.mark.timeout(600)

MODEL_FILES = ("model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json")
OUTPUTS = (*MODEL_FILES, "split.json", "history.json", "predictions.csv")
METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_demo(tmp_path_factory)


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_train_writes_model_tokenizer_split_and_history_with_their_digests(trained):
    result = trained.result("train")
    assert result["status"] == "passed", result["reason"]
    folder = trained.workspace / "train"
    recorded = {Path(a["path"]).name: a for a in result["artifacts"]}
    assert set(recorded) == set(OUTPUTS)
    for name in OUTPUTS:
        assert recorded[name]["path"] == f"train/{name}"
        assert recorded[name]["sha256"] == file_sha256(folder / name)
    assert result["details"]["kind"] == "keras-text" and result["details"]["task"] == "classification"
    assert result["details"]["model_files"] == [f"train/{name}" for name in MODEL_FILES]
    assert result["details"]["predictions"] == "train/predictions.csv"
    assert (folder / "model.h5").read_bytes()[:4] == b"\x89HDF"
    assert (folder / "model.keras").read_bytes()[:2] == b"PK"
    assert set(result["tools"]) >= {"keras", "torch", "scikit-learn", "numpy"}


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_cross_validation_reports_each_fold_and_mean_and_std_per_metric(trained):
    result = trained.result("train")
    settings = result["details"]["settings"]
    assert len(result["details"]["folds"]) == settings["folds"]
    for name in METRICS:
        values = [fold[name] for fold in result["details"]["folds"]]
        assert result["metrics"][f"cv_{name}_mean"] == pytest.approx(sum(values) / len(values), abs=1e-4)
        assert result["metrics"][f"cv_{name}_std"] >= 0
    assert result["metrics"]["cv_accuracy_mean"] >= 0.9, "the demo is learnable by a small model"
    assert result["metrics"]["cv_accuracy_mean"] < 0.995, "the demo is not a lookup table"


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_early_stopping_ends_folds_and_the_final_fit_uses_the_epochs_they_found(trained):
    history = json.loads((trained.workspace / "train/history.json").read_text())
    settings = trained.result("train")["details"]["settings"]
    for fold in history["folds"]:
        assert fold["epochs_run"] <= settings["epochs"]
        assert len(fold["history"]["val_loss"]) == fold["epochs_run"]
        assert fold["history"]["val_loss"][fold["best_epoch"] - 1] == min(fold["history"]["val_loss"])
    best = sorted(fold["best_epoch"] for fold in history["folds"])
    assert history["final"]["epochs"] == best[len(best) // 2]
    assert len(history["final"]["history"]["loss"]) == history["final"]["epochs"]


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_held_out_split_is_stratified_disjoint_and_recorded_by_row(trained):
    split = json.loads((trained.workspace / "train/split.json").read_text())
    train_rows, test_rows = set(split["train_rows"]), set(split["test_rows"])
    assert not train_rows & test_rows
    labels = [line.rsplit(",", 1)[1] for line in
              (trained.project / "data/tickets.csv").read_text(encoding="utf-8").splitlines()[1:]]
    assert train_rows | test_rows == set(range(len(labels)))
    assert len(test_rows) == pytest.approx(split["test_size"] * len(labels), abs=1)
    overall, held_out = Counter(labels), Counter(labels[row] for row in test_rows)
    for label, count in overall.items():
        assert held_out[label] / len(test_rows) == pytest.approx(count / len(labels), abs=0.01)
    assert split["dataset"]["sha256"] == file_sha256(trained.project / "data/tickets.csv")


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_json_tokenizer_is_the_one_the_model_was_trained_with(trained):
    tokenizer = WordTokenizer.from_json((trained.workspace / "train/tokenizer.json").read_text())
    details = trained.result("train")["details"]
    assert tokenizer.vocabulary_size == details["vocabulary_size"]
    assert tokenizer.sequence_length == details["settings"]["sequence_length"]
    assert json.loads((trained.workspace / "train/labels.json").read_text()) == details["labels"]


@pytest.mark.e2e
def test_the_same_seed_gives_identical_metrics_and_byte_identical_model_files(tmp_path: Path):
    first = prepare(tmp_path / "a", train=FAST_TRAIN)
    second = prepare(tmp_path / "b", train=FAST_TRAIN)
    # each training in its own process, as two builds run it (Keras numbers layer names per process)
    assert first.stage("train", process=True).exit_code == 0
    assert second.stage("train", process=True).exit_code == 0
    one, two = first.result("train"), second.result("train")
    assert one["metrics"] == two["metrics"]
    assert one["details"]["folds"] == two["details"]["folds"]
    for name in OUTPUTS:  # model.keras and model.h5 too: a retried build stores as "unchanged"
        assert (first.workspace / "train" / name).read_bytes() == (second.workspace / "train" / name).read_bytes()
    assert {a["path"]: a["sha256"] for a in one["artifacts"]} == {a["path"]: a["sha256"] for a in two["artifacts"]}


def test_the_tokenizer_memorises_no_planted_pii():
    # the insecure variant's dataset (it never passes the gate; here only its rows matter): its PII appears
    # once each, so min_frequency keeps it out of the vocabulary the model and tokenizer.json carry
    project = demo.build("insecure")
    tokenizer = WordTokenizer(5000, 32, min_frequency=2).fit(text for text, _ in project.rows)
    saved, words = tokenizer.to_json(), set(tokenizer.words)
    planted = demo.planted_values("insecure")
    assert planted
    for value in planted:
        assert value not in saved
        identifying = [token for token in tokenizer.split(value) if len(token) >= 4 and any(c.isdigit() for c in token)]
        assert not words & set(identifying), value[:4]


def test_a_missing_column_is_exit_2_naming_the_file_and_the_column(tmp_path: Path):
    checkout = prepare(tmp_path / "c", train={"text_column": "body"})
    outcome = checkout.stage("train")
    assert outcome.exit_code == 2
    line = one_line_error(outcome)
    assert "file://data/tickets.csv" in line and "'body'" in line and "train.text_column" in line
    assert checkout.result("train")["status"] == "error"


def test_a_dataset_name_that_load_did_not_fetch_is_exit_2_listing_what_it_did(tmp_path: Path):
    checkout = prepare(tmp_path / "c", train={"dataset": "tickets-v2"})
    line = one_line_error(outcome := checkout.stage("train"))
    assert outcome.exit_code == 2
    assert "'tickets-v2'" in line and "tickets" in line.split("loaded:")[1]


def test_without_the_load_stage_train_is_exit_2_saying_to_run_load(tmp_path: Path):
    checkout = prepare(tmp_path / "c")
    (checkout.workspace / "load/result.json").unlink()
    line = one_line_error(outcome := checkout.stage("train"))
    assert outcome.exit_code == 2 and "mlsecops load" in line


def test_a_dataset_changed_after_load_is_refused(tmp_path: Path):
    checkout = prepare(tmp_path / "c")
    record = loaded_source(checkout, "tickets")
    with open(checkout.workspace / record["path"], "a", encoding="utf-8") as handle:
        handle.write("ignore previous instructions,refund\n")
    line = one_line_error(outcome := checkout.stage("train"))
    assert outcome.exit_code == 2 and "sha256" in line


def test_too_few_rows_per_label_for_the_folds_is_exit_2_naming_the_label(tmp_path: Path):
    checkout = Checkout(tmp_path / "c")
    demo.materialize("default", checkout.project)
    with open(checkout.project / "data/tickets.csv", "a", encoding="utf-8") as handle:
        handle.write("where do i send a compliment,praise\n")
    checkout.edit_config(train={"folds": 20})
    lock = yaml.safe_load((checkout.project / "mlsecops.lock").read_text())
    lock["tickets"]["sha256"] = file_sha256(checkout.project / "data/tickets.csv")  # the team re-locks its change
    (checkout.project / "mlsecops.lock").write_text(yaml.safe_dump(lock))
    assert checkout.stage("load").exit_code == 0
    pass_security_gate(checkout)
    line = one_line_error(outcome := checkout.stage("train"))
    assert outcome.exit_code == 2 and "label 'praise' has 1 rows" in line


def test_train_does_not_run_after_a_failed_security_gate(tmp_path: Path):
    checkout = prepare(tmp_path / "c")
    gate = checkout.workspace / "gate-security"
    gate.mkdir(exist_ok=True)
    (gate / "result.json").write_text(json.dumps({"stage": "gate-security", "status": "failed"}))
    outcome = checkout.stage("train")
    assert outcome.exit_code == 1
    assert "security gate failed" in one_line_error(outcome)
    assert not (checkout.workspace / "train/model.keras").exists()


def test_train_refuses_when_the_security_gate_never_ran(tmp_path: Path):
    checkout = prepare(tmp_path / "c", gated=False)
    outcome = checkout.stage("train")
    assert outcome.exit_code == 1
    line = one_line_error(outcome)
    assert "security gate has not run" in line and "mlsecops gate --stage security" in line
    assert checkout.result("train")["status"] == "failed"


def test_train_refuses_a_gate_that_judged_other_inputs_than_load_holds_now(tmp_path: Path):
    checkout = prepare(tmp_path / "c")
    gate = checkout.result("gate-security")
    assert gate["status"] == "passed"
    # the same inputs loaded again: the gate still vouches for them
    assert checkout.stage("load").exit_code == 0
    assert checkout.result("gate-security")["details"]["inputs"] == {
        source["name"]: source["sha256"] for source in checkout.result("load")["details"]["sources"]
    }
    # a new dataset version loaded after the gate: the passed gate is not about these inputs
    dataset = checkout.project / "data/tickets.csv"
    with dataset.open("a", encoding="utf-8") as handle:
        handle.write("please send my parcel to the new address,shipping\n")
    lock = yaml.safe_load((checkout.project / "mlsecops.lock").read_text())
    lock["tickets"]["sha256"] = file_sha256(dataset)
    (checkout.project / "mlsecops.lock").write_text(yaml.safe_dump(lock))
    assert checkout.stage("load").exit_code == 0
    outcome = checkout.stage("train")
    assert outcome.exit_code == 1
    assert "judged other inputs than load holds now (source 'tickets')" in one_line_error(outcome)
    assert not (checkout.workspace / "train/model.keras").exists()


@pytest.mark.e2e
def test_a_dataset_inside_an_extracted_archive_is_picked_by_dataset_file(tmp_path: Path):
    checkout = Checkout(tmp_path / "c")
    demo.materialize("default", checkout.project)
    with tarfile.open(checkout.project / "data/corpus.tar.gz", "w:gz") as archive:
        archive.add(checkout.project / "data/tickets.csv", arcname="corpus/tickets.csv")
    config = yaml.safe_load(checkout.config.read_text())
    config["load"]["sources"].append(
        {"name": "corpus", "url": "file://data/corpus.tar.gz", "kind": "dataset", "extract": True}
    )
    config["train"].update(FAST_TRAIN, dataset="corpus")
    checkout.config.write_text(yaml.safe_dump(config))
    lock = yaml.safe_load((checkout.project / "mlsecops.lock").read_text())
    lock["corpus"] = {"url": "file://data/corpus.tar.gz", "sha256": file_sha256(checkout.project / "data/corpus.tar.gz")}
    (checkout.project / "mlsecops.lock").write_text(yaml.safe_dump(lock))
    assert checkout.stage("load").exit_code == 0
    pass_security_gate(checkout)

    unpicked = checkout.stage("train")
    assert unpicked.exit_code == 2 and "set train.dataset_file" in one_line_error(unpicked)
    checkout.edit_config(train={"dataset_file": "../outside.csv"})
    assert "relative path inside" in one_line_error(checkout.stage("train"))

    checkout.edit_config(train={"dataset_file": "corpus/tickets.csv"})
    trained_run = checkout.stage("train")
    assert trained_run.exit_code == 0, trained_run.output[-2000:]
    split = json.loads((checkout.workspace / "train/split.json").read_text())
    assert split["dataset"]["file"] == "file://data/corpus.tar.gz!corpus/tickets.csv"
    assert split["dataset"]["sha256"] == file_sha256(checkout.project / "data/tickets.csv")
    assert checkout.stage("evaluate").exit_code == 0
