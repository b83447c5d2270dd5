"""Reading a labelled text dataset (CSV, TSV, JSON Lines, Parquet) and splitting it reproducibly.

Rows are identified by their position among the file's data rows (0 = first row after the
header), so the held-out split recorded by `train` names exactly the rows `evaluate` uses.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256


@dataclass
class LabelledTexts:
    rows: list[int]  # position of each example among the file's data rows
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    def select(self, rows: list[int]) -> LabelledTexts:
        position = {row: index for index, row in enumerate(self.rows)}
        missing = [row for row in rows if row not in position]
        if missing:
            raise UsageError(f"the dataset has no usable row {missing[0]} (recorded in the split): was it changed?")
        picked = [position[row] for row in rows]
        return LabelledTexts(rows, [self.texts[i] for i in picked], [self.labels[i] for i in picked])


TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def _csv_records(path: Path, delimiter: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.DictReader(handle, delimiter=delimiter)
    columns = list(reader.fieldnames or [])

    def records() -> Iterator[dict[str, Any]]:
        with handle:
            yield from reader

    return columns, records()


def _jsonl_records(path: Path, shown: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise UsageError(f"{shown}:{number}: not a JSON object")
        records.append(record)
    return (list(records[0]) if records else []), iter(records)


def _parquet_records(path: Path, wanted: list[str], shown: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        columns = list(pq.read_schema(path).names)
        if not set(wanted) <= set(columns):
            return columns, iter(())
        table = pq.read_table(path, columns=wanted)
    except (ValueError, TypeError) as exc:  # pyarrow's ArrowInvalid/ArrowTypeError: a damaged or foreign file
        raise UsageError(f"{shown}: unreadable Parquet ({exc.__class__.__name__})") from None
    return columns, iter(table.to_pylist())


def _records(path: Path, kind: str, wanted: list[str], shown: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    if kind in ("csv", "tsv"):
        return _csv_records(path, "," if kind == "csv" else "\t")
    if kind == "jsonl":
        return _jsonl_records(path, shown)
    return _parquet_records(path, wanted, shown)


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_labelled_texts(path: Path, text_column: str, label_column: str, shown_as: str | None = None) -> LabelledTexts:
    """The rows with a non-empty text and label of a CSV, TSV, JSON Lines or Parquet file.

    A missing file, unknown format, unreadable content or missing column is a `UsageError` naming it.
    """
    shown = shown_as or str(path)
    if not path.is_file():
        raise UsageError(f"{shown}: dataset file not found")
    kind = TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"{shown}: unsupported dataset format '{path.suffix}' (supported: {', '.join(TABLE_FORMATS)})")
    data = LabelledTexts([], [], [])
    with read_errors(shown, kind):
        columns, records = _records(path, kind, [text_column, label_column], shown)
        for column, key in ((text_column, "train.text_column"), (label_column, "train.label_column")):
            if column not in columns:
                raise UsageError(f"{shown}: no column '{column}' ({key}); columns: {', '.join(columns) or '(none)'}")
        for row_number, record in enumerate(records):
            text, label = _cell(record.get(text_column)), _cell(record.get(label_column))
            if text and label:
                data.rows.append(row_number)
                data.texts.append(text)
                data.labels.append(label)
    return data


@contextmanager
def read_errors(shown: str, kind: str) -> Iterator[None]:
    """A dataset that cannot be read as its format is bad input: one line naming it (exit 2)."""
    try:
        yield
    except UnicodeDecodeError:
        raise UsageError(f"{shown}: not UTF-8 text") from None
    except csv.Error as exc:
        raise UsageError(f"{shown}: malformed {kind.upper()} ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read ({exc.strerror or exc.__class__.__name__})") from None


def check_trainable(data: LabelledTexts, folds: int, test_size: float, shown: str) -> None:
    """Enough rows per class for a stratified held-out split and `folds` folds, else a `UsageError`."""
    counts = Counter(data.labels)
    if len(counts) < 2:
        raise UsageError(f"{shown}: needs at least two labels to train a classifier, found {len(counts)}")
    # every label must survive the held-out split with at least one row per fold
    needed = max(2, math.ceil(folds / (1 - test_size)) + 1)
    scarce = sorted(label for label, count in counts.items() if count < needed)
    if scarce:
        raise UsageError(
            f"{shown}: label '{scarce[0]}' has {counts[scarce[0]]} rows; a stratified split with "
            f"{folds} folds and test_size {test_size} needs at least {needed} per label"
        )


def verify_digest(path: Path, expected: str, shown: str) -> str:
    """The file's sha256, refused when it is not what an earlier stage recorded (e.g. after a stash/unstash)."""
    actual = file_sha256(path)
    if expected and actual != expected:
        raise UsageError(f"{shown}: sha256 differs from the one recorded by an earlier stage: the file was changed")
    return actual


def stratified_split(labels: list[str], test_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Positions (into `labels`) of the training and held-out parts, stratified by label and seeded."""
    from sklearn.model_selection import train_test_split

    positions = list(range(len(labels)))
    train, test = train_test_split(positions, test_size=test_size, random_state=seed, stratify=labels)
    return sorted(train), sorted(test)
