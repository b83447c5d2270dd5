"""What every dependency scanner reports: one vulnerable package version, with ids, CVSS and fixes.

Also the CVSS v3.x base-score formula (FIRST's specification), since OSV advisories carry
vectors, not scores, and an air-gapped site has nothing else to ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mlsecops.findings import Finding, Location, Severity, make_finding

_WEIGHTS = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def _round_up(value: float) -> float:
    scaled = round(value * 100000)
    return scaled / 100000.0 if scaled % 10000 == 0 else (math.floor(scaled / 10000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    """Base score of a CVSS:3.0/3.1 vector; None when the vector is not v3 or incomplete."""
    parts = vector.split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
    try:
        scope = metrics["S"]
        impact_sub = 1 - (1 - _WEIGHTS["C"][metrics["C"]]) * (1 - _WEIGHTS["I"][metrics["I"]]) * (
            1 - _WEIGHTS["A"][metrics["A"]]
        )
        exploitability = 8.22 * _WEIGHTS["AV"][metrics["AV"]] * _WEIGHTS["AC"][metrics["AC"]] * _PRIVILEGES[scope][
            metrics["PR"]] * _WEIGHTS["UI"][metrics["UI"]]
    except KeyError:
        return None
    changed_scope = scope != "U"
    impact = 7.52 * (impact_sub - 0.029) - 3.25 * (impact_sub - 0.02) ** 15 if changed_scope else 6.42 * impact_sub
    if impact <= 0:
        return 0.0
    total = impact + exploitability if scope == "U" else 1.08 * (impact + exploitability)
    return _round_up(min(total, 10.0))


def severity_from_score(score: float | None) -> Severity:
    if score is None:
        return Severity.MEDIUM
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW if score > 0 else Severity.INFO


_NAMED_SEVERITY = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "NEGLIGIBLE": Severity.INFO,
    "UNKNOWN": Severity.MEDIUM,
}


def severity_from_name(name: str | None) -> Severity | None:
    return _NAMED_SEVERITY.get(str(name).upper()) if name else None


@dataclass
class Vulnerability:
    id: str
    package: str
    version: str
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    severity: Severity | None = None
    cvss_score: float | None = None
    cvss_vector: str = ""
    fixed_versions: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def cve_ids(self) -> list[str]:
        return sorted({i for i in [self.id, *self.aliases] if i.startswith("CVE-")})

    @property
    def ghsa_ids(self) -> list[str]:
        return sorted({i for i in [self.id, *self.aliases] if i.startswith("GHSA-")})

    @property
    def canonical_id(self) -> str:
        """The id two tools agree on (CVE, else GHSA), so their findings share an id and de-duplicate."""
        return (self.cve_ids or self.ghsa_ids or [self.id])[0]

    def finding(self, tool: str, location: Location) -> Finding:
        severity = self.severity or severity_from_score(self.cvss_score)
        fix = f"; fixed in {', '.join(self.fixed_versions)}" if self.fixed_versions else "; no fixed version yet"
        ids = [self.id, *[a for a in self.aliases if a != self.id]]
        return make_finding(
            rule=f"dependency/{self.canonical_id}",
            title=f"{self.package} {self.version}: {self.summary or self.id}"[:200],
            severity=severity,
            category="dependency",
            tool=tool,
            location=location,
            message=f"{self.package} {self.version} is affected by {', '.join(ids)}{fix}",
            identity=f"{self.package}@{self.version}",
            context="",  # one per package and version: its line in the requirements may move
            cwe=["CWE-1395"],
            references=self.references[:10],
            properties={
                "package": self.package,
                "version": self.version,
                "vulnerability": self.id,
                "aliases": self.aliases,
                "cve": self.cve_ids,
                "ghsa": self.ghsa_ids,
                "cvss_score": self.cvss_score,
                "cvss_vector": self.cvss_vector,
                "fixed_versions": self.fixed_versions,
            },
        )
