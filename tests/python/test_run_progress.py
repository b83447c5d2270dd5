"""`progress()`: a line per step in a log, one live line on a terminal."""

from __future__ import annotations

import io

from mlsecops.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_log_every_step_is_its_own_line_through_echo():
    lines: list[str] = []
    log = io.StringIO()  # not a terminal, as in Jenkins
    for index, probe in enumerate(["dan.Dan_11_0", "encoding.InjectBase64", "promptinject.HijackHateHumans"], 1):
        progress(lines.append, "garak", index, 3, probe, stream=log)
    assert lines == [
        "garak: 1/3 (33 %) dan.Dan_11_0",
        "garak: 2/3 (67 %) encoding.InjectBase64",
        "garak: 3/3 (100 %) promptinject.HijackHateHumans",
    ]
    assert log.getvalue() == ""


def test_on_a_terminal_one_line_is_redrawn_and_ended_after_the_last_step():
    lines: list[str] = []
    terminal = Terminal()
    for fold in range(1, 4):
        progress(lines.append, "train fold", fold, 3, stream=terminal)
    assert lines == []  # nothing through echo: the live line is the progress
    written = terminal.getvalue()
    assert written.count("\r\x1b[2K") == 3 and written.endswith("train fold: 3/3 (100 %)\n")
    assert written.count("\n") == 1


def test_an_unknown_total_shows_the_count_alone():
    lines: list[str] = []
    progress(lines.append, "scan dataset", 5, 0, "rows 40001-50000", stream=io.StringIO())
    assert lines == ["scan dataset: 5 rows 40001-50000"]
