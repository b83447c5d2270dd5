"""`dependency-check`: OWASP Dependency-Check (`--format JSON`) over the source tree, when installed.

Options (`scan.options.dependency-check`): `DependencyCheckOptions`. The NVD API key, when
used, reaches the tool only through the `NVD_API_KEY` environment variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.deps.vulns import Vulnerability, severity_from_name
from mlsecops.findings import Location
from mlsecops.scanners.files import tool_path
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.scanners.tools import ToolOptions, ToolScanner

TOOL = "dependency-check"
BINARIES = ("dependency-check", "dependency-check.sh")
_PURL = re.compile(r"^pkg:[a-z]+/(?:[^/@]+/)?(?P<name>[^/@]+)@(?P<version>[^?#]+)")


class DependencyCheckOptions(ToolOptions):
    timeout: float = Field(default=3600.0, gt=0, description="seconds before the tool is stopped")
    offline: bool = Field(default=False, description="true: `--noupdate`, for a worker image with a mirrored NVD")


class DependencyCheckScanner(ToolScanner):
    name = "dependency-check"
    category = "dependency"
    binaries = ("dependency-check", "dependency-check.sh")
    options_model: ClassVar[type[DependencyCheckOptions]] = DependencyCheckOptions

    def report_path(self, work: Path, index: int) -> Path:
        return work / f"dependency-check-{index}" / "dependency-check-report.json"

    def command(self, binary: str, targets: ScanTargets, root: Path, report: Path) -> list[str]:
        excludes = [arg for pattern in targets.exclude for arg in ("--exclude", f"**/{pattern}/**")]
        offline = ["--noupdate"] if self.options_model.of(targets).offline else []
        return [binary, "--project", "mlsecops", "--scan", str(root), "--format", "JSON", "--out", str(report.parent),
                *offline, *excludes]

    def read(self, data: Any, root: Path, targets: ScanTargets, outcome: ScanOutcome) -> None:
        read_dependency_check_report(data or {}, root, outcome, targets)


def read_dependency_check_report(data: dict[str, Any], root: Path, outcome: ScanOutcome,
                                 targets: ScanTargets | None = None) -> None:
    """Paths are named as `target_files` names files: from the project root when run alone inside one."""
    for dependency in data.get("dependencies") or []:
        vulnerabilities = dependency.get("vulnerabilities") or []
        if not vulnerabilities:
            continue
        name, version = _identity(dependency)
        reported = str(dependency.get("filePath") or dependency.get("fileName") or "")
        path = tool_path(targets or ScanTargets(), root, reported)  # a file outside the root keeps its own path
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
