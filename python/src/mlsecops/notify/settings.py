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
failure) and `max_seconds` (its whole delivery); `top` is how many findings a message lists
(SinkSettings). Its own keys are its settings model, in its own file beside the sink (e.g.
SlackSettings in slack.py), which the sink class names as `settings_model`. The SINKS registry
(notify/__init__.py) is the only list of types: this section is built from it on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, create_model

from mlsecops.config import Section
from mlsecops.notify import SINKS, sink_class
from mlsecops.notify.events import default_events, event_names

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


def _tagged(kind: str, model: type[SinkSettings]) -> type[SinkSettings]:
    """`model` with `type` fixed to its registry name: the tag the sinks list tells sinks apart by."""
    return create_model(model.__name__, __base__=model, __module__=model.__module__, __doc__=model.__doc__,
                        type=(Literal[kind], ...))


@cache
def sink_settings() -> dict[str, type[SinkSettings]]:
    """Each registered sink's settings model (its `settings_model`), by `type`: SINKS is the only list."""
    return {kind: _tagged(kind, sink_class(kind).settings_model) for kind in SINKS}


class _NotifyBase(Section):
    """Notification sinks (see notify/settings.py); credentials stay secret references until notify runs."""

    sinks: list[SinkSettings] = Field(default_factory=list)  # one entry per sink; `type` picks its settings
    reports_url: str = ""  # where the reports are browsable; default: the Jenkins build's archived artifacts


@cache
def notify_config() -> type[Section]:
    """The `notify:` section, its sinks a union of the registered sinks' settings told apart by `type`."""
    models = tuple(sink_settings().values())
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    sinks = Annotated[union, Field(discriminator="type")] if len(models) > 1 else union
    return create_model("NotifyConfig", __base__=_NotifyBase, __module__=__name__, __doc__=_NotifyBase.__doc__,
                        sinks=(list[sinks], Field(default_factory=list)))


def __getattr__(name: str) -> Any:
    # built on first use, from the sink registry: the sinks' modules import this one for SinkSettings
    if name == "NotifyConfig":
        return notify_config()
    if name == "SINK_SETTINGS":
        return sink_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
