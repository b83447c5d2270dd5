"""One small interface for every `train.kind`: a trainer turns the job into model files and predictions.

`stages/train.py` prepares the job (gate checked, folder emptied) and records what the trainer
returns; everything kind-specific lives in one module per kind, registered in `__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mlsecops.config import Config
from mlsecops.findings import Finding
from mlsecops.scanners.interface import LoadedArtifact


@dataclass
class TrainJob:
    config: Config
    workspace_root: Path
    folder: Path  # the train stage's folder, emptied before the trainer runs
    loaded: list[LoadedArtifact]  # what load fetched and verified
    echo: Callable[[str], None] = print


@dataclass
class TrainOutput:
    """What a trainer produced; paths are inside the job's folder."""

    model_files: list[Path]  # the model release: what sign signs and store ships
    task: str  # classification | regression | none
    other_files: list[Path] = field(default_factory=list)  # split.json, history.json, ...: recorded, not shipped
    predictions: Path | None = None  # predictions.csv on the held-out rows (None: nothing to evaluate)
    labels: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)  # cross-validation: cv_<metric>_mean / _std
    details: dict[str, Any] = field(default_factory=dict)
    tools: dict[str, str] = field(default_factory=dict)
    # what the trainer found in what it wrote (a secret its vocabulary kept): judged at the model gate
    findings: list[Finding] = field(default_factory=list)


class Trainer(Protocol):
    def __call__(self, job: TrainJob) -> TrainOutput: ...
