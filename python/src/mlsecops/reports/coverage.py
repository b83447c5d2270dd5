"""Which tests did not judge this run, and why: switched off, not applicable, or unable to run.

"Every gate passed" must never hide a test that was not there. Every stage records its
scanners and tests in `result.scanners` (`{scanner, status, message}`); this module turns the
ones that did not run into one line each, for the console, summary.md and summary.html alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlsecops.workspace import StageResult

OFF = "off"
NOT_APPLICABLE = "not applicable"
NOT_RUN = "did not run"
_DISABLED = "disabled in "  # the message of a test its config switched off (modeltests/suite.py)


@dataclass(frozen=True)
class Uncovered:
    stage: str
    test: str
    state: str  # off | not applicable | did not run
    note: str

    def line(self) -> str:
        return f"{self.stage} {self.test}: {self.state}" + (f" ({self.note})" if self.note else "")


def state_of(entry: dict[str, Any]) -> str | None:
    """The state of a scanner or test that did not judge anything; None when it ran."""
    status = str(entry.get("status") or "")
    message = str(entry.get("message") or "")
    if status in ("ran", "passed", ""):
        return None
    if status in ("off", "disabled") or (status == "skipped" and message.startswith(_DISABLED)):
        return OFF
    if status in ("skipped", "not-applicable", "not applicable"):
        return NOT_APPLICABLE
    return NOT_RUN


def uncovered(results: list[StageResult]) -> list[Uncovered]:
    """Every scanner or test of every stage that did not run, in pipeline order, each once."""
    found: dict[tuple[str, str], Uncovered] = {}
    for result in results:
        for entry in result.scanners:
            if not isinstance(entry, dict):
                continue
            state = state_of(entry)
            name = str(entry.get("scanner") or entry.get("name") or "?")
            if state is None:
                found.pop((result.stage, name), None)  # a later branch that ran replaces an earlier one
                continue
            note = str(entry.get("message") or "")
            if state == OFF and note.startswith(_DISABLED):
                note = f"{note[len(_DISABLED):]}.enabled: false"
            note = note.removeprefix(f"{state}: ")  # "not applicable (not applicable: ...)" says it twice
            found[(result.stage, name)] = Uncovered(result.stage, name, state, note)
    return list(found.values())
