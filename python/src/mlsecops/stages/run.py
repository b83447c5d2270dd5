"""`mlsecops run`: every stage in order on one machine, stopping at the first failed gate."""

from __future__ import annotations

import importlib
import time
from dataclasses import replace

from ..errors import GateFailed, MlsecopsError
from .base import StageContext

# (label, stage module, options): the order of DESIGN.md
PIPELINE: tuple[tuple[str, str, dict], ...] = (
    ("load", "load", {}),
    ("scan", "scan", {}),
    ("gate security", "gate", {"gate": "security"}),
    ("train", "train", {}),
    ("evaluate", "evaluate", {}),
    ("modeltest", "modeltest", {}),
    ("gate model", "gate", {"gate": "model"}),
    ("sign", "sign", {}),
    ("store", "store", {}),
)


def _notify(ctx: StageContext, event: str) -> None:
    from . import notify

    try:
        notify.run(replace(ctx, options={"event": event}))
    except MlsecopsError as exc:  # notification never decides the build
        ctx.echo(f"warning: notify: {exc}")


def run_pipeline(ctx: StageContext, from_stage: str | None = None) -> None:
    config = ctx.config
    ctx.echo(f"mlsecops run: {config.project.name} {config.project.version} (workspace {ctx.workspace.root})")
    started = time.monotonic()
    steps = list(PIPELINE)
    if from_stage:
        steps = steps[[module for _, module, _ in steps].index(from_stage):]
    _notify(ctx, "started")
    for label, module, options in steps:
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


def _write_reports(ctx: StageContext) -> None:
    from .gate import write_reports_quietly

    write_reports_quietly(ctx)
