"""garak's progress reaches the log while it runs: a line per probe it finished, read from its report."""

from __future__ import annotations

import json
from pathlib import Path

from mlsecops.modeltests.garak_runner import _finished_probes


def _line(record: dict) -> bytes:
    return (json.dumps(record) + "\n").encode()


def test_each_probe_is_told_once_when_its_first_eval_record_is_complete(tmp_path: Path):
    report = tmp_path / "run.report.jsonl"
    told: list[str] = []
    seen: set[str] = set()
    assert _finished_probes(report, 0, seen, told.append) == 0  # garak has not written it yet

    start = _line({"entry_type": "start_run setup"}) + _line({"entry_type": "attempt", "probe": "probes.dan.Dan_11_0"})
    first_eval = _line({"entry_type": "eval", "probe": "probes.dan.Dan_11_0", "detector": "dan.DAN"})
    report.write_bytes(start + first_eval[:20])  # garak is in the middle of writing the eval line
    offset = _finished_probes(report, 0, seen, told.append)
    assert told == [] and offset == len(start)

    second_detector = _line({"entry_type": "eval", "probe": "probes.dan.Dan_11_0", "detector": "mitigation.X"})
    next_probe = _line({"entry_type": "eval", "probe": "probes.grandma.Win10", "detector": "x"})
    report.write_bytes(start + first_eval + second_detector + next_probe)
    offset = _finished_probes(report, offset, seen, told.append)
    assert told == ["dan.Dan_11_0", "grandma.Win10"]
    assert offset == report.stat().st_size
