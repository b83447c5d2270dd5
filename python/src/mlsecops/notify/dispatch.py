"""Call every configured sink that wants the event; a failing sink becomes a warning, never a failed build."""

from __future__ import annotations

import time
from typing import Any

from mlsecops.errors import MlsecopsError
from mlsecops.notify import sink_class
from mlsecops.notify.console import ConsoleSettings
from mlsecops.notify.errors import SinkError
from mlsecops.notify.interface import RunEvent, SinkContext
from mlsecops.notify.sanitize import clean, clean_tree
from mlsecops.notify.settings import SinkSettings


def deliver(event: RunEvent, sinks: list[SinkSettings], context: SinkContext) -> list[dict[str, Any]]:
    """Outcome per sink, in order: sent, skipped (filtered out) or failed (with a scrubbed reason).

    The console summary always comes first, also when the config lists no console sink.
    """
    if not any(settings.type == "console" for settings in sinks):
        sinks = [ConsoleSettings(type="console"), *sinks]
    return [_deliver_one(event, settings, context) for settings in sinks]


def _deliver_one(event: RunEvent, settings: SinkSettings, context: SinkContext) -> dict[str, Any]:
    outcome: dict[str, Any] = {"sink": settings.label, "type": settings.type}
    sink = sink_class(settings.type)(settings, context)
    if not sink.wants(event):
        return {**outcome, "status": "skipped", "reason": f"event '{event.event}' not in its events filter"}
    t0 = time.monotonic()
    try:
        details = sink.send(event)
    except SinkError as exc:
        return {**outcome, "status": "failed", "reason": clean(str(exc)), "seconds": _since(t0)}
    except MlsecopsError as exc:  # e.g. a credential whose environment variable is not bound here
        return {**outcome, "status": "failed", "reason": clean(f"{settings.label}: {exc}"), "seconds": _since(t0)}
    except Exception as exc:  # a bug in one sink must not silence the others, nor fail the build
        reason = f"{settings.label}: unexpected {exc.__class__.__name__}: {clean(str(exc))[:200]}"
        return {**outcome, "status": "failed", "reason": reason, "seconds": _since(t0)}
    return {**outcome, "status": "sent", "seconds": _since(t0), "details": clean_tree(details or {})}


def _since(t0: float) -> float:
    return round(time.monotonic() - t0, 3)
