"""Slack: an incoming webhook with a Block Kit message (verdict per gate, top findings, links).

Slack's limits are kept by construction: at most 50 blocks, 3000 characters per section
text, 150 per header, 75 per button label; text is mrkdwn-escaped (&, <, >) so a finding
title cannot inject a link or a mention.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mlsecops.config import SecretRef
from mlsecops.notify.event import (
    finding_line,
    gate_states,
    headline,
    key_metrics,
    severity_counts,
    top_findings,
)
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean
from mlsecops.notify.settings import SinkSettings

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
_GATE_ICON = {"passed": ":white_check_mark:", "failed": ":x:", "error": ":warning:", "not run": ":white_circle:"}
_VERDICT_ICON = {"passed": ":white_check_mark:", "failed": ":x:", "error": ":warning:", "running": ":hourglass:",
                 "unknown": ":grey_question:"}


class SlackSettings(SinkSettings):
    """`type: slack` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("webhook_url",)
    webhook_url: SecretRef


class SlackSink(Sink):
    name = "slack"
    settings_model = SlackSettings
    settings: SlackSettings

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


def _whole_lines(title: str, lines: list[str], total: int) -> str:
    """Title and as many whole lines as fit one section, then how many more the reports hold."""
    reserve = 40  # the "... and N more" line
    kept = [title]
    for line in lines:
        if len("\n".join([*kept, line])) > MAX_SECTION_TEXT - reserve:
            break
        kept.append(line)
    shown = len(kept) - 1
    if total > shown:
        kept.append(f"_… and {total - shown} more in the reports_")
    return "\n".join(kept)


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
    if event.event != "started":  # a start has no outcome yet: headline and links only
        blocks.extend(_outcome_blocks(event, top))
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


def _outcome_blocks(event: RunEvent, top: int) -> list[dict[str, Any]]:
    """Gates, finding counts, top findings, key metrics and the reasons of what did not pass."""
    gate_lines = [
        f"{_GATE_ICON.get(status or 'not run', ':grey_question:')} *{name}* {status or 'not run'}"
        for name, status in gate_states(event)
    ]
    blocks = [_section("*Gates*\n" + "\n".join(gate_lines))]
    counts = severity_counts(event.findings)
    blocks.append(_section(
        f"*Findings* ({len(event.findings)}): " + ", ".join(f"{n} {severity}" for severity, n in counts.items())
    ))
    chosen = top_findings(event.findings, top)
    if chosen:
        blocks.append(_section(_whole_lines("*Top findings*", [f"• {escape(finding_line(f))}" for f in chosen],
                                            total=len(event.findings))))
    metrics = key_metrics(event)
    if metrics:
        text = "\n".join(f"{escape(name)}: *{value:.3f}*" for name, value in metrics.items())
        blocks.append(_section("*Metrics*\n" + text))
    failures = [r for r in event.results if r.status != "passed" and r.reason]
    for result in failures[:5]:
        blocks.append(_section(f"*{result.stage}* {result.status}: {escape(clean(result.reason))}"))
    return blocks
