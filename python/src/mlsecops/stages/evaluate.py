"""Stage 6, evaluate: metrics of the model from the held-out predictions `train` wrote, for every kind.

Reads `train/predictions.csv` (checked against the sha256 train recorded) and, when train
split a dataset, the true labels of exactly the held-out rows of `split.json` from that
dataset: predictions of another length, other rows or other labels are refused (exit 2).
No model is loaded and no ML framework imported: as its own process (as Jenkins runs it) the
stage takes about a second. Classification: accuracy, macro precision/recall/F1, ROC-AUC,
balanced accuracy, log-loss, confusion matrix and a per-class report; regression: MAE, RMSE,
R². Beside them it records the baseline's metrics and the deltas: the baseline is
`evaluate.baseline` (see `stores/last_release.py` for what it may name) or, unset, the
project's last release in the configured store. The stage judges nothing: the model gate
holds the metrics to the policy's bounds and the deltas to its regression tolerance. A
project without a model (`train.kind: none`) has nothing to evaluate: the stage passes and
says so, and the model gate judges its tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256
from mlsecops.ml.metrics import METRIC_NAMES
from mlsecops.ml.versions import tool_versions
from mlsecops.policy import MODEL_GATE, config_overrides, load_policy
from mlsecops.redact import scrub_url
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stages.order import cleaned_inputs, require_passed
from mlsecops.stores.last_release import Release, last_release, read_baseline
from mlsecops.workspace import StageResult

STAGE = "evaluate"
TOOL = "mlsecops-evaluate"


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _evaluate, ctx)


def _train_file(ctx: StageContext, recorded: dict[str, str], relative: str) -> Path:
    """A file `train` wrote, unchanged since (it may have travelled by stash between agents)."""
    path = ctx.workspace.root / relative
    if relative not in recorded or not path.is_file():
        raise UsageError(f"{path}: missing; run `mlsecops train` first or unstash the train folder")
    if file_sha256(path) != recorded[relative]:
        raise UsageError(f"{path}: sha256 differs from the one train recorded: the file was changed")
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable JSON ({exc.__class__.__name__})") from None


def _held_out_truth(ctx: StageContext, split: dict[str, Any]) -> tuple[list[int], list[str]]:
    """The held-out rows of split.json and their true labels, read from the dataset load recorded."""
    from mlsecops.ml.dataset import verify_digest
    from mlsecops.ml.table import cell, read_table
    from mlsecops.ml.trainers.common import find_dataset

    if not ctx.workspace.has_result("load"):
        raise UsageError(f"{STAGE}: the load stage has not run in workspace {ctx.workspace.root} (the held-out "
                         "labels come from its dataset): run `mlsecops load` first or unstash its folder")
    # with redact.enabled train split the cleaned copy: its digest is the one split.json records
    artifact, shown = find_dataset(ctx.config, cleaned_inputs(ctx, ctx.loaded_artifacts(), needed_by=STAGE))
    if not artifact.path.is_file():
        raise UsageError(f"{shown}: the loaded dataset {artifact.path} is missing from the workspace")
    digest = verify_digest(artifact.path, artifact.sha256, shown)
    recorded = split.get("dataset")
    if not isinstance(recorded, dict) or recorded.get("sha256") != digest:
        raise UsageError(f"{shown}: not the dataset train split (sha256 differs from train/split.json)")
    label_column = str(split.get("label_column") or ctx.config.train.label_column)
    rows = [int(row) for row in split.get("test_rows") or []]
    if not rows:
        raise UsageError("train/split.json: no held-out rows to evaluate on")
    table = read_table(artifact.path, label_column, shown, [label_column]).select(rows, shown)
    return rows, [cell(value) for value in table.column(label_column)]


def _predictions(ctx: StageContext, train: StageResult) -> Any:
    from mlsecops.ml.predictions import PredictionsError, check_against_split, read_predictions

    recorded = {artifact.path: artifact.sha256 for artifact in train.artifacts}
    relative = str(train.details.get("predictions") or "")
    if not relative:
        raise UsageError("train/result.json records no predictions file: run `mlsecops train` again")
    path = _train_file(ctx, recorded, relative)
    task = str(train.details.get("task") or "auto")
    labels = train.details.get("labels") or None
    try:
        predictions = read_predictions(path, relative, task, labels)
    except PredictionsError as exc:
        raise UsageError(str(exc)) from None
    split_relative = "train/split.json"
    if split_relative in recorded:
        split = _read_json(_train_file(ctx, recorded, split_relative))
        rows, truth = _held_out_truth(ctx, split if isinstance(split, dict) else {})
        try:
            check_against_split(predictions, rows, truth, relative)
        except PredictionsError as exc:
            raise UsageError(str(exc)) from None
    return predictions


def _baseline_path(ctx: StageContext, value: str) -> Path:
    if "://" in value and not value.startswith("file://"):
        raise UsageError(f"evaluate.baseline: '{value.split('://')[0]}://' is not supported yet; give a file path")
    return ctx.config.resolve_path(value.removeprefix("file://"))


def _baseline(ctx: StageContext) -> Release | None:
    settings = ctx.config.evaluate
    if settings.baseline:
        release = read_baseline(_baseline_path(ctx, settings.baseline), "evaluate.baseline")
        return Release(source=scrub_url(settings.baseline), metrics=release.metrics)
    if settings.baseline_from_store:
        from mlsecops.stores.release import store_connections, store_url

        return last_release(store_url(ctx.config, ctx.workspace), store_connections(ctx.config),
                            ctx.config.project.name)
    return None


def comparable(metrics: dict[str, Any]) -> dict[str, float]:
    """The evaluation metrics of a baseline that can be compared: known names, numbers."""
    return {
        name: float(value) for name, value in metrics.items()
        if name in METRIC_NAMES and isinstance(value, int | float) and not isinstance(value, bool)
    }


def deltas(metrics: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    """Now minus then, for every metric both hold (a baseline of another task compares nothing)."""
    return {name: round(metrics[name] - previous, 4) for name, previous in baseline.items() if name in metrics}


def _metrics(predictions: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """The task's metrics, and the details a report shows beside them."""
    import numpy as np

    from mlsecops.ml.metrics import classification_metrics, confusion, per_class_report, regression_metrics

    if predictions.task == "regression":
        values = regression_metrics([float(v) for v in predictions.y_true], [float(v) for v in predictions.y_pred])
        return values, {}
    labels = predictions.labels
    index = {label: position for position, label in enumerate(labels)}
    y_true = [index[label] for label in predictions.y_true]
    y_pred = [index[label] for label in predictions.y_pred]
    probabilities = predictions.probabilities
    if probabilities is None:  # hard predictions only: ROC-AUC and log-loss of a one-hot score
        probabilities = np.eye(len(labels))[y_pred]
    values = classification_metrics(y_true, probabilities)
    return values, {
        "labels": labels,
        "confusion_matrix": confusion(y_true, y_pred, labels),
        "per_class": per_class_report(y_true, y_pred, labels),
        "probabilities": predictions.probabilities is not None,
    }


def _bounds(ctx: StageContext, task: str) -> dict[str, float]:
    """The bounds the model gate will hold the metrics to, for the reports (a bad threshold is exit 2 here)."""
    overrides = config_overrides(ctx.config, task)
    policy = load_policy(ctx.config.resolve_path(ctx.config.policy) if ctx.config.policy else None,
                         overrides=overrides)
    gate = policy.gates.get(MODEL_GATE)
    bounds = gate.metrics if gate is not None else {}
    return {name: bound.min if bound.min is not None else bound.max for name, bound in bounds.items()
            if bound.min is not None or bound.max is not None}


def _not_applicable(ctx: StageContext, result: StageResult, kind: str) -> None:
    result.details = {"kind": kind, "task": "none", "applicable": False, "baseline": None,
                      "thresholds": {}}
    result.tools = tool_versions(("numpy",))
    ctx.echo(f"evaluate: nothing to evaluate (train.kind {kind}: no model of our own); "
             "the model gate judges the application's tests")


def _evaluate(ctx: StageContext, result: StageResult) -> None:
    train = ctx.workspace.read_result("train")
    require_passed(ctx, "train", needed_by=STAGE)
    kind = str(train.details.get("kind") or "keras-text")
    task = str(train.details.get("task") or "classification")
    if task == "none":
        _not_applicable(ctx, result, kind)
        return
    thresholds = _bounds(ctx, task)
    baseline = _baseline(ctx)
    predictions = _predictions(ctx, train)

    measured, extra = _metrics(predictions)
    metrics = {name: round(value, 4) for name, value in measured.items()}
    rows = len(predictions)
    result.metrics = metrics
    result.tools = tool_versions(("numpy",))
    result.details = {
        "kind": kind,
        "task": predictions.task,
        "test_rows": rows,
        **extra,
        "thresholds": dict(thresholds),
        "baseline": None,
    }
    previous = comparable(baseline.stage(STAGE)) if baseline is not None else {}
    if baseline is None:
        result.warnings.append("no baseline: no earlier release of this project to compare with")
    elif not previous:
        result.warnings.append(f"no baseline: {baseline.source} holds no evaluation metrics to compare with")
    else:
        result.details["baseline"] = {"source": baseline.source, "metrics": previous,
                                      "deltas": deltas(metrics, previous)}
    ctx.echo("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()) + f" on {rows} rows")
    if result.details["baseline"]:
        changes = ", ".join(f"{name} {delta:+.4f}" for name, delta in result.details["baseline"]["deltas"].items())
        ctx.echo(f"evaluate: against {baseline.source}: {changes or 'no metric in common'}")
