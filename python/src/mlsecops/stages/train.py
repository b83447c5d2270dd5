"""Stage 5, train: the trainer of `train.kind`, only after a passed security gate on the same inputs.

The stage owns the order and the record; each kind lives in `ml/trainers/` (keras-text,
sklearn, command, pretrained, none). `result.json` holds `details.kind`, `details.task`,
`details.model_files` (workspace-relative paths of the model release: what sign signs and
store ships, each also in `artifacts` with its sha256) and `details.predictions` (the
held-out predictions `evaluate` reads; not a model file).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import GateFailed, UsageError
from ..ml.program_files import changed_programs, program_digests
from ..workspace import RESULT_FILE, StageResult
from .base import StageContext, run_stage

STAGE = "train"
SECURITY_GATE = "gate-security"


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _train, ctx)


def require_passed(ctx: StageContext, stage: str, *, needed_by: str) -> None:
    """Refuse to build on a stage that did not pass; a stage that has not run is the caller's concern.

    A failed gate stops the build (exit 1); any other stage that did not pass must be run again (exit 2).
    """
    if not ctx.workspace.has_result(stage):
        return
    earlier = ctx.workspace.read_result(stage)
    if earlier.status == "passed":
        return
    message = f"{needed_by}: stage '{stage}' {earlier.status} in workspace {ctx.workspace.root}"
    if stage.startswith("gate"):
        raise GateFailed(f"{message}; {needed_by} does not run on what it refused")
    raise UsageError(f"{message}; run `mlsecops {stage}` again first")


def loaded_inputs(ctx: StageContext) -> dict[str, str]:
    """The digests of what load fetched (source name -> sha256): the inputs a security gate judged."""
    if not ctx.workspace.has_result("load"):
        return {}
    sources = ctx.workspace.read_result("load").details.get("sources", [])
    return {str(entry.get("name")): str(entry.get("sha256", "")) for entry in sources}


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def require_security_gate(ctx: StageContext, needed_by: str = STAGE) -> None:
    """Fail closed on order: a passed security gate, judged on the inputs load recorded now.

    A gate result that records the loaded digests (`details.inputs`) must name exactly these;
    one that does not must at least have run after the load it judged finished.
    """
    if not ctx.workspace.has_result("load"):
        raise UsageError(
            f"{needed_by}: the load stage has not run in workspace {ctx.workspace.root}: "
            "run `mlsecops load` first or unstash its folder"
        )
    require_passed(ctx, "load", needed_by=needed_by)
    gate = ctx.workspace.optional_result(SECURITY_GATE)
    if gate is None:
        raise GateFailed(
            f"refusing to {needed_by}: the security gate has not run in workspace {ctx.workspace.root} "
            "(run `mlsecops scan` and `mlsecops gate --stage security` first, or unstash gate-security)"
        )
    if gate.status != "passed":
        raise GateFailed(f"refusing to {needed_by}: the security gate {gate.status}; nothing it refused is trained")
    _require_judged_programs(ctx, gate.details.get("programs"), needed_by)
    current = loaded_inputs(ctx)
    recorded = gate.details.get("inputs")
    if isinstance(recorded, dict):
        changed = sorted(name for name in set(current) | set(recorded) if current.get(name) != recorded.get(name))
        if changed:
            raise GateFailed(
                f"refusing to {needed_by}: the security gate judged other inputs than load holds now "
                f"(source '{changed[0]}'); run scan and the security gate again"
            )
        return
    load = ctx.workspace.read_result("load")
    loaded_at, judged_at = _moment(load.finished), _moment(gate.started)
    if loaded_at is None or judged_at is None or judged_at < loaded_at:
        raise GateFailed(
            f"refusing to {needed_by}: the security gate ran before the last load "
            "(it judged other inputs); run scan and the security gate again"
        )


def _require_judged_programs(ctx: StageContext, recorded: Any, needed_by: str) -> None:
    """The training program runs only as the security gate judged it (its files' digests)."""
    current = program_digests(ctx.config)
    if not current and not recorded:
        return
    if not isinstance(recorded, dict):
        raise GateFailed(
            f"refusing to {needed_by}: the security gate recorded no digest of the training program "
            f"({', '.join(sorted(current))}); run scan and the security gate again"
        )
    changed = changed_programs(recorded, current)
    if changed:
        raise GateFailed(
            f"refusing to {needed_by}: {changed[0]} changed after the security gate judged it (or it did not "
            "judge it: train.command); run scan and the security gate again"
        )


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
    from ..ml.trainers import TrainJob, trainer_for

    settings = ctx.config.train
    require_security_gate(ctx)
    folder = ctx.workspace.stage_dir(STAGE)
    _clear_previous_outputs(folder)
    job = TrainJob(
        config=ctx.config, workspace_root=ctx.workspace.root, folder=folder,
        loaded=ctx.loaded_artifacts(), echo=ctx.echo,
    )
    output = trainer_for(settings.kind)(job)

    model_artifacts = [ctx.workspace.artifact(path) for path in output.model_files]
    others = [*output.other_files, *([output.predictions] if output.predictions else [])]
    result.artifacts = model_artifacts + [ctx.workspace.artifact(path) for path in others]
    result.metrics = dict(output.metrics)
    result.tools = dict(output.tools)
    result.details = {
        "kind": settings.kind,
        "task": output.task,
        "model_files": [artifact.path for artifact in model_artifacts],
        "predictions": _relative(ctx, output.predictions) if output.predictions else None,
        "labels": output.labels,
        **output.details,
        "settings": settings.model_dump(mode="json"),
    }
