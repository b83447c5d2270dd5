"""Stands in for PagerDuty Events API v2: only POST /v2/enqueue, with its validation and incident state.

Like PagerDuty: 202 {"status": "success", "dedup_key": ...}; 400 "invalid event" for a
missing or wrong field; a trigger opens (or adds to) the incident of its dedup_key, a
resolve closes it, a resolve for a key with no open incident is accepted and does nothing.
"""

from __future__ import annotations

from .receiver import FakeService, Recorded, Reply

SEVERITIES = {"critical", "error", "warning", "info"}


class PagerDutyFake(FakeService):
    def __init__(self, routing_key: str) -> None:
        super().__init__()
        self.routing_key = routing_key
        self.open: dict[str, int] = {}  # dedup_key -> triggers received while open
        self.resolved: list[str] = []
        self.receiver.route("POST", "/v2/enqueue", self.handle)

    @property
    def url(self) -> str:
        return f"{self.receiver.url}/v2/enqueue"

    def handle(self, recorded: Recorded) -> Reply:
        event = recorded.json()
        errors = []
        if event.get("routing_key") != self.routing_key:
            errors.append("Invalid routing key")
        action = event.get("event_action")
        if action not in {"trigger", "acknowledge", "resolve"}:
            errors.append("'event_action' is invalid")
        key = event.get("dedup_key", "")
        if action != "trigger" and not key or len(key) > 255:
            errors.append("'dedup_key' is invalid")
        if action == "trigger":
            payload = event.get("payload") or {}
            if not payload.get("summary") or len(payload["summary"]) > 1024:
                errors.append("'payload.summary' is missing or too long")
            if not payload.get("source"):
                errors.append("'payload.source' is missing")
            if payload.get("severity") not in SEVERITIES:
                errors.append("'payload.severity' is invalid")
        if errors:
            return Reply(400, {"status": "invalid event", "message": "Event object is invalid", "errors": errors})
        if action == "trigger":
            self.open[key] = self.open.get(key, 0) + 1
        elif action == "resolve" and key in self.open:
            del self.open[key]
            self.resolved.append(key)
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})
