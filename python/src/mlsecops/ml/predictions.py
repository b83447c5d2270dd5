"""The held-out predictions file every train kind writes and `evaluate` reads: `train/predictions.csv`.

Columns (a team's own program writes the same):
- `row` (optional): the row's position in the dataset, as in `split.json`;
- `label`: the true label (classification) or value (regression);
- `prediction`: the predicted label or value (classification: optional when probabilities are given);
- `proba_<label>` (classification, optional): the predicted probability of each label.

Reading checks what evaluation relies on and raises `PredictionsError` naming the file and
the row, column or label; callers decide the exit code (a team's program that wrote it: 1;
a file changed or mismatched later: 2). Only the standard library and numpy.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREDICTIONS_FILE = "predictions.csv"
PROBA_PREFIX = "proba_"
MAX_CLASSES_BY_VALUE = 20  # integral labels with at most this many values are classes, not a quantity


class PredictionsError(ValueError):
    """A predictions file that cannot be evaluated as it is."""


@dataclass
class Predictions:
    task: str  # classification | regression
    rows: list[int | None]
    y_true: list[str]
    y_pred: list[str]
    labels: list[str] = field(default_factory=list)  # classification: the class order of `probabilities`
    probabilities: Any = None  # numpy (n, len(labels)); None when only hard predictions were given

    def __len__(self) -> int:
        return len(self.y_true)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _label_text(value: Any) -> str:
    """A label as text; a float label that is a whole number is written as that integer."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_predictions(
    path: Path, rows: list[int] | None, y_true: list[Any], y_pred: list[Any],
    labels: list[str] | None = None, probabilities: Any = None,
) -> None:
    """Write the file in the layout above; probabilities (classification) are rounded to 6 digits."""
    columns = (["row"] if rows is not None else []) + ["label", "prediction"]
    if probabilities is not None:
        columns += [f"{PROBA_PREFIX}{label}" for label in labels or []]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for index, (truth, predicted) in enumerate(zip(y_true, y_pred, strict=True)):
            line: list[Any] = [rows[index]] if rows is not None else []
            line += [_label_text(truth), _label_text(predicted) if labels is not None else repr(float(predicted))]
            if probabilities is not None:
                line += [f"{float(p):.6f}" for p in probabilities[index]]
            writer.writerow(line)


def infer_task(labels: list[str], columns: list[str]) -> str:
    """classification when probabilities are given, a label is not a number, or the labels are few integers."""
    if any(name.startswith(PROBA_PREFIX) for name in columns):
        return "classification"
    numbers = [_number(label) for label in labels]
    if any(number is None for number in numbers):
        return "classification"
    integral = all(float(number).is_integer() for number in numbers if number is not None)
    return "classification" if integral and len(set(labels)) <= MAX_CLASSES_BY_VALUE else "regression"


def read_predictions(path: Path, shown: str, task: str = "auto", labels: list[str] | None = None) -> Predictions:
    """The predictions file, checked: columns present, values parse, labels known, probabilities valid."""
    import numpy as np

    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or [])
            records = list(reader)
    except FileNotFoundError:
        raise PredictionsError(f"{shown}: predictions file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PredictionsError(f"{shown}: unreadable predictions CSV ({exc.__class__.__name__})") from None
    if "label" not in columns:
        raise PredictionsError(f"{shown}: no 'label' column (the true label of each held-out row); "
                               f"columns: {', '.join(columns) or '(none)'}")
    if not records:
        raise PredictionsError(f"{shown}: no predictions")
    proba_columns = [name for name in columns if name.startswith(PROBA_PREFIX)]
    if "prediction" not in columns and not proba_columns:
        raise PredictionsError(f"{shown}: needs a 'prediction' column or '{PROBA_PREFIX}<label>' columns")
    y_true = [(record.get("label") or "").strip() for record in records]
    if task == "auto":
        task = infer_task(y_true, columns)
    rows: list[int | None] = []
    for number, record in enumerate(records, start=2):
        text = (record.get("row") or "").strip()
        if not text:
            rows.append(None)
        elif text.isdigit():
            rows.append(int(text))
        else:
            raise PredictionsError(f"{shown}:{number}: 'row' must be a row number")
        if not y_true[number - 2]:
            raise PredictionsError(f"{shown}:{number}: empty 'label'")
    if task == "regression":
        return _regression(shown, records, rows, y_true)
    return _classification(shown, records, rows, y_true, proba_columns, labels, np)


def _regression(shown: str, records: list[dict[str, str]], rows: list[int | None], y_true: list[str]) -> Predictions:
    if not records or "prediction" not in records[0]:
        raise PredictionsError(f"{shown}: a regression needs a 'prediction' column")
    y_pred = []
    for number, (record, truth) in enumerate(zip(records, y_true, strict=True), start=2):
        predicted = (record.get("prediction") or "").strip()
        for column, text in (("label", truth), ("prediction", predicted)):
            if _number(text) is None:
                raise PredictionsError(f"{shown}:{number}: '{column}' is not a finite number (regression)")
        y_pred.append(predicted)
    return Predictions("regression", rows, y_true, y_pred)


def _classification(
    shown: str, records: list[dict[str, str]], rows: list[int | None], y_true: list[str],
    proba_columns: list[str], labels: list[str] | None, np: Any,
) -> Predictions:
    given = [name[len(PROBA_PREFIX):] for name in proba_columns]
    if labels is None:
        labels = given or sorted({*y_true, *((r.get("prediction") or "").strip() for r in records)} - {""})
    known = set(labels)
    if given and set(given) != known:
        extra = sorted(set(given) ^ known)[0]
        raise PredictionsError(f"{shown}: probability columns do not match the model's labels (label '{extra}')")
    probabilities = None
    if given:
        probabilities = np.zeros((len(records), len(labels)), dtype=np.float64)
        order = {label: index for index, label in enumerate(labels)}
        for number, record in enumerate(records, start=2):
            for column, label in zip(proba_columns, given, strict=True):
                value = _number((record.get(column) or "").strip())
                if value is None or not 0 <= value <= 1:
                    raise PredictionsError(f"{shown}:{number}: '{column}' is not a probability in [0, 1]")
                probabilities[number - 2, order[label]] = value
        sums = probabilities.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1) > 0.01)
        if len(bad):
            raise PredictionsError(f"{shown}:{int(bad[0]) + 2}: probabilities sum to {sums[bad[0]]:.3f}, not 1")
    y_pred = []
    for number, record in enumerate(records, start=2):
        predicted = (record.get("prediction") or "").strip()
        if not predicted and probabilities is not None:
            predicted = labels[int(probabilities[number - 2].argmax())]
        for column, value in (("label", y_true[number - 2]), ("prediction", predicted)):
            if value not in known:
                raise PredictionsError(f"{shown}:{number}: {column} '{value}' is not one of the model's labels "
                                       f"({', '.join(labels[:10])})")
        y_pred.append(predicted)
    return Predictions("classification", rows, y_true, y_pred, list(labels), probabilities)


def _same_value(truth: str, given: str, task: str) -> bool:
    if task == "regression":
        try:
            return math.isclose(float(truth), float(given), rel_tol=1e-9, abs_tol=1e-9)
        except ValueError:
            return False
    return truth == given


def check_against_split(predictions: Predictions, rows: list[int], truth: list[str], shown: str) -> None:
    """Predictions of exactly the held-out rows (in any order when they name them), with the dataset's labels."""
    if len(predictions) != len(rows):
        raise PredictionsError(f"{shown}: {len(predictions)} predictions for {len(rows)} held-out rows "
                               "(train/split.json)")
    expected = dict(zip(rows, truth, strict=True))
    given_rows = predictions.rows if all(row is not None for row in predictions.rows) else rows
    if len(set(given_rows)) != len(given_rows):
        raise PredictionsError(f"{shown}: a held-out row is predicted twice")
    for number, (row, label) in enumerate(zip(given_rows, predictions.y_true, strict=True), start=2):
        if row not in expected:
            raise PredictionsError(f"{shown}:{number}: row {row} is not a held-out row of train/split.json")
        if not _same_value(expected[row], label, predictions.task):
            raise PredictionsError(f"{shown}:{number}: the label of row {row} differs from the dataset's "
                                   "(predictions of other rows, or of another label column?)")
