"""PagerDuty Events API v2: trigger on a failed gate, resolve on the next pass.

One incident per project and gate (optionally per branch too), through a stable `dedup_key`,
so a gate failing build after build stays one incident. Resolution is stateless: every run
that sees a gate pass sends `resolve` for that gate's key. PagerDuty ignores a resolve for a
key with no open incident, so nothing has to be remembered between builds (whose
workspaces are usually fresh).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from mlsecops.config import SecretRef
from mlsecops.notify.event import GATE_STAGES, finding_line, severity_counts, top_findings
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean, clean_tree
from mlsecops.notify.settings import SinkSettings

MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
PIPELINE_KEY = "pipeline"  # a stage error that is not a gate verdict (e.g. training crashed)


class PagerDutySettings(SinkSettings):
    """`type: pagerduty` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("routing_key",)
    routing_key: SecretRef
    events_url: str = "https://events.pagerduty.com/v2/enqueue"
    severity: Literal["critical", "error", "warning", "info"] = "error"
    per_branch: bool = False  # one incident per project, gate and branch instead of per project and gate


class PagerDutySink(Sink):
    name = "pagerduty"
    settings_model = PagerDutySettings
    settings: PagerDutySettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        routing_key = self.credential("routing_key")
        sent: dict[str, list[str]] = {"triggered": [], "resolved": []}
        for action, subject in plan(event):
            body = self.event_body(event, action, subject)
            self.http("POST", self.settings.events_url, json={"routing_key": routing_key, **body})
            sent["triggered" if action == "trigger" else "resolved"].append(body["dedup_key"])
        return sent

    def dedup_key(self, event: RunEvent, subject: str) -> str:
        parts = ["mlsecops", event.project, *([event.branch or "-"] if self.settings.per_branch else []), subject]
        return clean(":".join(parts))[:MAX_DEDUP_KEY]

    def event_body(self, event: RunEvent, action: str, subject: str) -> dict[str, Any]:
        body: dict[str, Any] = {"event_action": action, "dedup_key": self.dedup_key(event, subject)}
        if action != "trigger":
            return body
        what = f"gate '{subject}' {event.gates.get(subject, 'error')}" if subject != PIPELINE_KEY else "pipeline error"
        reasons = [clean(r.reason) for r in event.results if r.status != "passed" and r.reason]
        summary = f"mlsecops {event.project} {event.version}: {what}" + (f": {reasons[0]}" if reasons else "")
        body["payload"] = {
            "summary": clean(summary)[:MAX_SUMMARY],
            "source": clean(event.job or event.project),
            "severity": self.settings.severity,
            "timestamp": event.timestamp,
            "component": subject,
            "group": clean(event.project),
            "class": "mlsecops-gate" if subject != PIPELINE_KEY else "mlsecops-pipeline",
            "custom_details": clean_tree({
                "version": event.version,
                "branch": event.branch,
                "run_id": event.run_id,
                "commit": event.commit,
                "findings_by_severity": severity_counts(event.findings),
                "top_findings": [finding_line(f) for f in top_findings(event.findings, self.settings.top)],
                "reasons": reasons[:5],
            }),
        }
        body["client"] = "mlsecops"
        if event.build_url:
            body["client_url"] = clean(event.build_url)
        links = [{"href": clean(url), "text": text}
                 for text, url in (("Jenkins build", event.build_url), ("Reports", event.reports_url)) if url]
        if links:
            body["links"] = links
        return body


def plan(event: RunEvent) -> list[tuple[str, str]]:
    """(action, subject) pairs: trigger each gate that did not pass, resolve each that passed."""
    actions: list[tuple[str, str]] = []
    for gate, status in sorted(event.gates.items()):
        actions.append(("resolve" if status == "passed" else "trigger", gate))
    stage_error = any(r.status == "error" and r.stage not in GATE_STAGES for r in event.results)
    gate_error = "error" in event.gates.values()
    if stage_error or (event.event == "error" and not gate_error):
        actions.append(("trigger", PIPELINE_KEY))
    elif event.verdict == "passed":
        actions.append(("resolve", PIPELINE_KEY))
    return actions
