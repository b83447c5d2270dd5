"""Where a big text dataset may be cut for parallel workers: only ever on a record boundary.

JSONL and text: after any newline (a JSON value holds no raw newline). CSV: after a newline
outside quotes. Quote parity tells inside from outside exactly when every quote plays its part
in the file's dialect: an opening quote starts a field (after a delimiter, a line break or a
closing quote of a doubled pair), a closing quote ends one (before a delimiter, a line break, the
end of the file, or the second quote of a doubled pair). One vectorised pass checks that for each
quote before a cut; the first quote that breaks it (`5" screen` in an unquoted field: Python's csv
keeps it as a character, parity would not) stops the search: later cuts could fall inside a
record, so the rest of the file stays with one sequential reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from mlsecops.engines.pii.readers import FileFormat

PASS_BLOCK = 16 * 1024 * 1024
_QUOTE = 0x22
_LF = 0x0A
_CR = 0x0D


def split_points(path: Path, fmt: FileFormat, parts: int) -> list[int]:
    """Up to `parts - 1` offsets after `fmt.data_start` where a range may start, ascending."""
    size = path.stat().st_size
    step = (size - fmt.data_start) // max(1, parts)
    targets = [fmt.data_start + index * step for index in range(1, parts)] if step > 0 else []
    return record_starts_after(path, fmt, targets)


def record_starts_after(path: Path, fmt: FileFormat, targets: list[int]) -> list[int]:
    """For each target offset (ascending), the first record start at or after it that can be found
    safely, without duplicates; none for the targets past an irregular quote or the last record."""
    if not targets:
        return []
    size = path.stat().st_size
    with open(path, "rb") as handle:
        if fmt.kind == "csv":
            points = _csv_points(handle, fmt, sorted(max(t, fmt.data_start) for t in targets))
        else:
            points = [_after_newline(handle, target) for target in targets]
    return sorted({p for p in points if fmt.data_start < p < size})


def ranges(path: Path, fmt: FileFormat, parts: int) -> list[tuple[int, int | None]]:
    """[start, end) ranges covering the data records, each starting on a record boundary."""
    bounds = [fmt.data_start, *split_points(path, fmt, parts)] if parts > 1 else [fmt.data_start]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def _after_newline(handle: BinaryIO, position: int, block: int = 64 * 1024) -> int:
    """The offset just past the first newline at or after `position` (end of file if none), read in
    blocks: `readline()` would load a gigabyte-long line whole."""
    handle.seek(position)
    while data := handle.read(block):
        newline = data.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(data)
    return position


def _csv_points(handle: BinaryIO, fmt: FileFormat, targets: list[int]) -> list[int]:
    import numpy as np

    delimiter = ord(fmt.delimiter)
    boundary_bytes = np.array([delimiter, _LF, _CR, _QUOTE], dtype=np.uint8)
    points: list[int] = []
    pending = list(targets)
    quotes = 0  # quotes before the current block
    offset = fmt.data_start
    previous_byte = _LF  # the data starts a record
    handle.seek(offset)
    while pending:
        block = handle.read(PASS_BLOCK + 1)  # one byte more: the byte after the block's last quote
        if not block:
            break
        at_end = len(block) <= PASS_BLOCK
        data = np.frombuffer(block, dtype=np.uint8)
        body = data if at_end else data[:PASS_BLOCK]
        positions = np.flatnonzero(body == _QUOTE)
        limit = len(body)  # bytes of this block whose parity is trusted
        if len(positions):
            opening = ((quotes + np.arange(len(positions))) & 1) == 0
            before = np.where(positions > 0, data[np.maximum(positions - 1, 0)], previous_byte)
            after_index = positions + 1
            after = np.where(after_index < len(data), data[np.minimum(after_index, len(data) - 1)], _LF)
            good = np.where(opening, np.isin(before, boundary_bytes), np.isin(after, boundary_bytes))
            bad = np.flatnonzero(~good)
            if len(bad):
                limit = int(positions[bad[0]])  # cuts after this quote are not safe
        while pending and pending[0] < offset + limit:
            target = max(pending[0], offset)
            newlines = np.flatnonzero(body[target - offset : limit] == _LF) + (target - offset)
            if not len(newlines):
                break  # none left in the trusted part of this block: look in the next one
            inside = (quotes + np.searchsorted(positions, newlines)) & 1
            outside = newlines[inside == 0]
            if not len(outside):
                break
            points.append(offset + int(outside[0]) + 1)
            pending.pop(0)
        if limit < len(body) or at_end:
            break  # an irregular quote, or the end: no further cut is safe or possible
        if pending and pending[0] < offset + len(body):
            pending[0] = offset + len(body)  # no cut found in this block: the next newline outside quotes
        quotes += len(positions)
        previous_byte = int(body[-1])
        offset += len(body)
        handle.seek(offset)
    return points
