"""The console summary: what a Jenkins log reader needs at a glance, printed on every notify run."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlsecops.notify.event import finding_line, gate_states, headline, key_metrics, severity_counts, top_findings
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean
from mlsecops.notify.settings import EVENTS, EventName, SinkSettings
from mlsecops.workspace import StageResult


class ConsoleSettings(SinkSettings):
    """`type: console` in `notify.sinks`."""

    events: list[EventName] = Field(default_factory=lambda: list(EVENTS))
    top: int = Field(default=10, ge=0, le=50)


class ConsoleSink(Sink):
    name = "console"
    settings_model = ConsoleSettings
    settings: ConsoleSettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        lines = summary_lines(event, self.settings.top)
        for line in lines:
            self.context.echo(line)
        return {"lines": len(lines)}


def summary_lines(event: RunEvent, top: int) -> list[str]:
    # reports/ needs the built config schema, and this module is imported while it is built
    from mlsecops.reports.coverage import uncovered

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
    waived = waived_ids(event.results)
    open_findings = [f for f in event.findings if f.id not in waived]
    counts = severity_counts(open_findings)
    by_severity = ", ".join(f"{n} {severity}" for severity, n in counts.items())
    waived_count = len(event.findings) - len(open_findings)
    tally = f"{len(open_findings)} open, {waived_count} waived" if waived_count else f"{len(open_findings)} total"
    lines.append(f"  findings {by_severity} ({tally})")
    for finding in top_findings(open_findings, top):
        lines.append(f"    {finding_line(finding)}  id {finding.id}")  # the id a waiver names
    if len(open_findings) > top:
        lines.append(f"    ... and {len(open_findings) - top} more in the reports")
    metrics = key_metrics(event)
    if metrics:
        lines.append("  metrics  " + ", ".join(_metric(event, name, value) for name, value in metrics.items()))
    for entry in uncovered(event.results):
        lines.append(f"  untested {clean(entry.line())}")  # listed whatever the gates say
    for result in event.results:
        if result.status != "passed" and result.reason:
            lines.append(f"  {result.stage}: {clean(result.reason)[:300]}")
    for problem in event.problems:
        lines.append(f"  warning: {problem}")
    if event.reports_url:
        lines.append(f"  reports  {clean(event.reports_url)}")
    return lines


def waived_ids(results: list[StageResult]) -> set[str]:
    """Findings a gate waived, unless another gate counted them as a violation (as the reports judge)."""
    waived: set[str] = set()
    violations: set[str] = set()
    for result in results:
        if result.stage.startswith("gate-"):
            waived |= {str(w.get("id")) for w in result.details.get("waived", []) if isinstance(w, dict)}
            violations |= {str(v) for v in result.details.get("violations", [])}
    return waived - violations


def _metric(event: RunEvent, name: str, value: float) -> str:
    from mlsecops.reports.text import FEW_ATTEMPTS, rate_text  # lazily: see summary_lines

    if name.startswith("asr "):  # a rate over a handful of attempts is shown as its counts
        item = name[len("asr "):]
        hits = event.metrics.get(f"modeltest.attack_hits.{item}")
        attempts = event.metrics.get(f"modeltest.attack_attempts.{item}")
        if isinstance(hits, int | float) and isinstance(attempts, int | float):
            if attempts <= FEW_ATTEMPTS:
                return f"{name} {rate_text(value, int(hits), int(attempts))}"
            return f"{name} {value:.3f} ({int(hits)} of {int(attempts)})"
    return f"{name} {value:.3f}"


def _gate_word(status: str | None) -> str:
    if status is None:
        return "not run"
    return status if status == "passed" else status.upper()

