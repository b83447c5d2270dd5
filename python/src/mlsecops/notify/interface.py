"""Notification sinks: one per channel, one interface. A sink never fails the build."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from mlsecops.findings import Finding
from mlsecops.notify.errors import SinkError, TransientSinkError  # noqa: F401 (the interface's failures, re-exported)
from mlsecops.workspace import StageResult

if TYPE_CHECKING:
    from mlsecops.config import Config, SecretRef
    from mlsecops.notify.settings import SinkSettings
    from mlsecops.workspace import Workspace


@dataclass
class RunEvent:
    """What a sink is told: the event and the state of the workspace.

    Findings carry evidence their scanner already redacted; every sink still passes all text it
    sends through `sanitize.clean`, which masks registered secrets, URL credentials and PII shapes.
    """

    event: str  # started | gate-failed | succeeded | error | finished
    project: str
    version: str
    branch: str = ""
    build_url: str = ""
    results: list[StageResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    gates: dict[str, str] = field(default_factory=dict)  # gate name -> passed/failed/error
    metrics: dict[str, Any] = field(default_factory=dict)  # numeric metrics, "<stage>.<name>" -> value
    verdict: str = ""  # passed | failed | error | running (started) | unknown (nothing recorded)
    run_id: str = ""  # stable per build (Jenkins job and build number) or per local run
    commit: str = ""
    reports_url: str = ""
    timestamp: str = ""  # ISO 8601 UTC, when the event was built
    job: str = ""
    problems: list[str] = field(default_factory=list)  # e.g. a stage result that could not be read


@dataclass
class SinkContext:
    """What a sink may use beside the event: the workspace (e.g. its reports) and the config."""

    workspace: Workspace
    config: Config
    echo: Callable[[str], None] = print


class Sink(ABC):
    name: str
    settings_model: ClassVar[type[SinkSettings]]  # its keys in `notify.sinks` (SinkSettings and its own)

    def __init__(self, settings: SinkSettings, context: SinkContext) -> None:
        self.settings = settings
        self.context = context
        self.deadline = time.monotonic() + settings.max_seconds

    def wants(self, event: RunEvent) -> bool:
        return event.event in self.settings.events

    def credential(self, field_name: str) -> str:
        """Resolve one credential (a SecretRef) now; the value is registered for scrubbing."""
        reference: SecretRef = getattr(self.settings, field_name)
        if not reference.where:  # settings made without parse_config: name the sink
            reference.where = f"notify.{self.settings.label}.{field_name}"
        return reference.reveal()

    def http(self, method: str, url: str, **kwargs: Any):
        """One HTTP request under this sink's timeout, retries and overall time budget."""
        from mlsecops.notify.http import request

        retries = kwargs.pop("retries", self.settings.retries)  # 0 for a request that is not idempotent
        return request(self.settings.label, method, url, timeout=self.settings.timeout,
                       retries=retries, deadline=self.deadline, **kwargs)

    @abstractmethod
    def send(self, event: RunEvent) -> dict[str, Any]:
        """Deliver the event and say what was done; raise SinkError on failure (a warning, never a failed build)."""
