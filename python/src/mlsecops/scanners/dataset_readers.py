"""Streaming PII scans of one dataset file: CSV/TSV, JSONL, Parquet and plain text.

Text formats are read in bounded chunks and scanned as raw bytes in one pass; only the lines
that hold an entity are parsed, to name the column (CSV header name, JSON key path). So a
malformed row is still scanned as text, and reported in `skipped` with its line number.
A chunk whose quoted CSV fields hold newlines is parsed record by record instead.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dataset_stats import FileReport
from .files import read_chunks
from .pii_engine import Entity, PiiEngine

CHUNK_SIZE = 4 * 1024 * 1024
OVERLAP = 4096
HEADER_LIMIT = 1024 * 1024
PARQUET_BATCH_ROWS = 65536
UNPARSED = "(unparsed)"
TEXT_COLUMN = "(text)"
_DOB_COLUMN = re.compile(r"(?i)(dob|birth|born|geburt)")
_QUOTED = re.compile(rb'"[^"]*"')
_NOT_JSON_LINE = re.compile(rb"^(?![ \t]*(?:\{.*\}|\[.*\])[ \t\r]*$)[ \t]*\S.*$", re.MULTILINE)

csv.field_size_limit(CHUNK_SIZE * 4)


@dataclass
class FileFormat:
    kind: str  # csv, jsonl, parquet, text
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    data_start: int = 0  # byte offset of the first data row
    header_lines: int = 0

    @property
    def dob_columns(self) -> frozenset[str]:
        return frozenset(c for c in self.header if _DOB_COLUMN.search(c))


def detect_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return FileFormat("parquet")
    if suffix in (".jsonl", ".ndjson"):
        return FileFormat("jsonl")
    if suffix in (".csv", ".tsv"):
        with open(path, "rb") as handle:
            first = handle.readline(HEADER_LIMIT)
        text = first.decode("utf-8-sig", "replace")
        delimiter = "\t" if suffix == ".tsv" else max(",;\t|", key=text.count) if text.count(",") == 0 else ","
        try:
            header = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
        except csv.Error:
            header = []
        if not first.endswith(b"\n") and len(first) >= HEADER_LIMIT:  # no header line to speak of
            return FileFormat("text")
        names = [name.strip() or f"column_{i + 1}" for i, name in enumerate(header)]
        return FileFormat("csv", delimiter, names, len(first), 1)
    return FileFormat("text")


@dataclass
class RangeScan:
    """What one worker scans: a byte range of a text-format file, rows and lines counted from 1."""

    path: Path
    fmt: FileFormat
    start: int
    end: int | None


def scan_range(engine: PiiEngine, job: RangeScan) -> FileReport:
    report = FileReport()
    line = 1
    previous_end = -1  # absolute end of the previous piece: overlapped values are counted once
    in_long_line = False
    for offset, chunk in read_chunks(job.path, CHUNK_SIZE, OVERLAP, job.start, job.end):
        long_piece = b"\n" not in chunk and len(chunk) >= CHUNK_SIZE
        if long_piece and not in_long_line:
            report.skip(f"longer than {CHUNK_SIZE // (1024 * 1024)} MB, scanned as raw text", line)
        if long_piece:
            _scan_raw(engine, chunk, offset, previous_end, report, line)
            previous_end = offset + len(chunk)
        else:
            if in_long_line:  # this piece ends the long line: its tail is raw, the rest parses
                tail_end = chunk.find(b"\n") + 1 or len(chunk)
                _scan_raw(engine, chunk[:tail_end], offset, previous_end, report, line)
                report.rows += 1
                report.lines += 1
                chunk = chunk[tail_end:]
                line += 1
            _scan_parsed(engine, chunk, job.fmt, report, line)
            line += chunk.count(b"\n")
        in_long_line = long_piece
    return report


def _scan_parsed(engine: PiiEngine, chunk: bytes, fmt: FileFormat, report: FileReport, line: int) -> None:
    if not chunk:
        return
    if fmt.kind == "csv":
        _scan_csv_chunk(engine, chunk, fmt, report, line)
    elif fmt.kind == "jsonl":
        _scan_jsonl_chunk(engine, chunk, report, line)
    else:
        _scan_text_chunk(engine, chunk, report, line)


def _count_lines(chunk: bytes) -> int:
    return chunk.count(b"\n") + (0 if chunk.endswith(b"\n") or not chunk else 1)


def _entities_by_line(chunk: bytes, entities: list[Entity]) -> Iterator[tuple[int, bytes, list[Entity]]]:
    """(line index in chunk, line bytes, its entities with offsets relative to the line)."""
    position = 0
    index = 0
    group: list[Entity] = []
    group_index = -1
    for entity in entities:
        index += chunk.count(b"\n", position, entity.start)
        position = entity.start
        if index != group_index and group:
            yield _line_group(chunk, group_index, group)
            group = []
        group_index = index
        group.append(entity)
    if group:
        yield _line_group(chunk, group_index, group)


def _line_group(chunk: bytes, index: int, group: list[Entity]) -> tuple[int, bytes, list[Entity]]:
    start = chunk.rfind(b"\n", 0, group[0].start) + 1
    end = chunk.find(b"\n", group[-1].end)
    return index, chunk[start : end if end >= 0 else len(chunk)], group


def _scan_raw(engine: PiiEngine, chunk: bytes, offset: int, previous_end: int, report: FileReport,
              line: int) -> None:
    row = report.rows + 1
    for entity in engine.find(chunk):
        if offset + entity.end <= previous_end:
            continue
        report.add(UNPARSED, entity.type, row, line, entity.value.decode("utf-8", "replace"))


def _scan_text_chunk(engine: PiiEngine, chunk: bytes, report: FileReport, line: int) -> None:
    rows_before = report.rows
    lines = _count_lines(chunk)
    report.rows += lines
    report.lines += lines
    # per type, the line index in the chunk of each value and the values: statistics are then
    # added once per type and chunk, not once per value (dense text holds one every 70 bytes)
    groups: dict[str, tuple[list[int], list[Entity]]] = {}
    position = index = 0
    for entity in engine.find(chunk):  # in order of start: count the newlines between neighbours only
        index += chunk.count(b"\n", position, entity.start)
        position = entity.start
        group = groups.get(entity.type)
        if group is None:
            group = groups[entity.type] = ([], [])
        group[0].append(index)
        group[1].append(entity)
    for entity_type, (indices, members) in groups.items():
        report.column_entity(TEXT_COLUMN, entity_type).add_many(
            [rows_before + 1 + i for i in indices], line + indices[0], (e.value for e in members),
            contexts=sum(1 for e in members if e.detail))


def _scan_csv_chunk(engine: PiiEngine, chunk: bytes, fmt: FileFormat, report: FileReport, line: int) -> None:
    dob_columns = fmt.dob_columns
    if b'"' in chunk and _QUOTED.sub(b"", chunk).count(b"\n") != chunk.count(b"\n"):
        _scan_csv_records(engine, chunk, fmt, report, line)
        return
    rows_before = report.rows
    lines = _count_lines(chunk)
    report.rows += lines
    report.lines += lines
    entities = engine.find(chunk, all_dates=bool(dob_columns))
    for index, raw, group in _entities_by_line(chunk, entities):
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        try:
            fields = next(csv.reader([text], delimiter=fmt.delimiter), [])
        except csv.Error:
            fields = []
        line_number = line + index
        if len(fields) != len(fmt.header):
            report.skip(f"{len(fields)} field(s), header has {len(fmt.header)}; scanned as text, "
                        "columns may be wrong", line_number)
        row = rows_before + index + 1
        for entity in group:
            value = entity.value.decode("utf-8", "replace")
            column = _column_of(fields, fmt.header, value)
            if entity.type == "DATE_OF_BIRTH" and not entity.detail and column not in dob_columns:
                continue
            report.add(column, entity.type, row, line_number, value, context=bool(entity.detail))


def _column_of(fields: list[str], header: list[str], value: str) -> str:
    for index, text in enumerate(fields):
        if value in text:
            return header[index] if index < len(header) else f"column_{index + 1}"
    return UNPARSED


def _scan_csv_records(engine: PiiEngine, chunk: bytes, fmt: FileFormat, report: FileReport, line: int) -> None:
    """Quoted fields with newlines: parse records and scan field by field (slower, exact)."""
    dob_columns = fmt.dob_columns
    reader = csv.reader(io.StringIO(chunk.decode("utf-8", "replace"), newline=""), delimiter=fmt.delimiter)
    consumed = 0
    try:
        for record in reader:
            record_line = line + consumed
            consumed = reader.line_num
            report.rows += 1
            for index, text in enumerate(record):
                column = fmt.header[index] if index < len(fmt.header) else f"column_{index + 1}"
                for entity in engine.find(text.encode("utf-8"), all_dates=column in dob_columns):
                    if entity.type == "DATE_OF_BIRTH" and not entity.detail and column not in dob_columns:
                        continue
                    report.add(column, entity.type, report.rows, record_line,
                               entity.value.decode("utf-8", "replace"), context=bool(entity.detail))
    except csv.Error as exc:
        report.skip(f"malformed CSV ({exc}); rest of this chunk scanned as text", line + consumed)
        rest = chunk.split(b"\n", consumed)[-1] if consumed else chunk
        _scan_raw(engine, rest, 0, -1, report, line + consumed)
    report.lines += chunk.count(b"\n")


def _scan_jsonl_chunk(engine: PiiEngine, chunk: bytes, report: FileReport, line: int) -> None:
    rows_before = report.rows
    lines = _count_lines(chunk)
    report.rows += lines
    report.lines += lines
    flagged = set()
    for bad in _NOT_JSON_LINE.finditer(chunk) if not _all_objects(chunk, lines) else ():
        flagged.add(line + chunk.count(b"\n", 0, bad.start()))
        report.skip("not a JSON object, scanned as text", max(flagged))
    for index, raw, group in _entities_by_line(chunk, engine.find(chunk)):
        line_number = line + index
        try:
            leaves = list(_json_leaves(json.loads(raw)))
        except (ValueError, RecursionError):
            leaves = []
            if line_number not in flagged:
                report.skip("malformed JSON, scanned as text", line_number)
        for entity in group:
            value = entity.value.decode("utf-8", "replace")
            column = next((path for path, text in leaves if value in text), UNPARSED)
            report.add(column, entity.type, rows_before + index + 1, line_number, value,
                       context=bool(entity.detail))


def _all_objects(chunk: bytes, lines: int) -> bool:
    """Every line opens with `{` and closes with `}`: the common case, told by counting, not by a regex."""
    opened = chunk.startswith(b"{") + chunk.count(b"\n{")
    closed = chunk.count(b"}\n") + chunk.count(b"}\r\n") + (chunk.endswith(b"}"))
    return opened == lines and closed == lines


def _json_leaves(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _json_leaves(item, f"{path}[]")
    elif node is not None:
        yield path or "$", str(node)


def scan_parquet(engine: PiiEngine, path: Path) -> FileReport:
    """Column by column, batch by batch; nested columns are reported as skipped."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    report = FileReport()
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    flat: list[str] = []
    for column in schema:
        if pa.types.is_nested(column.type):
            report.skip(f"column {column.name}: nested type {column.type}, not scanned")
        elif pa.types.is_floating(column.type) or pa.types.is_boolean(column.type) or pa.types.is_binary(
            column.type
        ) or pa.types.is_large_binary(column.type):
            continue  # cannot hold the entity types we look for in a form we can read
        else:
            flat.append(column.name)
    dob_columns = frozenset(c for c in flat if _DOB_COLUMN.search(c))
    row = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=flat):
        for name in flat:
            values = batch.column(name)
            if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
                values = pc.cast(values, pa.string())
            values = pc.replace_substring(pc.fill_null(values, ""), "\n", " ")
            blob = "\n".join(values.to_pylist()).encode("utf-8")
            all_dates = name in dob_columns
            for index, _raw, group in _entities_by_line(blob, engine.find(blob, all_dates=all_dates)):
                for entity in group:
                    report.add(name, entity.type, row + index + 1, row + index + 1,
                               entity.value.decode("utf-8", "replace"), context=bool(entity.detail))
        row += batch.num_rows
    report.rows = report.lines = row
    return report
