"""Stage 7, modeltest: scan the trained model files, then test the model and its application.

Order matters: the trained files are scanned first, and the model is loaded for the LLM
tests only when that scan found nothing critical or high (scan before load). The stage
never fails by itself: it records findings and rates for `gate --stage model`.
"""

from __future__ import annotations

from pathlib import Path

from mlsecops.findings import Severity, scanner_did_not_run
from mlsecops.scanners.interface import ScanTargets
from mlsecops.scanners.run import run_and_record
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.workspace import StageResult

STAGE = "modeltest"
TRAINED_FILES = ("model.keras", "model.h5", "tokenizer.pickle", "tokenizer.json")


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _body, ctx)


def trained_files(train_dir: Path, model_files: list[str] | None = None) -> list[Path]:
    """The model release train recorded (`details.model_files`, workspace-relative), else the Keras names."""
    if model_files:
        root = train_dir.parent
        return [root / name for name in model_files if (root / name).is_file()]
    return [train_dir / name for name in TRAINED_FILES if (train_dir / name).is_file()]


def _recorded_model_files(ctx: StageContext) -> list[str]:
    train = ctx.workspace.optional_result("train")
    files = train.details.get("model_files") if train is not None else None
    return [str(name) for name in files] if isinstance(files, list) else []


def scan_trained_files(ctx: StageContext, train_dir: Path, stage_dir: Path, result: StageResult) -> bool:
    """Scan what train wrote with the configured model scanners; True when the model may be loaded."""
    settings = ctx.config.modeltest
    files = trained_files(train_dir, _recorded_model_files(ctx))
    if not files:
        result.findings.append(
            scanner_did_not_run(
                "models", str(train_dir), "no trained model files to scan (run `mlsecops train` first)",
                category="model-file",
            )
        )
        return False
    safe = True
    for name in settings.model_scanners:
        targets = ScanTargets(
            paths=[*files, train_dir],
            options=settings.options.get(name, {}),
            work_dir=stage_dir / name,
        )
        outcome = run_and_record(name, targets, result)
        blocking = [f for f in outcome.findings if f.severity.at_least(Severity.HIGH)]
        safe = safe and outcome.status == "ran" and not blocking
        ctx.echo(f"modeltest: {name}: {outcome.scanned} file(s), {len(outcome.findings)} finding(s)")
    result.metrics["model_files_scanned"] = len(files)
    return safe


def _body(ctx: StageContext, result: StageResult) -> None:
    from mlsecops.modeltests.suite import build_env, run_tests

    stage_dir = ctx.workspace.stage_dir(STAGE)
    train_dir = ctx.workspace.stage_dir("train", create=False)
    loadable = scan_trained_files(ctx, train_dir, stage_dir, result)
    env = build_env(ctx, stage_dir, train_dir, model_loadable=loadable)
    for outcome in run_tests(env):
        result.findings.extend(outcome.findings)
        result.scanners.append(outcome.summary())
        result.metrics.update(outcome.metrics)
        if outcome.details:
            result.details[outcome.name] = outcome.details
        if outcome.tool_version:
            result.tools[outcome.name] = outcome.tool_version
        ctx.echo(f"modeltest: {outcome.name}: {outcome.status}, {len(outcome.findings)} finding(s)"
                 + (f" ({outcome.message})" if outcome.message else ""))
