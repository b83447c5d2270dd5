"""Entities of table cells, found as if each cell were given to the PII engine alone, in one pass per column.

The cells of a column are joined with newlines and scanned together: no pattern matches across a
newline and every context window (the words that make a date a birth date, a number a phone)
stops at one, so each cell is judged on its own text. A match that does cross (a private-key
block spread over two cells) sends the column back to one engine call per cell. Offsets are then
moved into the cell: bytes as the engine saw them, code points for `--spans` and `redact`.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import IO, NamedTuple

from mlsecops.engines.pii.engine import PiiEngine
from mlsecops.engines.pii.readers import ENCODING, ERRORS

SALT_ENV = "MLSECOPS_PII_SALT"


class CellEntity(NamedTuple):
    cell: int  # index of the cell in the list given
    type: str
    start: int  # byte offsets in the cell's UTF-8 (file bytes kept as they are)
    end: int
    value: bytes
    detail: str


# The label put before each cell of a phone column: the column's name says what `tel:` says in text.
PHONE_LABEL = "tel: "


def find_in_cells(engine: PiiEngine, texts: list[str], *, all_dates: bool = False,
                  references: bool = False, phones: bool = False) -> list[CellEntity]:
    """`references`: the cells are order/invoice/tracking ids (pii_engine.is_reference_column); `phones`: they
    are phone numbers (pii_engine.is_phone_column), read as if each came after a phone word."""
    if not texts:
        return []
    label = PHONE_LABEL if phones else ""
    joined = label + ("\n" + label).join(texts)
    blob = joined.encode(ENCODING, ERRORS)
    skip = len(label)  # ASCII: as many bytes as code points
    if len(blob) == len(joined):  # one byte per code point (ASCII, kept bytes): lengths need no encoding
        lengths: Iterable[int] = map(len, texts)
    else:
        cells = [text.encode(ENCODING, ERRORS) for text in texts]
        lengths = map(len, cells)
    # cell i is blob[starts[i] + skip:starts[i + 1] - 1]
    starts = [0, *accumulate(skip + length + 1 for length in lengths)]
    found: list[CellEntity] = []
    keep = found.append
    for entity_type, start, end, value, detail in engine.find(blob, all_dates=all_dates, references=references):
        index = bisect_right(starts, start) - 1
        base = starts[index] + skip
        if end >= starts[index + 1] or start < base:
            return _cell_by_cell(engine, texts, all_dates, references, label)
        keep(_cell_entity((index, entity_type, start - base, end - base, value, detail)))
    return found


_cell_entity: Callable[[tuple[int, str, int, int, bytes, str]], CellEntity] = partial(
    tuple.__new__, CellEntity)  # type: ignore[assignment]
"""A CellEntity from a complete tuple, without NamedTuple's Python-level `__new__` (one per value found)."""


def _cell_by_cell(engine: PiiEngine, texts: list[str], all_dates: bool, references: bool,
                  label: str = "") -> list[CellEntity]:
    skip = len(label)
    return [CellEntity(index, e.type, e.start - skip, e.end - skip, e.value, e.detail)
            for index, text in enumerate(texts)
            for e in engine.find((label + text).encode(ENCODING, ERRORS), all_dates=all_dates, references=references)
            if e.start >= skip]


def code_points(text: str, start: int, end: int) -> tuple[int, int]:
    """Byte offsets in `text`'s encoding as code point offsets."""
    if text.isascii():
        return start, end
    data = text.encode(ENCODING, ERRORS)
    if len(data) == len(text):
        return start, end
    head = len(data[:start].decode(ENCODING, ERRORS))
    return head, head + len(data[start:end].decode(ENCODING, ERRORS))


def resolve_salt(salt: str | None) -> tuple[bytes, bool]:
    """(salt, whether it was given): `salt`, else $MLSECOPS_PII_SALT, else a random one for this run
    (digests then match within the run only). Never no salt: a bare hash of a phone number is
    reversed by trying every phone number."""
    value = salt if salt else os.environ.get(SALT_ENV, "")
    if value:
        return value.encode("utf-8"), True
    return secrets.token_bytes(32), False


def digest(salt: bytes, value: bytes, length: int = 32) -> str:
    """HMAC-SHA256 of the value's bytes, hex, `length` characters."""
    return hmac.digest(salt, value, "sha256").hex()[:length]  # one-shot: no HMAC object per value


class SpanSink:
    """One line per entity for a range, its row relative to the range: `merge_spans` shifts rows and
    names the file when the ranges are put together."""

    def __init__(self, path: Path, salt: bytes) -> None:
        self._handle: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._salt = salt
        self._pending: list[tuple[int, int, int, str, str, int, bytes]] = []
        self._names: dict[str, str] = {}  # a column name or entity type as JSON, encoded once per sink

    def write(self, row: int, column: str, entity_type: str, start: int, end: int, value: bytes,
              order: int = 0) -> None:
        """Held until `flush`, which writes a batch's spans in row order, then column `order`, then start."""
        self._pending.append((row, order, start, column, entity_type, end, value))

    def flush(self) -> None:
        """Each line as `json.dumps` of {column, type, start, end, digest} would write it (without its `{`),
        the names encoded once: a `json.dumps` per span cost more than finding the span."""
        self._pending.sort(key=lambda span: span[:3])
        names, salt = self._names, self._salt
        lines = []
        for row, _order, start, column, entity_type, end, value in self._pending:
            name = names.get(column)
            if name is None:
                name = names[column] = json.dumps(column, ensure_ascii=False)
            kind = names.get(entity_type)
            if kind is None:
                kind = names[entity_type] = json.dumps(entity_type, ensure_ascii=False)
            lines.append(f'{row}\t"column": {name}, "type": {kind}, "start": {start}, "end": {end}, '
                         f'"digest": "{digest(salt, value)}"}}\n')
        self._handle.write("".join(lines))
        self._pending.clear()

    def close(self) -> None:
        self.flush()
        self._handle.close()


def merge_spans(parts: list[tuple[Path, int]], display: str, out: IO[str]) -> int:
    """Append each part's lines to `out` with rows shifted by the part's offset; the number of lines."""
    prefix = '{"file": ' + json.dumps(display, ensure_ascii=False) + ', "row": '
    count = 0
    for path, offset in parts:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                row, _, rest = line.partition("\t")
                out.write(f"{prefix}{int(row) + offset}, {rest}")
                count += 1
    return count
