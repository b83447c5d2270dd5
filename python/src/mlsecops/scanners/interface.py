"""The scanner interface: every adapter takes `ScanTargets` and returns a `ScanOutcome`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Finding


@dataclass
class LoadedArtifact:
    """An artifact fetched and verified by the load stage."""

    name: str
    kind: str  # dataset, model, notebook, requirements, code, other
    path: Path  # the file, or the folder it was safely extracted to
    url: str = ""
    sha256: str = ""


@dataclass
class ScanTargets:
    paths: list[Path] = field(default_factory=list)  # source trees (the repository checkout)
    artifacts: list[LoadedArtifact] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # this scanner's `scan.options.<name>`
    work_dir: Path | None = None  # where the scanner may write tool reports (inside its stage folder)

    def artifacts_of(self, *kinds: str) -> list[LoadedArtifact]:
        return [a for a in self.artifacts if a.kind in kinds]


@dataclass
class ScanOutcome:
    scanner: str
    status: str = "ran"  # ran | not-run | error
    findings: list[Finding] = field(default_factory=list)
    tool_version: str = ""
    message: str = ""
    scanned: int = 0  # how many files/rows/items were looked at
    skipped: list[str] = field(default_factory=list)  # what was passed over, and why

    def summary(self) -> dict[str, Any]:
        return {
            "scanner": self.scanner,
            "status": self.status,
            "findings": len(self.findings),
            "tool_version": self.tool_version,
            "message": self.message,
            "scanned": self.scanned,
            "skipped": self.skipped[:50],
        }


class Scanner(ABC):
    name: str  # the registry name, as used in `scan.scanners` and the policy
    category: str  # the finding category it mostly produces
    # Run alone (`mlsecops scan NAME PATH`), PATH is handed over as artifacts of this kind
    # (e.g. "dataset", "model"); None: PATH goes in `targets.paths` as a source tree.
    standalone_kind: str | None = None

    def unavailable_reason(self) -> str | None:
        """Why this scanner cannot run here (missing binary or package), or None when it can."""
        return None

    @abstractmethod
    def scan(self, targets: ScanTargets) -> ScanOutcome:
        """Look at the targets; a problem reading one target is a finding or a `skipped` entry, never a pass."""
