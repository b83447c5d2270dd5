"""Reading a labelled text dataset (CSV) and splitting it reproducibly.

Rows are identified by their position among the file's data rows (0 = first row after the
header), so the held-out split recorded by `train` names exactly the rows `evaluate` uses.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..hashing import file_sha256


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


def read_labelled_csv(path: Path, text_column: str, label_column: str, shown_as: str | None = None) -> LabelledTexts:
    """The rows with a non-empty text and label; a missing file or column is a `UsageError` naming it."""
    shown = shown_as or str(path)
    if not path.is_file():
        raise UsageError(f"{shown}: dataset file not found")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for column, key in ((text_column, "train.text_column"), (label_column, "train.label_column")):
                if column not in columns:
                    raise UsageError(
                        f"{shown}: no column '{column}' ({key}); columns: {', '.join(columns) or '(none)'}"
                    )
            data = LabelledTexts([], [], [])
            for row_number, row in enumerate(reader):
                text, label = (row.get(text_column) or "").strip(), (row.get(label_column) or "").strip()
                if text and label:
                    data.rows.append(row_number)
                    data.texts.append(text)
                    data.labels.append(label)
    except UnicodeDecodeError:
        raise UsageError(f"{shown}: not UTF-8 text") from None
    except csv.Error as exc:
        raise UsageError(f"{shown}: malformed CSV ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    return data


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


def verify_digest(path: Path, expected: str, shown: str) -> None:
    """The file is still what an earlier stage recorded (e.g. after a stash/unstash between agents)."""
    if expected and file_sha256(path) != expected:
        raise UsageError(f"{shown}: sha256 differs from the one recorded by an earlier stage: the file was changed")


def stratified_split(labels: list[str], test_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Positions (into `labels`) of the training and held-out parts, stratified by label and seeded."""
    from sklearn.model_selection import train_test_split

    positions = list(range(len(labels)))
    train, test = train_test_split(positions, test_size=test_size, random_state=seed, stratify=labels)
    return sorted(train), sorted(test)
