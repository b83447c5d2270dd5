"""The `models` scanner: model files judged by consensus of modelscan, fickling and our own checks.

Each file is looked at by every checker that reads its format; problems with the same key
are one finding listing every scanner's verdict (`properties.verdicts`). A problem only an
outside tool reports, on an import our complete opcode walk judged trusted (or on a name that
is no import at all), is kept at info (`properties.explained_by`): it does not fail the gate.
A file no checker could read is a finding of its own ("not scanned"), and a checker that breaks
on one file is a finding for that file while the rest are still judged: the gate fails closed.
Files are named relative to the project root, standalone and in the pipeline alike.
Nothing is ever loaded or unpickled: see `model_formats` and `pickle_inspect`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.models import loader_code
from mlsecops.engines.models.formats import SCANNER, inspect_file, looks_like_model
from mlsecops.engines.models.pickle_trusted import TRUSTED_GLOBALS
from mlsecops.engines.models.problems import ERROR, READ_VERDICTS, UNSUPPORTED, FileVerdict, Problem
from mlsecops.findings import Finding, Location, Severity, make_finding, owasp_tags, scanner_did_not_run
from mlsecops.scanners.fickling_adapter import FicklingRunner
from mlsecops.scanners.files import target_files
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.modelscan_adapter import ModelscanRunner

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
    "build-on-global": ["CWE-502"],
    "build-dunder": ["CWE-502"],
    "method-call": ["CWE-502"],
    "torchscript-import": ["CWE-94"],
    "torchscript-op": ["CWE-94"],
    "torchscript-name": ["CWE-94"],
    "chat-template": ["CWE-1336"],
    "archive-member": ["CWE-22"],
    "onnx-external-data": ["CWE-22"],
    "hdf5-external": ["CWE-22"],
    "hf-remote-code": ["CWE-94"],
    "loader-module": ["CWE-94"],
    "allocation-bomb": ["CWE-789"],
    "scipy-template": ["CWE-94"],
    "opens-file": ["CWE-73"],
    "torch-hub-hubconf": ["CWE-94"],
    "custom-generate": ["CWE-94"],
    "gguf-header": ["CWE-20"],
}
_REFERENCES = ["https://owasp.org/www-project-top-10-for-large-language-model-applications/"]


@dataclass
class FileReport:
    """Every scanner's verdict on one file."""

    path: Path
    display: str
    format: str
    verdicts: list[FileVerdict] = field(default_factory=list)
    artifact: str | None = None  # the loaded artifact the file belongs to

    @property
    def read_by(self) -> list[str]:
        return [v.scanner for v in self.verdicts if v.verdict in READ_VERDICTS]

    def verdict_map(self) -> dict[str, str]:
        return {v.scanner: v.verdict + (f" ({v.note})" if v.note else "") for v in self.verdicts}


class ModelFilesOptions(ScannerOptions):
    trusted_globals: list[str] = Field(default_factory=list, description="imports a pickle may name that the "
                                       "project vouches for: \"module.Name\" or \"package.*\"")
    modelscan: bool = Field(default=True, description="also run modelscan (a finding when it is missing)")
    fickling: bool = Field(default=True, description="also run fickling (a finding when it is missing)")


class ModelFilesScanner(Scanner):
    name = "models"
    category = "model-file"
    # `mlsecops scan models PATH` walks PATH as a source tree: model files are found by content
    standalone_kind = None
    options_model: ClassVar[type[ModelFilesOptions]] = ModelFilesOptions

    def __init__(self) -> None:
        self.modelscan = ModelscanRunner()
        self.fickling = FicklingRunner()

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        loader_code.forget()  # which .py files loaders import is decided afresh for every scan
        trusted = _trusted(options.trusted_globals)
        use_modelscan, use_fickling = options.modelscan, options.fickling
        outcome = ScanOutcome(scanner=self.name)
        files = collect_model_files(targets, outcome)
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
        reports = []
        for path, display, artifact in files:
            try:
                report = self.scan_file(path, display, trusted, tools)
            except Exception as exc:  # noqa: BLE001 - one file that breaks a checker must not hide the others
                outcome.findings.append(_checker_crashed(display, artifact, exc))
                continue
            report.artifact = artifact
            reports.append(report)
            outcome.findings.extend(consensus_findings(report))
        outcome.scanned = len(files)
        versions = [f"modelscan {self.modelscan.version}" if self.modelscan.version else "",
                    f"fickling {self.fickling.version}" if self.fickling.version else ""]
        outcome.tool_version = ", ".join(v for v in versions if v)
        consensus = ", ".join(["mlsecops", *tools])
        outcome.message = f"{len(files)} model file(s) judged by consensus of {consensus}"
        outcome.skipped += [f"{r.display}: not scanned" for r in reports if not r.read_by]
        return outcome

    def scan_file(self, path: Path, display: str, trusted: frozenset[tuple[str, str]], tools: list[str]) -> FileReport:
        inspection = inspect_file(path, trusted)
        report = FileReport(path=path, display=display, format=inspection.format, verdicts=[inspection.verdict])
        for tool in tools:
            try:
                if tool == "modelscan":
                    report.verdicts.append(self.modelscan.scan(path))
                elif tool == "fickling":
                    report.verdicts.append(self.fickling.scan(inspection.pickles, trusted))
            except Exception as exc:  # noqa: BLE001 - a crashing tool is its verdict on this file only
                report.verdicts.append(FileVerdict(tool, ERROR, note=f"{tool} crashed: {exc.__class__.__name__}"))
        return report


def _checker_crashed(display: str, artifact: str | None, exc: Exception) -> Finding:
    return make_finding(
        rule="model-file/unreadable",
        title="Model file could not be judged: a checker failed on it",
        severity=Severity.HIGH,
        category="model-file",
        tool="models",
        location=Location(path=display, artifact=artifact or display),
        message=f"{display}: the model-file checks failed on this file ({exc.__class__.__name__}); "
        "it must not be loaded until it is judged",
        identity="unreadable",
        owasp_llm=owasp_tags("LLM03", "LLM05"),
        references=_REFERENCES,
        properties={"not_scanned": True, "reason": exc.__class__.__name__},
    )


def _trusted(entries: Any) -> frozenset[tuple[str, str]]:
    """`scan.options.models.trusted_globals`: "module.Name" or "package.*" the project vouches for."""
    pairs = set()
    for entry in entries or []:
        module, _, name = str(entry).rpartition(".")
        if module:
            pairs.add((module, name))
    return frozenset(pairs)


def collect_model_files(targets: ScanTargets, outcome: ScanOutcome | None = None) -> list[tuple[Path, str, str | None]]:
    """Model files among the targets: tree files that look like models (by extension or content), loaded
    model artifacts; named relative to the project root so ids match standalone and in the pipeline."""
    skipped: list[str] = []
    links: list[Finding] = []
    found = target_files(targets, ("model",), tree_filter=looks_like_model, skipped=skipped, findings=links)
    project_root = targets.project_root
    files: list[tuple[Path, str, str | None]] = []
    seen: set[Path] = set()
    artifact_files = {Path(a.path) for a in targets.artifacts_of("model") if Path(a.path).is_file()}
    in_project = {a.name: _project_path_of(a.url) for a in targets.artifacts_of("model")}
    for target in found:
        if target.artifact is not None and not (looks_like_model(target.path) or target.path.suffix.lower() == ".json"):
            continue
        real = target.path.resolve()
        if real in seen:
            continue
        seen.add(real)
        display = target.display
        if target.artifact is not None and target.display == target.path.name and target.path in artifact_files:
            display = target.artifact  # a file artifact is named as the load stage named it
        source = in_project.get(target.artifact or "")
        if source:
            # loaded from the project itself (a relative file:// source): named by its project path, as a
            # standalone scan of that folder names it
            display = source if target.path in artifact_files else f"{source}/{display.split('/', 1)[-1]}"
        if target.artifact is None and project_root:
            display = _relative_to(target.path, Path(project_root)) or display
        files.append((target.path, display, target.artifact))
    if outcome is not None:
        outcome.skipped.extend(skipped)
        outcome.findings.extend(links)
    return files


def _project_path_of(url: str) -> str | None:
    """`file://pretrained/tokenizer.pickle` (relative to the project) -> `pretrained/tokenizer.pickle`."""
    if not url.lower().startswith("file://"):
        return None
    path = url[len("file://"):].replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if not path or path.startswith(("/", "../")) or ".." in path.split("/") or ":" in path:
        return None
    return path.rstrip("/")


def _relative_to(path: Path, root: Path) -> str | None:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return None


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
    ours = next((v for v in report.verdicts if v.scanner == SCANNER), None)
    for key, seen in by_key.items():
        flagged_by = sorted({scanner for scanner, _ in seen})
        primary = seen[0][1]
        severity = max((p.severity for _, p in seen), key=lambda s: s.rank)
        explained = SCANNER not in flagged_by and _explained(key, ours)
        if explained:
            # one outside tool's word against our complete opcode walk, which knows this reconstruction:
            # recorded with every verdict, but not gate-failing
            severity = Severity.INFO
        family = key.split(":", 1)[0]
        findings.append(
            make_finding(
                rule=primary.rule,
                title=primary.title,
                severity=severity,
                category="model-file",
                tool="models",
                location=Location(path=report.display, artifact=report.artifact or report.display),
                message=f"{report.display}: {primary.title}. Flagged by {', '.join(flagged_by)}.",
                evidence=primary.detail[:300],
                identity=key,
                cwe=_CWE.get(family, []),
                owasp_llm=owasp_tags("LLM03", "LLM05"),
                references=_REFERENCES,
                properties={"verdicts": verdicts, "flagged_by": flagged_by, "format": report.format,
                            **({"explained_by": SCANNER} if explained else {})},
            )
        )
    return findings


def _explained(key: str, ours: FileVerdict | None) -> bool:
    """Whether our own walk read the whole file and knows the import another tool flagged as benign:
    a trusted global, or a name that is no import at all (fickling's `_var0.dtype` for a numpy dtype
    it rebuilt). An import our walk did not judge trusted is never explained away."""
    if ours is None or ours.verdict not in READ_VERDICTS or any(p.key == "unreadable" for p in ours.problems):
        return False
    family, _, ref = key.partition(":")
    if family == "fickling-malicious":
        # fickling's verdict with no import of its own to blame (every import it named is on the trusted list,
        # see fickling_adapter): explained when our walk read every pickle, judged each global trusted, and
        # found no call, BUILD or gadget to report (issue 14: one tool's word does not fail the gate alone)
        return not ours.problems and bool(ours.explained)
    if family not in ("unsafe-global", "unknown-global") or not ref:
        return False
    module = ref.split(".", 1)[0]
    return ref in TRUSTED_GLOBALS or ref in ours.explained or bool(re.fullmatch(r"_var\d+", module))


def _not_scanned(report: FileReport, verdicts: dict[str, str]) -> Finding:
    return make_finding(
        rule="model-file/not-scanned",
        title="Model file not scanned: no scanner could read it",
        severity=Severity.HIGH,
        category="model-file",
        tool="models",
        location=Location(path=report.display, artifact=report.artifact or report.display),
        message=f"{report.display}: no model scanner could read this file (format {report.format}); "
        "it must not be loaded until it is",
        identity="not-scanned",
        owasp_llm=owasp_tags("LLM03", "LLM05"),
        references=_REFERENCES,
        properties={"verdicts": verdicts, "flagged_by": [], "format": report.format, "not_scanned": True},
    )


__all__ = ["ModelFilesScanner", "collect_model_files", "consensus_findings", "ERROR", "UNSUPPORTED"]
