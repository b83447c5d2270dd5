"""Notification sinks, one file per channel; see `interface.py`.

SINKS is the only list of sink types: a sink is one file (its Sink subclass and the settings model
it names as `settings_model`) plus one line here; the `notify.sinks` schema and the reference docs
are derived from it (notify/settings.py).
"""

from __future__ import annotations

from mlsecops.registry import load_plugin

SINKS: dict[str, str] = {
    "console": "mlsecops.notify.console:ConsoleSink",
    "slack": "mlsecops.notify.slack:SlackSink",
    "telegram": "mlsecops.notify.telegram:TelegramSink",
    "pagerduty": "mlsecops.notify.pagerduty:PagerDutySink",
    "defectdojo": "mlsecops.notify.defectdojo:DefectDojoSink",
    "elasticsearch": "mlsecops.notify.elasticsearch:ElasticsearchSink",
    "pushgateway": "mlsecops.notify.pushgateway:PushgatewaySink",
}


def sink_class(kind: str):
    return load_plugin(SINKS, kind, "notification sink")
