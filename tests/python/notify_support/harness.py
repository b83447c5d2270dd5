"""Run the real notify stage over a workspace with a config built like a user's mlsecops.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mlsecops.config import parse_config
from mlsecops.stages import notify
from mlsecops.stages.base import StageContext
from mlsecops.workspace import Workspace


@dataclass
class NotifyRun:
    output: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    def sink(self, name: str) -> dict[str, Any]:
        return next(o for o in self.result["details"]["sinks"] if o["sink"] == name)


def notify_run(workspace: Workspace, sinks: list[dict[str, Any]], event: str = "finished",
               project: str = "fraud-detector", version: str = "1.4.0") -> NotifyRun:
    config = parse_config({"project": {"name": project, "version": version}, "notify": {"sinks": sinks}},
                          base_dir=workspace.root.parent)
    run = NotifyRun()
    ctx = StageContext(config=config, workspace=workspace, options={"event": event}, echo=run.output.append)
    notify.run(ctx)
    run.result = json.loads((workspace.root / "notify" / "result.json").read_text())
    return run

