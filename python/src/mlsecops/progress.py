"""Progress of a long step (garak probes, training folds, large scans): one API, right for a terminal and a log.

On a terminal the step redraws one live line; in a log (Jenkins, a pipe, a file) every step
gets its own line, so a reader of the build log sees how far it got and where it stopped.

    for index, probe in enumerate(probes, start=1):
        run(probe)
        progress(ctx.echo, "garak", index, len(probes), probe)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

_CLEAR_LINE = "\r\x1b[2K"


def progress(
    echo: Callable[[str], None],
    label: str,
    i: int,
    n: int,
    detail: str = "",
    *,
    stream: TextIO | None = None,
) -> None:
    """Say that step `i` of `n` (counted from 1) of `label` is done; `detail` names the step.
    `n` <= 0 when the total is not known (a streamed file): the count alone is shown."""
    counted = f"{i}/{n} ({100 * i / n:.0f} %)" if n > 0 else str(i)  # n <= 0: the total is not known
    shown = f"{label}: {counted}" + (f" {detail}" if detail else "")
    out = stream or sys.stdout
    if not _is_terminal(out):
        echo(shown)
        return
    out.write(_CLEAR_LINE + shown + ("\n" if 0 < n <= i else ""))
    out.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream is no terminal
        return False
