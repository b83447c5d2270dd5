"""`mlsecops run`: every stage in order on one machine, stopping at the first failed gate."""

from __future__ import annotations

import importlib
import shutil
import time
from dataclasses import replace

from mlsecops.errors import GateFailed, MlsecopsError
from mlsecops.stage_manifest import pipeline_stages
from mlsecops.stages.base import StageContext
from mlsecops.workspace import REPORTS_DIR, RESULT_FILE, Workspace


def pipeline() -> list[tuple[str, str, dict]]:
    """(label, stage module, options) in the stage manifest's order: `gate-model` is module gate, {"gate": "model"}."""
    steps = []
    for name in pipeline_stages():
        module, _, variant = name.partition("-")
        steps.append((name.replace("-", " "), module, {module: variant} if variant else {}))
    return steps


def _notify(ctx: StageContext, event: str) -> None:
    from mlsecops.stages import notify

    try:
        notify.run(replace(ctx, options={"event": event}))
    except MlsecopsError as exc:  # notification never decides the build
        ctx.echo(f"warning: notify: {exc}")


def run_pipeline(ctx: StageContext, from_stage: str | None = None) -> None:
    config = ctx.config
    ctx.echo(f"mlsecops run: {config.project.name} {config.project.version} (workspace {ctx.workspace.root})")
    started = time.monotonic()
    steps = pipeline()
    if from_stage:
        steps = steps[[module for _, module, _ in steps].index(from_stage):]
    cleared = clear_stale_results(ctx.workspace, [_stage_name(module, options) for _, module, options in steps])
    if cleared:
        ctx.echo(f"mlsecops run: removed the earlier results of {', '.join(cleared)}")
    _notify(ctx, "started")
    for label, module, options in steps:
        if not _enabled(ctx, _stage_name(module, options)):
            continue  # its stale results were cleared above: train cannot pick up a copy this run did not make
        t0 = time.monotonic()
        ctx.echo(f"==> {label}")
        stage = importlib.import_module(f"mlsecops.stages.{module}")
        try:
            stage.run(replace(ctx, options=dict(options)))
        except GateFailed as exc:
            ctx.echo(f"<== {label}: FAILED in {time.monotonic() - t0:.1f}s: {exc}")
            _write_reports(ctx)
            _notify(ctx, "gate-failed")
            raise
        except MlsecopsError:
            _write_reports(ctx)
            _notify(ctx, "error")
            raise
        ctx.echo(f"<== {label}: passed in {time.monotonic() - t0:.1f}s")
    _write_reports(ctx)
    _notify(ctx, "succeeded")
    ctx.echo(f"mlsecops run: PASSED in {time.monotonic() - started:.1f}s; reports in {ctx.workspace.root / 'reports'}")


def _enabled(ctx: StageContext, stage: str) -> bool:
    from mlsecops.stage_manifest import manifest

    return manifest().stage(stage).enabled(ctx.config)


def _stage_name(module: str, options: dict) -> str:
    return f"gate-{options['gate']}" if module == "gate" else module


# Kept across runs: the releases of the default store (`<workspace>/store/<project>/...`) and the
# workspace's local signing key, which must stay the same key from run to run.
_KEPT = {"store": {"*"}, "sign": {"local-key"}}


def clear_stale_results(workspace: Workspace, stages: list[str]) -> list[str]:
    """Remove what earlier runs left in the folders of the stages this run is about to run.

    A run's reports and console summary must hold only that run's results: a run that stops at
    `load` must not show the previous run's scan and gates. Only folders holding a result.json
    (written by a stage) are touched, so a workspace pointed at a project folder loses nothing of
    the project. Notify's folder goes too: its results describe an earlier run.
    """
    cleared = []
    for stage in [*stages, "notify"]:
        folder = workspace.root / stage
        if not (folder / RESULT_FILE).is_file() and not any(folder.glob(f"*/{RESULT_FILE}")):
            continue
        kept = _KEPT.get(stage, set())
        for child in folder.iterdir():
            if child.name in kept or ("*" in kept and child.is_dir()):
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        if stage != "notify":
            cleared.append(stage)
    if cleared:
        from mlsecops.reports import REPORTS

        # re-rendered when the run ends or stops; a run that crashes must not leave the last run's behind
        for name in REPORTS:
            (workspace.root / REPORTS_DIR / name).unlink(missing_ok=True)
    return cleared


def _write_reports(ctx: StageContext) -> None:
    from mlsecops.stages.gate import write_reports_quietly

    write_reports_quietly(ctx)
