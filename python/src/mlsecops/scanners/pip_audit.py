"""`pip-audit`: PyPA's auditor (online) over every pinned dependency of the scanned manifests.

All pins (from requirements and lock files alike) go to pip-audit as one requirements file
with `--no-deps --disable-pip`, so nothing is installed or resolved; its JSON report is
read back and each finding points at the manifest line the pin came from. Options
(`scan.options.pip-audit`): `PipAuditOptions`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from mlsecops.engines.deps.requirements import Dependency, normalize
from mlsecops.engines.deps.vulns import Vulnerability
from mlsecops.findings import Location, Severity
from mlsecops.scanners.interface import Scanner, ScanOutcome, ScanTargets
from mlsecops.scanners.osv_offline import collect_dependencies, unpinned_finding, write_sbom
from mlsecops.scanners.tools import ToolOptions, find_binary, run_for_report, version_of, work_dir

TOOL = "pip-audit"


def _binary(override: str | None) -> str | None:
    found = find_binary("pip-audit", override)
    if found or override:
        return found
    beside = Path(sys.executable).with_name("pip-audit")  # installed with us, maybe not on PATH
    return str(beside) if beside.is_file() else None


class PipAuditOptions(ToolOptions):
    service: Literal["pypi", "osv"] = Field(default="pypi", description="the vulnerability service asked")
    timeout: float = Field(default=900.0, gt=0, description="seconds before pip-audit is stopped")


class PipAuditScanner(Scanner):
    name = "pip-audit"
    category = "dependency"
    options_model: ClassVar[type[PipAuditOptions]] = PipAuditOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        options = self.options_model.of(targets)
        binary = _binary(options.binary)
        if binary is None:
            outcome.status, outcome.message = "not-run", "pip-audit is not installed (pip install pip-audit)"
            return outcome
        outcome.tool_version = version_of(binary)
        dependencies = collect_dependencies(targets, outcome)
        if not dependencies and not outcome.skipped:
            outcome.status, outcome.message = "not-run", "nothing to scan: no requirements or lock file found"
            return outcome
        write_sbom(targets, dependencies, TOOL)
        pinned = [d for d in dependencies if d.version]
        outcome.findings.extend(unpinned_finding(d, TOOL) for d in dependencies if not d.version)
        if not pinned:
            return outcome
        work = work_dir(targets)
        pins = work / "pip-audit-input.txt"
        pins.write_text("".join(sorted({f"{d.name}=={d.version}\n" for d in pinned})))
        report = work / "pip-audit.json"
        data, problem = run_for_report(
            [binary, "-r", str(pins), "--no-deps", "--disable-pip", "--format", "json", "--output", str(report),
             "--progress-spinner", "off", "--vulnerability-service", options.service],
            report, "pip-audit", timeout=options.timeout)
        if problem:
            outcome.status, outcome.message = "error", problem
            return outcome
        audited = self._read_report(data or {}, pinned, outcome)
        if audited == 0:
            outcome.status = "error"
            outcome.message = "pip-audit could not audit any dependency: " + (outcome.skipped or ["-"])[-1]
        return outcome

    @staticmethod
    def _read_report(data: dict, pinned: list[Dependency], outcome: ScanOutcome) -> int:
        """Add the findings of pip-audit's JSON report; returns how many dependencies it audited."""
        places: dict[tuple[str, str], list[Dependency]] = {}
        for dependency in pinned:
            places.setdefault((dependency.name, str(dependency.version)), []).append(dependency)
        audited = 0
        for entry in data.get("dependencies", []):
            name, version = normalize(str(entry.get("name", ""))), str(entry.get("version", ""))
            if entry.get("skip_reason"):
                outcome.skipped.append(f"{name}: {entry['skip_reason']}")
                continue
            audited += 1
            for vuln in entry.get("vulns", []):
                vulnerability = Vulnerability(
                    id=str(vuln.get("id")),
                    package=name,
                    version=version,
                    aliases=[str(a) for a in vuln.get("aliases", [])],
                    summary=str(vuln.get("description") or "").strip().splitlines()[0][:160]
                    if vuln.get("description") else "",
                    # the PyPI service gives no severity: a known vulnerability fails closed as high
                    severity=Severity.HIGH,
                    fixed_versions=[str(v) for v in vuln.get("fix_versions", [])],
                    references=[f"https://osv.dev/vulnerability/{vuln.get('id')}"],
                )
                for place in places.get((name, version), [Dependency(name, version, "-")]):
                    outcome.findings.append(vulnerability.finding(TOOL, Location(path=place.source, line=place.line)))
        return audited
