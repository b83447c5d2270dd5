"""`trivy`: Aqua's Trivy over the source tree (`trivy fs --format json`), when the binary is present.

Options (`scan.options.trivy`): `binary`, `offline` (true: `--skip-db-update --offline-scan`,
for a worker image that ships the database), `timeout`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..findings import Location
from .interface import Scanner, ScanOutcome, ScanTargets
from .requirements import normalize
from .tools import find_binary, run_tool, version_of
from .vulns import Vulnerability, severity_from_name

TOOL = "trivy"


class TrivyScanner(Scanner):
    name = "trivy"
    category = "dependency"

    def unavailable_reason(self) -> str | None:
        return None if find_binary("trivy") else "trivy is not on PATH (the worker image can install it)"

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        binary = find_binary("trivy", targets.options.get("binary"))
        if binary is None:
            outcome.status, outcome.message = "not-run", "trivy is not on PATH (the worker image can install it)"
            return outcome
        outcome.tool_version = version_of(binary, "--version")
        work = Path(targets.work_dir or Path.cwd())
        work.mkdir(parents=True, exist_ok=True)
        offline = ["--skip-db-update", "--offline-scan"] if targets.options.get("offline") else []
        for index, root in enumerate(targets.paths):
            report = work / f"trivy-{index}.json"
            report.unlink(missing_ok=True)
            skip_dirs = [arg for pattern in targets.exclude for arg in ("--skip-dirs", pattern)]
            run = run_tool([binary, "fs", "--format", "json", "--scanners", "vuln", "--quiet", "--output", str(report),
                            *offline, *skip_dirs, str(root)], timeout=float(targets.options.get("timeout", 1800)))
            if not report.is_file():
                outcome.status = "error"
                outcome.message = f"trivy wrote no report for {root} (exit {run.returncode}): {run.stderr_tail}"
                return outcome
            read_trivy_report(json.loads(report.read_text()), outcome)
            outcome.scanned += 1
        return outcome


def read_trivy_report(data: dict[str, Any], outcome: ScanOutcome) -> None:
    for result in data.get("Results") or []:
        target = str(result.get("Target", ""))
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
