"""The evaluate stage: metrics on exactly the held-out rows and their deltas against the last release,
judged by the model gate with the policy (evaluate itself never fails on a metric)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import yaml
from mlsecops import demo
from train_support import one_line_error, trained_demo

pytestmark = pytest.mark.timeout(600)

METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc", "balanced_accuracy", "log_loss")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def evaluated(trained, tmp_path_factory):
    checkout = trained.copy_to(tmp_path_factory.mktemp("evaluated") / "checkout")
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    return checkout


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_evaluate_reports_every_metric_on_the_held_out_rows(evaluated):
    result = evaluated.result("evaluate")
    assert result["status"] == "passed" and result["findings"] == []
    assert set(result["metrics"]) == set(METRICS)
    assert all(0.0 <= value <= 1.0 for name, value in result["metrics"].items() if name != "log_loss")
    assert 0 < result["metrics"]["log_loss"] < 0.5
    assert result["metrics"]["accuracy"] >= 0.9
    split = json.loads((evaluated.workspace / "train/split.json").read_text())
    assert result["details"]["test_rows"] == len(split["test_rows"])
    assert set(result["tools"]) >= {"numpy"}
    assert not {"keras", "torch"} & set(result["tools"]), "evaluate judges predictions: no framework is loaded"


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_confusion_matrix_is_labelled_and_counts_every_held_out_row(evaluated):
    details = evaluated.result("evaluate")["details"]
    labels = json.loads((evaluated.workspace / "train/labels.json").read_text())
    matrix = details["confusion_matrix"]
    assert matrix["labels"] == labels
    assert len(matrix["matrix"]) == len(labels) and all(len(row) == len(labels) for row in matrix["matrix"])
    assert sum(map(sum, matrix["matrix"])) == details["test_rows"]
    correct = sum(matrix["matrix"][i][i] for i in range(len(labels)))
    assert correct / details["test_rows"] == pytest.approx(evaluated.result("evaluate")["metrics"]["accuracy"],
                                                           abs=1e-4)
    assert set(details["per_class"]) == set(labels)
    assert sum(entry["support"] for entry in details["per_class"].values()) == details["test_rows"]


def gate_model(checkout) -> object:
    """`gate --stage model` on what evaluate recorded, beside a model test that found nothing."""
    from mlsecops.workspace import StageResult, Workspace

    workspace = Workspace(checkout.workspace)
    if not workspace.has_result("modeltest"):
        workspace.write_result(StageResult(stage="modeltest", scanners=[{"scanner": "models", "status": "ran"}]))
    return checkout.stage("gate", "--stage", "model")


def test_a_metric_under_its_threshold_is_recorded_and_fails_the_model_gate_naming_metric_value_and_bound(
        trained, tmp_path):
    checkout = trained.copy_to(tmp_path / "c")
    checkout.edit_config(evaluate={"thresholds": {"accuracy": 0.999, "roc_auc": 0.5}})
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, "evaluate measures and records; the model gate judges"
    result = checkout.result("evaluate")
    assert result["status"] == "passed" and set(result["metrics"]) == set(METRICS) and result["findings"] == []
    assert result["details"]["thresholds"] == {"accuracy": 0.999, "roc_auc": 0.5}, "the bounds the gate applies"
    gated = gate_model(checkout)
    assert gated.exit_code == 1
    line = one_line_error(gated)
    assert f"accuracy {result['metrics']['accuracy']:.4f} < 0.999" in line and "roc_auc" not in line
    checks = {check["rule"]: check for check in checkout.result("gate-model")["details"]["checks"]}
    assert not checks["metric:accuracy"]["passed"] and checks["metric:roc_auc"]["passed"]
    assert "metric:f1_macro" not in checks, "the project's thresholds replace the default policy's bounds"


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_a_regression_against_the_baseline_beyond_the_policys_tolerance_fails_the_model_gate(evaluated, tmp_path):
    checkout = evaluated.copy_to(tmp_path / "c")
    current = checkout.result("evaluate")["metrics"]
    manifest = checkout.project / "release-manifest.json"
    better = {**current, "f1_macro": min(1.0, current["f1_macro"] + 0.035)}
    manifest.write_text(json.dumps({"project": "support-intents", "version": "0.9.0", "metrics": better}))
    checkout.edit_config(evaluate={"baseline": "release-manifest.json"})
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    result = checkout.result("evaluate")
    assert result["findings"] == []
    expected = current["f1_macro"] - better["f1_macro"]
    assert expected < -0.02
    assert result["details"]["baseline"]["deltas"]["f1_macro"] == pytest.approx(expected, abs=1e-4)
    assert result["details"]["baseline"]["metrics"] == better
    gated = gate_model(checkout)
    assert gated.exit_code == 1
    line = one_line_error(gated)
    assert "f1_macro" in line and "regressed" in line and "tolerance 0.02" in line

    policy = checkout.project / "policy.yaml"
    policy.write_text("gates:\n  model:\n    regression_tolerance: 0.05\n")
    config = yaml.safe_load(checkout.config.read_text())
    checkout.config.write_text(yaml.safe_dump({**config, "policy": "policy.yaml"}, sort_keys=False))
    assert gate_model(checkout).exit_code == 0, "the tolerance is the policy's"


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_old_tolerance_key_is_still_read_with_a_one_line_warning(evaluated, tmp_path):
    checkout = evaluated.copy_to(tmp_path / "c")
    manifest = checkout.project / "release-manifest.json"
    better = {**checkout.result("evaluate")["metrics"]}
    better["accuracy"] = better["accuracy"] + 0.01
    manifest.write_text(json.dumps({"metrics": better}))
    checkout.edit_config(evaluate={"baseline": "release-manifest.json", "regression_tolerance": 0.005})
    assert checkout.stage("evaluate").exit_code == 0
    gated = gate_model(checkout)
    assert gated.exit_code == 1 and "accuracy" in one_line_error(gated) and "tolerance 0.005" in gated.stderr
    warning = "evaluate.regression_tolerance is read as the policy's gates.model.regression_tolerance"
    assert sum(warning in line for line in gated.output.splitlines()) == 1
    assert any(warning in w for w in checkout.result("gate-model")["warnings"])


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_a_previous_result_as_baseline_within_tolerance_passes(evaluated, tmp_path):
    checkout = evaluated.copy_to(tmp_path / "c")
    previous = checkout.project / "previous-evaluate.json"
    previous.write_text((checkout.workspace / "evaluate/result.json").read_text())
    checkout.edit_config(evaluate={"baseline": f"file://{previous}"})
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    assert set(checkout.result("evaluate")["details"]["baseline"]["deltas"].values()) == {0.0}
    gated = gate_model(checkout)
    assert gated.exit_code == 0, gated.output[-2000:]
    rules = [check["rule"] for check in checkout.result("gate-model")["details"]["checks"]]
    assert set(METRICS) == {rule.removeprefix("regression:") for rule in rules if rule.startswith("regression:")}


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_last_release_in_the_store_is_the_default_baseline(evaluated, tmp_path):
    from mlsecops.stores import open_store
    from mlsecops.stores.release import publish_release

    checkout = evaluated.copy_to(tmp_path / "c")
    current = checkout.result("evaluate")["metrics"]
    assert checkout.result("evaluate")["details"]["baseline"] is None, "no release yet: nothing to compare"
    assert any("no baseline" in warning for warning in checkout.result("evaluate")["warnings"])
    released = {**current, "accuracy": min(1.0, current["accuracy"] + 0.03)}
    with open_store(f"file://{checkout.workspace / 'store'}") as store:
        publish_release(
            store, "support-intents/0.9.0", {"model.keras": checkout.workspace / "train/model.keras"}, {"model.keras"},
            {"project": "support-intents", "version": "0.9.0", "created": "2026-01-01T00:00:00+00:00",
             "metrics": released},
            echo=lambda line: None,
        )
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    baseline = checkout.result("evaluate")["details"]["baseline"]
    assert baseline["source"].endswith("/support-intents/0.9.0") and baseline["metrics"] == released
    gated = gate_model(checkout)
    assert gated.exit_code == 1 and "accuracy" in one_line_error(gated) and "regressed" in gated.stderr

    checkout.edit_config(evaluate={"baseline_from_store": False})
    assert checkout.stage("evaluate").exit_code == 0
    assert checkout.result("evaluate")["details"]["baseline"] is None
    assert gate_model(checkout).exit_code == 0


@pytest.mark.parametrize(
    ("evaluate", "message"),
    [
        ({"thresholds": {}}, "evaluate.thresholds is empty"),
        ({"thresholds": {"acuracy": 0.9}}, "evaluate.thresholds.acuracy: unknown metric"),
        ({"baseline": "missing.json"}, "missing.json: evaluate.baseline not found"),
        ({"baseline": "s3://bucket/manifest.json"}, "'s3://' is not supported yet"),
    ],
)
@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_bad_evaluate_settings_are_exit_2_in_one_line(trained, tmp_path, evaluate, message):
    checkout = trained.copy_to(tmp_path / "c")
    checkout.edit_config(evaluate=evaluate)
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 2
    assert message in one_line_error(outcome)


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
@pytest.mark.parametrize("changed", ["predictions.csv", "split.json"])
def test_a_train_output_changed_after_train_is_refused_before_anything_is_loaded(trained, tmp_path, changed):
    checkout = trained.copy_to(tmp_path / "c")
    with open(checkout.workspace / "train" / changed, "ab") as handle:
        handle.write(b" ")
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 2
    assert f"train/{changed}: sha256 differs" in one_line_error(outcome)


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_evaluate_without_train_is_exit_2_saying_to_run_train(trained, tmp_path):
    checkout = trained.copy_to(tmp_path / "c")
    (checkout.workspace / "train/result.json").unlink()
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 2 and "mlsecops train" in one_line_error(outcome)


@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_evaluate_never_unpickles_the_compatibility_tokenizer(trained, tmp_path):
    checkout = trained.copy_to(tmp_path / "c")
    marker = tmp_path / "unpickled"
    # a pickle that creates `marker` when loaded (GLOBAL os.system, REDUCE): proof of any unpickling
    command = f"touch {marker}"
    trap = b"cos\nsystem\n(V" + command.encode() + b"\ntR."
    (checkout.workspace / "train/tokenizer.pickle").write_bytes(trap)
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    assert not marker.exists()


@pytest.mark.e2e  # the demo app as its own process: Keras and torch imported afresh, ten seconds of CPU
@pytest.mark.xdist_group("trained-default")  # one worker trains the demo; the other never waits for it
def test_the_demo_bot_answers_with_the_response_of_the_predicted_intent(trained):
    completed = subprocess.run(
        [sys.executable, str(trained.project / "app/bot.py"), str(trained.workspace / "train"),
         "I forgot my password and the reset link does not work"],
        capture_output=True, text=True, timeout=300, check=False,
        env={"KERAS_BACKEND": "torch", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == demo.responses()["password_reset"]


def test_metrics_match_their_definitions_on_a_small_hand_checked_case():
    from mlsecops.ml.metrics import classification_metrics, confusion

    y_true = [0, 0, 1, 1, 2, 2]
    probabilities = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8],
                     [0.1, 0.2, 0.7]]
    metrics = classification_metrics(y_true, probabilities)
    assert metrics["accuracy"] == pytest.approx(5 / 6)
    # class 0: P=1 R=.5; class 1: P=2/3 R=1; class 2: P=1 R=1
    assert metrics["precision_macro"] == pytest.approx((1 + 2 / 3 + 1) / 3)
    assert metrics["recall_macro"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert metrics["roc_auc"] == pytest.approx(1.0)
    assert confusion(y_true, [0, 1, 1, 1, 2, 2], ["a", "b", "c"]) == {
        "labels": ["a", "b", "c"], "matrix": [[1, 1, 0], [0, 2, 0], [0, 0, 2]],
    }


def test_an_undefined_metric_is_recorded_as_such_and_never_passes_a_bound():
    from mlsecops.ml.metrics import classification_metrics, worse

    metrics = classification_metrics([1, 1], [[0.2, 0.8], [0.4, 0.6]])  # one class: ROC-AUC is undefined
    assert metrics["accuracy"] == 1.0 and math.isnan(metrics["roc_auc"])
    assert worse("roc_auc", metrics["roc_auc"], 0.5) and worse("log_loss", math.nan, 10.0)
    assert not worse("accuracy", metrics["accuracy"], 0.9)


def test_deltas_are_now_minus_then_for_the_metrics_both_hold():
    from mlsecops.stages.evaluate import comparable, deltas

    baseline = comparable({"accuracy": 0.95, "f1_macro": 0.95, "r2": True, "cv_accuracy_mean": 0.9, "note": "x"})
    assert baseline == {"accuracy": 0.95, "f1_macro": 0.95}
    assert deltas({"accuracy": 0.931, "f1_macro": 0.99, "roc_auc": 0.97}, baseline) == {
        "accuracy": -0.019, "f1_macro": 0.04}


def test_a_model_with_a_lambda_layer_is_refused_by_safe_mode(tmp_path):
    # evaluate loads no model; the demo bot (modeltest) does, and only in Keras safe mode
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    from mlsecops.errors import UsageError
    from mlsecops.ml.model import load_model_safely

    model_path = tmp_path / "model.keras"
    inputs = keras.Input(shape=(24,), dtype="int32")
    outputs = keras.layers.Lambda(lambda x: keras.ops.one_hot(x[:, 0] % 7, 7))(inputs)
    keras.Model(inputs, outputs).save(model_path)
    with pytest.raises(UsageError, match="cannot load the model safely.*`Lambda` layer"):
        load_model_safely(model_path, str(model_path))
