"""evaluate from a predictions file: scikit-learn's metric definitions without importing it, the file's checks,
a policy that chooses its own metric bounds, and evaluate as its own fast process."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256
from mlsecops.ml.metrics import classification_metrics, regression_metrics
from mlsecops.ml.predictions import (
    PredictionsError,
    check_against_split,
    read_predictions,
    write_predictions,
)
from mlsecops.policy import evaluate_gate, load_policy
from mlsecops.workspace import StageResult
from train_support import one_line_error, trained_variant

pytestmark = pytest.mark.timeout(600)


@pytest.mark.parametrize("classes", [2, 4])
def test_classification_metrics_are_scikit_learns(classes):
    from sklearn import metrics

    rng = np.random.default_rng(classes)
    y_true = rng.integers(0, classes, 300)
    scores = rng.random((300, classes)) + np.eye(classes)[y_true] * 0.6
    scores[:20] = np.round(scores[:20], 1)  # ties: averaged ranks, as roc_auc_score does
    probabilities = scores / scores.sum(axis=1, keepdims=True)
    y_pred = probabilities.argmax(axis=1)
    ours = classification_metrics(y_true, probabilities)
    expected = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "precision_macro": metrics.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": metrics.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": metrics.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "log_loss": metrics.log_loss(y_true, probabilities),
        "roc_auc": (metrics.roc_auc_score(y_true, probabilities[:, 1]) if classes == 2 else
                    metrics.roc_auc_score(y_true, probabilities, multi_class="ovr", average="macro")),
    }
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, abs=1e-5), name  # reports round to 4 digits


def test_regression_metrics_are_scikit_learns():
    from sklearn import metrics

    rng = np.random.default_rng(3)
    y_true = rng.normal(10, 3, 200)
    y_pred = y_true + rng.normal(0, 1, 200)
    ours = regression_metrics(y_true, y_pred)
    assert ours["mae"] == pytest.approx(metrics.mean_absolute_error(y_true, y_pred))
    assert ours["rmse"] == pytest.approx(math.sqrt(metrics.mean_squared_error(y_true, y_pred)))
    assert ours["r2"] == pytest.approx(metrics.r2_score(y_true, y_pred))
    assert math.isnan(regression_metrics([2, 2, 2], [1, 2, 3])["r2"]), "undefined on a constant truth: never passes"


def test_predictions_round_trip_with_labels_and_probabilities(tmp_path: Path):
    path = tmp_path / "predictions.csv"
    write_predictions(path, [4, 9], ["cat", "dog"], ["cat", "cat"], ["cat", "dog"], np.array([[0.9, 0.1], [0.6, 0.4]]))
    predictions = read_predictions(path, "predictions.csv")
    assert predictions.task == "classification" and predictions.rows == [4, 9]
    assert predictions.labels == ["cat", "dog"] and predictions.y_pred == ["cat", "cat"]
    assert np.allclose(predictions.probabilities, [[0.9, 0.1], [0.6, 0.4]])
    regression = tmp_path / "values.csv"
    write_predictions(regression, None, [1.5, 2.25, 3.0, 7.5], [1.4, 2.0, 3.5, 7.0])
    assert read_predictions(regression, "values.csv").task == "regression"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prediction\ncat\n", "predictions.csv: no 'label' column"),
        ("label\ncat\n", "needs a 'prediction' column"),
        ("label,prediction\n", "no predictions"),
        ("label,prediction\ncat,cow\n", "predictions.csv:2: prediction 'cow' is not one of the model's labels"),
        ("label,prediction,proba_cat,proba_dog\ncat,cat,0.7,0.7\n", "predictions.csv:2: probabilities sum to 1.400"),
        ("label,prediction,proba_cat,proba_cow\ncat,cat,0.7,0.3\n", "probability columns do not match the model's"),
        ("row,label,prediction\nx,cat,cat\n", "predictions.csv:2: 'row' must be a row number"),
    ],
)
def test_a_predictions_file_that_cannot_be_evaluated_names_the_file_and_row(tmp_path: Path, text, message):
    path = tmp_path / "predictions.csv"
    path.write_text(text)
    with pytest.raises(PredictionsError, match=message.replace("(", r"\(").replace("'", "'")):
        read_predictions(path, "predictions.csv", "classification", ["cat", "dog"])


def test_predictions_must_be_of_exactly_the_held_out_rows_with_the_datasets_labels(tmp_path: Path):
    path = tmp_path / "predictions.csv"
    path.write_text("row,label,prediction\n3,cat,cat\n5,dog,cat\n")
    predictions = read_predictions(path, "p.csv", "classification", ["cat", "dog"])
    check_against_split(predictions, [5, 3], ["dog", "cat"], "p.csv")  # any order
    with pytest.raises(PredictionsError, match="2 predictions for 3 held-out rows"):
        check_against_split(predictions, [3, 5, 8], ["cat", "dog", "cat"], "p.csv")
    with pytest.raises(PredictionsError, match="row 5 is not a held-out row"):
        check_against_split(predictions, [3, 6], ["cat", "dog"], "p.csv")
    with pytest.raises(PredictionsError, match="the label of row 5 differs"):
        check_against_split(predictions, [3, 5], ["cat", "cat"], "p.csv")


def _model_gate(policy_text: str | None, tmp_path: Path, kind: str, metrics: dict) -> object:
    policy = None
    if policy_text is not None:
        policy = tmp_path / "policy.yaml"
        policy.write_text(policy_text)
    results = {
        "train": StageResult(stage="train", details={"kind": kind}),
        "evaluate": StageResult(stage="evaluate", metrics=metrics),
        "modeltest": StageResult(stage="modeltest", metrics={"attack_success_rate.LLM01": 0.0},
                                 scanners=[{"scanner": "models", "status": "ran"}]),
    }
    return evaluate_gate("model", load_policy(policy), results, date(2026, 1, 1))


def test_a_project_policy_replaces_or_removes_the_default_metric_bounds(tmp_path: Path):
    regression = {"r2": 0.93, "rmse": 40.0}
    default = _model_gate(None, tmp_path, "sklearn", regression)
    assert not default.passed and "metric accuracy was not measured" in default.reason
    replaced = _model_gate("gates:\n  model:\n    metrics: {r2: {min: 0.9}, rmse: {max: 50}}\n", tmp_path, "sklearn",
                           regression)
    assert replaced.passed, replaced.reason
    assert {check.rule for check in replaced.checks} >= {"metric:r2", "metric:rmse"}
    assert "metric:accuracy" not in {check.rule for check in replaced.checks}
    removed = _model_gate("gates:\n  model:\n    metrics: {}\n", tmp_path, "sklearn", {})
    assert removed.passed and not [c for c in removed.checks if c.rule.startswith("metric:")]


def test_a_projects_own_evaluate_thresholds_replace_the_default_bounds_and_its_policy_still_applies(
        tmp_path: Path):
    from mlsecops.config import Config
    from mlsecops.policy import config_overrides

    assert config_overrides(Config(), "classification").metrics is None, "the defaults are the policy's own"
    own = Config.model_validate({"evaluate": {"thresholds": {"accuracy": 0.7}}})
    overrides = config_overrides(own, "classification")
    assert overrides.metrics == {"accuracy": {"min": 0.7}}
    results = {
        "train": StageResult(stage="train", details={"kind": "sklearn"}),
        "evaluate": StageResult(stage="evaluate", metrics={"accuracy": 0.77, "f1_macro": 0.6}),
        "modeltest": StageResult(stage="modeltest", scanners=[{"scanner": "models", "status": "ran"}]),
    }
    # accuracy is held to 0.7 (the project's), not to the default 0.85 it never set
    assert evaluate_gate("model", load_policy(None, overrides=overrides), results, date(2026, 1, 1)).passed
    assert not evaluate_gate("model", load_policy(None), results, date(2026, 1, 1)).passed
    policy = tmp_path / "policy.yaml"
    policy.write_text("gates:\n  model:\n    metrics: {f1_macro: {min: 0.8}, accuracy: {min: 0.6}}\n")
    combined = load_policy(policy, overrides=overrides)
    assert combined.gates["model"].metrics["accuracy"].min == 0.7, "both apply: the stricter bound"
    verdict = evaluate_gate("model", combined, results, date(2026, 1, 1))
    assert not verdict.passed and "f1_macro" in verdict.reason and "accuracy" not in verdict.reason


def test_a_regression_task_is_held_to_regression_thresholds_as_maximums_where_lower_is_better():
    from mlsecops.config import Config
    from mlsecops.policy import config_overrides

    own = Config.model_validate({"evaluate": {"regression_thresholds": {"rmse": 40, "r2": 0.8}}})
    assert config_overrides(own, "regression").metrics == {"rmse": {"max": 40.0}, "r2": {"min": 0.8}}
    # `thresholds` set alone: a regression still gets regression_thresholds (default r2 >= 0.5)
    classifier = Config.model_validate({"evaluate": {"thresholds": {"accuracy": 0.7}}})
    assert config_overrides(classifier, "regression").metrics == {"r2": {"min": 0.5}}
    assert config_overrides(classifier, "none").metrics is None, "no model of its own: nothing to bound"


def test_an_endpoint_only_project_is_judged_without_metric_bounds_but_still_on_attack_success(tmp_path: Path):
    verdict = _model_gate(None, tmp_path, "none", {})
    assert verdict.passed, verdict.reason
    assert any(check.rule == "metrics" and "not applicable" in check.name for check in verdict.checks)
    results = {
        "train": StageResult(stage="train", details={"kind": "none"}),
        "evaluate": StageResult(stage="evaluate"),
        "modeltest": StageResult(stage="modeltest", metrics={"attack_success_rate.LLM01": 0.5},
                                 scanners=[{"scanner": "models", "status": "ran"}]),
    }
    attacked = evaluate_gate("model", load_policy(None), results, date(2026, 1, 1))
    assert not attacked.passed and "attack success rate LLM01" in attacked.reason


@pytest.fixture(scope="module")
def trained_tabular():
    """Trained once per test run, shared with the train specs: copied before any change."""
    return trained_variant("tabular")


def _rewrite_predictions(checkout, transform) -> None:
    path = checkout.workspace / "train/predictions.csv"
    path.write_text(transform(path.read_text()))
    result = checkout.result("train")
    for artifact in result["artifacts"]:  # an attacker (or a broken tool) that rewrites the recorded digest too
        if artifact["path"] == "train/predictions.csv":
            artifact["sha256"] = file_sha256(path)
    (checkout.workspace / "train/result.json").write_text(json.dumps(result))


@pytest.mark.parametrize(
    ("transform", "message"),
    [
        (lambda text: "\n".join(text.splitlines()[:-5]) + "\n", "train/predictions.csv: 108 predictions for 113"),
        (lambda text: text.replace(",malignant,", ",benign,", 1), "differs from the dataset's"),
        (lambda text: text.replace(",benign,", ",healthy,", 1), "'healthy' is not one of the model's labels"),
    ],
)
def test_evaluate_refuses_predictions_of_other_rows_or_labels_than_the_held_out_split(
    trained_tabular, tmp_path, transform, message
):
    checkout = trained_tabular.copy_to(tmp_path / "c")
    _rewrite_predictions(checkout, transform)
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 2
    assert message in one_line_error(outcome)


def test_evaluate_runs_as_its_own_process_in_about_a_second_without_keras_or_torch(trained_tabular, tmp_path):
    checkout = trained_tabular.copy_to(tmp_path / "c")
    command = [sys.executable, "-X", "importtime", "-m", "mlsecops", "--config", str(checkout.config),
               "--workspace", str(checkout.workspace), "evaluate"]
    started = time.monotonic()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                               cwd=checkout.root, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    seconds = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines() if "|" in line}
    assert not {"keras", "torch", "sklearn", "tensorflow"} & imported
    assert seconds < 10, f"evaluate took {seconds:.1f}s (the benchmark holds it to 2 s on a quiet machine)"


def test_a_threshold_on_a_metric_of_the_other_task_is_a_usage_error():
    from mlsecops.policy import threshold_bounds

    with pytest.raises(UsageError, match="evaluate.regression_thresholds.accuracy: unknown metric for regression"):
        threshold_bounds({"accuracy": 0.9}, "regression")
    with pytest.raises(UsageError, match="evaluate.thresholds.r2: unknown metric for classification"):
        threshold_bounds({"r2": 0.9}, "classification")
    with pytest.raises(UsageError, match="evaluate.thresholds is empty"):
        threshold_bounds({}, "classification")
