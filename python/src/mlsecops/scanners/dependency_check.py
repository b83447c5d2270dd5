"""`dependency-check`: OWASP Dependency-Check (`--format JSON`) over the source tree, when installed.

Options (`scan.options.dependency-check`): `binary`, `offline` (true: `--noupdate`, for a
worker image with a mirrored NVD), `timeout`. The NVD API key, when used, reaches the tool
only through the `NVD_API_KEY` environment variable.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from ..findings import Location
from .interface import Scanner, ScanOutcome, ScanTargets
from .tools import find_binary, run_tool, version_of
from .vulns import Vulnerability, severity_from_name

TOOL = "dependency-check"
BINARIES = ("dependency-check", "dependency-check.sh")
_PURL = re.compile(r"^pkg:[a-z]+/(?:[^/@]+/)?(?P<name>[^/@]+)@(?P<version>[^?#]+)")


def _binary(override: str | None) -> str | None:
    for name in BINARIES:
        found = find_binary(name, override)
        if found:
            return found
    return None


class DependencyCheckScanner(Scanner):
    name = "dependency-check"
    category = "dependency"

    def unavailable_reason(self) -> str | None:
        return None if _binary(None) else "dependency-check is not on PATH (the worker image can install it)"

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        binary = _binary(targets.options.get("binary"))
        if binary is None:
            outcome.status, outcome.message = "not-run", "dependency-check is not on PATH"
            return outcome
        outcome.tool_version = version_of(binary, "--version")
        work = Path(targets.work_dir or Path.cwd())
        for index, root in enumerate(targets.paths):
            out = work / f"dependency-check-{index}"
            out.mkdir(parents=True, exist_ok=True)
            report = out / "dependency-check-report.json"
            report.unlink(missing_ok=True)
            excludes = [arg for pattern in targets.exclude for arg in ("--exclude", f"**/{pattern}/**")]
            offline = ["--noupdate"] if targets.options.get("offline") else []
            run = run_tool([binary, "--project", "mlsecops", "--scan", str(root), "--format", "JSON", "--out", str(out),
                            *offline, *excludes], timeout=float(targets.options.get("timeout", 3600)))
            if not report.is_file():
                outcome.status = "error"
                outcome.message = f"dependency-check wrote no report (exit {run.returncode}): {run.stderr_tail}"
                return outcome
            read_dependency_check_report(json.loads(report.read_text()), Path(root), outcome)
            outcome.scanned += 1
        return outcome


def read_dependency_check_report(data: dict[str, Any], root: Path, outcome: ScanOutcome) -> None:
    for dependency in data.get("dependencies") or []:
        vulnerabilities = dependency.get("vulnerabilities") or []
        if not vulnerabilities:
            continue
        name, version = _identity(dependency)
        path = str(dependency.get("filePath") or dependency.get("fileName") or "")
        with contextlib.suppress(ValueError):  # a file outside the root keeps its own path
            path = str(Path(path).resolve().relative_to(root.resolve()))
        for vuln in vulnerabilities:
            cvss = vuln.get("cvssv3") or {}
            score = cvss.get("baseScore")
            vulnerability = Vulnerability(
                id=str(vuln.get("name")),
                package=name,
                version=version,
                summary=str(vuln.get("description") or "").strip().splitlines()[0][:160]
                if vuln.get("description") else "",
                severity=None if score is not None else severity_from_name(vuln.get("severity")),
                cvss_score=float(score) if score is not None else None,
                cvss_vector=str(cvss.get("vectorString", "")),
                references=[str(r.get("url")) for r in vuln.get("references") or [] if r.get("url")][:10],
            )
            outcome.findings.append(vulnerability.finding(TOOL, Location(path=path)))


def _identity(dependency: dict[str, Any]) -> tuple[str, str]:
    for package in dependency.get("packages") or []:
        match = _PURL.match(str(package.get("id", "")))
        if match:
            return match.group("name").lower(), match.group("version")
    return str(dependency.get("fileName", "unknown")), ""
