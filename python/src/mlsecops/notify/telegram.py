"""Telegram: Bot API `sendMessage` with MarkdownV2, every special character escaped, under 4096 characters.

The message is built line by line, each line escaped on its own, and lines are added only
while the whole stays under the limit: a cut can never split an escape or an entity.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from mlsecops.config import SecretRef
from mlsecops.notify.errors import SinkError
from mlsecops.notify.event import finding_line, gate_states, headline, key_metrics, severity_counts, top_findings
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean
from mlsecops.notify.settings import SinkSettings

MAX_MESSAGE = 4096
_SPECIAL = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_LINK_URL_SPECIAL = re.compile(r"([)\\])")
_GATE_ICON = {"passed": "✅", "failed": "❌", "error": "⚠️"}


class TelegramSettings(SinkSettings):
    """`type: telegram` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("bot_token",)
    bot_token: SecretRef
    chat_id: str = Field(min_length=1)
    api_url: str = "https://api.telegram.org"
    message_thread_id: int | None = None
    disable_notification: bool = False

    @model_validator(mode="before")
    @classmethod
    def _chat_id_as_text(cls, data: Any) -> Any:
        # YAML reads `chat_id: -100123` as an int; Telegram takes either
        if isinstance(data, dict) and isinstance(data.get("chat_id"), int):
            data = {**data, "chat_id": str(data["chat_id"])}
        return data


class TelegramSink(Sink):
    name = "telegram"
    settings_model = TelegramSettings
    settings: TelegramSettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        text = build_message(event, self.settings.top)
        payload: dict[str, Any] = {
            "chat_id": self.settings.chat_id,
            "text": text,
            "parse_mode": "MarkdownV2",
            "link_preview_options": {"is_disabled": True},
            "disable_notification": self.settings.disable_notification,
        }
        if self.settings.message_thread_id is not None:
            payload["message_thread_id"] = self.settings.message_thread_id
        url = f"{self.settings.api_url.rstrip('/')}/bot{self.credential('bot_token')}/sendMessage"
        response = self.http("POST", url, json=payload)
        try:
            answer = response.json()
        except ValueError:
            raise SinkError(f"{self.settings.label}: the Bot API answered with something that is not JSON") from None
        if not answer.get("ok"):
            raise SinkError(f"{self.settings.label}: {clean(answer.get('description', 'not ok'))}")
        return {"message_id": (answer.get("result") or {}).get("message_id"), "chars": len(text)}


def escape(text: str) -> str:
    """MarkdownV2 plain text: every one of _*[]()~`>#+-=|{}.! and the backslash gets a backslash."""
    return _SPECIAL.sub(r"\\\1", text)


def _link(label: str, url: str) -> str:
    target = _LINK_URL_SPECIAL.sub(r"\\\1", clean(url))
    return f"[{escape(label)}]({target})"


def build_message(event: RunEvent, top: int) -> str:
    lines = [f"*{escape(headline(event)[:300])}*"]
    finding_lines: list[str] = []
    if event.event != "started":  # a start has no outcome yet: headline and links only
        lines.extend(_outcome_lines(event))
        finding_lines = [escape(f"• {finding_line(f)[:400]}") for f in top_findings(event.findings, top)]
    links = [_link(label, url) for label, url in (("Open build", event.build_url), ("Reports", event.reports_url))
             if url.startswith(("http://", "https://"))]
    footer = [" · ".join(links)] if links else []
    body = lines + ([escape("Top findings:")] if finding_lines else [])
    return _fit(body, finding_lines, footer, total=len(event.findings) if finding_lines else 0)


def _outcome_lines(event: RunEvent) -> list[str]:
    gates = [f"{_GATE_ICON.get(status, '❔')} {name} {status}" if status else f"⚪ {name} not run"
             for name, status in gate_states(event)]
    lines = [escape("Gates: " + ", ".join(gates))]
    counts = ", ".join(f"{n} {severity}" for severity, n in severity_counts(event.findings).items())
    lines.append(escape(f"Findings ({len(event.findings)}): {counts}"))
    metrics = key_metrics(event)
    if metrics:
        text = ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
        lines.append(escape(f"Metrics: {text[:1000]}"))
    for result in event.results:
        if result.status != "passed" and result.reason:
            lines.append(escape(f"{result.stage} {result.status}: {clean(result.reason)[:500]}"))
    return lines


def _fit(head: list[str], items: list[str], footer: list[str], total: int) -> str:
    """Head, as many items as fit, a count of the rest, then the footer; never over MAX_MESSAGE."""
    def size(lines: list[str]) -> int:
        return len("\n".join(lines))

    reserve = 60  # room for the "... and N more" line
    kept = list(head)
    while size(kept + footer) > MAX_MESSAGE - reserve and len(kept) > 1:
        kept.pop()
    shown = 0
    for item in items:
        if size([*kept, item, *footer]) > MAX_MESSAGE - reserve:
            break
        kept.append(item)
        shown += 1
    if total > shown:
        kept.append(escape(f"… and {total - shown} more in the reports"))
    text = "\n".join(kept + footer)
    return _trim_escape_safe(text, MAX_MESSAGE)


def _trim_escape_safe(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    text = text[:limit]
    trailing = len(text) - len(text.rstrip("\\"))
    return text[:-1] if trailing % 2 else text  # a lone trailing backslash would escape nothing
