"""What several trainers share: the configured dataset as load recorded it, and its held-out split."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.ml.dataset import verify_digest
from mlsecops.ml.table import Table, check_classes, read_table, split_positions
from mlsecops.ml.trainers.interface import TrainJob
from mlsecops.redact import scrub_url
from mlsecops.scanners.interface import LoadedArtifact

SPLIT_FILE = "split.json"


def find_dataset(config: Any, loaded: list[LoadedArtifact]) -> tuple[LoadedArtifact, str]:
    """The load source named by `train.dataset`, and how messages name it.

    A source that load extracted (an archive) is a folder: `train.dataset_file` picks the file in it.
    """
    name = config.train.dataset
    matches = [artifact for artifact in loaded if artifact.name == name]
    if not matches:
        known = ", ".join(sorted(artifact.name for artifact in loaded)) or "none"
        raise UsageError(f"train.dataset: no loaded source named '{name}' (loaded: {known})")
    artifact = matches[0]
    shown = scrub_url(artifact.url) or str(artifact.path)
    member = config.train.dataset_file
    if artifact.path.is_dir():
        if not member:
            raise UsageError(f"{shown}: train.dataset '{name}' was extracted to a folder: set train.dataset_file")
        relative = Path(member)
        if relative.is_absolute() or ".." in relative.parts:
            raise UsageError(f"train.dataset_file '{member}': must be a relative path inside the extracted folder")
        # the archive's digest was checked by load; a member has no digest of its own to compare
        return replace(artifact, path=artifact.path / relative, sha256=""), f"{shown}!{relative.as_posix()}"
    if member:
        raise UsageError(f"train.dataset_file '{member}': source '{name}' is a file, not an extracted archive")
    return artifact, shown


@dataclass
class TableDataset:
    artifact: LoadedArtifact
    shown: str
    sha256: str
    table: Table

    def record(self) -> dict[str, str]:
        return {"name": self.artifact.name, "url": scrub_url(self.artifact.url), "file": self.shown,
                "sha256": self.sha256}


def read_dataset_table(job: TrainJob, wanted: list[str] | None = None) -> TableDataset:
    """The configured dataset as a table: present, unchanged since load, with the label column."""
    artifact, shown = find_dataset(job.config, job.loaded)
    if not artifact.path.is_file():
        raise UsageError(f"{shown}: the loaded dataset {artifact.path} is missing from the workspace")
    digest = verify_digest(artifact.path, artifact.sha256, shown)
    table = read_table(artifact.path, job.config.train.label_column, shown, wanted)
    return TableDataset(artifact, shown, digest, table)


@dataclass
class Split:
    train: Table
    test: Table


def split_dataset(job: TrainJob, dataset: TableDataset, task: str, extra: dict[str, Any] | None = None) -> Split:
    """Seeded held-out split (per class for classification), recorded in split.json by dataset row."""
    settings = job.config.train
    labels = [str(value).strip() for value in dataset.table.column(settings.label_column)]
    if task == "classification":
        check_classes(labels, settings.folds, settings.test_size, dataset.shown, settings.label_column)
    elif len(labels) < max(4, settings.folds * 2):
        raise UsageError(f"{dataset.shown}: {len(labels)} labelled rows are too few to split and cross-validate")
    train_positions, test_positions = split_positions(
        labels, settings.test_size, settings.seed, stratify=task == "classification"
    )
    table = dataset.table
    train_rows = [table.rows[i] for i in train_positions]
    test_rows = [table.rows[i] for i in test_positions]
    (job.folder / SPLIT_FILE).write_text(json.dumps({
        "dataset": dataset.record(),
        "label_column": settings.label_column,
        "task": task,
        "seed": settings.seed,
        "test_size": settings.test_size,
        **(extra or {}),
        "train_rows": train_rows,
        "test_rows": test_rows,
    }, indent=2), encoding="utf-8")
    return Split(table.select(train_rows, dataset.shown), table.select(test_rows, dataset.shown))


def files_under(folder: Path) -> list[Path]:
    """Every regular file below `folder`, sorted; a symlink is refused (it could point anywhere)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise UsageError(f"{path}: a symbolic link in the model folder is not accepted")
        if path.is_file():
            found.append(path)
    return found
