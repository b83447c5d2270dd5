"""The `.mlsecops/` folder: one sub-folder and one `result.json` per stage.

A stage writes only its own folder, so Jenkins can stash exactly that folder and run the
next stage on another agent.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.findings import Finding
from mlsecops.hashing import file_sha256
from mlsecops.redact import map_strings, scrub
from mlsecops.stage_manifest import stage_order

# pipeline order, from the stage manifest the Jenkins library stashes by
STAGES = stage_order()
REPORTS_DIR = "reports"
RESULT_FILE = "result.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Artifact:
    path: str  # relative to the workspace root
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


@dataclass
class StageResult:
    stage: str
    status: str = "passed"  # passed | failed | error
    started: str = field(default_factory=_now)
    finished: str = ""
    duration_seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)
    scanners: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    _t0: float = field(default_factory=time.monotonic, repr=False)

    def finish(self, status: str | None = None) -> StageResult:
        if status:
            self.status = status
        self.finished = _now()
        self.duration_seconds = round(time.monotonic() - self._t0, 3)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "status": self.status,
            "started": self.started,
            "finished": self.finished,
            "duration_seconds": self.duration_seconds,
            "reason": self.reason,
            "findings": [f.to_dict() for f in self.findings],
            "metrics": self.metrics,
            "artifacts": [a.to_dict() for a in self.artifacts],
            "tools": self.tools,
            "scanners": self.scanners,
            "warnings": self.warnings,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageResult:
        return cls(
            stage=data["stage"],
            status=data.get("status", "error"),
            started=data.get("started", ""),
            finished=data.get("finished", ""),
            duration_seconds=data.get("duration_seconds", 0.0),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            metrics=data.get("metrics", {}),
            artifacts=[Artifact(**a) for a in data.get("artifacts", [])],
            tools=data.get("tools", {}),
            scanners=data.get("scanners", []),
            warnings=data.get("warnings", []),
            reason=data.get("reason", ""),
            details=data.get("details", {}),
        )


class Workspace:
    def __init__(self, root: str | Path = ".mlsecops") -> None:
        self.root = Path(root)

    def stage_dir(self, stage: str, *, create: bool = True) -> Path:
        path = self.root / stage
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def reports_dir(self) -> Path:
        path = self.root / REPORTS_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    def artifact(self, path: str | Path) -> Artifact:
        path = Path(path)
        return Artifact(
            path=os.path.relpath(path, self.root),
            sha256=file_sha256(path),
            size=path.stat().st_size,
        )

    def write_result(self, result: StageResult, subdir: str | None = None) -> Path:
        folder = self.stage_dir(result.stage if subdir is None else f"{result.stage}/{subdir}")
        target = folder / RESULT_FILE
        tmp = target.with_suffix(".json.tmp")
        # result.json is stashed and archived: a resolved secret quoted anywhere in it (a failing
        # URL in a reason, a path) is masked like on the console
        data = map_strings(result.to_dict(), scrub)
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False), encoding="utf-8")
        tmp.replace(target)
        return target

    def has_result(self, stage: str) -> bool:
        return (self.root / stage / RESULT_FILE).is_file() or bool(self._sub_results(stage))

    def _sub_results(self, stage: str) -> list[Path]:
        folder = self.root / stage
        if not folder.is_dir():
            return []
        return sorted(folder.glob(f"*/{RESULT_FILE}"))

    def read_result(self, stage: str) -> StageResult:
        """The stage's result, merged with the results of its branches (`<stage>/<branch>/`).

        A branch is newer than the stage-wide result beside it (a full run removes the branches
        it supersedes), so a branch's scanners replace theirs in the stage-wide result.
        """
        path = self.root / stage / RESULT_FILE
        whole = _load_result(path) if path.is_file() else None
        branch_files = self._sub_results(stage)
        branches = [_load_result(sub) for sub in branch_files]
        if whole is None and not branches:
            raise UsageError(
                f"stage '{stage}' has not run in workspace {self.root} ({path} is missing): "
                f"run `mlsecops {stage.split('-')[0]}` first or unstash its folder"
            )
        if whole is None:
            return merge_results(stage, branches)
        if not branches:
            return whole
        # a branch folder is named after its scanner: one that failed before recording it still replaces it
        replaced = {sub.parent.name for sub in branch_files}
        replaced |= {entry.get("scanner") for branch in branches for entry in branch.scanners}
        return merge_results(stage, [without_scanners(whole, replaced), *branches])

    def optional_result(self, stage: str) -> StageResult | None:
        return self.read_result(stage) if self.has_result(stage) else None

    def all_results(self) -> list[StageResult]:
        return [self.read_result(stage) for stage in STAGES if self.has_result(stage)]


def _load_result(path: Path) -> StageResult:
    try:
        return StageResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: unreadable stage result ({exc.__class__.__name__})") from None


def finding_scanner(finding: Finding) -> str:
    """The scanner that reported a finding (results written before it was recorded: its tool)."""
    return str(finding.properties.get("scanner") or finding.tool)


def without_scanners(result: StageResult, scanners: set[Any]) -> StageResult:
    """A copy of `result` without the findings and coverage of `scanners` (newer results replace them)."""
    kept = StageResult.from_dict(result.to_dict())
    kept.findings = [f for f in kept.findings if finding_scanner(f) not in scanners]
    kept.scanners = [entry for entry in kept.scanners if entry.get("scanner") not in scanners]
    kept.tools = {name: version for name, version in kept.tools.items() if name not in scanners}
    return kept


def merge_results(stage: str, parts: list[StageResult]) -> StageResult:
    if len(parts) == 1:
        return parts[0]
    merged = StageResult(stage=stage)
    seen: set[str] = set()
    statuses = {p.status for p in parts}
    merged.status = "error" if "error" in statuses else "failed" if "failed" in statuses else "passed"
    merged.started = min(p.started for p in parts)
    merged.finished = max(p.finished for p in parts)
    merged.duration_seconds = max(p.duration_seconds for p in parts)
    for part in parts:
        for finding in part.findings:
            if finding.id not in seen:
                seen.add(finding.id)
                merged.findings.append(finding)
        merged.metrics.update(part.metrics)
        merged.artifacts.extend(part.artifacts)
        merged.tools.update(part.tools)
        merged.scanners.extend(part.scanners)
        merged.warnings.extend(part.warnings)
        merged.details.update(part.details)
    merged.reason = "; ".join(p.reason for p in parts if p.reason)
    if "findings" in merged.metrics:
        count_findings(merged)
    return merged


def count_findings(result: StageResult) -> None:
    """`findings` and `findings.<severity>` metrics from the result's findings, replacing any earlier
    count (the parts of a merge counted only their own)."""
    for key in [k for k in result.metrics if k == "findings" or k.startswith("findings.")]:
        del result.metrics[key]
    result.metrics["findings"] = len(result.findings)
    for finding in result.findings:
        key = f"findings.{finding.severity.value}"
        result.metrics[key] = result.metrics.get(key, 0) + 1

