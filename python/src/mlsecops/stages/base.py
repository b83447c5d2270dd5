"""What every stage shares: its context, and the run-and-record wrapper that writes `result.json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlsecops.config import Config
from mlsecops.errors import MlsecopsError
from mlsecops.scanners.interface import LoadedArtifact
from mlsecops.workspace import StageResult, Workspace


@dataclass
class StageContext:
    config: Config
    workspace: Workspace
    options: dict[str, Any] = field(default_factory=dict)
    echo: Callable[[str], None] = print

    def loaded_artifacts(self) -> list[LoadedArtifact]:
        """The artifacts the load stage fetched and verified, as it recorded them."""
        if not self.workspace.has_result("load"):
            return []
        result = self.workspace.read_result("load")
        return [
            LoadedArtifact(
                name=entry["name"],
                kind=entry.get("kind", "other"),
                path=self.workspace.root / entry["path"],
                url=entry.get("url", ""),
                sha256=entry.get("sha256", ""),
            )
            for entry in result.details.get("sources", [])
        ]


StageBody = Callable[[StageContext, StageResult], None]


def run_stage(stage: str, body: StageBody, ctx: StageContext, subdir: str | None = None) -> StageResult:
    """Run `body`, then always write the stage's `result.json` — also when it fails.

    A failure the user caused (MlsecopsError) is recorded with its reason and raised again,
    so the CLI prints one line and exits with the right code.
    """
    result = StageResult(stage=stage)
    try:
        body(ctx, result)
    except MlsecopsError as exc:
        result.reason = str(exc)
        result.finish("failed" if exc.exit_code == 1 else "error")
        ctx.workspace.write_result(result, subdir)
        raise
    except BaseException as exc:
        result.reason = f"internal error: {exc.__class__.__name__}"
        result.finish("error")
        ctx.workspace.write_result(result, subdir)
        raise
    result.finish()
    ctx.workspace.write_result(result, subdir)
    return result


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(path)
