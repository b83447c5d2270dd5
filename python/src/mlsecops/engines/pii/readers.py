"""Dataset files read record by record exactly as their reference parsers read them, in bounded memory.

What a row is (1-based, header excluded), the same for the scanner, `--spans` and `redact`:
- CSV/TSV: a record of Python's `csv.DictReader` over the file opened with `newline=""` in the
  file's dialect (delimiter from the header line, `"` quotes, doubled quotes inside quoted fields);
  a quoted field may hold newlines, blank records are not rows. Cells are read as the file's bytes
  (UTF-8 after an optional BOM; any other byte, e.g. Latin-1, kept as it is: `surrogateescape`).
- JSONL: a line (split at `\\n`) that is not blank, given to `json.loads`; the columns are the key
  paths of its leaves (`user.email`, `turns[].text`, `$` for a bare value).
- Parquet: a row as pyarrow reads it; the columns are its flat columns.
- Text: every line.

A byte range of a CSV file starts on a record boundary (see `csv_split_points`); inside a range,
blocks are cut at record boundaries by the csv module itself: each block is parsed and its last
record, which the block's end may have cut, is carried into the next block and parsed again. So a
quoted field with newlines never desynchronises the reader, whatever the split or block size.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# a block of records: 4 MB blocks cost 60 MB more per worker (a Python object per cell) and were no faster
CHUNK_SIZE = 1024 * 1024
OVERLAP = 4096  # bytes repeated between raw pieces of an over-long record, so a value across the cut is seen
MAX_RECORD = 32 * 1024 * 1024  # a longer record (or CSV field) is not parsed: scanned as raw text, reported
HEADER_LIMIT = 1024 * 1024
PARQUET_BATCH_ROWS = 65536
UNPARSED = "(unparsed)"
TEXT_COLUMN = "(text)"
ENCODING = "utf-8"
ERRORS = "surrogateescape"  # a byte that is not UTF-8 stays that byte, one code point, through csv and back
_BOM = codecs.BOM_UTF8
_DOB_COLUMN = re.compile(r"(?i)(dob|birth|born|geburt)")
_BLANK = b" \t\r"

# The reference parser's limit: a field longer than this is a record the reader rejects (csv.Error).
csv.field_size_limit(MAX_RECORD)


@dataclass
class FileFormat:
    kind: str  # csv, jsonl, parquet, text
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    data_start: int = 0  # byte offset of the first data record
    header_lines: int = 0  # physical lines the header record spans
    bom: bool = False
    line_terminator: str = "\n"  # the header's, for a copy written back (redact)
    header_cells: list[str] = field(default_factory=list)  # the header record as read, for a copy written back

    @property
    def dob_columns(self) -> frozenset[str]:
        return frozenset(c for c in self.header if is_dob_column(c))

    def column_name(self, index: int) -> str:
        return self.header[index] if index < len(self.header) else f"column_{index + 1}"


def is_dob_column(name: str) -> bool:
    return bool(_DOB_COLUMN.search(name))


def display_name(name: str) -> str:
    """A header or key read with `surrogateescape`, as text: Latin-1 bytes shown as Latin-1."""
    try:
        return name.encode(ENCODING, ERRORS).decode(ENCODING)
    except UnicodeDecodeError:
        return name.encode(ENCODING, ERRORS).decode("latin-1")


def detect_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return FileFormat("parquet")
    if suffix in (".jsonl", ".ndjson"):
        return FileFormat("jsonl")
    if suffix not in (".csv", ".tsv"):
        return FileFormat("text")
    with open(path, "rb") as handle:
        head = handle.read(HEADER_LIMIT)
        at_end = not handle.read(1)
    bom = head.startswith(_BOM)
    text = head[len(_BOM) if bom else 0 :].decode(ENCODING, ERRORS)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if suffix == ".tsv" else "," if "," in first_line else max(",;\t|", key=first_line.count)
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error:
        return FileFormat("text")
    consumed = reader.line_num
    if consumed == 0 or (not at_end and (consumed >= len(lines) or lines[consumed - 1][-1:] not in "\r\n")):
        return FileFormat("text")  # no complete header record in the first megabyte: not a table
    header_text = "".join(lines[:consumed])
    names = [display_name(name).strip() or f"column_{i + 1}" for i, name in enumerate(header)]
    terminator = "\r\n" if header_text.endswith("\r\n") else "\r" if header_text.endswith("\r") else "\n"
    return FileFormat("csv", delimiter, names, len(_BOM) * bom + len(header_text.encode(ENCODING, ERRORS)),
                      consumed, bom, terminator, header)


@dataclass
class RawPiece:
    """Bytes to scan as plain text (a record the parser rejected or one too long to parse), at
    absolute file offset `offset`; entities ending at or before `seen_until` were reported already."""

    row: int  # relative to the range, 1-based
    line: int
    data: bytes
    offset: int
    seen_until: int = -1


@dataclass
class BadRecord:
    """A JSONL line `json.loads` rejects: a row, scanned as text."""

    data: bytes


@dataclass
class Batch:
    """Consecutive records of one range: `records[i]` is row `first_row + i + 1` of the range and starts
    on its line `lines[i]`. CSV records are lists of cells, JSONL ones parsed values (or BadRecord),
    text ones lines."""

    kind: str
    first_row: int
    records: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    raw: list[RawPiece] = field(default_factory=list)
    problems: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason): reported
    rejected: tuple[int, int, str] | None = None  # (row, line, reason): the first the parser refused
    end_line: int = 0  # the range's lines consumed after this batch
    extra_rows: int = 0  # rows not in `records` (a line too long to parse, ending in this batch)

    @property
    def rows(self) -> int:
        return len(self.records) + self.extra_rows


@dataclass
class CellGroup:
    """The cells of one column in a batch: `rows[i]` is the batch record index of `texts[i]`, and
    `refs[i]` says where the cell sits in that record (field index, or JSON container and key)."""

    name: str
    rows: list[int]
    texts: list[str]
    refs: list[Any] | None = None


def read_batches(path: Path, fmt: FileFormat, start: int, end: int | None) -> Iterator[Batch]:
    """The records of [start, end) of a text-format file (`start` on a record boundary)."""
    if fmt.kind == "csv":
        yield from _csv_batches(path, fmt, start, end)
    else:
        yield from _line_batches(path, fmt.kind, start, end)


def _blocks(path: Path, start: int, end: int | None) -> Iterator[tuple[bytes, bool]]:
    """(block, is_last) of [start, end), CHUNK_SIZE bytes each."""
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = None if end is None else end - start
        block = handle.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
        while True:
            if remaining is not None:
                remaining -= len(block)
            following = b""
            if block and (remaining is None or remaining > 0):
                following = handle.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
            yield block, not following
            if not following:
                return
            block = following


def _csv_batches(path: Path, fmt: FileFormat, start: int, end: int | None) -> Iterator[Batch]:
    decoder = codecs.getincrementaldecoder(ENCODING)(ERRORS)
    carry = ""
    line = 1  # the range's line on which `carry` starts
    row = 0  # rows of the range before `carry`
    read = 0  # bytes of the range read so far
    for data, last in _blocks(path, start, end):
        read += len(data)
        text = carry + decoder.decode(data, last)
        lines = list(io.StringIO(text, newline=""))
        reader = csv.reader(lines, delimiter=fmt.delimiter)
        records: list[list[str]] = []
        ends: list[int] = []
        error = ""
        try:
            for record in reader:
                records.append(record)
                ends.append(reader.line_num)
        except csv.Error as exc:
            error = _csv_error(exc)  # the records before it are whole: the error came after them
        if not error and not last:
            if len(records) < 2:  # one record, maybe cut by the block's end: wait for more
                if len(text) <= MAX_RECORD:
                    carry = text
                    continue
                error = f"record longer than {MAX_RECORD // (1024 * 1024)} MB"
                records, ends = [], []
            else:
                records.pop()  # the block's end may have cut it: parsed again with the next block
                ends.pop()
        consumed = len(lines) if last and not error else ends[-1] if ends else 0
        batch = _csv_batch(records, ends, row, line, len(fmt.header))
        row += len(batch.records)
        line += consumed
        batch.end_line = line - 1
        carry = "".join(lines[consumed:])
        if error:
            # the reference parser stops here: the rest of the range is scanned as raw text
            batch.rejected = (row + 1, line, error)
            batch.problems.append((line, f"{error}: the rest scanned as raw text, columns unknown"))
            unparsed = len(carry.encode(ENCODING, ERRORS)) + len(decoder.getstate()[0])
            yield batch
            yield from _raw_rest(path, start + read - unparsed, end, row + 1, line)
            return
        yield batch


def _raw_rest(path: Path, offset: int, end: int | None, row: int, line: int) -> Iterator[Batch]:
    """[offset, end) as overlapping raw pieces, all counted as row `row`."""
    seen_until = -1
    with open(path, "rb") as handle:
        handle.seek(offset)
        while True:
            size = CHUNK_SIZE if end is None else min(CHUNK_SIZE, end - offset)
            data = handle.read(size) if size > 0 else b""
            if len(data) <= (OVERLAP if seen_until >= 0 else 0):
                return
            yield Batch("raw", row - 1, raw=[RawPiece(row, line, data, offset, seen_until)], end_line=line)
            seen_until = offset + len(data)
            offset += len(data) - OVERLAP
            handle.seek(offset)


def _csv_error(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return f"CSV field longer than {MAX_RECORD // (1024 * 1024)} MB"
    return f"malformed CSV ({message.split('(')[0].strip()})"


def _csv_batch(records: list[list[str]], ends: list[int], row: int, line: int, width: int) -> Batch:
    """Blank records (`[]`: an empty line) are not rows, as `csv.DictReader` reads them; a record with
    more or fewer fields than the header is a row, reported."""
    batch = Batch("csv", row)
    previous = 0
    for record, end in zip(records, ends, strict=True):
        if record:
            batch.records.append(record)
            batch.lines.append(line + previous)
            if len(record) != width:
                extra = f"; extra fields named column_{width + 1}..." if len(record) > width else ""
                batch.problems.append((line + previous, f"{len(record)} field(s), header has {width}{extra}"))
        previous = end
    return batch


def _line_batches(path: Path, kind: str, start: int, end: int | None) -> Iterator[Batch]:
    """JSONL and text: records are lines; a line longer than MAX_RECORD is scanned raw in pieces."""
    carry = b""
    line = 1
    row = 0
    offset = start  # absolute offset of `carry`
    long_line = False  # inside a line too long to parse: its pieces are raw
    seen_until = -1
    for data, last in _blocks(path, start, end):
        data = carry + data
        if long_line:
            newline = data.find(b"\n")
            if newline < 0 and not last:
                keep = data[-OVERLAP:]
                yield Batch(kind, row, raw=[RawPiece(row + 1, line, data, offset, seen_until)], end_line=line - 1)
                seen_until = offset + len(data)
                offset += len(data) - len(keep)
                carry = keep
                continue
            tail = len(data) if newline < 0 else newline + 1
            yield Batch(kind, row, raw=[RawPiece(row + 1, line, data[:tail], offset, seen_until)],
                        end_line=line, extra_rows=1)
            row += 1
            line += 1
            long_line = False
            offset += tail
            data = data[tail:]
        cut = len(data) if last else data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_RECORD:
                long_line = True
                batch = Batch(kind, row, raw=[RawPiece(row + 1, line, data, offset)], end_line=line - 1)
                batch.problems.append((line, f"longer than {MAX_RECORD // (1024 * 1024)} MB, scanned as raw text"))
                if kind == "jsonl":
                    batch.rejected = (row + 1, line, f"line longer than {MAX_RECORD // (1024 * 1024)} MB")
                yield batch
                seen_until = offset + len(data)
                carry = data[-OVERLAP:]
                offset += len(data) - len(carry)
            else:
                carry = data
            continue
        body, carry = data[:cut], data[cut:]
        batch = _jsonl_batch(body, row, line) if kind == "jsonl" else _text_batch(body, row, line)
        line += body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
        row += len(batch.records)
        batch.end_line = line - 1
        offset += cut
        yield batch


def _split_lines(body: bytes) -> list[bytes]:
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _text_batch(body: bytes, row: int, line: int) -> Batch:
    lines = _split_lines(body)
    records = [raw.decode(ENCODING, ERRORS).rstrip("\r") for raw in lines]
    return Batch("text", row, records, list(range(line, line + len(lines))))


def _jsonl_batch(body: bytes, row: int, line: int) -> Batch:
    batch = Batch("jsonl", row)
    for index, raw in enumerate(_split_lines(body)):
        if not raw.strip(_BLANK):
            continue  # a blank line is no record (what jq and pandas skip)
        try:
            record: Any = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            number = row + len(batch.records) + 1
            reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
            batch.problems.append((line + index, f"{reason}, scanned as text"))
            if batch.rejected is None:
                batch.rejected = (number, line + index, reason)
            record = BadRecord(raw)
        batch.records.append(record)
        batch.lines.append(line + index)
    return batch


def cell_groups(batch: Batch, fmt: FileFormat, *, refs: bool = False) -> Iterator[CellGroup]:
    """The batch's cells, column by column (CSV by field index, JSONL by key path)."""
    if batch.kind == "csv":
        yield from _csv_groups(batch.records, fmt)
    elif batch.kind == "jsonl":
        yield from _jsonl_groups(batch.records, refs)
    elif batch.records:
        yield CellGroup(TEXT_COLUMN, list(range(len(batch.records))), batch.records)


def record_cells(batch: Batch, fmt: FileFormat) -> Iterator[tuple[int, str, str]]:
    """(record index in the batch, column, text) of every non-empty cell, record by record."""
    for index, record in enumerate(batch.records):
        if batch.kind == "csv":
            yield from ((index, fmt.column_name(i), text) for i, text in enumerate(record) if text)
        elif batch.kind == "jsonl":
            if isinstance(record, BadRecord):
                yield index, UNPARSED, record.data.decode(ENCODING, ERRORS)
            else:
                yield from ((index, path, text) for path, _, _, text in json_leaves(record, "", None, None) if text)
        elif record:
            yield index, TEXT_COLUMN, record


def _csv_groups(records: list[list[str]], fmt: FileFormat) -> Iterator[CellGroup]:
    if not records:
        return
    widths = {len(record) for record in records}
    if len(widths) == 1:  # a rectangular batch, the common case: one transposition in C
        rows = list(range(len(records)))
        for index, texts in enumerate(zip(*records, strict=True)):
            yield CellGroup(fmt.column_name(index), rows, list(texts))
        return
    columns: dict[int, CellGroup] = {}
    for row, record in enumerate(records):
        for index, text in enumerate(record):
            group = columns.get(index)
            if group is None:
                group = columns[index] = CellGroup(fmt.column_name(index), [], [])
            group.rows.append(row)
            group.texts.append(text)
    yield from (columns[index] for index in sorted(columns))


def _jsonl_groups(records: list[Any], refs: bool) -> Iterator[CellGroup]:
    groups: dict[str, CellGroup] = {}
    for row, record in enumerate(records):
        if isinstance(record, BadRecord):
            continue
        for path, container, key, text in json_leaves(record, "", None, None):
            group = groups.get(path)
            if group is None:
                group = groups[path] = CellGroup(path, [], [], [] if refs else None)
            group.rows.append(row)
            group.texts.append(text)
            if group.refs is not None:
                group.refs.append((container, key))
    yield from groups.values()


def json_leaves(node: Any, path: str, container: Any, key: Any) -> Iterator[tuple[str, Any, Any, str]]:
    """(key path, container, key in it, text) of every string or number leaf."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield from json_leaves(value, f"{path}.{name}" if path else str(name), node, name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from json_leaves(item, f"{path}[]", node, index)
    elif isinstance(node, str):
        yield path or "$", container, key, node
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path or "$", container, key, str(node)


def parquet_columns(schema: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """(the columns to read, (column, reason) of those that cannot be read as text)."""
    import pyarrow as pa

    flat: list[str] = []
    nested: list[tuple[str, str]] = []
    for column in schema:
        if pa.types.is_nested(column.type):
            nested.append((column.name, f"nested type {column.type}"))
        elif not (pa.types.is_floating(column.type) or pa.types.is_boolean(column.type)
                  or pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type)):
            flat.append(column.name)  # floats, booleans and bytes cannot hold what we look for as text
    return flat, nested


def parquet_groups(batch: Any, names: list[str]) -> Iterator[CellGroup]:
    """The non-null cells of `names` in a pyarrow record batch, as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in names:
        values = batch.column(name)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            values = pc.cast(values, pa.string())
        texts = values.to_pylist()
        if values.null_count:
            rows = [index for index, text in enumerate(texts) if text is not None]
            yield CellGroup(name, rows, [texts[index] for index in rows])
        else:
            yield CellGroup(name, list(range(len(texts))), texts)
