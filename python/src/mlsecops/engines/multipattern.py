"""One pass of many regular expressions over bytes: Hyperscan when installed, Python `re` otherwise.

Hyperscan reports every end offset of every pattern in a single pass at memory speed, so a
file with nothing in it costs almost nothing; the `re` fallback runs each pattern in turn
and gives the same (id, start, end) spans, only slower. Patterns must stay in the common
subset of both dialects: no lookarounds, no back-references, no named groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Pattern:
    id: int
    regex: bytes
    caseless: bool = False
    # lower-case literals one of which every match contains: lets the `re` fallback skip a
    # pattern cheaply on data that cannot match it (Hyperscan does not need them)
    keywords: tuple[bytes, ...] = ()
    max_length: int = 1024  # longest match expected; bounds the re-check window of end-only patterns


@cache
def hyperscan_version() -> str | None:
    try:
        import hyperscan
    except ImportError:
        return None
    return str(getattr(hyperscan, "__version__", "unknown"))


def engine_version(backend: str) -> str:
    """How our built-in engines report their version: which matcher ran them."""
    return f"builtin (hyperscan {hyperscan_version()})" if backend == "hyperscan" else "builtin (python re)"


class MultiPattern:
    """Spans of all patterns in `data`; for each (pattern, start) only the longest end is kept.

    Hyperscan also reports a match that starts inside another match of the same pattern
    where `re` would not; callers rank and de-overlap spans anyway (specific before generic).

    Hyperscan can track start offsets only for simple patterns; one with long bounded
    repeats is compiled end-only, and its hits are re-checked with `re` in a window around
    each end (the line, bounded by `max_length`), which gives the same spans.
    """

    def __init__(self, patterns: Sequence[Pattern], *, prefer_hyperscan: bool = True) -> None:
        self.patterns = list(patterns)
        self._by_id = {p.id: p for p in self.patterns}
        self._compiled = {
            p.id: re.compile(p.regex, re.IGNORECASE if p.caseless else 0) for p in self.patterns
        }
        self._end_only: set[int] = set()
        self._database = self._compile_hyperscan() if prefer_hyperscan and hyperscan_version() else None
        self.backend = "hyperscan" if self._database is not None else "re"

    def _compile_hyperscan(self):  # noqa: ANN202 - hyperscan has no type stubs
        import hyperscan

        def flags(pattern: Pattern, som: bool) -> int:
            return (hyperscan.HS_FLAG_SOM_LEFTMOST if som else 0) | (
                hyperscan.HS_FLAG_CASELESS if pattern.caseless else 0
            )

        for pattern in self.patterns:
            try:
                hyperscan.Database().compile(expressions=[pattern.regex], ids=[0], elements=1,
                                             flags=[flags(pattern, True)])
            except hyperscan.error:
                self._end_only.add(pattern.id)
        database = hyperscan.Database()
        database.compile(
            expressions=[p.regex for p in self.patterns],
            ids=[p.id for p in self.patterns],
            elements=len(self.patterns),
            flags=[flags(p, p.id not in self._end_only) for p in self.patterns],
        )
        return database

    def spans(self, data: bytes) -> list[tuple[int, int, int]]:
        """(pattern id, start, end), in no particular order; overlapping spans all kept (callers rank them)."""
        return [(pid, start, end) for (pid, start), end in self.longest(data).items()]

    def longest(self, data: bytes) -> dict[tuple[int, int], int]:
        """{(pattern id, start): longest end}: `spans` without building a tuple per span."""
        if self._database is None:
            return self._longest_re(data)
        longest: dict[tuple[int, int], int] = {}
        end_only = self._end_only
        if not end_only:
            def on_match(pattern_id: int, start: int, end: int, _flags: int, _context: object) -> None:
                longest[(pattern_id, start)] = end  # ends arrive in increasing order: the last is the longest

            self._database.scan(data, match_event_handler=on_match)
            return longest
        end_hits: dict[int, list[int]] = {}

        def on_match_or_end(pattern_id: int, start: int, end: int, _flags: int, _context: object) -> None:
            if pattern_id in end_only:
                end_hits.setdefault(pattern_id, []).append(end)
            else:
                longest[(pattern_id, start)] = end

        self._database.scan(data, match_event_handler=on_match_or_end)
        for pattern_id, ends in end_hits.items():
            for start, end in self._recheck(pattern_id, data, ends):
                longest[(pattern_id, start)] = max(end, longest.get((pattern_id, start), end))
        return longest

    def _recheck(self, pattern_id: int, data: bytes, ends: list[int]) -> list[tuple[int, int]]:
        """Exact spans of an end-only pattern: `re` over the merged windows around its hit ends."""
        reach = self._by_id[pattern_id].max_length
        windows: list[list[int]] = []
        for end in ends:  # Hyperscan reports ends in increasing order
            if windows and end <= windows[-1][1]:
                continue
            low = max(0, end - reach)
            line_start = data.rfind(b"\n", low, end - 1)  # a match may end with the newline itself
            low = max(0, line_start - 1) if line_start >= 0 else low
            line_end = data.find(b"\n", end, end + reach)
            high = line_end if line_end >= 0 else min(len(data), end + reach)
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        regex = self._compiled[pattern_id]
        return [(m.start(), m.end()) for low, high in windows for m in regex.finditer(data, low, high)]

    def _longest_re(self, data: bytes) -> dict[tuple[int, int], int]:
        lowered = data.lower() if any(p.keywords for p in self.patterns) else data
        return {
            (p.id, m.start()): m.end()  # `re` matches of one pattern never share a start
            for p in self.patterns
            if not p.keywords or any(k in lowered for k in p.keywords)
            for m in self._compiled[p.id].finditer(data)
        }
