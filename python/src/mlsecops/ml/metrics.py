"""Classification metrics on predicted probabilities: the names reports, gates and baselines share."""

from __future__ import annotations

import math
from typing import Any

METRIC_NAMES = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")


def classification_metrics(y_true: Any, probabilities: Any) -> dict[str, float]:
    """accuracy, macro precision/recall/F1 and one-vs-rest macro ROC-AUC (NaN when it is undefined)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    y_true = np.asarray(y_true)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    classes = list(range(probabilities.shape[1]))
    y_pred = probabilities.argmax(axis=1)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=classes, average="macro", zero_division=0
    )
    present = sorted(set(y_true.tolist()))
    if len(present) < 2:
        roc_auc = math.nan  # undefined with one class: a threshold on it then fails, never passes
    else:
        # classes absent from y_true cannot be scored one-vs-rest: score the present ones on renormalised columns
        scores = probabilities[:, present]
        scores = scores / np.clip(scores.sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            roc_auc = roc_auc_score(y_true == present[1], scores[:, 1])
        else:
            roc_auc = roc_auc_score(y_true, scores, multi_class="ovr", average="macro", labels=present)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1),
        "roc_auc": float(roc_auc),
    }


def confusion(y_true: Any, y_pred: Any, labels: list[str]) -> dict[str, Any]:
    """{"labels": [...], "matrix": [[...]]}: rows are true labels, columns predicted ones."""
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(labels))))
    return {"labels": list(labels), "matrix": matrix.tolist()}


def per_class_report(y_true: Any, y_pred: Any, labels: list[str]) -> dict[str, dict[str, float]]:
    """precision, recall, F1 and support per label."""
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(len(labels))), zero_division=0
    )
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
    """cv_<metric>_mean and cv_<metric>_std (population std) over the folds."""
    import numpy as np

    summary: dict[str, float] = {}
    for name in METRIC_NAMES:
        values = np.array([fold[name] for fold in per_fold], dtype=np.float64)
        summary[f"cv_{name}_mean"] = round(float(values.mean()), 4)
        summary[f"cv_{name}_std"] = round(float(values.std()), 4)
    return summary
