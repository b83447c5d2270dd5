"""`train.kind: pretrained`: no training; the model is a `kind: model` load source, already scanned.

The source's file (or extracted folder) is copied into `train/model/` after its digest is
checked against load's record: that copy is the model release. Predictions come from the
team's predict program (`train.command`), run as the command kind runs a training program,
with MLSECOPS_MODEL_DIR (the copy) and MLSECOPS_TEST_FILE: every row of `train.dataset`,
none of which the model was trained on here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256
from mlsecops.ml.dataset import verify_digest
from mlsecops.ml.predictions import PREDICTIONS_FILE, infer_task
from mlsecops.ml.table import write_csv
from mlsecops.ml.trainers.command import ProgramFailed, base_environment, check_predictions, run_program
from mlsecops.ml.trainers.common import SPLIT_FILE, files_under, read_dataset_table
from mlsecops.ml.trainers.interface import TrainJob, TrainOutput
from mlsecops.redact import scrub_url

MODEL_DIR = "model"


def _digests(files: list[Path]) -> dict[str, str]:
    return {str(path): file_sha256(path) for path in files}


def _copy_model(job: TrainJob) -> tuple[list, dict[str, str]]:
    name = job.config.train.pretrained
    if not name:
        raise UsageError("train.pretrained: name the load source (kind: model) that holds the pretrained model")
    matches = [artifact for artifact in job.loaded if artifact.name == name]
    if not matches:
        known = ", ".join(sorted(a.name for a in job.loaded)) or "none"
        raise UsageError(f"train.pretrained: no loaded source named '{name}' (loaded: {known})")
    artifact = matches[0]
    shown = scrub_url(artifact.url) or str(artifact.path)
    if artifact.kind != "model":
        raise UsageError(f"train.pretrained: source '{name}' is kind '{artifact.kind}', not 'model': "
                         "only model sources get the model-file scan")
    model_dir = job.folder / MODEL_DIR
    if artifact.path.is_dir():
        files_under(artifact.path)  # refuses symbolic links
        shutil.copytree(artifact.path, model_dir)
    elif artifact.path.is_file():
        verify_digest(artifact.path, artifact.sha256, shown)
        model_dir.mkdir()
        shutil.copyfile(artifact.path, model_dir / artifact.path.name)
    else:
        raise UsageError(f"{shown}: the loaded model {artifact.path} is missing from the workspace")
    files = files_under(model_dir)
    if not files:
        raise UsageError(f"{shown}: the pretrained source holds no file")
    return files, {"name": name, "url": scrub_url(artifact.url), "sha256": artifact.sha256}


def train(job: TrainJob) -> TrainOutput:
    settings = job.config.train
    model_files, source = _copy_model(job)
    if not settings.command or not settings.dataset:
        raise UsageError("train.kind pretrained: set train.command (the program that writes predictions with "
                         "the model) and train.dataset (the rows to evaluate on): evaluate judges predictions")
    dataset = read_dataset_table(job)
    labels = [str(value).strip() for value in dataset.table.column(settings.label_column)]
    task = settings.task if settings.task != "auto" else infer_task(labels, [])
    table = dataset.table
    (job.folder / SPLIT_FILE).write_text(json.dumps({
        "dataset": dataset.record(), "label_column": settings.label_column, "task": task,
        "train_rows": [], "test_rows": table.rows,
    }, indent=2), encoding="utf-8")
    test_file = job.folder / "data" / "test.csv"
    write_csv(test_file, ["row", *table.columns],
              [{"row": row, **record} for row, record in zip(table.rows, table.records, strict=True)])
    before = _digests(model_files)
    env = base_environment(job)
    env["MLSECOPS_MODEL_DIR"] = str((job.folder / MODEL_DIR).resolve())
    env["MLSECOPS_TEST_FILE"] = str(test_file.resolve())
    job.echo(f"train: pretrained model from source '{source['name']}' ({len(model_files)} file(s)); "
             f"predicting {len(table.rows)} rows of {dataset.shown} with {' '.join(settings.command)}")
    seconds = run_program(settings.command, job.config.base_dir, env, settings.timeout_seconds, job.echo)
    if _digests(files_under(job.folder / MODEL_DIR)) != before:
        # what gets signed must be what load verified and scan judged
        raise ProgramFailed("train.command: the predict program changed the pretrained model's files")
    task, label_names, rows = check_predictions(job, task)
    shutil.rmtree(job.folder / "data", ignore_errors=True)
    return TrainOutput(
        model_files=model_files,
        other_files=[job.folder / SPLIT_FILE],
        predictions=job.folder / PREDICTIONS_FILE,
        task=task,
        labels=label_names,
        details={"pretrained": source, "dataset": dataset.record(), "test_rows": rows,
                 "command": list(settings.command), "seconds": round(seconds, 3)},
        tools={},
    )
