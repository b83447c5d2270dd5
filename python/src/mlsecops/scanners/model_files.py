"""The `models` scanner: model files judged by consensus of modelscan, fickling and our own checks.

Each file is looked at by every checker that reads its format; problems with the same key
are one finding listing every scanner's verdict (`properties.verdicts`). A file that no
checker could read is a finding of its own ("not scanned"), so the gate fails closed.
Nothing is ever loaded or unpickled: see `model_formats` and `pickle_inspect`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Finding, Location, Severity, make_finding, owasp_tags, scanner_did_not_run
from ..hashing import file_sha256
from .fickling_adapter import FicklingRunner
from .interface import Scanner, ScanOutcome, ScanTargets
from .model_formats import inspect_file, looks_like_model
from .model_problems import ERROR, READ_VERDICTS, UNSUPPORTED, FileVerdict, Problem
from .modelscan_adapter import ModelscanRunner

_CWE = {
    "unsafe-global": ["CWE-502"],
    "unknown-global": ["CWE-502"],
    "dynamic-global": ["CWE-502"],
    "indirect-call": ["CWE-502"],
    "extension-code": ["CWE-502"],
    "fickling-malicious": ["CWE-502"],
    "lambda-layer": ["CWE-94"],
    "custom-object": ["CWE-94"],
    "unreadable": ["CWE-20"],
}
_REFERENCES = ["https://owasp.org/www-project-top-10-for-large-language-model-applications/"]


@dataclass
class FileReport:
    """Every scanner's verdict on one file."""

    path: Path
    display: str
    format: str
    verdicts: list[FileVerdict] = field(default_factory=list)

    @property
    def read_by(self) -> list[str]:
        return [v.scanner for v in self.verdicts if v.verdict in READ_VERDICTS]

    def verdict_map(self) -> dict[str, str]:
        return {v.scanner: v.verdict + (f" ({v.note})" if v.note else "") for v in self.verdicts}


class ModelFilesScanner(Scanner):
    name = "models"
    category = "model-file"
    # `mlsecops scan models PATH` walks PATH as a source tree: model files are found by content
    standalone_kind = None

    def __init__(self) -> None:
        self.modelscan = ModelscanRunner()
        self.fickling = FicklingRunner()

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = targets.options or {}
        trusted = _trusted(options.get("trusted_globals", []))
        use_modelscan = options.get("modelscan", True)
        use_fickling = options.get("fickling", True)
        outcome = ScanOutcome(scanner=self.name)
        files = collect_model_files(targets)
        tools: list[str] = []
        runners = (("modelscan", use_modelscan, self.modelscan), ("fickling", use_fickling, self.fickling))
        for tool, enabled, runner in runners:
            if not enabled:
                continue
            reason = runner.unavailable_reason()
            if reason:
                outcome.findings.append(scanner_did_not_run(tool, "model files", reason, category="scanner"))
            else:
                tools.append(tool)
        reports = [self.scan_file(path, display, trusted, tools) for path, display in files]
        for report in reports:
            outcome.findings.extend(consensus_findings(report))
        outcome.scanned = len(reports)
        versions = [f"modelscan {self.modelscan.version}" if self.modelscan.version else "",
                    f"fickling {self.fickling.version}" if self.fickling.version else ""]
        outcome.tool_version = ", ".join(v for v in versions if v)
        consensus = ", ".join(["mlsecops", *tools])
        outcome.message = f"{len(reports)} model file(s) judged by consensus of {consensus}"
        outcome.skipped = [f"{r.display}: not scanned" for r in reports if not r.read_by]
        return outcome

    def scan_file(self, path: Path, display: str, trusted: frozenset[tuple[str, str]], tools: list[str]) -> FileReport:
        inspection = inspect_file(path, trusted)
        report = FileReport(path=path, display=display, format=inspection.format, verdicts=[inspection.verdict])
        if "modelscan" in tools:
            report.verdicts.append(self.modelscan.scan(path))
        if "fickling" in tools:
            report.verdicts.append(self.fickling.scan(inspection.pickles))
        return report


def _trusted(entries: Any) -> frozenset[tuple[str, str]]:
    """`scan.options.models.trusted_globals`: "module.Name" or "package.*" the project vouches for."""
    pairs = set()
    for entry in entries or []:
        module, _, name = str(entry).rpartition(".")
        if module:
            pairs.add((module, name))
    return frozenset(pairs)


def collect_model_files(targets: ScanTargets) -> list[tuple[Path, str]]:
    """Model files among the targets: explicit files always, tree members when they look like models."""
    seen: set[Path] = set()
    files: list[tuple[Path, str]] = []
    sizes: dict[int, list[Path]] = {}

    def in_checkout(path: Path) -> bool:
        # a loaded artifact that is also in the checkout (load copies it to the workspace): one file, one finding
        twins = sizes.get(path.stat().st_size, [])
        return bool(twins) and file_sha256(path) in {file_sha256(twin) for twin in twins}

    def add(path: Path, display: str, *, artifact: bool = False) -> None:
        resolved = path.resolve()
        if resolved in seen or (artifact and in_checkout(path)):
            return
        seen.add(resolved)
        files.append((path, display))
        if not artifact:
            sizes.setdefault(path.stat().st_size, []).append(path)

    for root in targets.paths:
        if root.is_file():
            add(root, root.name)
            continue
        for path in _walk(root, targets.exclude):
            if looks_like_model(path):
                add(path, str(path.relative_to(root)))
    for artifact in targets.artifacts_of("model"):
        if artifact.path.is_file():
            if looks_like_model(artifact.path) or artifact.path.suffix.lower() == ".json":
                add(artifact.path, artifact.name, artifact=True)
        elif artifact.path.is_dir():
            for path in _walk(artifact.path, targets.exclude):
                if looks_like_model(path):
                    add(path, f"{artifact.name}/{path.relative_to(artifact.path)}", artifact=True)
    return files


def _walk(root: Path, exclude: list[str]) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(fnmatch.fnmatch(part, pattern) for part in relative for pattern in exclude):
            continue
        if path.is_file() and not path.is_symlink():
            out.append(path)
    return out


def consensus_findings(report: FileReport) -> list[Finding]:
    """One finding per problem on this file, with every scanner's verdict beside it."""
    verdicts = report.verdict_map()
    if not report.read_by and not any(v.problems for v in report.verdicts):
        return [_not_scanned(report, verdicts)]
    by_key: dict[str, list[tuple[str, Problem]]] = {}
    for verdict in report.verdicts:
        for problem in verdict.problems:
            by_key.setdefault(problem.key, []).append((verdict.scanner, problem))
    findings = []
    others_read = {v.scanner for v in report.verdicts if v.verdict in ("clean", "unsafe", "suspicious")}
    for key, seen in by_key.items():
        flagged_by = sorted({scanner for scanner, _ in seen})
        primary = seen[0][1]
        severity = max((p.severity for _, p in seen), key=lambda s: s.rank)
        if key == "unreadable" and others_read - set(flagged_by):
            severity = Severity.MEDIUM  # another scanner read the whole file: our parser is the odd one out
        family = key.split(":", 1)[0]
        findings.append(
            make_finding(
                rule=primary.rule,
                title=primary.title,
                severity=severity,
                category="model-file",
                tool="models",
                location=Location(path=report.display, artifact=report.display),
                message=f"{report.display}: {primary.title}. Flagged by {', '.join(flagged_by)}.",
                evidence=primary.detail[:300],
                identity=key,
                cwe=_CWE.get(family, []),
                owasp_llm=owasp_tags("LLM03", "LLM05"),
                references=_REFERENCES,
                properties={"verdicts": verdicts, "flagged_by": flagged_by, "format": report.format},
            )
        )
    return findings


def _not_scanned(report: FileReport, verdicts: dict[str, str]) -> Finding:
    return make_finding(
        rule="model-file/not-scanned",
        title="Model file not scanned: no scanner could read it",
        severity=Severity.HIGH,
        category="model-file",
        tool="models",
        location=Location(path=report.display, artifact=report.display),
        message=f"{report.display}: no model scanner could read this file (format {report.format}); "
        "it must not be loaded until it is",
        identity="not-scanned",
        owasp_llm=owasp_tags("LLM03", "LLM05"),
        references=_REFERENCES,
        properties={"verdicts": verdicts, "flagged_by": [], "format": report.format, "not_scanned": True},
    )


__all__ = ["ModelFilesScanner", "collect_model_files", "consensus_findings", "ERROR", "UNSUPPORTED"]
