"""The notification events, read from the file the Jenkins library reads too (resources/events.yaml).

Light on purpose: the CLI reads it to offer `notify --event` choices, and `mlsecops --help` stays instant.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import click

EVENTS_FILE = Path(__file__).parent.parent / "resources" / "events.yaml"


@cache
def _entries() -> tuple[dict[str, object], ...]:
    import yaml

    data = yaml.safe_load(EVENTS_FILE.read_text(encoding="utf-8"))
    entries = tuple(data["events"])
    for entry in entries:  # a packaging defect, not a user error
        if not isinstance(entry.get("name"), str) or not {"step", "default"} <= set(entry):
            raise ValueError(f"{EVENTS_FILE.name}: every event needs a name, step and default: {entry}")
    return entries


def event_names() -> tuple[str, ...]:
    """Every event, in the order of a run."""
    return tuple(str(entry["name"]) for entry in _entries())


def default_events() -> tuple[str, ...]:
    """The events a sink is sent when its settings list none."""
    return tuple(str(entry["name"]) for entry in _entries() if entry["default"])


def step_events() -> tuple[str, ...]:
    """The events the Jenkins step (mlsecopsNotify) may send."""
    return tuple(str(entry["name"]) for entry in _entries() if entry["step"])


class EventChoice(click.Choice):
    """`--event`'s choices, read from the file only when a command line is parsed or its help shown,
    so that importing the CLI (`mlsecops --help`) reads no YAML."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return event_names()

    @choices.setter
    def choices(self, value: Any) -> None:  # click.Choice.__init__ assigns it: the file is the only source
        pass
