"""Stage 6, evaluate: metrics of the model from the held-out predictions `train` wrote, for every kind.

Reads `train/predictions.csv` (checked against the sha256 train recorded) and, when train
split a dataset, the true labels of exactly the held-out rows of `split.json` from that
dataset: predictions of another length, other rows or other labels are refused (exit 2).
No model is loaded and no ML framework imported: as its own process (as Jenkins runs it) the
stage takes about a second. Classification: accuracy, macro precision/recall/F1, ROC-AUC,
balanced accuracy, log-loss, confusion matrix and a per-class report; regression: MAE, RMSE,
R². A metric beyond its threshold, or a regression against the baseline beyond the
tolerance, is a `metric` finding and fails the stage with exit 1. The baseline is
`evaluate.baseline` (a previous result or release manifest) or, unset, the project's last
release in the configured store. A project without a model (`train.kind: none`) has
nothing to evaluate: the stage passes and says so, and the model gate judges its tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import GateFailed, UsageError
from ..findings import Finding, Location, Severity, make_finding
from ..hashing import file_sha256
from ..ml.metrics import CLASSIFICATION_METRICS, LOWER_IS_BETTER, METRIC_NAMES, REGRESSION_METRICS
from ..ml.versions import tool_versions
from ..redact import scrub_url
from ..workspace import StageResult
from .base import StageContext, run_stage
from .train import require_passed

STAGE = "evaluate"
TOOL = "mlsecops-evaluate"
MODEL_LOCATION = "train/model.keras"
TASK_METRICS = {"classification": CLASSIFICATION_METRICS, "regression": REGRESSION_METRICS}


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _evaluate, ctx)


def _check_thresholds_config(thresholds: dict[str, float], task: str = "classification") -> None:
    key = "evaluate.thresholds" if task == "classification" else "evaluate.regression_thresholds"
    known = TASK_METRICS.get(task, METRIC_NAMES)
    if not thresholds:
        raise UsageError(f"{key} is empty: set at least one metric threshold (nothing to judge fails)")
    for name in thresholds:
        if name not in known:
            raise UsageError(f"{key}.{name}: unknown metric for {task} (known: {', '.join(known)})")


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
    from ..ml.dataset import verify_digest
    from ..ml.table import cell, read_table
    from ..ml.trainers.common import find_dataset

    if not ctx.workspace.has_result("load"):
        raise UsageError(f"{STAGE}: the load stage has not run in workspace {ctx.workspace.root} (the held-out "
                         "labels come from its dataset): run `mlsecops load` first or unstash its folder")
    artifact, shown = find_dataset(ctx.config, ctx.loaded_artifacts())
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
    from ..ml.predictions import PredictionsError, check_against_split, read_predictions

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


def _metric_finding(
    rule: str, metric: str, title: str, message: str, properties: dict[str, Any], model: str = MODEL_LOCATION
) -> Finding:
    return make_finding(
        rule=rule,
        title=title,
        severity=Severity.HIGH,
        category="metric",
        tool=TOOL,
        location=Location(path=model, artifact=Path(model).name),
        message=message,
        identity=metric,
        properties={"metric": metric, **properties},
    )


def _worse(name: str, value: float, bound: float) -> bool:
    """Beyond the bound in the bad direction; an undefined metric never passes."""
    if math.isnan(value):
        return True
    return value > bound if name in LOWER_IS_BETTER else value < bound


def _below(value: float, bound: float) -> bool:
    return _worse("", value, bound)


def threshold_findings(
    metrics: dict[str, float], thresholds: dict[str, float], model: str = MODEL_LOCATION
) -> list[Finding]:
    findings = []
    for name, threshold in thresholds.items():
        value = metrics.get(name, math.nan)
        if _worse(name, value, threshold):
            side = "over" if name in LOWER_IS_BETTER else "under"
            findings.append(_metric_finding(
                "metric/below-threshold", name, f"{name} {side} its threshold",
                f"{name} {value:.4f} is {side} its threshold {threshold}",
                {"value": value, "threshold": threshold}, model,
            ))
    return findings


def _baseline_path(ctx: StageContext, value: str) -> Path:
    if "://" in value and not value.startswith("file://"):
        raise UsageError(f"evaluate.baseline: '{value.split('://')[0]}://' is not supported yet; give a file path")
    return ctx.config.resolve_path(value.removeprefix("file://"))


def read_baseline(path: Path) -> dict[str, float]:
    """The metrics of a previous `evaluate/result.json` or release manifest (its `metrics` mapping)."""
    if not path.is_file():
        raise UsageError(f"{path}: evaluate.baseline not found")
    return comparable_metrics(_read_json(path), str(path))


def comparable_metrics(data: Any, shown: str) -> dict[str, float]:
    metrics = data.get("metrics") if isinstance(data, dict) else None
    comparable = {
        name: float(value) for name, value in (metrics if isinstance(metrics, dict) else {}).items()
        if name in METRIC_NAMES and isinstance(value, int | float) and not isinstance(value, bool)
    }
    if not comparable:
        raise UsageError(f"{shown}: the baseline holds no metrics to compare ({', '.join(METRIC_NAMES)})")
    return comparable


def last_release_metrics(ctx: StageContext) -> tuple[str, dict[str, float]] | None:
    """The metrics of the project's last release in the configured store, or None before the first release."""
    from ..stores import open_store
    from ..stores.release import list_releases
    from .store import store_connections, store_url

    url = store_url(ctx.config, ctx.workspace)
    with open_store(url, store_connections(ctx.config)) as store:
        releases = list_releases(store, ctx.config.project.name)
    if not releases:
        return None
    last = releases[-1]
    where = f"{scrub_url(url)}/{ctx.config.project.name}/{last.get('version', '?')}"
    return where, comparable_metrics(last, where)


def regression_findings(
    metrics: dict[str, float], baseline: dict[str, float], tolerance: float, model: str = MODEL_LOCATION
) -> tuple[list[Finding], dict[str, float]]:
    findings, deltas = [], {}
    for name, previous in baseline.items():
        if name not in metrics:  # the baseline was another task (or an older mlsecops): nothing to compare
            continue
        deltas[name] = round(metrics[name] - previous, 4)
        allowed = previous + tolerance if name in LOWER_IS_BETTER else previous - tolerance
        if _worse(name, metrics[name], allowed):
            findings.append(_metric_finding(
                "metric/regression", name, f"{name} regressed against the baseline",
                f"{name} {metrics[name]:.4f} regressed from {previous:.4f} (tolerance {tolerance})",
                {"value": metrics[name], "baseline": previous, "tolerance": tolerance}, model,
            ))
    return findings, deltas


def _baseline(ctx: StageContext) -> tuple[str, dict[str, float]] | None:
    settings = ctx.config.evaluate
    if settings.baseline:
        path = _baseline_path(ctx, settings.baseline)
        return scrub_url(settings.baseline), read_baseline(path)
    if settings.baseline_from_store:
        return last_release_metrics(ctx)
    return None


def _metrics(predictions: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """The task's metrics, and the details a report shows beside them."""
    import numpy as np

    from ..ml.metrics import classification_metrics, confusion, per_class_report, regression_metrics

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


def _not_applicable(ctx: StageContext, result: StageResult, kind: str) -> None:
    result.details = {"kind": kind, "task": "none", "applicable": False, "baseline": None,
                      "thresholds": {}}
    result.tools = tool_versions(("numpy",))
    ctx.echo(f"evaluate: nothing to evaluate (train.kind {kind}: no model of our own); "
             "the model gate judges the application's tests")


def _evaluate(ctx: StageContext, result: StageResult) -> None:
    settings = ctx.config.evaluate
    train = ctx.workspace.read_result("train")
    require_passed(ctx, "train", needed_by=STAGE)
    kind = str(train.details.get("kind") or "keras-text")
    task = str(train.details.get("task") or "classification")
    if task == "none":
        _not_applicable(ctx, result, kind)
        return
    thresholds = settings.regression_thresholds if task == "regression" else settings.thresholds
    _check_thresholds_config(thresholds, task)
    baseline = _baseline(ctx)
    predictions = _predictions(ctx, train)
    model_files = train.details.get("model_files") or [MODEL_LOCATION]
    model = str(model_files[0])

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
    result.findings = threshold_findings(metrics, thresholds, model)
    if baseline is None:
        result.warnings.append("no baseline: no earlier release of this project to compare with")
    else:
        source, previous = baseline
        regressions, deltas = regression_findings(metrics, previous, settings.regression_tolerance, model)
        result.findings += regressions
        result.details["baseline"] = {
            "source": source, "metrics": previous, "deltas": deltas, "tolerance": settings.regression_tolerance,
        }
    ctx.echo("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()) + f" on {rows} rows")
    if result.findings:
        raise GateFailed("evaluate: " + "; ".join(finding.message for finding in result.findings))
