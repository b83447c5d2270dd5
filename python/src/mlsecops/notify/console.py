"""The console summary: what a Jenkins log reader needs at a glance, printed on every notify run."""

from __future__ import annotations

from typing import Any

from .event import finding_line, gate_states, headline, key_metrics, severity_counts, top_findings
from .interface import RunEvent, Sink
from .sanitize import clean


class ConsoleSink(Sink):
    name = "console"

    def send(self, event: RunEvent) -> dict[str, Any]:
        lines = summary_lines(event, self.settings.top)
        for line in lines:
            self.context.echo(line)
        return {"lines": len(lines)}


def summary_lines(event: RunEvent, top: int) -> list[str]:
    lines = [headline(event)]
    if event.event == "started":  # nothing of this run to judge yet; a stale workspace would only mislead
        return lines + ([f"  build    {clean(event.build_url)}"] if event.build_url else [])
    if event.results:
        stages = " | ".join(
            f"{r.stage} {r.status if r.status == 'passed' else r.status.upper()} {r.duration_seconds:.1f}s"
            for r in event.results
        )
        lines.append(f"  stages   {stages}")
    else:
        lines.append("  stages   none has run yet")
    gates = [f"{name} {_gate_word(status)}" for name, status in gate_states(event)]
    lines.append(f"  gates    {', '.join(gates)}")
    counts = severity_counts(event.findings)
    by_severity = ", ".join(f"{n} {severity}" for severity, n in counts.items())
    lines.append(f"  findings {by_severity} ({len(event.findings)} total)")
    for finding in top_findings(event.findings, top):
        lines.append(f"    {finding_line(finding)}")
    if len(event.findings) > top:
        lines.append(f"    ... and {len(event.findings) - top} more in the reports")
    metrics = key_metrics(event)
    if metrics:
        lines.append("  metrics  " + ", ".join(f"{name} {value:.3f}" for name, value in metrics.items()))
    for result in event.results:
        if result.status != "passed" and result.reason:
            lines.append(f"  {result.stage}: {clean(result.reason)[:300]}")
    for problem in event.problems:
        lines.append(f"  warning: {problem}")
    if event.reports_url:
        lines.append(f"  reports  {clean(event.reports_url)}")
    return lines


def _gate_word(status: str | None) -> str:
    if status is None:
        return "not run"
    return status if status == "passed" else status.upper()

