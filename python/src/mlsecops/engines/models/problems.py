"""What a model-file check can say about one file: problems keyed so that scanners can agree.

Every checker (ours, modelscan, fickling) reports `Problem`s; two problems with the same key
on the same file are the same problem seen by two scanners, and become one finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlsecops.findings import Severity

# A scanner's verdict on one file.
UNSAFE = "unsafe"  # found a problem
SUSPICIOUS = "suspicious"  # something unusual below the level of a problem
CLEAN = "clean"  # read the whole file and found nothing
ERROR = "error"  # tried and could not read it (corrupt, truncated, tool failure)
UNSUPPORTED = "unsupported"  # not a format this scanner reads
READ_VERDICTS = (UNSAFE, SUSPICIOUS, CLEAN)  # the scanner did read the file


@dataclass(frozen=True)
class Problem:
    key: str  # e.g. "unsafe-global:os.system", "lambda-layer", "unreadable"
    rule: str  # e.g. "model-file/unsafe-global"
    severity: Severity
    title: str
    detail: str = ""  # where inside the file (zip member, offset, layer name)


@dataclass
class FileVerdict:
    """One scanner's look at one file."""

    scanner: str
    verdict: str
    problems: list[Problem] = field(default_factory=list)
    note: str = ""  # why it could not read the file, or what format it saw
    explained: set[str] = field(default_factory=set)  # imports this scanner read and judged trusted here

    def add(self, problem: Problem) -> None:
        if all(p.key != problem.key for p in self.problems):
            self.problems.append(problem)
        if self.verdict in (CLEAN, SUSPICIOUS, UNSUPPORTED):
            self.verdict = UNSAFE


def unreadable(detail: str) -> Problem:
    return Problem(
        key="unreadable",
        rule="model-file/unreadable",
        severity=Severity.HIGH,
        title="Model file is truncated or corrupt: it could not be read completely",
        detail=detail,
    )
