"""`secrets-gitleaks`: gitleaks over the source tree when it is on PATH; its JSON report is read back.

`gitleaks dir` (8.19 and later) scans files; with `git_base_ref` set, `gitleaks git
--log-opts=<base>..HEAD` scans the commits of a merge request. `--redact` keeps values out of
its report; the report's `Secret` is still redacted again before anything is written.
Options (`scan.options.secrets-gitleaks`): `GitleaksOptions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.findings import Location, Severity, make_finding, number_repeats, value_digest
from mlsecops.redact import redact
from mlsecops.scanners.files import option_path
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.scanners.tools import ToolOptions, ToolScanner

TOOL = "gitleaks"
REDACTED = "REDACTED"  # what gitleaks --redact writes in place of a value


class GitleaksOptions(ToolOptions):
    config: str | None = Field(default=None, description="a gitleaks TOML of the site's own rules")
    git_base_ref: str | None = Field(default=None, description="scan the commits since this ref "
                                     "(`gitleaks git`) instead of the files")


class GitleaksScanner(ToolScanner):
    name = "secrets-gitleaks"
    category = "secret"
    binaries = ("gitleaks",)
    version_args = ("version",)
    options_model: ClassVar[type[GitleaksOptions]] = GitleaksOptions

    def command(self, binary: str, targets: ScanTargets, root: Path, report: Path) -> list[str]:
        options = self.options_model.of(targets)
        base_ref, configured = options.git_base_ref, options.config
        config = ["--config", str(option_path(targets, configured))] if configured else []
        mode = ["git", f"--log-opts={base_ref}..HEAD"] if base_ref else ["dir"]
        return [binary, *mode, "--report-format", "json", "--report-path", str(report), "--redact", "--no-banner",
                "--exit-code", "0", *config, str(root)]

    def read(self, data: Any, root: Path, targets: ScanTargets, outcome: ScanOutcome) -> None:
        outcome.findings.extend(read_gitleaks_report(data or [], root, targets.exclude, targets))


def read_gitleaks_report(entries: list[dict[str, Any]], root: Path, exclude: list[str],
                         targets: ScanTargets | None = None) -> list[Any]:
    from mlsecops.scanners.files import is_excluded, reported_file, tool_path

    findings = []
    for entry in entries:
        reported = str(entry.get("File", ""))
        commit = bool(entry.get("Commit"))  # a commit's file: named from the repository root, as git names it
        # exclusions are relative to the scanned root; findings are named as target_files names files
        # (from the project root when run alone inside one)
        if is_excluded(reported if commit else tool_path(ScanTargets(), root, reported), exclude):
            continue
        path = reported if commit else tool_path(targets or ScanTargets(), root, reported)
        file = None if commit else reported_file(root, reported)
        secret = str(entry.get("Secret") or "")
        # with --redact the report holds "REDACTED": the value is read back from the file at the place
        # gitleaks names; gitleaks' own Fingerprint ends in the line number, which moves with edits
        identity = value_digest(secret) if secret and secret != REDACTED else _digest_at(file, entry)
        findings.append(
            make_finding(
                rule=f"gitleaks/{entry.get('RuleID', 'unknown')}",
                title=str(entry.get("Description") or entry.get("RuleID") or "secret"),
                severity=Severity.HIGH,
                category="secret",
                tool=TOOL,
                location=Location(path=path, line=entry.get("StartLine")),
                message=f"gitleaks rule {entry.get('RuleID')}" + (f" in commit {entry['Commit'][:12]}"
                                                                  if entry.get("Commit") else ""),
                evidence=redact(secret) if secret and secret != REDACTED else REDACTED,
                identity=identity,
                context="",
                cwe=["CWE-798"],
                properties={"commit": entry.get("Commit", ""), "entropy": entry.get("Entropy")},
            )
        )
    return number_repeats(findings)


def _digest_at(file: Path | None, entry: dict[str, Any]) -> str:
    """The digest of the secret gitleaks found (its file, line and columns), or, when the file cannot
    tell (a commit's version, a changed file), its Fingerprint without the line number."""
    fingerprint = str(entry.get("Fingerprint", ""))
    without_line = fingerprint.rsplit(":", 1)[0] if fingerprint.rsplit(":", 1)[-1].isdigit() else fingerprint
    try:
        line_number, start, end = int(entry["StartLine"]), int(entry["StartColumn"]), int(entry["EndColumn"])
        if file is None or entry.get("Commit") or line_number < 1 or entry.get("EndLine", line_number) != line_number:
            return without_line
        with open(file, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if number == line_number:
                    value = line[max(0, start - 1) : end]
                    return value_digest(value) if value.strip() else without_line
    except (KeyError, TypeError, ValueError, OSError):
        pass
    return without_line
