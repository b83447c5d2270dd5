"""A dataset as a table of named columns (CSV, TSV, JSON Lines, Parquet), and its reproducible split.

Rows keep their position among the file's data rows (0 = first row after the header), as in
`dataset.py`, so `split.json` names exactly the rows every stage and every kind uses. Only
the standard library here: the command kind's overhead and `evaluate` must stay small.
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.ml.dataset import TABLE_FORMATS, _records, read_errors


@dataclass
class Table:
    columns: list[str]
    rows: list[int]  # position of each kept record among the file's data rows
    records: list[dict[str, Any]]

    def column(self, name: str) -> list[Any]:
        return [record.get(name) for record in self.records]

    def select(self, rows: list[int], shown: str) -> Table:
        position = {row: index for index, row in enumerate(self.rows)}
        missing = [row for row in rows if row not in position]
        if missing:
            raise UsageError(f"{shown}: the dataset has no usable row {missing[0]} (recorded in the split)")
        return Table(self.columns, list(rows), [self.records[position[row]] for row in rows])


def cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_table(path: Path, label_column: str, shown: str, wanted: list[str] | None = None) -> Table:
    """The records with a non-empty label; a missing file, format or label column is a UsageError naming it."""
    if not path.is_file():
        raise UsageError(f"{shown}: dataset file not found")
    kind = TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"{shown}: unsupported dataset format '{path.suffix}' (supported: {', '.join(TABLE_FORMATS)})")
    table = Table([], [], [])
    with read_errors(shown, kind):
        if kind == "parquet":  # read the schema first: every column is wanted unless named
            import pyarrow.parquet as pq

            from mlsecops.ml.dataset import _parquet_records

            names = list(pq.read_schema(path).names)
            columns, records = _parquet_records(path, wanted or names, shown)
        else:
            columns, records = _records(path, kind, wanted or [], shown)
        table.columns = columns
        if label_column not in columns:
            raise UsageError(
                f"{shown}: no column '{label_column}' (train.label_column); columns: {', '.join(columns) or '(none)'}"
            )
        for row_number, record in enumerate(records):
            if cell(record.get(label_column)):
                table.rows.append(row_number)
                table.records.append(record)
    return table


def check_classes(labels: list[str], folds: int, test_size: float, shown: str, label_column: str) -> None:
    """At least two classes, each with enough rows for the held-out split and `folds` folds."""
    counts = Counter(labels)
    if len(counts) < 2:
        only = next(iter(counts), "")
        raise UsageError(
            f"{shown}: label column '{label_column}' has one class ('{only}'): a classifier needs at least two"
            if counts else f"{shown}: label column '{label_column}' is empty"
        )
    needed = max(2, math.ceil(folds / (1 - test_size)) + 1)
    scarce = sorted(label for label, count in counts.items() if count < needed)
    if scarce:
        raise UsageError(
            f"{shown}: class '{scarce[0]}' of '{label_column}' has {counts[scarce[0]]} rows; a stratified split "
            f"with {folds} folds and test_size {test_size} needs at least {needed} per class"
        )


def split_positions(labels: list[str], test_size: float, seed: int, stratify: bool) -> tuple[list[int], list[int]]:
    """Positions of the training and held-out parts: seeded, per class when `stratify` (classification)."""
    rng = random.Random(seed)
    groups: dict[str, list[int]] = defaultdict(list)
    for position, label in enumerate(labels):
        groups[label if stratify else ""].append(position)
    test: list[int] = []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        take = max(1, round(len(members) * test_size)) if len(members) > 1 else 0
        test.extend(members[:take])
    chosen = set(test)
    return [p for p in range(len(labels)) if p not in chosen], sorted(test)


def write_csv(path: Path, columns: list[str], records: list[dict[str, Any]]) -> None:
    """A CSV of `records` with a leading `row` column (their position in the dataset) when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({name: "" if record.get(name) is None else record.get(name) for name in columns})
