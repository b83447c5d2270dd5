"""Running one scanner for a stage: whatever stops it becomes a finding, and what it did is recorded.

Shared by scan (stage 3) and modeltest (stage 7), which both run registered scanners.
"""

from __future__ import annotations

from mlsecops.errors import MlsecopsError
from mlsecops.findings import scanner_did_not_run
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.workspace import StageResult


def run_scanner(name: str, targets: ScanTargets) -> ScanOutcome:
    """Run one scanner; whatever stops it is recorded as an outcome, not raised (but bad config is)."""
    scanner = get_scanner(name)
    reason = scanner.unavailable_reason()
    if reason:
        outcome = ScanOutcome(scanner=name, status="not-run", message=reason)
    else:
        try:
            outcome = scanner.scan(targets)
        except MlsecopsError:
            raise
        except Exception as exc:  # a scanner crash must not pass silently, nor stop the others
            outcome = ScanOutcome(scanner=name, status="error", message=f"{exc.__class__.__name__}: {exc}"[:500])
    if outcome.status != "ran":
        where = ", ".join(str(p) for p in targets.paths) or ", ".join(a.name for a in targets.artifacts) or "-"
        outcome.findings.append(scanner_did_not_run(name, where, outcome.message or outcome.status))
    return outcome


def run_and_record(name: str, targets: ScanTargets, result: StageResult) -> ScanOutcome:
    """Run one scanner (its tool reports go to `targets.work_dir`) and record what it did in `result`."""
    if targets.work_dir is not None:
        targets.work_dir.mkdir(parents=True, exist_ok=True)
    outcome = run_scanner(name, targets)
    for finding in outcome.findings:
        # so that a newer result of this scanner alone can replace these findings (workspace.read_result)
        finding.properties.setdefault("scanner", name)
    result.findings.extend(outcome.findings)
    result.scanners.append(outcome.summary())
    if outcome.tool_version:
        result.tools[name] = outcome.tool_version
    return outcome
