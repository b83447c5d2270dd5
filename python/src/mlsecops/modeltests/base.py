"""What every stage-7 test shares: the environment it runs in and the outcome it hands back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlsecops.findings import Finding
from mlsecops.modeltests.settings import ModelTestSettings


@dataclass
class GatheredOutput:
    """One answer of the target, kept so that disclosure can scan every output."""

    source: str  # e.g. "garak:dan.Dan_11_0", "injection:canary-3"
    prompt: str
    output: str


@dataclass
class TestEnv:
    __test__ = False  # not a pytest test class, despite the name
    settings: ModelTestSettings
    stage_dir: Path  # .mlsecops/modeltest
    train_dir: Path  # .mlsecops/train
    project_dir: Path  # where mlsecops.yaml lives
    dataset: Path | None = None  # the training set (CSV) as load fetched it
    text_column: str = "text"
    label_column: str = "label"
    # the columns the model reads as text, when not `text_column` alone: train.sklearn.text_columns
    # ([] for a tabular model, which reads no text); None: `text_column` (keras-text and the rest)
    text_columns: list[str] | None = None
    target: Any = None  # a targets.Target, or None when no application is tested
    target_blocked: bool = False  # the target is the model, and the model failed its scan (or is missing)
    target_not_applicable: str = ""  # why no application can be tested here (a project without one)
    outputs: list[GatheredOutput] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)  # what the tests measured so far, in this run
    evaluate_metrics: dict[str, Any] = field(default_factory=dict)  # this run's evaluate stage
    project_name: str = "project"
    store_url: str = ""  # where the last release is looked up (regression)
    store_connections: dict[str, Any] = field(default_factory=dict)
    echo: Callable[[str], None] = print


    def texts_read(self) -> list[str]:
        """The dataset columns whose texts the model learnt from: what the data tests read."""
        return [self.text_column] if self.text_columns is None else list(self.text_columns)


@dataclass
class TestOutcome:
    __test__ = False
    name: str
    status: str = "ran"  # ran | not-run | error | skipped
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    tool_version: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "scanner": self.name,
            "status": self.status,
            "findings": len(self.findings),
            "tool_version": self.tool_version,
            "message": self.message,
        }
