"""modelscan (Protect AI) as a library, one file at a time; its report is read, never its exit code.

modelscan picks files by extension and reads pickles, `.h5` and (with TensorFlow) `.keras`.
An error or a "skipped" entry means modelscan did not scan that file, which is recorded as
its verdict so that the consensus can tell "clean" from "not looked at".
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mlsecops.engines.models.problems import CLEAN, ERROR, UNSAFE, UNSUPPORTED, FileVerdict, Problem
from mlsecops.findings import Severity

SCANNER = "modelscan"
_SEVERITY = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}


class ModelscanRunner:
    def __init__(self) -> None:
        self._scanner: Any = None
        self.version = ""

    def unavailable_reason(self) -> str | None:
        try:
            import modelscan  # noqa: F401
        except ImportError:
            return "modelscan is not installed (pip install modelscan)"
        return None

    def _instance(self) -> Any:
        if self._scanner is None:
            from modelscan._version import __version__
            from modelscan.modelscan import ModelScan
            from modelscan.settings import DEFAULT_SETTINGS

            logging.getLogger("modelscan").setLevel(logging.CRITICAL)  # its errors are read from the report
            self._scanner = ModelScan(settings=DEFAULT_SETTINGS)
            self.version = __version__
        return self._scanner

    def scan(self, path: Path) -> FileVerdict:
        try:
            report = self._instance().scan(path)
        except Exception as exc:  # noqa: BLE001 - a crash of the tool is its verdict, not ours to raise
            return FileVerdict(SCANNER, ERROR, note=f"modelscan crashed: {exc.__class__.__name__}")
        return verdict_from_report(report)


def verdict_from_report(report: dict[str, Any]) -> FileVerdict:
    issues = report.get("issues") or []
    errors = report.get("errors") or []
    summary = report.get("summary") or {}
    scanned = (summary.get("scanned") or {}).get("total_scanned", 0)
    skipped = (summary.get("skipped") or {}).get("skipped_files") or []
    verdict = FileVerdict(SCANNER, CLEAN if scanned else UNSUPPORTED)
    for issue in issues:
        verdict.add(_problem(issue))
    if errors:
        note = "; ".join(str(e.get("description", ""))[:120] for e in errors[:3])
        if not issues:
            verdict.verdict = ERROR
        verdict.note = f"error: {note}"
    elif not scanned and not issues:
        reasons = {str(s.get("description", "")) for s in skipped} or {"nothing scanned"}
        verdict.note = "skipped: " + "; ".join(sorted(reasons))[:200]
    return verdict


def _problem(issue: dict[str, Any]) -> Problem:
    module = str(issue.get("module", ""))
    operator = str(issue.get("operator", ""))
    severity = _SEVERITY.get(str(issue.get("severity", "")).upper(), Severity.HIGH)
    where = str(issue.get("source", ""))
    if operator == "Lambda":
        title = "Keras model contains a Lambda layer"
        return Problem("lambda-layer", "model-file/keras-lambda", severity, title, where)
    ref = f"{module}.{operator}"
    return Problem(
        key=f"unsafe-global:{ref}",
        rule="model-file/unsafe-global",
        severity=severity,
        title=f"Pickle imports {ref} on load",
        detail=where,
    )


__all__ = ["ModelscanRunner", "verdict_from_report", "UNSAFE"]
