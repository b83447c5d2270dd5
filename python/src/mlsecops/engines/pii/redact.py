"""`mlsecops redact IN OUT`: a copy of a CSV, JSONL or Parquet dataset with every PII entity replaced.

Records are read by the scanner's readers (the same rows, the same cells, the same entities as
`mlsecops scan dataset`) and written back in the same order and with the same columns, streamed
batch by batch. A JSONL line without an entity (and a blank line) is copied byte for byte; in a line
with one, only the literals of the values that held it are replaced. Per entity type, a method:
- `token`: `<EMAIL_ADDRESS>` (the default);
- `mask`: every letter and digit replaced by `*`, separators kept (`***-**-****`);
- `hash`: `<EMAIL_ADDRESS:1f0c...>`, a salted HMAC-SHA256 (16 hex): the same value gives the same
  token in every row, so joins and duplicates survive, and without the salt it cannot be reversed.

The copy is written to a temporary file beside OUT and renamed at the end: an input that cannot be
read leaves nothing behind. A record the reference parser rejects (a JSONL line that is not JSON)
is copied with the entities found in its raw text replaced, and counted in `rejected`.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mlsecops.engines.filebytes import sniff_binary
from mlsecops.engines.pii.cells import digest, find_in_cells
from mlsecops.engines.pii.engine import ENTITY_TYPES, PiiEngine, is_phone_column, is_reference_column
from mlsecops.engines.pii.readers import (
    ENCODING,
    ERRORS,
    BadRecord,
    Batch,
    CellGroup,
    FileFormat,
    cell_groups,
    detect_format,
    is_dob_column,
    json_leaves,  # the leaves, in the order cells are grouped
    parquet_columns,
    parquet_groups,
    read_batches,
)
from mlsecops.errors import UsageError

METHODS = ("token", "mask", "hash")
SUPPORTED = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


@dataclass
class RedactionResult:
    rows: int = 0
    entities: dict[str, int] = field(default_factory=dict)  # per type
    rejected: list[str] = field(default_factory=list)  # records copied with raw-text redaction
    notes: list[str] = field(default_factory=list)


class Replacer:
    def __init__(self, methods: dict[str, str], default: str, salt: bytes) -> None:
        unknown = set(methods) - set(ENTITY_TYPES)
        if unknown:
            raise UsageError(f"redact: unknown entity type(s) {', '.join(sorted(unknown))} "
                             f"(valid: {', '.join(ENTITY_TYPES)})")
        for name, method in [*methods.items(), ("default", default)]:
            if method not in METHODS:
                raise UsageError(f"redact: unknown method '{method}' for {name} (valid: {', '.join(METHODS)})")
        self.methods = methods
        self.default = default
        self.salt = salt

    def __call__(self, entity_type: str, value: str) -> str:
        method = self.methods.get(entity_type, self.default)
        if method == "mask":
            return "".join("*" if ch.isalnum() else ch for ch in value)
        if method == "hash":
            return f"<{entity_type}:{digest(self.salt, value.encode(ENCODING, ERRORS), 16)}>"
        return f"<{entity_type}>"


def parse_methods(pairs: tuple[str, ...]) -> dict[str, str]:
    """`TYPE=METHOD` pairs from the command line; a wrong one is named with the valid choices (exit 2)."""
    methods = {}
    for pair in pairs:
        name, sep, method = pair.partition("=")
        if not sep:
            raise UsageError(f"--method {pair}: expected TYPE=METHOD, e.g. EMAIL_ADDRESS=hash")
        entity_type, how = name.strip().upper(), method.strip().lower()
        if entity_type not in ENTITY_TYPES:
            raise UsageError(f"--method {pair}: unknown entity type '{name.strip()}' "
                             f"(valid: {', '.join(ENTITY_TYPES)})")
        if how not in METHODS:
            raise UsageError(f"--method {pair}: unknown method '{method.strip()}' (valid: {', '.join(METHODS)})")
        methods[entity_type] = how
    return methods


def _family(path: Path) -> str:
    suffix = path.suffix.lower()
    families = {".parquet": "Parquet", ".jsonl": "JSONL", ".ndjson": "JSONL", ".csv": "CSV/TSV", ".tsv": "CSV/TSV"}
    return families.get(suffix, suffix or "no suffix")


def redact_file(source: Path, target: Path, engine: PiiEngine, replace: Replacer) -> RedactionResult:
    """Write the redacted copy of `source` to `target` (atomically); UsageError when `source` cannot be read."""
    if source.suffix.lower() not in SUPPORTED:
        raise UsageError(f"redact: {source}: not a CSV, TSV, JSONL or Parquet file")
    if not source.is_file():
        raise UsageError(f"redact: {source}: no such file")
    if target.resolve() == source.resolve():
        raise UsageError("redact: OUT must differ from IN")
    if _family(target) != _family(source):  # the copy keeps IN's format: a .parquet name on CSV text misleads
        raise UsageError(f"redact: OUT {target.name} must have the format of IN ({source.suffix}): "
                         f"the copy is written as {_family(source)}")
    try:
        if source.stat().st_size == 0:  # as `scan dataset` says: an empty dataset has nothing to judge
            raise UsageError(f"redact: {source}: empty file (0 bytes), no data rows: nothing to redact")
        fmt = detect_format(source)
    except OSError as exc:
        raise UsageError(f"redact: {source}: unreadable ({exc.__class__.__name__})") from None
    if fmt.kind != "parquet" and sniff_binary(source):
        raise UsageError(f"redact: {source}: binary content in a {source.suffix} file")
    if fmt.kind == "text":
        raise UsageError(f"redact: {source}: no CSV header record in its first megabyte")
    if not target.parent.is_dir():
        raise UsageError(f"redact: {target.parent}: no such folder (OUT's folder must exist)")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    try:
        result = RedactionResult()
        if fmt.kind == "parquet":
            _redact_parquet(source, Path(temporary), engine, replace, result)
        elif fmt.kind == "jsonl":
            with open(temporary, "wb") as out, _SourceLines(source) as lines:
                for batch in read_batches(source, fmt, fmt.data_start, None):
                    edits = _redact_batch(batch, fmt, engine, replace, result)
                    _write_jsonl(out, batch, edits, lines)
                lines.copy_rest(out)
        else:
            with open(temporary, "w", encoding=ENCODING, errors=ERRORS, newline="") as out:
                write = _csv_writer(out, fmt)
                for batch in read_batches(source, fmt, fmt.data_start, None):
                    _redact_batch(batch, fmt, engine, replace, result)
                    write(batch)
        if result.rows == 0:  # a header alone: a cleaned copy of nothing would train on nothing
            raise UsageError(f"redact: {source}: no data rows (header only): nothing to redact, nothing written")
        os.chmod(temporary, source.stat().st_mode & 0o777)  # the cleaned copy is shared as its input was
        os.replace(temporary, target)
        return result
    except OSError as exc:
        raise UsageError(f"redact: {source}: unreadable ({exc.__class__.__name__})") from None
    except Exception as exc:
        import pyarrow as pa

        if isinstance(exc, pa.ArrowException):
            raise UsageError(f"redact: {source}: unreadable Parquet ({exc.__class__.__name__})") from None
        raise
    finally:
        Path(temporary).unlink(missing_ok=True)


def _replace_spans(text: str, spans: list[tuple[int, int, str]], replace: Replacer) -> str:
    """`text` with each (start, end, type) span, in bytes of its encoding, replaced."""
    data = text.encode(ENCODING, ERRORS)
    parts = []
    position = 0
    for start, end, entity_type in sorted(spans):
        parts.append(data[position:start].decode(ENCODING, ERRORS))
        parts.append(replace(entity_type, data[start:end].decode(ENCODING, ERRORS)))
        position = end
    parts.append(data[position:].decode(ENCODING, ERRORS))
    return "".join(parts)


def _redacted_cells(group: CellGroup, engine: PiiEngine, replace: Replacer, all_dates: bool,
                    result: RedactionResult) -> Iterator[tuple[int, str]]:
    """(index in the group, new text) of every cell holding an entity."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for entity in find_in_cells(engine, group.texts, all_dates=all_dates,
                                references=is_reference_column(group.name), phones=is_phone_column(group.name)):
        spans.setdefault(entity.cell, []).append((entity.start, entity.end, entity.type))
        result.entities[entity.type] = result.entities.get(entity.type, 0) + 1
    for index, found in spans.items():
        yield index, _replace_spans(group.texts[index], found, replace)


Edits = dict[int, dict[tuple[int, Any], str]]  # JSONL: record index -> (id of container, key) -> new text


def _redact_batch(batch: Batch, fmt: FileFormat, engine: PiiEngine, replace: Replacer,
                  result: RedactionResult) -> Edits:
    """Replace the entities of the batch's CSV records in place; a JSONL record is left as parsed and its
    new leaves returned, so that its line is rewritten value by value (`_write_jsonl`)."""
    edits: Edits = {}
    dob_columns = fmt.dob_columns
    for order, group in enumerate(cell_groups(batch, fmt, refs=True)):
        all_dates = group.name in dob_columns or (batch.kind == "jsonl" and is_dob_column(group.name))
        for index, text in _redacted_cells(group, engine, replace, all_dates, result):
            record = batch.records[group.rows[index]]
            if batch.kind == "csv":
                # CSV groups are the fields in order: field `order` (a ragged batch has every index
                # up to its widest record's)
                record[order] = text
            else:
                container, key = group.refs[index]  # type: ignore[index]
                edits.setdefault(group.rows[index], {})[(id(container), key)] = text
    for index, record in enumerate(batch.records):
        if isinstance(record, BadRecord):
            batch.records[index] = BadRecord(_redact_raw(record.data, engine, replace, result))
            result.rejected.append(f"line {batch.lines[index]}: not JSON, its raw text redacted")
    if batch.raw or batch.rejected and batch.kind == "csv":
        raise UsageError(f"redact: row {batch.rejected[0] if batch.rejected else batch.first_row + 1} cannot be "
                         f"read ({batch.rejected[2] if batch.rejected else 'longer than the record limit'}); "
                         "nothing written")
    result.rows += batch.rows
    return edits


def _redact_raw(data: bytes, engine: PiiEngine, replace: Replacer, result: RedactionResult) -> bytes:
    text = data.decode(ENCODING, ERRORS)
    spans = []
    for entity in engine.find(data):
        spans.append((entity.start, entity.end, entity.type))
        result.entities[entity.type] = result.entities.get(entity.type, 0) + 1
    return _replace_spans(text, spans, replace).encode(ENCODING, ERRORS)


def _csv_writer(out: IO[str], fmt: FileFormat) -> Callable[[Batch], None]:
    if fmt.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=fmt.delimiter, lineterminator=fmt.line_terminator)
    writer.writerow(fmt.header_cells or fmt.header)

    def write(batch: Batch) -> None:
        writer.writerows(batch.records)

    return write


class _SourceLines:
    """The source's lines as bytes, read alongside its batches: a JSONL line without an entity is copied
    as it was, byte for byte (key order, spacing, escapes, `\\r\\n`), and so is every blank line."""

    def __init__(self, source: Path) -> None:
        self._handle = open(source, "rb")  # noqa: SIM115 (closed by __exit__)
        self.number = 0  # lines read so far

    def __enter__(self) -> _SourceLines:
        return self

    def __exit__(self, *_: object) -> None:
        self._handle.close()

    def upto(self, line: int, out: IO[bytes]) -> bytes:
        """Copy the lines before `line` (blank ones: not records) to `out`; return line `line`, its end kept."""
        while self.number < line - 1:
            out.write(self._next())
        return self._next()

    def copy_rest(self, out: IO[bytes]) -> None:
        while chunk := self._handle.read(1024 * 1024):
            out.write(chunk)

    def _next(self) -> bytes:
        self.number += 1
        return self._handle.readline()


def _write_jsonl(out: IO[bytes], batch: Batch, edits: Edits, lines: _SourceLines) -> None:
    for index, (record, number) in enumerate(zip(batch.records, batch.lines, strict=True)):
        raw = lines.upto(number, out)
        if isinstance(record, BadRecord):
            out.write(record.data + raw[len(raw.rstrip(b"\n")):])  # its raw text redacted, its line end kept
        elif index in edits:
            body = raw.rstrip(b"\n")
            out.write(_patched_line(body, record, edits[index]) + raw[len(body):])
        else:
            out.write(raw)


def _patched_line(line: bytes, record: Any, edits: dict[tuple[int, Any], str]) -> bytes:
    """The JSON line with only the edited values' literals replaced: keys, order, spacing and the other
    values as they were. A line whose literals cannot be matched to the parsed leaves one to one (a
    duplicate key, which the parser keeps once) is written anew from its parsed record."""
    text = line.decode(ENCODING, ERRORS)
    bom = "\ufeff" if text.startswith("\ufeff") else ""  # the file's first line may start with one
    text = text[len(bom):]
    leaves = list(json_leaves(record, "", None, None))
    spans = value_literals(text)
    if spans is not None and len(spans) == len(leaves):
        parts: list[str] = []
        position = 0
        for (start, end), (_, container, key, value) in zip(spans, leaves, strict=True):
            new = edits.get((id(container), key))
            if new is None:
                continue
            literal = text[start:end]
            if _leaf_text(literal) != value:
                break
            # a line that escapes every non-ASCII character keeps doing so
            parts += [text[position:start], json.dumps(new, ensure_ascii="\\u" in literal and literal.isascii())]
            position = end
        else:
            return (bom + "".join([*parts, text[position:]])).encode(ENCODING, ERRORS)
    return (bom + _rewritten(record, edits)).encode(ENCODING, ERRORS)


def _leaf_text(literal: str) -> str | None:
    """A literal's value as the readers give a leaf's text (a number as `str` of it)."""
    try:
        value = json.loads(literal)
    except ValueError:
        return None
    return value if isinstance(value, str) else str(value)


def _rewritten(record: Any, edits: dict[tuple[int, Any], str]) -> str:
    for _, container, key, _ in list(json_leaves(record, "", None, None)):
        new = edits.get((id(container), key))
        if new is not None:
            if container is None:  # a bare JSON value: the record itself
                return json.dumps(new, ensure_ascii=False)
            container[key] = new
    return json.dumps(record, ensure_ascii=False)


_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:Infinity|(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|NaN'
                      r"|true|false|null|[{}\[\],:]|[ \t\r\n]+")
_NO_LEAF = frozenset({"true", "false", "null", "{", "}", "[", "]", ",", ":"})


def value_literals(text: str) -> list[tuple[int, int]] | None:
    """(start, end) of every string and number value of a JSON text, in document order (the order
    of the parsed leaves); object keys, booleans and nulls are no leaves. None when the text is not
    tokenised whole."""
    spans: list[tuple[int, int]] = []
    tokens = [(m.start(), m.end(), m.group()) for m in _LITERAL.finditer(text)]
    if sum(end - start for start, end, _ in tokens) != len(text):
        return None
    significant = [t for t in tokens if not t[2].isspace()]
    for index, (start, end, token) in enumerate(significant):
        if token in _NO_LEAF:
            continue
        is_key = token.startswith('"') and index + 1 < len(significant) and significant[index + 1][2] == ":"
        if not is_key:
            spans.append((start, end))
    return spans


def _redact_parquet(source: Path, target: Path, engine: PiiEngine, replace: Replacer,
                    result: RedactionResult) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    flat, nested = parquet_columns(schema)
    if nested:
        name, reason = nested[0]
        raise UsageError(f"redact: {source}: column {name} has a {reason}, which redact cannot read; "
                         "flatten or drop it first (nothing written)")
    # a number column holding an entity is written as text (`<CREDIT_CARD>` does not fit in an int64):
    # a first pass over those columns alone finds which
    numeric = [f.name for f in schema if f.name in flat and not pa.types.is_string(f.type)
               and not pa.types.is_large_string(f.type)]
    to_text = set()
    for batch in parquet.iter_batches(batch_size=65536, columns=numeric) if numeric else ():
        for group in parquet_groups(batch, [n for n in numeric if n not in to_text]):
            if find_in_cells(engine, group.texts, all_dates=is_dob_column(group.name)):
                to_text.add(group.name)
    out_schema = pa.schema([pa.field(f.name, pa.string()) if f.name in to_text else f for f in schema],
                           metadata=schema.metadata)
    if to_text:
        result.notes.append(f"column(s) {', '.join(sorted(to_text))} written as text, to hold redacted values")
    with pq.ParquetWriter(target, out_schema) as writer:
        for batch in parquet.iter_batches(batch_size=65536):
            columns = {name: batch.column(name) for name in schema.names}
            for group in parquet_groups(batch, flat):
                edits = dict(_redacted_cells(group, engine, replace, is_dob_column(group.name), result))
                if not edits and out_schema.field(group.name).type == schema.field(group.name).type:
                    continue
                texts: list[Any] = [None] * batch.num_rows
                for index, (row, text) in enumerate(zip(group.rows, group.texts, strict=True)):
                    texts[row] = edits.get(index, text)
                columns[group.name] = pa.array(texts, out_schema.field(group.name).type)
            writer.write_table(pa.table([columns[name] for name in schema.names], schema=out_schema))
            result.rows += batch.num_rows
