"""Classification and regression metrics: the names reports, gates and baselines share.

Plain numpy on purpose: `evaluate` runs as its own process on every Jenkins agent, and
importing scikit-learn's metrics (which pulls torch in through its array-API layer) costs
seconds. The definitions are scikit-learn's (macro averages, one-vs-rest ROC-AUC with tied
scores averaged, log-loss on renormalised probabilities); a test holds them to it.
"""

from __future__ import annotations

import math
from typing import Any

CLASSIFICATION_METRICS = (
    "accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc", "balanced_accuracy", "log_loss",
)
REGRESSION_METRICS = ("mae", "rmse", "r2")
METRIC_NAMES = (*CLASSIFICATION_METRICS, *REGRESSION_METRICS)
# a threshold on these is a maximum; on every other metric, a minimum
LOWER_IS_BETTER = frozenset({"log_loss", "mae", "rmse"})


def worse(name: str, value: float, bound: float) -> bool:
    """`value` of metric `name` lies beyond `bound` in the bad direction; an undefined (NaN) value always does."""
    if math.isnan(value):
        return True
    return value > bound if name in LOWER_IS_BETTER else value < bound


def _binary_auc(positive: Any, scores: Any) -> float:
    """ROC-AUC as the Mann-Whitney statistic, tied scores sharing their average rank."""
    import numpy as np

    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = np.asarray(scores)[order]
    ranks = np.empty(len(order), dtype=np.float64)
    start = 0
    while start < len(order):  # average rank over each run of equal scores
        end = start
        while end + 1 < len(order) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _per_class(y_true: Any, y_pred: Any, n_classes: int) -> tuple[Any, Any, Any, Any]:
    """precision, recall, F1 and support per class index (0 where undefined, as zero_division=0)."""
    import numpy as np

    matrix = confusion_counts(y_true, y_pred, n_classes)
    true_positive = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0).astype(np.float64)
    support = matrix.sum(axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, true_positive / predicted, 0.0)
        recall = np.where(support > 0, true_positive / support, 0.0)
        total = precision + recall
        f1 = np.where(total > 0, 2 * precision * recall / total, 0.0)
    return precision, recall, f1, support


def confusion_counts(y_true: Any, y_pred: Any, n_classes: int) -> Any:
    import numpy as np

    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return matrix


def classification_metrics(y_true: Any, probabilities: Any) -> dict[str, float]:
    """The metrics of CLASSIFICATION_METRICS from class indices and per-class probabilities (NaN when undefined)."""
    import numpy as np

    y_true = np.asarray(y_true, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n_classes = probabilities.shape[1]
    y_pred = probabilities.argmax(axis=1)
    precision, recall, f1, support = _per_class(y_true, y_pred, n_classes)
    present = sorted(set(y_true.tolist()))
    if len(present) < 2:
        roc_auc = math.nan  # undefined with one class: a threshold on it then fails, never passes
    else:
        # classes absent from y_true cannot be scored one-vs-rest: score the present ones on renormalised columns
        scores = probabilities[:, present]
        scores = scores / np.clip(scores.sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            roc_auc = _binary_auc(y_true == present[1], scores[:, 1])
        else:
            roc_auc = float(np.mean([_binary_auc(y_true == label, scores[:, i]) for i, label in enumerate(present)]))
    normalised = probabilities / np.clip(probabilities.sum(axis=1, keepdims=True), 1e-12, None)
    eps = np.finfo(np.float64).eps
    picked = np.clip(normalised[np.arange(len(y_true)), y_true], eps, 1 - eps)
    seen = support > 0
    return {
        "accuracy": float(np.mean(y_pred == y_true)),
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
        "roc_auc": float(roc_auc),
        "balanced_accuracy": float(recall[seen].mean()) if seen.any() else math.nan,
        "log_loss": float(-np.log(picked).mean()),
    }


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """MAE, RMSE and R² (R² is NaN when the true values are constant)."""
    import numpy as np

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    error = y_pred - y_true
    spread = float(((y_true - y_true.mean()) ** 2).sum())
    return {
        "mae": float(np.abs(error).mean()),
        "rmse": float(math.sqrt((error ** 2).mean())),
        "r2": 1 - float((error ** 2).sum()) / spread if spread > 0 else math.nan,
    }


def confusion(y_true: Any, y_pred: Any, labels: list[str]) -> dict[str, Any]:
    """{"labels": [...], "matrix": [[...]]}: rows are true labels, columns predicted ones."""
    return {"labels": list(labels), "matrix": confusion_counts(y_true, y_pred, len(labels)).tolist()}


def per_class_report(y_true: Any, y_pred: Any, labels: list[str]) -> dict[str, dict[str, float]]:
    """precision, recall, F1 and support per label."""
    precision, recall, f1, support = _per_class(y_true, y_pred, len(labels))
    return {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }


def mean_and_std(per_fold: list[dict[str, float]]) -> dict[str, float]:
    """cv_<metric>_mean and cv_<metric>_std (population std) over the folds, for every metric they hold."""
    import numpy as np

    summary: dict[str, float] = {}
    for name in per_fold[0] if per_fold else ():
        values = np.array([fold[name] for fold in per_fold], dtype=np.float64)
        summary[f"cv_{name}_mean"] = round(float(values.mean()), 4)
        summary[f"cv_{name}_std"] = round(float(values.std()), 4)
    return summary
