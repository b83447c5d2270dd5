"""The `notify:` section of mlsecops.yaml: a typed list of sinks, each with its own event filter.

Credentials (webhook URLs, tokens, keys, passwords) must be secret references such as
`${secret:env://SLACK_WEBHOOK_URL}`; a literal value is rejected. They are `SecretRef`s (config.py),
resolved only when a sink sends, because Jenkins binds notification credentials around that stage
only: a scan on an agent without the Slack credential must not fail on it. Every other value is
interpolated (`${ENV}`) when the config is read, like the rest of the file.

    notify:
      sinks:
        - type: slack
          webhook_url: ${secret:env://SLACK_WEBHOOK_URL}
          events: [gate-failed, error]          # default: gate-failed, succeeded, error, finished
        - type: pagerduty
          routing_key: ${secret:env://PAGERDUTY_ROUTING_KEY}
        - type: defectdojo
          url: https://defectdojo.example.com
          api_key: ${secret:vault://secret/mlsecops#defectdojo}
          product: fraud-detector
          engagement: CI
          auto_create: true
        - type: pushgateway
          url: http://pushgateway.monitoring:9091

Every sink also takes `name`, `timeout` (seconds per request), `retries` (after a transient
failure) and `max_seconds` (its whole delivery); `top` is how many findings a message lists.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..config import SecretRef, Section
from .events import default_events, event_names

EVENTS = event_names()  # resources/events.yaml, which the Jenkins library reads too
EventName = Literal[EVENTS]  # type: ignore[valid-type]  # the names in that file
DEFAULT_EVENTS: list[str] = list(default_events())

class SinkSettings(Section):
    """What every sink shares: which events it wants, and how long and how often it may try."""

    type: str
    name: str = ""  # shown in output and result.json; default: the type
    events: list[EventName] = Field(default_factory=lambda: list(DEFAULT_EVENTS))
    timeout: float = Field(default=10.0, gt=0, le=300)  # seconds per request
    retries: int = Field(default=2, ge=0, le=5)  # extra attempts after a transient failure
    max_seconds: float = Field(default=120.0, gt=0, le=1800)  # the whole delivery of one event, retries included
    top: int = Field(default=5, ge=0, le=50)  # findings listed in a message

    credentials: ClassVar[tuple[str, ...]] = ()  # fields that hold secret references, resolved at send time

    @property
    def label(self) -> str:
        return self.name or self.type


class ConsoleSettings(SinkSettings):
    type: Literal["console"]
    events: list[EventName] = Field(default_factory=lambda: list(EVENTS))
    top: int = Field(default=10, ge=0, le=50)


class SlackSettings(SinkSettings):
    type: Literal["slack"]
    credentials: ClassVar[tuple[str, ...]] = ("webhook_url",)
    webhook_url: SecretRef


class TelegramSettings(SinkSettings):
    type: Literal["telegram"]
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


class PagerDutySettings(SinkSettings):
    type: Literal["pagerduty"]
    credentials: ClassVar[tuple[str, ...]] = ("routing_key",)
    routing_key: SecretRef
    events_url: str = "https://events.pagerduty.com/v2/enqueue"
    severity: Literal["critical", "error", "warning", "info"] = "error"
    per_branch: bool = False  # one incident per project, gate and branch instead of per project and gate


class DefectDojoSettings(SinkSettings):
    type: Literal["defectdojo"]
    credentials: ClassVar[tuple[str, ...]] = ("api_key",)
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
    credentials: ClassVar[tuple[str, ...]] = ("api_key", "password")
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
    credentials: ClassVar[tuple[str, ...]] = ("password",)
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


SINK_SETTINGS: dict[str, type[SinkSettings]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # the Literal of its `type`
    for model in (ConsoleSettings, SlackSettings, TelegramSettings, PagerDutySettings, DefectDojoSettings,
                  ElasticsearchSettings, PushgatewaySettings)
}


class NotifyConfig(Section):
    """Notification sinks (see notify/settings.py); credentials stay secret references until notify runs."""

    sinks: list[AnySinkSettings] = Field(default_factory=list)
    reports_url: str = ""  # where the reports are browsable; default: the Jenkins build's archived artifacts
