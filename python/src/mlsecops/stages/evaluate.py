"""Stage 6, evaluate: metrics of the trained model on exactly the held-out rows `train` recorded.

Loads only safe forms: `model.keras` with safe_mode=True and `tokenizer.json` (never the
pickle), each checked against the sha256 `train` recorded. A metric under its threshold, or a
regression against the baseline beyond the tolerance, is a `metric` finding and fails the
stage with exit 1. The baseline is `evaluate.baseline` (a previous result or release manifest)
or, unset, the project's last release in the configured store.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import GateFailed, UsageError
from ..findings import Finding, Location, Severity, make_finding
from ..hashing import file_sha256
from ..ml.metrics import METRIC_NAMES
from ..ml.versions import tool_versions
from ..redact import scrub_url
from ..workspace import StageResult
from .base import StageContext, run_stage
from .train import read_dataset, require_passed

STAGE = "evaluate"
TOOL = "mlsecops-evaluate"
MODEL_LOCATION = "train/model.keras"


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _evaluate, ctx)


def _check_thresholds_config(thresholds: dict[str, float]) -> None:
    if not thresholds:
        raise UsageError("evaluate.thresholds is empty: set at least one metric threshold (nothing to judge fails)")
    for name in thresholds:
        if name not in METRIC_NAMES:
            raise UsageError(f"evaluate.thresholds.{name}: unknown metric (known: {', '.join(METRIC_NAMES)})")


def _train_file(ctx: StageContext, recorded: dict[str, str], name: str) -> Path:
    """A file `train` wrote, unchanged since (it may have travelled by stash between agents)."""
    path = ctx.workspace.root / "train" / name
    if name not in recorded or not path.is_file():
        raise UsageError(f"{path}: missing; run `mlsecops train` first or unstash the train folder")
    if file_sha256(path) != recorded[name]:
        raise UsageError(f"{path}: sha256 differs from the one train recorded: the file was changed")
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable JSON ({exc.__class__.__name__})") from None


def _predict(ctx: StageContext, recorded: dict[str, str]) -> tuple[list[str], list[int], Any, int]:
    """Labels, true class indices and predicted probabilities of the held-out rows, and their count."""
    from ..ml.model import load_model_safely, set_threads
    from ..ml.tokenizer import TokenizerFormatError, WordTokenizer

    labels = _read_json(_train_file(ctx, recorded, "labels.json"))
    split = _read_json(_train_file(ctx, recorded, "split.json"))
    tokenizer_path = _train_file(ctx, recorded, "tokenizer.json")
    try:
        tokenizer = WordTokenizer.from_json(tokenizer_path.read_text(encoding="utf-8"))
    except TokenizerFormatError as exc:
        raise UsageError(f"{tokenizer_path}: {exc}") from None
    model_path = _train_file(ctx, recorded, "model.keras")

    dataset = read_dataset(ctx, STAGE)
    shown = dataset.shown
    recorded_dataset = split.get("dataset") if isinstance(split, dict) else None
    if not isinstance(recorded_dataset, dict) or recorded_dataset.get("sha256") != dataset.sha256:
        raise UsageError(f"{shown}: not the dataset train split (sha256 differs from train/split.json)")
    held_out = dataset.data.select(list(split.get("test_rows") or []))
    if not len(held_out):
        raise UsageError("train/split.json: no held-out rows to evaluate on")
    label_index = {label: index for index, label in enumerate(labels)}
    unknown = sorted(set(held_out.labels) - set(label_index))
    if unknown:
        raise UsageError(f"{shown}: held-out label '{unknown[0]}' is not among the trained labels")

    set_threads(ctx.config.train.threads)
    model = load_model_safely(model_path, str(model_path))
    probabilities = model.predict(tokenizer.encode(held_out.texts), verbose=0, batch_size=512)
    if probabilities.shape[1] != len(labels):
        raise UsageError(f"{model_path}: {probabilities.shape[1]} outputs for {len(labels)} labels in labels.json")
    return labels, [label_index[label] for label in held_out.labels], probabilities, len(held_out)


def _metric_finding(rule: str, metric: str, title: str, message: str, properties: dict[str, Any]) -> Finding:
    return make_finding(
        rule=rule,
        title=title,
        severity=Severity.HIGH,
        category="metric",
        tool=TOOL,
        location=Location(path=MODEL_LOCATION, artifact="model.keras"),
        message=message,
        identity=metric,
        properties={"metric": metric, **properties},
    )


def _below(value: float, bound: float) -> bool:
    return math.isnan(value) or value < bound  # an undefined metric never passes


def threshold_findings(metrics: dict[str, float], thresholds: dict[str, float]) -> list[Finding]:
    findings = []
    for name, threshold in thresholds.items():
        value = metrics[name]
        if _below(value, threshold):
            findings.append(_metric_finding(
                "metric/below-threshold", name, f"{name} under its threshold",
                f"{name} {value:.4f} is under its threshold {threshold}",
                {"value": value, "threshold": threshold},
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
    metrics: dict[str, float], baseline: dict[str, float], tolerance: float
) -> tuple[list[Finding], dict[str, float]]:
    findings, deltas = [], {}
    for name, previous in baseline.items():
        deltas[name] = round(metrics[name] - previous, 4)
        if _below(metrics[name], previous - tolerance):
            findings.append(_metric_finding(
                "metric/regression", name, f"{name} regressed against the baseline",
                f"{name} {metrics[name]:.4f} regressed from {previous:.4f} (tolerance {tolerance})",
                {"value": metrics[name], "baseline": previous, "tolerance": tolerance},
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


def _evaluate(ctx: StageContext, result: StageResult) -> None:
    import numpy as np

    from ..ml.metrics import classification_metrics, confusion, per_class_report

    settings = ctx.config.evaluate
    _check_thresholds_config(settings.thresholds)
    baseline = _baseline(ctx)
    train = ctx.workspace.read_result("train")
    require_passed(ctx, "train", needed_by=STAGE)
    recorded = {Path(artifact.path).name: artifact.sha256 for artifact in train.artifacts}

    labels, y_true, probabilities, rows = _predict(ctx, recorded)
    y_pred = np.asarray(probabilities).argmax(axis=1)
    metrics = {name: round(value, 4) for name, value in classification_metrics(y_true, probabilities).items()}
    result.metrics = metrics
    result.tools = tool_versions()
    result.details = {
        "test_rows": rows,
        "labels": labels,
        "confusion_matrix": confusion(y_true, y_pred, labels),
        "per_class": per_class_report(y_true, y_pred, labels),
        "thresholds": dict(settings.thresholds),
        "baseline": None,
    }
    result.findings = threshold_findings(metrics, settings.thresholds)
    if baseline is None:
        result.warnings.append("no baseline: no earlier release of this project to compare with")
    else:
        source, previous = baseline
        regressions, deltas = regression_findings(metrics, previous, settings.regression_tolerance)
        result.findings += regressions
        result.details["baseline"] = {
            "source": source, "metrics": previous, "deltas": deltas, "tolerance": settings.regression_tolerance,
        }
    ctx.echo("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()) + f" on {rows} rows")
    if result.findings:
        raise GateFailed("evaluate: " + "; ".join(finding.message for finding in result.findings))
