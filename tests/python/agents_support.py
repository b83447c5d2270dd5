"""Run the pipeline as Jenkins does: each stage on a fresh agent folder holding only the stashed folders
its stage-manifest entry reads, then stash what it wrote."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from mlsecops.stage_manifest import manifest

PIPELINE = ("load", "scan", "gate-security", "train", "evaluate", "modeltest", "gate-model", "sign", "store")


def run_on_fresh_agents(cli: Callable, project: Path, root: Path) -> Path:
    """Every stage of PIPELINE in its own `root/agent<N>/.mlsecops`; returns the stash folder."""
    stash = root / "stash"
    stash.mkdir()
    for index, entry in enumerate(map(manifest().stage, PIPELINE)):
        ws = root / f"agent{index}" / ".mlsecops"
        ws.mkdir(parents=True)
        for folder in entry.reads:
            shutil.copytree(stash / folder, ws / folder)
        result = cli("--config", str(project / "mlsecops.yaml"), "--workspace", str(ws), *entry.command,
                     cwd=ws.parent)
        assert result.exit_code == 0, (entry.name, result.output[-2000:])
        shutil.copytree(ws / entry.name, stash / entry.name)
        if (ws / "reports").is_dir():
            shutil.rmtree(stash / "reports", ignore_errors=True)
            shutil.copytree(ws / "reports", stash / "reports")
    return stash
