"""`secrets-gitleaks`: gitleaks over the source tree when it is on PATH; its JSON report is read back.

`gitleaks dir` (8.19 and later) scans files; with `git_base_ref` set, `gitleaks git
--log-opts=<base>..HEAD` scans the commits of a merge request. `--redact` keeps values out of
its report; the report's `Secret` is still redacted again before anything is written.
Options (`scan.options.secrets-gitleaks`): `binary`, `config` (a gitleaks TOML), `git_base_ref`.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from ..findings import Location, Severity, make_finding, value_digest
from ..redact import redact
from .interface import Scanner, ScanOutcome, ScanTargets
from .tools import find_binary, run_tool, version_of

TOOL = "gitleaks"
REDACTED = "REDACTED"  # what gitleaks --redact writes in place of a value


class GitleaksScanner(Scanner):
    name = "secrets-gitleaks"
    category = "secret"

    def unavailable_reason(self) -> str | None:
        return None if find_binary("gitleaks") else "gitleaks is not on PATH (the worker image can install it)"

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        binary = find_binary("gitleaks", targets.options.get("binary"))
        if binary is None:
            outcome.status, outcome.message = "not-run", "gitleaks is not on PATH"
            return outcome
        outcome.tool_version = version_of(binary, "version")
        work = Path(targets.work_dir or Path.cwd())
        work.mkdir(parents=True, exist_ok=True)
        base_ref = targets.options.get("git_base_ref")
        config = ["--config", str(targets.options["config"])] if targets.options.get("config") else []
        for index, root in enumerate(targets.paths):
            report = work / f"gitleaks-{index}.json"
            report.unlink(missing_ok=True)
            mode = ["git", f"--log-opts={base_ref}..HEAD"] if base_ref else ["dir"]
            run = run_tool([binary, *mode, "--report-format", "json", "--report-path", str(report), "--redact",
                            "--no-banner", "--exit-code", "0", *config, str(root)],
                           timeout=float(targets.options.get("timeout", 1800)))
            if not report.is_file():
                outcome.status = "error"
                outcome.message = f"gitleaks wrote no report (exit {run.returncode}): {run.stderr_tail}"
                return outcome
            outcome.findings.extend(read_gitleaks_report(json.loads(report.read_text() or "[]"), Path(root),
                                                         targets.exclude))
            outcome.scanned += 1
        return outcome


def read_gitleaks_report(entries: list[dict[str, Any]], root: Path, exclude: list[str]) -> list[Any]:
    from .files import is_excluded

    findings = []
    for entry in entries:
        path = str(entry.get("File", ""))
        if Path(path).is_absolute():
            with contextlib.suppress(ValueError):  # a file outside the root keeps its own path
                path = Path(path).relative_to(root.resolve()).as_posix()
        if is_excluded(path, exclude):
            continue
        secret = str(entry.get("Secret") or "")
        # with --redact the report holds "REDACTED": the fingerprint then tells secrets apart
        identity = value_digest(secret) if secret and secret != REDACTED else str(entry.get("Fingerprint", ""))
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
                cwe=["CWE-798"],
                properties={"commit": entry.get("Commit", ""), "entropy": entry.get("Entropy")},
            )
        )
    return findings
