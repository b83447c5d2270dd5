"""The notify stage: tell the configured sinks how the run stands. Never fails the build by itself.

Exit 0 whatever the sinks answer (a failing sink is a warning here and in
`.mlsecops/notify/result.json`); exit 2 only when the config itself is bad.
"""

from __future__ import annotations

from mlsecops.errors import UsageError
from mlsecops.notify.dispatch import deliver
from mlsecops.notify.event import build_event
from mlsecops.notify.interface import SinkContext
from mlsecops.notify.settings import EVENTS
from mlsecops.stages.base import StageContext, run_stage
from mlsecops.workspace import StageResult


def run(ctx: StageContext) -> StageResult:
    event_name = ctx.options.get("event") or "finished"
    if event_name not in EVENTS:
        raise UsageError(f"notify: unknown event '{event_name}' (known: {', '.join(EVENTS)})")

    def body(ctx: StageContext, result: StageResult) -> None:
        config = ctx.config
        event = build_event(
            event_name, ctx.workspace, config.project.name, config.project.version, config.notify.reports_url
        )
        context = SinkContext(workspace=ctx.workspace, config=config, echo=ctx.echo)
        outcomes = deliver(event, config.notify.sinks, context)
        result.details = {"event": event.event, "verdict": event.verdict, "run_id": event.run_id, "sinks": outcomes}
        result.warnings.extend(event.problems)
        for outcome in outcomes:
            if outcome["status"] == "failed":
                warning = f"notify sink {outcome['reason']}"
                result.warnings.append(warning)
                ctx.echo(f"warning: {warning}")
        sent = [o["sink"] for o in outcomes if o["status"] == "sent" and o["type"] != "console"]
        if sent:
            ctx.echo(f"notified: {', '.join(sent)}")

    return run_stage("notify", body, ctx)

