"""fickling (Trail of Bits) on the pickle streams our inspection found; it parses, never loads.

Only `Pickled.load` (a parser) and `check_safety` (static analysis) are used: fickling's
`load`/`loads`/hooks unpickle and are never called. From "likely unsafe" up, every import
fickling names that our trusted list does not cover becomes a problem keyed as our walker keys
it, so agreeing scanners make one finding; its artifacts (`_var0.dtype` for a numpy dtype it
rebuilt) are weighed against our own walk by the consensus (`model_files`).
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

from mlsecops.engines.models.formats import PickleStream
from mlsecops.engines.models.pickle_inspect import classify_global
from mlsecops.engines.models.problems import CLEAN, ERROR, SUSPICIOUS, UNSAFE, UNSUPPORTED, FileVerdict, Problem
from mlsecops.findings import Severity

SCANNER = "fickling"
_MALICIOUS = ("LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS")
_SUSPICIOUS = ("POSSIBLY_UNSAFE", "SUSPICIOUS", "LIKELY_UNSAFE")
_IMPORT = re.compile(r"from ([\w.]+) import ([\w.]+)")


class FicklingRunner:
    def __init__(self) -> None:
        self.version = ""

    def unavailable_reason(self) -> str | None:
        try:
            import fickling  # noqa: F401
        except ImportError:
            return "fickling is not installed (pip install fickling)"
        return None

    def scan(self, streams: list[PickleStream], trusted: frozenset[tuple[str, str]] = frozenset()) -> FileVerdict:
        if not streams:
            return FileVerdict(SCANNER, UNSUPPORTED, note="no pickle stream")
        from importlib.metadata import version

        self.version = self.version or version("fickling")
        verdict = FileVerdict(SCANNER, CLEAN)
        for stream in streams:
            _merge(verdict, _scan_stream(stream, trusted))
        return verdict


def _scan_stream(stream: PickleStream, trusted: frozenset[tuple[str, str]]) -> FileVerdict:
    from fickling.analysis import check_safety
    from fickling.fickle import Pickled

    try:
        # fickling prints parser warnings on stdout: keep them out of our output
        with contextlib.redirect_stdout(io.StringIO()):
            results = check_safety(Pickled.load(stream.data))
    except Exception as exc:  # noqa: BLE001 - fickling's parser raises many types on odd input
        return FileVerdict(SCANNER, ERROR, note=f"{stream.where}: {exc.__class__.__name__}: {str(exc)[:120]}")
    level = results.severity.name
    if level in _MALICIOUS or level in _SUSPICIOUS:
        # every import fickling names that our list does not trust is a problem, keyed as ours are, so
        # that agreeing scanners make one finding (and a trusted one, or fickling's artifacts, are not)
        problems = _problems(results.to_dict(), stream.where, trusted)
        if level not in _MALICIOUS and not problems:
            return FileVerdict(SCANNER, SUSPICIOUS, note=level)
        verdict = FileVerdict(SCANNER, UNSAFE, note=level)
        for problem in problems:
            verdict.add(problem)
        if not verdict.problems:
            verdict.add(
                Problem("fickling-malicious", "model-file/unsafe-pickle", Severity.HIGH,
                        "fickling judges this pickle overtly malicious", stream.where)
            )
        return verdict
    return FileVerdict(SCANNER, SUSPICIOUS if level in _SUSPICIOUS else CLEAN, note=level)


def _problems(report: dict[str, Any], where: str, trusted: frozenset[tuple[str, str]]) -> list[Problem]:
    details = (report.get("detailed_results") or {}).get("AnalysisResult") or {}
    problems = []
    for text in details.values():
        for module, name in _IMPORT.findall(str(text)):
            problem = classify_global(module, name, trusted)
            if problem is None:
                continue  # fickling lists every non-standard import; the trusted ones are not problems
            problems.append(Problem(problem.key, problem.rule, problem.severity, problem.title, where))
    return problems


_RANK = {UNSUPPORTED: 0, CLEAN: 1, SUSPICIOUS: 2, ERROR: 3, UNSAFE: 4}


def _merge(total: FileVerdict, part: FileVerdict) -> None:
    if _RANK[part.verdict] > _RANK[total.verdict]:
        total.verdict = part.verdict
        total.note = part.note
    for problem in part.problems:
        if all(p.key != problem.key for p in total.problems):
            total.problems.append(problem)
