"""Stages 4 and 8: judge what earlier stages recorded against the policy."""

from __future__ import annotations

from mlsecops.errors import GateFailed
from mlsecops.ml.program_files import program_digests
from mlsecops.policy import MODEL_GATE, Policy, config_overrides, evaluate_gate, load_policy
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.stages.order import JUDGED_MODEL
from mlsecops.workspace import StageResult

GATE_STAGES = {"security": "gate-security", "model": "gate-model"}


def run(ctx: StageContext) -> StageResult:
    gate_name: str = ctx.options["gate"]
    stage = GATE_STAGES[gate_name]

    def body(ctx: StageContext, result: StageResult) -> None:
        policy, notes = project_policy(ctx, gate_name)
        judged_stages = policy.gates[gate_name].judge if gate_name in policy.gates else []
        results = {name: ctx.workspace.read_result(name) for name in judged_stages if ctx.workspace.has_result(name)}
        verdict = evaluate_gate(gate_name, policy, results, other_finding_ids=_run_finding_ids(ctx))
        result.details = {
            "gate": gate_name,
            "checks": [check.to_dict() for check in verdict.checks],
            "violations": [finding.id for finding in verdict.violations],
            "waived": verdict.waived,
            "judged_stages": sorted(results),
        }
        if gate_name == "model":
            result.details[JUDGED_MODEL] = judged_model(ctx)
        else:
            result.details["inputs"] = judged_inputs(ctx)
            result.details["programs"] = program_digests(ctx.config)
        warnings = [*notes, *verdict.warnings]
        result.warnings.extend(warnings)
        result.reason = verdict.reason
        for warning in warnings:
            ctx.echo(f"warning: {warning}")
        if not verdict.passed:
            for finding in verdict.violations[:20]:
                ctx.echo(
                    f"  {finding.severity.value:8} {finding.category:14} {finding.rule:30} "
                    f"{finding.location.display()}  {finding.title}"
                )
            raise GateFailed(verdict.reason)
        ctx.echo(verdict.reason)

    try:
        return run_stage(stage, body, ctx)
    finally:
        write_reports_quietly(ctx)


def project_policy(ctx: StageContext, gate_name: str) -> tuple[Policy, list[str]]:
    """The policy the gate judges with; for the model gate, mlsecops.yaml's metric settings for the task
    evaluate measured translated into it, and the warnings that translation has for the user."""
    from mlsecops.config.check import policy_path
    from mlsecops.errors import MlsecopsError

    path = policy_path(ctx.config)
    if gate_name != MODEL_GATE:  # metrics are the model gate's alone: its settings are not read before
        return load_policy(path), []
    try:
        evaluate = ctx.workspace.optional_result("evaluate")
    except MlsecopsError:  # unreadable: the gate fails closed on the evaluate stage anyway
        evaluate = None
    task = str(evaluate.details.get("task") or "classification") if evaluate is not None else "classification"
    overrides = config_overrides(ctx.config, task)
    return load_policy(path, overrides=overrides), list(overrides.warnings)


def _run_finding_ids(ctx: StageContext) -> set[str]:
    """The ids of every finding the workspace holds: a waiver naming one of them is not mistyped."""
    from mlsecops.errors import MlsecopsError

    try:
        return {finding.id for result in ctx.workspace.all_results() for finding in result.findings}
    except MlsecopsError:  # an unreadable result: the gate judges it (fails closed); only the warning is lost
        return set()


def judged_inputs(ctx: StageContext) -> dict[str, str]:
    """The loaded inputs (source name -> sha256) this security gate judged: `train` trains only on those."""
    from mlsecops.errors import MlsecopsError

    try:
        load = ctx.workspace.optional_result("load")
    except MlsecopsError:  # an unreadable load result: no inputs vouched for, train refuses
        return {}
    sources = load.details.get("sources", []) if load else []
    return {str(entry.get("name")): str(entry.get("sha256", "")) for entry in sources if isinstance(entry, dict)}


def judged_model(ctx: StageContext) -> dict[str, object]:
    """The digests of the model files this gate judged, so that `sign` signs only those very files.

    A model that cannot be named (train has not run, a `sign.paths` glob matching nothing) is
    recorded as a problem rather than failing the gate: `sign` refuses on it, fail closed.
    """
    from mlsecops.errors import MlsecopsError
    from mlsecops.signing.model_release import file_digests, model_release

    try:
        files, origin = model_release(ctx.workspace, ctx.config)
        return {"files": file_digests(files), "from": origin}
    except (MlsecopsError, OSError) as exc:
        return {"files": {}, "problem": str(exc).removeprefix("refusing to sign: ")}


def write_reports_quietly(ctx: StageContext) -> None:
    """Reports follow every gate; a report failure is said, but never hides the gate's verdict."""
    try:
        from mlsecops.reports import write_reports

        write_reports(ctx.workspace, ctx.config)
    except Exception as exc:  # the verdict matters more than the report: say it and go on
        ctx.echo(f"warning: reports not written ({exc.__class__.__name__}: {exc})")
