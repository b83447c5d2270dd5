"""Reading the training table: CSV, TSV, JSON Lines and Parquet give the same rows, bad input one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mlsecops.errors import UsageError
from mlsecops.ml.dataset import (
    LabelledTexts,
    check_trainable,
    read_labelled_texts,
    stratified_split,
)

ROWS = [
    {"text": "where is my parcel", "label": "shipping"},
    {"text": "", "label": "billing"},  # no text: skipped, but it keeps its row number
    {"text": "refund my order, please", "label": "refund"},
    {"text": "charged twice", "label": None},
    {"text": "Ticket with \"quotes\"\nand a newline", "label": "billing"},
]
EXPECTED = LabelledTexts(
    rows=[0, 2, 4],
    texts=["where is my parcel", "refund my order, please", "Ticket with \"quotes\"\nand a newline"],
    labels=["shipping", "refund", "billing"],
)


def write(path: Path, rows: list[dict]) -> Path:
    if path.suffix in (".csv", ".tsv"):
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "label"], delimiter="\t" if path.suffix == ".tsv" else ",")
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_every_format_yields_the_rows_with_text_and_label_numbered_by_position(tmp_path, suffix):
    data = read_labelled_texts(write(tmp_path / f"t{suffix}", ROWS), "text", "label")
    assert data == EXPECTED


def test_numeric_labels_are_read_as_their_text(tmp_path):
    path = write(tmp_path / "t.parquet", [{"text": "a", "label": 3}, {"text": "b", "label": 7}])
    assert read_labelled_texts(path, "text", "label").labels == ["3", "7"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_missing_column_names_the_file_the_column_the_setting_and_the_columns_there_are(tmp_path, suffix):
    path = write(tmp_path / f"t{suffix}", ROWS)
    with pytest.raises(UsageError) as error:
        read_labelled_texts(path, "body", "label", shown_as="file://data/t")
    assert str(error.value) == "file://data/t: no column 'body' (train.text_column); columns: text, label"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.xlsx", b"PK\x03\x04", "unsupported dataset format '.xlsx'"),
        ("t.csv", b"text,label\n\xff\xfe,billing\n", "not UTF-8 text"),
        ("t.jsonl", b'{"text": "a", "label": "b"}\n[1, 2]\n', "t.jsonl:2: not a JSON object"),
        ("t.parquet", b"PAR1 but not really", "unreadable Parquet"),
    ],
)
def test_unreadable_input_is_one_usage_error_naming_the_file(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(UsageError, match=message.replace(".", r"\.").replace("(", r"\(")):
        read_labelled_texts(tmp_path / name, "text", "label")


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="dataset file not found"):
        read_labelled_texts(tmp_path / "nope.csv", "text", "label")


def test_select_picks_rows_by_file_position_and_refuses_a_row_that_is_gone():
    assert EXPECTED.select([4, 0]).texts == [EXPECTED.texts[2], EXPECTED.texts[0]]
    with pytest.raises(UsageError, match="no usable row 1"):
        EXPECTED.select([1])


def test_training_needs_two_labels_and_enough_rows_of_each_for_the_split_and_folds():
    one_label = LabelledTexts(list(range(10)), ["t"] * 10, ["a"] * 10)
    with pytest.raises(UsageError, match="at least two labels"):
        check_trainable(one_label, folds=3, test_size=0.2, shown="d")
    scarce = LabelledTexts(list(range(24)), ["t"] * 24, ["a"] * 20 + ["b"] * 4)
    with pytest.raises(UsageError, match="label 'b' has 4 rows.*needs at least 5 per label"):
        check_trainable(scarce, folds=3, test_size=0.2, shown="d")
    check_trainable(LabelledTexts(list(range(25)), ["t"] * 25, ["a"] * 20 + ["b"] * 5), folds=3, test_size=0.2,
                    shown="d")


def test_the_held_out_split_is_seeded_and_stratified():
    labels = ["a"] * 80 + ["b"] * 20
    train, test = stratified_split(labels, test_size=0.2, seed=1)
    assert (train, test) == stratified_split(labels, test_size=0.2, seed=1)
    assert test != stratified_split(labels, test_size=0.2, seed=2)[1]
    assert sorted(train + test) == list(range(100))
    assert sum(labels[i] == "b" for i in test) == 4
