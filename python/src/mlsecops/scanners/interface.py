"""The scanner interface: every adapter takes `ScanTargets` and returns a `ScanOutcome`.

Each adapter names the model of its settings (`scan.options.<name>` in mlsecops.yaml, validated
when the config is loaded: unknown keys are refused) as `options_model` and reads them typed,
`self.options_model.of(targets).<key>`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import ValidationError

from mlsecops.config.base import Section, describe_problem
from mlsecops.errors import UsageError
from mlsecops.findings import Finding


class ScannerOptions(Section):
    """A scanner without options: any key under its `scan.options.<name>` is refused."""

    @classmethod
    def of(cls, targets: ScanTargets) -> Self:
        """The targets' options as this model: validated in the config already, else (a caller that
        builds `ScanTargets` itself: tests, `mlsecops scan NAME` alone) validated here."""
        given = targets.options
        if isinstance(given, cls):
            return given
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            text = f"unknown key '{where}'" if problem["type"] == "extra_forbidden" else (
                f"{where}: {describe_problem(problem)}" if where else describe_problem(problem))
            raise UsageError(f"scanner options: {text}") from None


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
    # this scanner's `scan.options.<name>`: its options model (from the config) or a mapping of its keys
    options: ScannerOptions | dict[str, Any] = field(default_factory=dict)
    work_dir: Path | None = None  # where the scanner may write tool reports (inside its stage folder)
    # the project folder (where mlsecops.yaml sits) when a scanner runs alone inside one: files are
    # named relative to it, as the pipeline names them; relative option paths may be found there
    project_root: Path | None = None

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
    # the model of its `scan.options.<name>` (a subclass of ScannerOptions); it reads them as
    # `self.options_model.of(targets)`. The default refuses any key.
    options_model: ClassVar[type[ScannerOptions]] = ScannerOptions

    def unavailable_reason(self) -> str | None:
        """Why this scanner cannot run here (missing binary or package), or None when it can."""
        return None

    @abstractmethod
    def scan(self, targets: ScanTargets) -> ScanOutcome:
        """Look at the targets; a problem reading one target is a finding or a `skipped` entry, never a pass."""
