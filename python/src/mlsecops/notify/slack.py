"""Slack: an incoming webhook with a Block Kit message (verdict per gate, top findings, links).

Slack's limits are kept by construction: at most 50 blocks, 3000 characters per section
text, 150 per header, 75 per button label; text is mrkdwn-escaped (&, <, >) so a finding
title cannot inject a link or a mention.
"""

from __future__ import annotations

from typing import Any

from .event import (
    GATE_STAGES,
    finding_line,
    headline,
    key_metrics,
    severity_counts,
    top_findings,
)
from .interface import RunEvent, Sink
from .sanitize import clean

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
_GATE_ICON = {"passed": ":white_check_mark:", "failed": ":x:", "error": ":warning:"}
_VERDICT_ICON = {"passed": ":white_check_mark:", "failed": ":x:", "error": ":warning:", "running": ":hourglass:"}


class SlackSink(Sink):
    name = "slack"

    def send(self, event: RunEvent) -> dict[str, Any]:
        payload = build_payload(event, self.settings.top)
        self.http("POST", self.credential("webhook_url"), json=payload)
        return {"blocks": len(payload["blocks"])}


def escape(text: str) -> str:
    """Slack mrkdwn control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, MAX_SECTION_TEXT)}}


def build_payload(event: RunEvent, top: int) -> dict[str, Any]:
    title = headline(event)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(title, MAX_HEADER_TEXT), "emoji": True}},
    ]
    facts = [("Project", f"{event.project} {event.version}"), ("Event", event.event), ("Verdict", event.verdict)]
    if event.branch:
        facts.append(("Branch", event.branch))
    blocks.append({
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": fit(f"*{k}*\n{escape(clean(v))}", 2000)} for k, v in facts],
    })
    gate_lines = [
        f"{_GATE_ICON.get(event.gates[name], ':grey_question:')} *{name}* {event.gates[name]}"
        if name in event.gates else f":white_circle: *{name}* not run"
        for name in GATE_STAGES.values()
    ]
    blocks.append(_section("*Gates*\n" + "\n".join(gate_lines)))
    counts = severity_counts(event.findings)
    blocks.append(_section(
        f"*Findings* ({len(event.findings)}): " + ", ".join(f"{n} {severity}" for severity, n in counts.items())
    ))
    chosen = top_findings(event.findings, top)
    if chosen:
        lines = [f"• {escape(finding_line(f))}" for f in chosen]
        if len(event.findings) > len(chosen):
            lines.append(f"_… and {len(event.findings) - len(chosen)} more in the reports_")
        blocks.append(_section("*Top findings*\n" + "\n".join(lines)))
    metrics = key_metrics(event)
    if metrics:
        text = "\n".join(f"`{escape(name)}` {value:.3f}" for name, value in metrics.items())
        blocks.append(_section("*Metrics*\n" + text))
    failures = [r for r in event.results if r.status != "passed" and r.reason]
    for result in failures[:5]:
        blocks.append(_section(f"*{result.stage}* {result.status}: {escape(clean(result.reason))}"))
    buttons = [
        {"type": "button", "text": {"type": "plain_text", "text": label}, "url": clean(url)}
        for label, url in (("Open build", event.build_url), ("Reports", event.reports_url))
        if url.startswith(("http://", "https://")) and len(url) <= 3000
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    context = [f"run {event.run_id}"] + ([f"commit {event.commit[:12]}"] if event.commit else [])
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(clean(" · ".join(context)))}]})
    return {
        "text": fit(f"{_VERDICT_ICON.get(event.verdict, '')} {escape(title)}", MAX_FALLBACK_TEXT),
        "blocks": blocks[:MAX_BLOCKS],
    }
