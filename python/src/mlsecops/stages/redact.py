"""Stage 4b, redact (optional, `redact.enabled`): the training dataset with every PII entity replaced.

Runs after a passed security gate and before train. It writes `redact/<file>`, the copy
`mlsecops redact` would write for `train.dataset` with the configured methods, and records the
digest of the input it cleaned and of the copy. Train then reads the copy instead of the loaded
file (`cleaned_inputs`): only when it was cleaned from exactly what load holds now, and never
silently the raw file while `redact.enabled` is set.
"""

from __future__ import annotations

from pathlib import Path

import click

from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stages.order import require_security_gate
from mlsecops.workspace import StageResult

STAGE = "redact"


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _redact, ctx)


def _cleaned_name(ctx: StageContext, source: Path) -> Path:
    """`redact/<file>`, or `redact/<member>` for a file inside an extracted archive (train.dataset_file)."""
    member = ctx.config.train.dataset_file
    return Path(member) if member else Path(source.name)


def _redact(ctx: StageContext, result: StageResult) -> None:
    from mlsecops.engines.pii.cells import resolve_salt
    from mlsecops.engines.pii.engine import PiiEngine
    from mlsecops.engines.pii.redact import Replacer, redact_file
    from mlsecops.ml.trainers.common import find_dataset

    settings = ctx.config.redact
    if not settings.enabled:
        raise UsageError("redact: redact.enabled is false in the config; nothing to do")
    require_security_gate(ctx, needed_by=STAGE)  # nothing the gate refused is read, cleaned or not
    if not ctx.config.train.dataset:
        raise UsageError("redact: train.dataset is empty: there is no training dataset to clean")
    artifact, shown = find_dataset(ctx.config, ctx.loaded_artifacts())
    if not artifact.path.is_file():
        raise UsageError(f"redact: {shown}: the loaded dataset is missing from the workspace")
    folder = ctx.workspace.stage_dir(STAGE)
    target = folder / _cleaned_name(ctx, artifact.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = PiiEngine([t.upper() for t in settings.entities] or None, phone_region=settings.phone_region)
    except ValueError as exc:
        raise UsageError(f"redact.entities: {exc}") from None
    salt, given = resolve_salt(settings.salt or None)
    replacer = Replacer({k.upper(): v.lower() for k, v in settings.methods.items()}, settings.default_method, salt)
    input_sha256 = file_sha256(artifact.path)
    outcome = redact_file(artifact.path, target, engine, replacer)
    cleaned = ctx.workspace.artifact(target)
    result.artifacts = [cleaned]
    result.metrics = {"rows": outcome.rows, "entities": sum(outcome.entities.values()),
                      **{f"entities.{name}": count for name, count in sorted(outcome.entities.items())}}
    result.details = {"source": artifact.name, "input_sha256": input_sha256, "file": cleaned.path,
                      "sha256": cleaned.sha256, "dataset_file": ctx.config.train.dataset_file}
    rejected = [f"rejected record, raw text redacted: {line}" for line in outcome.rejected[:20]]
    result.warnings = [*outcome.notes, *rejected]
    if "hash" in {settings.default_method, *replacer.methods.values()} and not given:
        result.warnings.append("no salt (redact.salt or MLSECOPS_PII_SALT): hashes match within this run only")
    counts = ", ".join(f"{name}: {count}" for name, count in sorted(outcome.entities.items())) or "none"
    ctx.echo(f"redact: {cleaned.path}: {outcome.rows} row(s); entities replaced: {counts}")


@click.command(name="redact-dataset")
def redact_stage_command() -> None:
    """Stage 4b (redact.enabled): write redact/<file>, train.dataset with its PII replaced; train reads it."""
    run(click.get_current_context().find_root().obj.stage_context())
