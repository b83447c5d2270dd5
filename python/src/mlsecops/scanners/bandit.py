"""`bandit`: PyCQA's Bandit (SAST for Python) over the tree's Python files, read from its JSON report.

Files are chosen by our walker (so `scan.exclude` applies as for every scanner) and passed
to bandit in batches. A finding's severity is bandit's, one step lower when bandit itself
has low confidence. Code snippets are not copied into findings: they may hold secrets.
Options (`scan.options.bandit`): `BanditOptions`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.findings import Location, Severity, make_finding, number_repeats
from mlsecops.redact import redact
from mlsecops.scanners.files import TargetFile, target_files
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.tools import package_missing, run_tool

TOOL = "bandit"
BATCH = 400
_SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
_QUOTED = re.compile(r"'([^']{4,})'")


def _mask_literals(text: str) -> str:
    """Bandit quotes the suspected password in its text (B105-B107): never pass it on in full."""
    return _QUOTED.sub(lambda m: f"'{redact(m.group(1))}'", text)


class _LineReader:
    """The stripped text of a file's line, each file read once (bandit's snippet carries line numbers)."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def text(self, path: Path, line: Any) -> str | None:
        if path not in self._files:
            try:
                self._files[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        if not isinstance(line, int) or not 0 < line <= len(lines):
            return None
        return lines[line - 1].strip()


_LOWER = {Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW, Severity.LOW: Severity.INFO}


class BanditOptions(ScannerOptions):
    skip: list[str] = Field(default_factory=list, description="bandit test ids not run, e.g. [B101]")
    timeout: float = Field(default=1800.0, gt=0, description="seconds before one batch of files is stopped")


class BanditScanner(Scanner):
    name = "bandit"
    category = "code"
    options_model: ClassVar[type[BanditOptions]] = BanditOptions

    def unavailable_reason(self) -> str | None:
        return package_missing("bandit")

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        reason = self.unavailable_reason()
        if reason:
            return ScanOutcome(scanner=self.name, status="not-run", message=reason)
        outcome = ScanOutcome(scanner=self.name, tool_version=metadata.version("bandit"))
        files = [t for t in target_files(targets, ("code",), skipped=outcome.skipped, findings=outcome.findings)
                 if t.path.suffix == ".py"]
        if not files:
            outcome.status, outcome.message = "not-run", "nothing to scan: no Python files"
            return outcome
        options = self.options_model.of(targets)
        skip = ["--skip", ",".join(options.skip)] if options.skip else []
        # bandit reports a relative path as `./sub/x.py`: matched by absolute path, else a finding would be
        # named by its bare file name
        by_path = {os.path.abspath(t.path): t for t in files}
        for start in range(0, len(files), BATCH):
            batch = files[start : start + BATCH]
            run = run_tool([sys.executable, "-m", "bandit", "--format", "json", "--quiet", *skip,
                            *[str(t.path) for t in batch]], timeout=options.timeout)
            try:
                report = json.loads(run.stdout)
            except ValueError:
                outcome.status = "error"
                outcome.message = f"bandit gave no JSON report (exit {run.returncode}): {run.stderr_tail}"
                return outcome
            outcome.scanned += len(batch)
            self._read(report, by_path, outcome)
        number_repeats(outcome.findings)
        return outcome

    @staticmethod
    def _read(report: dict[str, Any], by_path: dict[str, TargetFile], outcome: ScanOutcome) -> None:
        lines = _LineReader()
        for error in report.get("errors", []):
            target = by_path.get(os.path.abspath(str(error.get("filename"))))
            outcome.skipped.append(f"{target.display if target else error.get('filename')}: {error.get('reason')}")
        for result in report.get("results", []):
            target = by_path.get(os.path.abspath(str(result.get("filename"))))
            display = target.display if target else str(Path(str(result.get("filename"))).name)
            severity = _SEVERITY.get(str(result.get("issue_severity")), Severity.MEDIUM)
            if result.get("issue_confidence") == "LOW":
                severity = _LOWER.get(severity, severity)
            cwe = (result.get("issue_cwe") or {}).get("id")
            text = _mask_literals(str(result.get("issue_text", "")))
            outcome.findings.append(
                make_finding(
                    rule=f"bandit/{result.get('test_id')}",
                    title=f"{result.get('test_name')}: {text}"[:200],
                    severity=severity,
                    category="code",
                    tool=TOOL,
                    location=Location(path=display, line=result.get("line_number"),
                                      artifact=target.artifact if target else None),
                    message=text,
                    identity=str(result.get("col_offset", "")),
                    # the line's text, not its number, goes into the id: lines added above keep waivers valid
                    context=lines.text(target.path, result.get("line_number")) if target else None,
                    cwe=[f"CWE-{cwe}"] if cwe else [],
                    references=[str(result["more_info"])] if result.get("more_info") else [],
                    properties={"confidence": result.get("issue_confidence")},
                )
            )
