"""`train.kind: sklearn`: an allowlisted scikit-learn estimator behind a standard preprocessing Pipeline.

Feature columns are numeric (median-imputed, standardised), categorical (one-hot, unknown
values ignored) or text (TF-IDF, one vectorizer per column). The held-out split and the
K folds are seeded (StratifiedKFold for classification, KFold for regression); each fold
fits a fresh clone, so nothing of a validation fold leaks into its preprocessing. Estimators
that can stop early (HistGradientBoosting, SGD, MLP, GradientBoosting) do so unless
`train.sklearn.early_stopping` is off. The final pipeline, fitted on every training row, is
saved with skops (`train/model/model.skops`, loadable without arbitrary code) beside
`features.json` (the columns it expects); joblib only when asked.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.ml.metrics import classification_metrics, mean_and_std, regression_metrics
from mlsecops.ml.predictions import PREDICTIONS_FILE, write_predictions
from mlsecops.ml.table import Table, cell
from mlsecops.ml.trainers.common import SPLIT_FILE, read_dataset_table, split_dataset
from mlsecops.ml.trainers.interface import TrainJob, TrainOutput
from mlsecops.ml.versions import tool_versions

MODEL_DIR = "model"
MODEL_FILE = "model.skops"
FEATURES_FILE = "features.json"
# parameter -> value that switches early stopping on, per estimator class name prefix
EARLY_STOPPING = {
    "HistGradientBoosting": {"early_stopping": True},
    "SGD": {"early_stopping": True},
    "MLP": {"early_stopping": True},
    "GradientBoosting": {"n_iter_no_change": 5},
    "Perceptron": {"early_stopping": True},
    "PassiveAggressive": {"early_stopping": True},
}


@dataclass
class Features:
    numeric: list[str]
    categorical: list[str]
    text: list[str]

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical, *self.text]

    def to_dict(self) -> dict[str, list[str]]:
        return {"numeric": self.numeric, "categorical": self.categorical, "text": self.text}


def resolve_estimator(name: str, allowed: list[str]) -> tuple[str, type]:
    """The allowlisted class `name` names (an import path, or a class name matching one entry)."""
    candidates = [entry for entry in allowed if entry == name or entry.rsplit(".", 1)[-1] == name]
    if len(candidates) != 1:
        shown = ", ".join(entry.rsplit(".", 1)[-1] for entry in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        reason = "is ambiguous on" if candidates else "is not on"
        raise UsageError(f"train.sklearn.estimator '{name}' {reason} train.sklearn.allowed_estimators ({shown})")
    path = candidates[0]
    module_name, _, class_name = path.rpartition(".")
    try:
        estimator = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        raise UsageError(f"train.sklearn.allowed_estimators: '{path}' is not an importable class") from None
    if not isinstance(estimator, type):
        raise UsageError(f"train.sklearn.allowed_estimators: '{path}' is not a class")
    return path, estimator


def features_of(table: Table, settings: Any, label_column: str, shown: str) -> Features:
    """The configured feature columns, each present in the table; numeric ["*"]: every other column."""
    named = {
        "numeric_columns": list(settings.numeric_columns),
        "categorical_columns": list(settings.categorical_columns),
        "text_columns": list(settings.text_columns),
    }
    if named["numeric_columns"] == ["*"]:
        others = set(named["categorical_columns"]) | set(named["text_columns"]) | {label_column}
        named["numeric_columns"] = [column for column in table.columns if column not in others]
    for key, columns in named.items():
        for column in columns:
            if column not in table.columns:
                raise UsageError(f"{shown}: no column '{column}' (train.sklearn.{key}); "
                                 f"columns: {', '.join(table.columns[:20])}")
            if column == label_column:
                raise UsageError(f"train.sklearn.{key}: '{column}' is the label column (train.label_column)")
    features = Features(named["numeric_columns"], named["categorical_columns"], named["text_columns"])
    if not features.columns:
        raise UsageError("train.sklearn: no feature column: set numeric_columns, categorical_columns or text_columns")
    repeated = sorted({column for column in features.columns if features.columns.count(column) > 1})
    if repeated:
        raise UsageError(f"train.sklearn: column '{repeated[0]}' is listed as two kinds of feature")
    return features


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if not math.isinf(value) else None


def feature_matrix(table: Table, features: Features, shown: str) -> Any:
    """An object array (rows x features): numbers as floats (empty: NaN), categories and texts as strings."""
    import numpy as np

    matrix = np.empty((len(table.records), len(features.columns)), dtype=object)
    for column_index, column in enumerate(features.columns):
        numeric = column in features.numeric
        for row_index, record in enumerate(table.records):
            text = cell(record.get(column))
            if not numeric:
                matrix[row_index, column_index] = text
                continue
            value = math.nan if not text else _float(text)
            if value is None:
                raise UsageError(f"{shown}: column '{column}' (train.sklearn.numeric_columns) is not numeric: "
                                 f"data row {table.rows[row_index] + 1} holds text")
            matrix[row_index, column_index] = value
    return matrix


def build_pipeline(estimator: Any, features: Features, settings: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = features.columns
    parts: list[tuple[str, Any, Any]] = []
    if features.numeric:
        numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        parts.append(("numeric", numeric, [columns.index(c) for c in features.numeric]))
    if features.categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"),
                      [columns.index(c) for c in features.categorical]))
    for index, column in enumerate(features.text):
        parts.append((f"text_{index}", TfidfVectorizer(max_features=settings.max_text_features),
                      columns.index(column)))
    return Pipeline([("features", ColumnTransformer(parts)), ("estimator", estimator)])


def make_estimator(estimator_class: type, settings: Any, seed: int) -> tuple[Any, dict[str, Any]]:
    """The estimator with the configured parameters, the seed and (where supported) early stopping."""
    name = estimator_class.__name__
    supported = estimator_class().get_params(deep=False)
    unknown = sorted(set(settings.params) - set(supported))
    if unknown:
        raise UsageError(f"train.sklearn.params.{unknown[0]}: not a parameter of {name} "
                         f"(valid: {', '.join(sorted(supported))})")
    try:
        estimator = estimator_class(**settings.params)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"train.sklearn.params: {name} refused them ({_first_line(exc)})") from None
    # scikit-learn checks values only when fitting, where a bad one would read as bad data: check now
    validate = getattr(estimator, "_validate_params", None)
    if callable(validate):
        try:
            validate()
        except (TypeError, ValueError) as exc:
            raise _invalid_parameter(exc) or UsageError(f"train.sklearn.params: {_first_line(exc)}") from None
    extra: dict[str, Any] = {}
    if "random_state" in supported and "random_state" not in settings.params:
        extra["random_state"] = seed
    if settings.early_stopping:
        for prefix, switch in EARLY_STOPPING.items():
            if estimator_class.__name__.startswith(prefix):
                extra.update({key: value for key, value in switch.items()
                              if key in supported and key not in settings.params})
    if extra:
        estimator.set_params(**extra)
    return estimator, extra


def vocabulary_findings(pipeline: Any, features: Features, table: Table, model_file: str, shown: str) -> list[Any]:
    """A finding per secret of the training texts that a fitted TF-IDF vocabulary kept: skops stores the
    vocabulary in the model file. Checked on the fitted pipeline in memory, before anything is written."""
    from mlsecops.engines.secrets.engine import secrets_kept_in_vocabulary
    from mlsecops.scanners.secrets import vocabulary_finding

    fitted = pipeline.named_steps["features"].named_transformers_
    found: dict[str, Any] = {}
    for index, column in enumerate(features.text):
        vectorizer = fitted[f"text_{index}"]
        texts = (cell(record.get(column)) for record in table.records)
        for hit, characters in secrets_kept_in_vocabulary(texts, vectorizer.vocabulary_, vectorizer.build_analyzer()):
            finding = vocabulary_finding(hit, characters, model_file, f"{shown} column '{column}'")
            found.setdefault(finding.id, finding)  # one secret in two columns: one finding
    return list(found.values())


def class_scores(pipeline: Any, x: Any) -> Any:
    """Per-class probabilities (predict_proba), or the decision function squashed to sum to one."""
    import numpy as np

    if hasattr(pipeline, "predict_proba"):
        try:
            return np.asarray(pipeline.predict_proba(x), dtype=np.float64)
        except AttributeError:  # e.g. SGD with a hinge loss: the method exists but is not available
            pass
    decision = np.asarray(pipeline.decision_function(x), dtype=np.float64)
    if decision.ndim == 1:
        positive = 1 / (1 + np.exp(-decision))
        return np.column_stack([1 - positive, positive])
    shifted = np.exp(decision - decision.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


_PARAMETER_ERROR = re.compile(r"The '(\w+)' parameter of (\w+) must be")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0][:200]


def _invalid_parameter(exc: BaseException) -> UsageError | None:
    """scikit-learn's InvalidParameterError ("The 'n_estimators' parameter of ... must be ...") as a
    config error naming the parameter, or None for any other error."""
    match = _PARAMETER_ERROR.search(str(exc))
    if match is None:
        return None
    return UsageError(f"train.sklearn.params.{match.group(1)}: invalid value ({_first_line(exc)})")


def _fit(pipeline: Any, x: Any, y: Any, what: str) -> Any:
    try:
        return pipeline.fit(x, y)
    except (ValueError, TypeError) as exc:
        invalid = _invalid_parameter(exc)
        if invalid is not None:
            raise invalid from None
        raise UsageError(f"train.sklearn: the estimator refused the data ({what}: {exc.__class__.__name__}: "
                         f"{_first_line(exc)})") from None


def _fold_metrics(pipeline: Any, x: Any, y: Any, task: str, labels: list[str]) -> dict[str, float]:
    import numpy as np

    if task == "regression":
        values = regression_metrics(y, pipeline.predict(x))
    else:
        index = {label: position for position, label in enumerate(labels)}
        values = classification_metrics([index[label] for label in y], class_scores(pipeline, x))
    return {name: round(value, 4) for name, value in values.items() if not np.isnan(value)}


def _targets(table: Table, label_column: str, task: str, shown: str) -> list[Any]:
    values = [cell(value) for value in table.column(label_column)]
    if task == "classification":
        return values
    numbers = []
    for row, text in zip(table.rows, values, strict=True):
        number = _float(text)
        if number is None or math.isnan(number):
            raise UsageError(f"{shown}: label column '{label_column}' is not numeric (regression): data row {row + 1}")
        numbers.append(number)
    return numbers


_TORCH_SHIM = "sklearn.externals.array_api_compat.torch"


def import_skops() -> Any:
    """skops.io, without importing torch on the way.

    skops lists scikit-learn's estimators by importing every sklearn module, the array-API shim
    for torch among them, which imports torch: seconds on every train. No torch array ever
    reaches these estimators, so that one shim stands empty during the import.
    """
    import sys
    import types

    if "skops.io" in sys.modules or _TORCH_SHIM in sys.modules:
        import skops.io

        return skops.io
    sys.modules[_TORCH_SHIM] = types.ModuleType(_TORCH_SHIM)
    try:
        import skops.io
    finally:
        del sys.modules[_TORCH_SHIM]
    return skops.io


# Attributes that cache an `id()` of a parameter (scikit-learn's text vectorizers remember which
# stop-word list they validated): saved, they make two identical trainings differ byte for byte.
_IDENTITY_CACHES = ("_stop_words_id",)


def _drop_identity_caches(pipeline: Any) -> None:
    """Remove the id() caches from every fitted step: they are recomputed when needed, never read by predict."""
    seen: set[int] = set()
    pending = [pipeline]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        for name in _IDENTITY_CACHES:
            if name in getattr(item, "__dict__", {}):
                delattr(item, name)
        for value in getattr(item, "__dict__", {}).values():
            if isinstance(value, list | tuple):
                pending.extend(v for v in value if hasattr(v, "__dict__"))
                pending.extend(part for v in value if isinstance(v, tuple) for part in v if hasattr(part, "__dict__"))
            elif hasattr(value, "get_params"):
                pending.append(value)


def _save(pipeline: Any, folder: Any, save_joblib: bool) -> list[Any]:
    skops_io = import_skops()
    from mlsecops.ml.deterministic import normalise_skops_file

    model_file = folder / MODEL_FILE
    _drop_identity_caches(pipeline)
    skops_io.dump(pipeline, model_file)
    normalise_skops_file(model_file)  # object ids and member dates: the same model gives the same bytes
    files = [model_file]
    if save_joblib:
        import joblib

        joblib.dump(pipeline, folder / "model.joblib")
        files.append(folder / "model.joblib")
    return files


def train(job: TrainJob) -> TrainOutput:
    import numpy as np
    from sklearn.base import clone, is_regressor
    from sklearn.model_selection import KFold, StratifiedKFold

    config = job.config.train
    settings = config.sklearn
    path, estimator_class = resolve_estimator(settings.estimator, settings.allowed_estimators)
    estimator, extra = make_estimator(estimator_class, settings, config.seed)
    task = "regression" if is_regressor(estimator) else "classification"
    if config.task != "auto" and config.task != task:
        raise UsageError(f"train.task '{config.task}': {path.rsplit('.', 1)[-1]} is a {task} estimator")
    dataset = read_dataset_table(job)
    features = features_of(dataset.table, settings, config.label_column, dataset.shown)
    split = split_dataset(job, dataset, task, {"features": features.to_dict(), "estimator": path})
    x_train = feature_matrix(split.train, features, dataset.shown)
    x_test = feature_matrix(split.test, features, dataset.shown)
    y_train = _targets(split.train, config.label_column, task, dataset.shown)
    y_test = _targets(split.test, config.label_column, task, dataset.shown)
    labels = sorted(set(y_train) | set(y_test)) if task == "classification" else []
    job.echo(
        f"train: {len(dataset.table.records)} rows of {dataset.shown}, {len(features.columns)} features, "
        f"{path.rsplit('.', 1)[-1]} ({task}); {len(y_train)} for training ({config.folds}-fold CV), "
        f"{len(y_test)} held out"
    )

    pipeline = build_pipeline(estimator, features, settings)
    folds = (KFold if task == "regression" else StratifiedKFold)(
        n_splits=config.folds, shuffle=True, random_state=config.seed
    )
    targets = np.asarray(y_train, dtype=object if task == "classification" else np.float64)
    fold_metrics = []
    for number, (fit_rows, val_rows) in enumerate(folds.split(x_train, targets), start=1):
        fitted = _fit(clone(pipeline), x_train[fit_rows], targets[fit_rows], f"fold {number}")
        metrics = _fold_metrics(fitted, x_train[val_rows], list(targets[val_rows]), task, labels)
        fold_metrics.append(metrics)
        shown = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()
                          if name in ("accuracy", "f1_macro", "roc_auc", "r2", "rmse"))
        job.echo(f"  fold {number}/{config.folds}: {shown}")

    final = _fit(pipeline, x_train, targets, "final fit")
    model_dir = job.folder / MODEL_DIR
    model_dir.mkdir()
    model_file = os.path.relpath(model_dir / MODEL_FILE, job.workspace_root)
    kept = vocabulary_findings(final, features, split.train, model_file, dataset.shown)
    if kept:
        job.echo(f"train: {len(kept)} secret(s) of the training texts kept in the TF-IDF vocabulary: "
                 "findings for the model gate")
    if task == "classification":
        probabilities = class_scores(final, x_test)
        order = [str(label) for label in final.classes_]
        probabilities = probabilities[:, [order.index(label) for label in labels]]
        predicted = [labels[int(index)] for index in probabilities.argmax(axis=1)]
        write_predictions(job.folder / PREDICTIONS_FILE, split.test.rows, y_test, predicted, labels, probabilities)
    else:
        write_predictions(job.folder / PREDICTIONS_FILE, split.test.rows, y_test, list(final.predict(x_test)))
    (model_dir / FEATURES_FILE).write_text(json.dumps({
        "format": "mlsecops.sklearn-features", "version": 1, "task": task, "estimator": path,
        "columns": features.columns, **features.to_dict(), "labels": labels,
    }, indent=2) + "\n", encoding="utf-8")
    model_files = [*_save(final, model_dir, settings.save_joblib), model_dir / FEATURES_FILE]

    summary = mean_and_std(fold_metrics)
    headline = "f1_macro" if task == "classification" else "r2"
    job.echo(f"train: CV {headline} {summary.get(f'cv_{headline}_mean', math.nan):.4f} ± "
             f"{summary.get(f'cv_{headline}_std', math.nan):.4f}; wrote {MODEL_DIR}/{MODEL_FILE}")
    return TrainOutput(
        model_files=sorted(model_files),
        other_files=[job.folder / SPLIT_FILE],
        predictions=job.folder / PREDICTIONS_FILE,
        task=task,
        labels=labels,
        metrics=summary,
        details={
            "dataset": dataset.record(),
            "rows": len(dataset.table.records),
            "train_rows": len(y_train),
            "test_rows": len(y_test),
            "estimator": path,
            "params": {**settings.params, **extra},
            "early_stopping": sorted(key for key in extra if key != "random_state"),
            "features": features.to_dict(),
            "folds": [{"fold": number, **metrics} for number, metrics in enumerate(fold_metrics, start=1)],
        },
        tools=tool_versions(("scikit-learn", "skops", "numpy", "scipy")),
        findings=kept,
    )
