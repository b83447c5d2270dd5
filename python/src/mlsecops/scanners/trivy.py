"""`trivy`: Aqua's Trivy over the source tree (`trivy fs --format json`), when the binary is present.

Options (`scan.options.trivy`): `TrivyOptions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.deps.requirements import normalize
from mlsecops.engines.deps.vulns import Vulnerability, severity_from_name
from mlsecops.findings import Location
from mlsecops.scanners.files import tool_path
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.scanners.tools import ToolOptions, ToolScanner

TOOL = "trivy"


class TrivyOptions(ToolOptions):
    offline: bool = Field(default=False, description="true: `--skip-db-update --offline-scan`, for a worker "
                          "image that ships the database")


class TrivyScanner(ToolScanner):
    name = "trivy"
    category = "dependency"
    binaries = ("trivy",)
    options_model: ClassVar[type[TrivyOptions]] = TrivyOptions

    def command(self, binary: str, targets: ScanTargets, root: Path, report: Path) -> list[str]:
        offline = ["--skip-db-update", "--offline-scan"] if self.options_model.of(targets).offline else []
        skip_dirs = [arg for pattern in targets.exclude for arg in ("--skip-dirs", pattern)]
        return [binary, "fs", "--format", "json", "--scanners", "vuln", "--quiet", "--output", str(report), *offline,
                *skip_dirs, str(root)]

    def read(self, data: Any, root: Path, targets: ScanTargets, outcome: ScanOutcome) -> None:
        read_trivy_report(data or {}, outcome, root, targets)


def read_trivy_report(data: dict[str, Any], outcome: ScanOutcome, root: Path | None = None,
                      targets: ScanTargets | None = None) -> None:
    """A result's `Target` is relative to the scanned root; findings name it as `target_files` names files
    (from the project root when run alone inside one)."""
    for result in data.get("Results") or []:
        target = str(result.get("Target", ""))
        if root is not None:
            target = tool_path(targets or ScanTargets(), root, target)
        for vuln in result.get("Vulnerabilities") or []:
            cvss = _best_cvss(vuln.get("CVSS") or {})
            fixed = [v.strip() for v in str(vuln.get("FixedVersion") or "").split(",") if v.strip()]
            vulnerability = Vulnerability(
                id=str(vuln.get("VulnerabilityID")),
                package=normalize(str(vuln.get("PkgName", ""))),
                version=str(vuln.get("InstalledVersion", "")),
                aliases=[str(v) for v in vuln.get("VendorIDs") or []],
                summary=str(vuln.get("Title") or "").strip(),
                severity=severity_from_name(vuln.get("Severity")),
                cvss_score=cvss[0],
                cvss_vector=cvss[1],
                fixed_versions=fixed,
                references=[str(u) for u in [vuln.get("PrimaryURL"), *(vuln.get("References") or [])] if u][:10],
            )
            outcome.findings.append(vulnerability.finding(TOOL, Location(path=target)))


def _best_cvss(sources: dict[str, Any]) -> tuple[float | None, str]:
    for source in ("nvd", "ghsa", "redhat", *sources):
        entry = sources.get(source) or {}
        if entry.get("V3Score") is not None:
            return float(entry["V3Score"]), str(entry.get("V3Vector", ""))
    return None, ""
