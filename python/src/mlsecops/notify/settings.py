"""The `notify:` section of mlsecops.yaml: a typed list of sinks, each with its own event filter.

Credentials (webhook URLs, tokens, keys, passwords) must be secret references such as
`${secret:env://SLACK_WEBHOOK_URL}`; a literal value is rejected. They stay unresolved until
the notify stage runs, because Jenkins binds notification credentials around that stage only:
a scan on an agent without the Slack credential must not fail on it. Every other value is
interpolated (`${ENV}`) when the config is read, like the rest of the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

EVENTS = ("started", "gate-failed", "succeeded", "error", "finished")
EventName = Literal["started", "gate-failed", "succeeded", "error", "finished"]
TERMINAL_EVENTS: list[str] = ["gate-failed", "succeeded", "error", "finished"]

_SECRET_REFERENCE = re.compile(r"\$\{secret:[a-z][a-z0-9+.-]*://[^}]+\}")


def _must_be_secret_reference(value: str) -> str:
    if not _SECRET_REFERENCE.fullmatch(value.strip()):
        raise ValueError("a credential must be a secret reference such as ${secret:env://NAME}, not a literal value")
    return value.strip()


SecretRef = Annotated[str, AfterValidator(_must_be_secret_reference)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class SinkSettings(_Strict):
    """What every sink shares: which events it wants, and how long and how often it may try."""

    type: str
    name: str = ""  # shown in output and result.json; default: the type
    events: list[EventName] = Field(default_factory=lambda: list(TERMINAL_EVENTS))
    timeout: float = Field(default=10.0, gt=0, le=300)  # seconds per request
    retries: int = Field(default=2, ge=0, le=5)  # extra attempts after a transient failure
    max_seconds: float = Field(default=120.0, gt=0, le=1800)  # the whole delivery of one event, retries included
    top: int = Field(default=5, ge=0, le=50)  # findings listed in a message

    @property
    def label(self) -> str:
        return self.name or self.type

    def credential_fields(self) -> list[str]:
        return [name for name, info in type(self).model_fields.items() if _is_secret_field(info.metadata)]


def _is_secret_field(metadata: list[Any]) -> bool:
    return any(getattr(item, "func", None) is _must_be_secret_reference for item in metadata)


class ConsoleSettings(SinkSettings):
    type: Literal["console"]
    events: list[EventName] = Field(default_factory=lambda: list(EVENTS))
    top: int = Field(default=10, ge=0, le=50)


class SlackSettings(SinkSettings):
    type: Literal["slack"]
    webhook_url: SecretRef


class TelegramSettings(SinkSettings):
    type: Literal["telegram"]
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


class PagerDutySettings(SinkSettings):
    type: Literal["pagerduty"]
    routing_key: SecretRef
    events_url: str = "https://events.pagerduty.com/v2/enqueue"
    severity: Literal["critical", "error", "warning", "info"] = "error"
    per_branch: bool = False  # one incident per project, gate and branch instead of per project and gate


class DefectDojoSettings(SinkSettings):
    type: Literal["defectdojo"]
    events: list[EventName] = Field(default_factory=lambda: ["gate-failed", "succeeded", "finished"])
    url: str = Field(min_length=1)
    api_key: SecretRef
    product: str = ""  # default: the project name
    engagement: str = "mlsecops"
    product_type: str = "Research and Development"
    test_title: str = "mlsecops"
    auto_create: bool = False  # create the product and engagement when they do not exist
    format: Literal["generic", "sarif"] = "generic"
    minimum_severity: Literal["Info", "Low", "Medium", "High", "Critical"] = "Info"
    close_old_findings: bool = True
    verify_tls: bool = True
    timeout: float = Field(default=60.0, gt=0, le=600)


class ElasticsearchSettings(SinkSettings):
    type: Literal["elasticsearch"]
    events: list[EventName] = Field(default_factory=lambda: list(EVENTS))
    url: str = Field(min_length=1)
    index: str = Field(default="mlsecops-events", pattern=r"^[a-z0-9][a-z0-9._-]*$")
    api_key: SecretRef | None = None  # the encoded API key: `Authorization: ApiKey <value>`
    username: str | None = None
    password: SecretRef | None = None
    verify_tls: bool = True
    max_findings: int = Field(default=5000, ge=0, le=100000)


class PushgatewaySettings(SinkSettings):
    type: Literal["pushgateway"]
    url: str = Field(min_length=1)
    job: str = Field(default="mlsecops", min_length=1)
    method: Literal["PUT", "POST"] = "PUT"  # PUT replaces the group, so a fixed finding's series disappears
    username: str | None = None
    password: SecretRef | None = None
    verify_tls: bool = True


AnySinkSettings = Annotated[
    ConsoleSettings
    | SlackSettings
    | TelegramSettings
    | PagerDutySettings
    | DefectDojoSettings
    | ElasticsearchSettings
    | PushgatewaySettings,
    Field(discriminator="type"),
]


def interpolate_plain_values(data: Any, where: str = "notify") -> Any:
    """Resolve `${...}` everywhere in the notify section except in credential fields (kept for later)."""
    from ..config import _interpolate

    credential_names = {
        name
        for model in (SlackSettings, TelegramSettings, PagerDutySettings, DefectDojoSettings,
                      ElasticsearchSettings, PushgatewaySettings)
        for name, info in model.model_fields.items()
        if _is_secret_field(info.metadata)
    }

    def walk(node: Any, path: str, in_sink: bool) -> Any:
        if isinstance(node, dict):
            return {
                key: node[key] if in_sink and key in credential_names else walk(node[key], f"{path}.{key}", False)
                for key in node
            }
        if isinstance(node, list):
            return [walk(item, f"{path}[{i}]", path.endswith(".sinks")) for i, item in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            return _interpolate(node, path, [])
        return node

    return walk(data, where, False)
