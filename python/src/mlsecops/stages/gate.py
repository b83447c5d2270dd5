"""Stages 4 and 8: judge what earlier stages recorded against the policy."""

from __future__ import annotations

from ..errors import GateFailed
from ..policy import evaluate_gate, load_policy
from ..workspace import StageResult
from .base import StageContext, run_stage

GATE_STAGES = {"security": "gate-security", "model": "gate-model"}


def run(ctx: StageContext) -> StageResult:
    gate_name: str = ctx.options["gate"]
    stage = GATE_STAGES[gate_name]

    def body(ctx: StageContext, result: StageResult) -> None:
        policy = load_policy(ctx.config.resolve_path(ctx.config.policy) if ctx.config.policy else None)
        judged_stages = policy.gates[gate_name].judge if gate_name in policy.gates else []
        results = {name: ctx.workspace.read_result(name) for name in judged_stages if ctx.workspace.has_result(name)}
        verdict = evaluate_gate(gate_name, policy, results)
        result.details = {
            "gate": gate_name,
            "checks": [check.to_dict() for check in verdict.checks],
            "violations": [finding.id for finding in verdict.violations],
            "waived": verdict.waived,
            "judged_stages": sorted(results),
        }
        result.warnings.extend(verdict.warnings)
        result.reason = verdict.reason
        for warning in verdict.warnings:
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


def write_reports_quietly(ctx: StageContext) -> None:
    """Reports follow every gate; a report failure is said, but never hides the gate's verdict."""
    try:
        from ..reports import write_reports

        write_reports(ctx.workspace, ctx.config)
    except Exception as exc:  # the verdict matters more than the report: say it and go on
        ctx.echo(f"warning: reports not written ({exc.__class__.__name__}: {exc})")
