"""Notification sinks: one per channel, one interface. A sink never fails the build."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..workspace import StageResult


@dataclass
class RunEvent:
    """What a sink is told: the event and the state of the workspace, already redacted."""

    event: str  # started | gate-failed | succeeded | error
    project: str
    version: str
    branch: str = ""
    build_url: str = ""
    results: list[StageResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    gates: dict[str, str] = field(default_factory=dict)  # gate name -> passed/failed
    metrics: dict[str, Any] = field(default_factory=dict)


class Sink(ABC):
    name: str

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def wants(self, event: RunEvent) -> bool:
        events = self.settings.get("events")
        return not events or event.event in events

    @abstractmethod
    def send(self, event: RunEvent) -> None:
        """Deliver the event; raise on failure (the notify stage turns it into a warning)."""
