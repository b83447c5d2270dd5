"""Stage 5, train: the trainer of `train.kind`, only after a passed security gate on the same inputs.

The stage owns the order and the record; each kind lives in `ml/trainers/` (keras-text,
sklearn, command, pretrained, none). `result.json` holds `details.kind`, `details.task`,
`details.model_files` (workspace-relative paths of the model release: what sign signs and
store ships, each also in `artifacts` with its sha256) and `details.predictions` (the
held-out predictions `evaluate` reads; not a model file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stages.order import cleaned_inputs, require_security_gate
from mlsecops.workspace import RESULT_FILE, StageResult

STAGE = "train"


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _train, ctx)


def _clear_previous_outputs(folder: Path) -> None:
    # a failed run must not leave the previous run's model beside its own result.json
    for path in folder.iterdir():
        if path.name == RESULT_FILE:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _relative(ctx: StageContext, path: Path) -> str:
    return ctx.workspace.artifact(path).path


def _train(ctx: StageContext, result: StageResult) -> None:
    from mlsecops.ml.trainers import TrainJob, trainer_for

    settings = ctx.config.train
    require_security_gate(ctx)
    folder = ctx.workspace.stage_dir(STAGE)
    _clear_previous_outputs(folder)

    job = TrainJob(
        config=ctx.config, workspace_root=ctx.workspace.root, folder=folder,
        loaded=cleaned_inputs(ctx, ctx.loaded_artifacts()), echo=ctx.echo,  # redact's copy when it ran
    )
    output = trainer_for(settings.kind)(job)

    model_artifacts = [ctx.workspace.artifact(path) for path in output.model_files]
    others = [*output.other_files, *([output.predictions] if output.predictions else [])]
    result.artifacts = model_artifacts + [ctx.workspace.artifact(path) for path in others]
    result.metrics = dict(output.metrics)
    result.tools = dict(output.tools)
    result.findings.extend(output.findings)
    result.details = {
        "kind": settings.kind,
        "task": output.task,
        "model_files": [artifact.path for artifact in model_artifacts],
        "predictions": _relative(ctx, output.predictions) if output.predictions else None,
        "labels": output.labels,
        **output.details,
        "settings": settings.model_dump(mode="json"),
    }
