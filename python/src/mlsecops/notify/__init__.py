"""Notification sinks, one file per channel; see `interface.py`."""

from __future__ import annotations

from ..registry import load_plugin

SINKS: dict[str, str] = {
    "console": "mlsecops.notify.console:ConsoleSink",
}


def sink_class(kind: str):
    return load_plugin(SINKS, kind, "notification sink")
