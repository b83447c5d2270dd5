"""What a stage requires of the stages before it: that they passed, on the inputs load holds now.

Shared by every stage that builds on an earlier one (train, redact, evaluate), so no stage
imports another: a helper below the stages, like `base`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from mlsecops.errors import GateFailed, UsageError
from mlsecops.hashing import file_sha256
from mlsecops.ml.program_files import changed_programs, program_digests
from mlsecops.scanners.interface import LoadedArtifact
from mlsecops.stages.base import StageContext

SECURITY_GATE = "gate-security"
REDACT = "redact"
REQUIRED_GATES = ("gate-security", "gate-model")  # what sign and store require
JUDGED_MODEL = "model"  # gate-model's details key: the model files it judged, name -> sha256


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


def require_security_gate(ctx: StageContext, needed_by: str = "train") -> None:
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


def cleaned_inputs(ctx: StageContext, loaded: list[LoadedArtifact], needed_by: str = "train") -> list[LoadedArtifact]:
    """What train (and evaluate, for the held-out labels) reads: `loaded` with train.dataset replaced by the
    redact stage's copy when there is one.

    Fail closed: with `redact.enabled` a missing or failed redact result stops train, and a copy
    cleaned from other inputs than load holds now (a newer load) is refused, never used.
    """
    from mlsecops.ml.trainers.common import find_dataset

    workspace = ctx.workspace
    if not workspace.has_result(REDACT):
        if ctx.config.redact.enabled:
            raise UsageError(
                f"{needed_by}: redact.enabled is set but the redact stage has not run in workspace {workspace.root}: "
                "run `mlsecops redact-dataset` first or unstash its folder"
            )
        return loaded
    require_passed(ctx, REDACT, needed_by=needed_by)
    details = workspace.read_result(REDACT).details
    artifact, shown = find_dataset(ctx.config, loaded)
    if details.get("source") != artifact.name or details.get("dataset_file") != ctx.config.train.dataset_file:
        raise UsageError(
            f"{needed_by}: the redact stage cleaned another dataset than train.dataset ({shown}): run it again"
        )
    if not artifact.path.is_file() or file_sha256(artifact.path) != details.get("input_sha256"):
        raise GateFailed(
            f"{needed_by}: the redact stage cleaned other inputs than load holds now ({shown}); run it again"
        )
    copy = workspace.root / str(details.get("file", ""))
    member = ctx.config.train.dataset_file
    if member:
        # find_dataset picks the member inside an extracted folder: the redact folder is that folder
        cleaned = replace(artifact, path=workspace.root / REDACT, url="", sha256="")
        if copy != cleaned.path / member:
            raise UsageError(f"{needed_by}: the redact stage's copy {copy} is not train.dataset_file '{member}'")
        # a member has no digest find_dataset could check: check the copy against redact's record here
        if not copy.is_file() or file_sha256(copy) != details.get("sha256"):
            raise UsageError(f"{needed_by}: {copy}: changed or missing since the redact stage wrote it")
    else:
        cleaned = replace(artifact, path=copy, url="", sha256=str(details.get("sha256", "")))
    ctx.echo(f"{needed_by}: reading the redacted copy {copy.relative_to(workspace.root).as_posix()}")
    first = next(i for i, item in enumerate(loaded) if item.name == artifact.name)
    return [cleaned if i == first else item for i, item in enumerate(loaded)]


def require_passed_gates(
    ctx: StageContext, gates: tuple[str, ...] = REQUIRED_GATES, action: str = "sign"
) -> dict[str, str]:
    """Fail closed: a gate that did not run counts as failed. `action` names the refused step."""
    verdicts = {}
    for gate in gates:
        result = ctx.workspace.optional_result(gate)
        verdicts[gate] = result.status if result else "missing"
    failed = [f"{gate}: {status}" for gate, status in verdicts.items() if status != "passed"]
    if failed:
        raise GateFailed(f"refusing to {action}: gates not passed ({', '.join(failed)})")
    return verdicts


def require_judged_model(ctx: StageContext, signed: dict[str, str], action: str = "sign") -> None:
    """Fail closed on order: sign (and store) only the very files whose digests the passed model gate recorded."""
    record = ctx.workspace.read_result("gate-model").details.get(JUDGED_MODEL)
    record = record if isinstance(record, dict) else {}
    judged = record.get("files")
    if not isinstance(judged, dict) or not judged:
        why = record.get("problem")
        raise GateFailed(
            f"refusing to {action}: the model gate recorded no model digests"
            + (f" ({why})" if why else "")
            + ": run `mlsecops gate --stage model` again on this model"
        )
    if judged == signed:
        return
    differ = sorted(name for name in judged.keys() | signed.keys() if judged.get(name) != signed.get(name))
    raise GateFailed(
        f"refusing to {action}: the model gate judged other model files ({', '.join(differ[:5])}"
        f"{', ...' if len(differ) > 5 else ''}): run evaluate, modeltest and the model gate on this model again"
    )
