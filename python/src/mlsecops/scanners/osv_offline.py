"""`osv-offline`: Python dependencies matched against a local folder of OSV advisories, for air-gapped sites.

The folder holds OSV's per-ecosystem export as published (`all.zip` of the PyPI ecosystem)
or unpacked (`<ID>.json` files), refreshed by whatever the site uses to bring data in.
Version ranges are evaluated per PEP 440 with `packaging`, following the OSV schema's
event algorithm (introduced / fixed / last_affected). Options (`scan.options.osv-offline`):
`OsvOfflineOptions` (`osv_dir` is required).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.deps.requirements import (
    Dependency,
    ManifestError,
    cyclonedx_sbom,
    is_manifest,
    normalize,
    read_manifest,
)
from mlsecops.engines.deps.vulns import Vulnerability, cvss3_base_score, severity_from_name
from mlsecops.findings import Finding, Location, Severity, make_finding
from mlsecops.scanners.files import TargetFile, option_path, target_files
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets

TOOL = "mlsecops-osv-offline"
MAX_ADVISORY_BYTES = 5 * 1024 * 1024  # one advisory is a few KB; bigger zip members are not read


class OsvDatabase:
    def __init__(self, ecosystem: str = "PyPI") -> None:
        self.ecosystem = ecosystem
        self.advisories: dict[str, list[dict[str, Any]]] = {}
        self.count = 0
        self.newest = ""
        self.skipped: list[str] = []

    @classmethod
    def load(cls, folder: Path, ecosystem: str = "PyPI") -> OsvDatabase:
        database = cls(ecosystem)
        for name, data in database._documents(folder):
            try:
                advisory = json.loads(data)
            except (ValueError, UnicodeDecodeError):
                database.skipped.append(f"{name}: not JSON")
                continue
            if isinstance(advisory, dict):
                database.add(advisory)
            else:
                database.skipped.append(f"{name}: not an OSV advisory")
        return database

    def _documents(self, folder: Path) -> Iterator[tuple[str, bytes]]:
        for path in sorted(folder.rglob("*")):
            if path.suffix == ".json" and path.is_file():
                yield path.name, path.read_bytes()
            elif path.suffix == ".zip" and path.is_file():
                try:
                    with zipfile.ZipFile(path) as archive:
                        for member in archive.infolist():
                            if not member.filename.endswith(".json"):
                                continue
                            if member.file_size > MAX_ADVISORY_BYTES:
                                self.skipped.append(f"{path.name}:{member.filename}: larger than 5 MB, not read")
                                continue
                            yield f"{path.name}:{member.filename}", archive.read(member)
                except zipfile.BadZipFile:
                    self.skipped.append(f"{path.name}: not a zip archive")

    def add(self, advisory: dict[str, Any]) -> None:
        if advisory.get("withdrawn") or not advisory.get("id"):
            return
        self.count += 1
        self.newest = max(self.newest, str(advisory.get("modified", "")))
        names = {
            normalize(str(a.get("package", {}).get("name", "")))
            for a in advisory.get("affected", [])
            if isinstance(a, dict) and a.get("package", {}).get("ecosystem") == self.ecosystem
        }
        for name in names - {""}:
            self.advisories.setdefault(name, []).append(advisory)

    def vulnerabilities(self, name: str, version: str) -> list[Vulnerability]:
        from packaging.version import InvalidVersion, Version

        try:
            parsed = Version(version)
        except InvalidVersion:
            return []
        found = []
        for advisory in self.advisories.get(normalize(name), []):
            for affected in advisory.get("affected", []):
                package = affected.get("package", {})
                if package.get("ecosystem") != self.ecosystem or normalize(str(package.get("name", ""))) != name:
                    continue
                if version in affected.get("versions", []) or _in_ranges(parsed, affected.get("ranges", [])):
                    found.append(_vulnerability(advisory, affected, name, version))
                    break
        return _merge_aliases(found)

def manifest_files(targets: ScanTargets, skipped: list[str] | None = None,
                   findings: list[Finding] | None = None) -> list[TargetFile]:
    """Requirement artifacts (every file) plus manifests found in the scanned trees (links out: `findings`)."""
    return target_files(targets, ("requirements",), tree_filter=is_manifest, skipped=skipped, findings=findings)



def _in_ranges(version: Any, ranges: list[dict[str, Any]]) -> bool:
    """The OSV evaluation: sort the events, the last one at or below the version decides."""
    from packaging.version import InvalidVersion, Version

    for entry in ranges:
        if entry.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        events: list[tuple[Any, int, str]] = []
        for event in entry.get("events", []):
            for kind, value in event.items():
                if kind not in ("introduced", "fixed", "last_affected"):
                    continue  # `limit` only bounds git ranges
                try:
                    point = Version("0") if value == "0" else Version(str(value))
                except InvalidVersion:
                    continue
                # at one version: introduce before fixing; last_affected acts just above its version
                events.append((point, {"introduced": 0, "fixed": 1, "last_affected": 2}[kind], kind))
        affected = False
        for point, _order, kind in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == "introduced" and version >= point:
                affected = True
            elif kind == "fixed" and version >= point or kind == "last_affected" and version > point:
                affected = False
        if affected:
            return True
    return False


def _vulnerability(advisory: dict[str, Any], affected: dict[str, Any], name: str, version: str) -> Vulnerability:
    vector, score = "", None
    for severity in advisory.get("severity", []) + affected.get("severity", []):
        if str(severity.get("type", "")).startswith("CVSS_V3"):
            vector = str(severity.get("score", ""))
            score = cvss3_base_score(vector)
            break
        if not vector:
            vector = str(severity.get("score", ""))
    named = severity_from_name((advisory.get("database_specific") or {}).get("severity"))
    fixed = sorted({str(e["fixed"]) for r in affected.get("ranges", []) for e in r.get("events", []) if "fixed" in e})
    return Vulnerability(
        id=str(advisory["id"]),
        package=name,
        version=version,
        aliases=[str(a) for a in advisory.get("aliases", [])],
        summary=str(advisory.get("summary") or advisory.get("details", "")[:120]).strip(),
        severity=named if score is None else None,
        cvss_score=score,
        cvss_vector=vector,
        fixed_versions=fixed,
        references=[str(r.get("url")) for r in advisory.get("references", []) if r.get("url")],
    )


def _merge_aliases(found: list[Vulnerability]) -> list[Vulnerability]:
    """One vulnerability per alias group (PYSEC and GHSA records of one flaw), keeping the richest."""
    kept: list[Vulnerability] = []
    for vulnerability in sorted(found, key=lambda v: (not v.id.startswith("GHSA-"), v.cvss_score is None, v.id)):
        names = {vulnerability.id, *vulnerability.aliases}
        if any(names & {k.id, *k.aliases} for k in kept):
            continue
        kept.append(vulnerability)
    return kept


def unpinned_finding(dependency: Dependency, tool: str) -> Any:
    return make_finding(
        rule="dependency/unpinned",
        title=f"{dependency.name} is not pinned to one version",
        severity=Severity.LOW,
        category="dependency",
        tool=tool,
        location=Location(path=dependency.source, line=dependency.line),
        message=f"{dependency.name}{dependency.specifier or ' (any version)'} cannot be audited exactly: pin it "
        "(name==version) or audit the lock file",
        identity=dependency.name,
        context="",  # one per package: its line may move
    )


def collect_dependencies(targets: ScanTargets, outcome: ScanOutcome) -> list[Dependency]:
    dependencies: list[Dependency] = []
    for manifest in manifest_files(targets, outcome.skipped, outcome.findings):
        try:
            dependencies.extend(read_manifest(manifest.path, manifest.display))
            outcome.scanned += 1
        except ManifestError as exc:
            outcome.skipped.append(f"{manifest.display}: {exc}")
    return dependencies


def write_sbom(targets: ScanTargets, dependencies: list[Dependency], tool: str) -> None:
    if targets.work_dir is None:
        return
    Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
    (Path(targets.work_dir) / "sbom.cdx.json").write_text(json.dumps(cyclonedx_sbom(dependencies, tool), indent=2))


class OsvOfflineOptions(ScannerOptions):
    osv_dir: str | None = Field(default=None, description="the folder of OSV advisories: `all.zip` of the "
                                "ecosystem's export, or its `<ID>.json` files (osv-offline: required)")
    ecosystem: str = Field(default="PyPI", description="the OSV ecosystem whose advisories are read")


class OsvOfflineScanner(Scanner):
    name = "osv-offline"
    category = "dependency"
    options_model: ClassVar[type[OsvOfflineOptions]] = OsvOfflineOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        options = self.options_model.of(targets)
        configured = options.osv_dir
        folder = option_path(targets, configured) if configured else None
        if folder is None or not folder.is_dir():
            outcome.status = "not-run"
            outcome.message = (f"scan.options.{self.name}.osv_dir is not set" if folder is None
                               else f"OSV advisory folder {folder} does not exist")
            return outcome
        database = OsvDatabase.load(folder, options.ecosystem)
        outcome.skipped.extend(f"advisories: {s}" for s in database.skipped[:20])
        outcome.tool_version = f"{TOOL} ({database.count} advisories, newest {database.newest[:10] or '-'})"
        if database.count == 0:
            outcome.status = "not-run"
            outcome.message = f"no {database.ecosystem} advisories in {folder}"
            return outcome
        dependencies = collect_dependencies(targets, outcome)
        if not dependencies and not outcome.skipped:
            outcome.status = "not-run"
            outcome.message = "nothing to scan: no requirements or lock file found"
            return outcome
        write_sbom(targets, dependencies, TOOL)
        for dependency in dependencies:
            if dependency.version is None:
                outcome.findings.append(unpinned_finding(dependency, TOOL))
                continue
            location = Location(path=dependency.source, line=dependency.line)
            outcome.findings.extend(v.finding(TOOL, location)
                                    for v in database.vulnerabilities(dependency.name, dependency.version))
        return outcome
