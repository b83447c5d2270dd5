"""Per-file, per-column PII statistics with bounded memory: counts, first rows, a few redacted samples."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlsecops.redact import redact

FIRST_ROWS = 10
SAMPLES = 3
SKIPPED_PER_FILE = 20
# Samples are the first distinct masks among a column's first SAMPLE_TRIES values: masks show a
# shape and a length class only, so a column of e-mails may never yield three distinct ones, and
# redacting every value in search of them cost a third of a scan. Counted from the file's first
# value, so a file split across workers gets the samples of one sequential pass.
SAMPLE_TRIES = 64


@dataclass(slots=True)  # one `add` per value found: slots make its attribute access cheaper
class ColumnEntity:
    rows: int = 0  # rows holding the entity at least once
    occurrences: int = 0
    first_rows: list[int] = field(default_factory=list)
    first_line: int | None = None
    samples: list[str] = field(default_factory=list)  # redacted
    with_context: int = 0  # birth dates: occurrences with a textual cue
    _last_row: int = -1
    _masks: list[tuple[int, str]] = field(default_factory=list)  # (occurrence, mask): distinct, first tries

    def add(self, row: int, line: int, value: str | bytes, *, context: bool = False) -> None:
        """`value` may stay bytes: it is decoded only if it becomes one of the few samples."""
        if self.occurrences < SAMPLE_TRIES:
            self._sample(self.occurrences, value)
        self.occurrences += 1
        self.with_context += context
        if row != self._last_row:
            self.rows += 1
            self._last_row = row
            if len(self.first_rows) < FIRST_ROWS:
                self.first_rows.append(row)
        if self.first_line is None:
            self.first_line = line

    def add_many(self, rows: list[int], first_line: int, values: Iterable[str | bytes], *, contexts: int = 0) -> None:
        """`add` for many values at once: `rows` (one per value, non-decreasing) continue those
        added before; `values` are read only while within the column's first SAMPLE_TRIES values."""
        if not rows:
            return
        if self.occurrences < SAMPLE_TRIES:
            for index, value in zip(range(self.occurrences, SAMPLE_TRIES), values, strict=False):
                self._sample(index, value)
        self.occurrences += len(rows)
        self.with_context += contexts
        fresh = list(dict.fromkeys(rows))  # distinct rows, in order
        if fresh[0] == self._last_row:
            del fresh[0]
        self.rows += len(fresh)
        self._last_row = rows[-1]
        self.first_rows.extend(fresh[: max(0, FIRST_ROWS - len(self.first_rows))])
        if self.first_line is None:
            self.first_line = first_line

    def _sample(self, occurrence: int, value: str | bytes) -> None:
        masked = redact(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        self._keep(occurrence, masked)

    def _keep(self, occurrence: int, masked: str) -> None:
        if all(known != masked for _, known in self._masks):
            self._masks.append((occurrence, masked))
            if len(self.samples) < SAMPLES:
                self.samples.append(masked)

    def merge(self, other: ColumnEntity) -> None:
        """Append the statistics of a later part of the same file (rows already shifted)."""
        for occurrence, masked in other._masks:
            if self.occurrences + occurrence < SAMPLE_TRIES:
                self._keep(self.occurrences + occurrence, masked)
        self.rows += other.rows
        self.occurrences += other.occurrences
        self.with_context += other.with_context
        self.first_rows = (self.first_rows + other.first_rows)[:FIRST_ROWS]
        if self.first_line is None:
            self.first_line = other.first_line


@dataclass
class FileReport:
    rows: int = 0
    lines: int = 0
    stats: dict[tuple[str, str], ColumnEntity] = field(default_factory=dict)  # (column, entity type)
    skipped: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason)
    skipped_more: int = 0
    rejected: tuple[int, int, str] | None = None  # (row, line, reason): the first record the parser refused

    def add(self, column: str, entity: str, row: int, line: int, value: str | bytes, *,
            context: bool = False) -> None:
        self.column_entity(column, entity).add(row, line, value, context=context)

    def column_entity(self, column: str, entity: str) -> ColumnEntity:
        """The statistics of one column and entity type, created on first use; a caller adding
        many values can hold on to it rather than look it up per value."""
        key = (column, entity)
        stats = self.stats.get(key)
        if stats is None:
            stats = self.stats[key] = ColumnEntity()
        return stats

    def skip(self, reason: str, line: int | None = None) -> None:
        if len(self.skipped) < SKIPPED_PER_FILE:
            self.skipped.append((line, reason))
        else:
            self.skipped_more += 1

    def skipped_messages(self) -> list[str]:
        return [reason if line is None else f"line {line}: {reason}" for line, reason in self.skipped]

    def shifted(self, rows: int, lines: int) -> FileReport:
        """This report as if it started `rows` rows and `lines` lines further into the file."""
        for stats in self.stats.values():
            stats.first_rows = [r + rows for r in stats.first_rows]
            if stats.first_line is not None:
                stats.first_line += lines
        self.skipped = [(None if line is None else line + lines, reason) for line, reason in self.skipped]
        if self.rejected is not None:
            self.rejected = (self.rejected[0] + rows, self.rejected[1] + lines, self.rejected[2])
        return self

    def merge(self, other: FileReport) -> None:
        self.rows += other.rows
        self.lines += other.lines
        for key, stats in other.stats.items():
            if key in self.stats:
                self.stats[key].merge(stats)
            else:
                self.stats[key] = stats
        for line, reason in other.skipped:
            self.skip(reason, line)
        self.skipped_more += other.skipped_more
        if self.rejected is None:
            self.rejected = other.rejected

    def column_table(self) -> dict[str, dict[str, Any]]:
        """Per column, per entity type: share of rows, row count, occurrences."""
        table: dict[str, dict[str, Any]] = {}
        for (column, entity), stats in sorted(self.stats.items()):
            table.setdefault(column, {})[entity] = {
                "rows": stats.rows,
                "share": round(stats.rows / self.rows, 6) if self.rows else None,
                "occurrences": stats.occurrences,
            }
        return table
