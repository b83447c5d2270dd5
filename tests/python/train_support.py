"""Helpers of the train and evaluate specs: a demo project beside its workspace, run stage by stage.

Every stage runs as its own `mlsecops` process with `--config` and `--workspace`, as on a
Jenkins agent that unstashed the earlier stages' folders.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from conftest import CliResult, built_once, run_cli
from mlsecops import demo

# Small enough to train in seconds: for specs about behaviour, not about accuracy.
FAST_TRAIN = {"folds": 2, "epochs": 3, "patience": 1}


class Checkout:
    """A project folder (`project/mlsecops.yaml`) and its workspace (`.mlsecops/`) under one root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.workspace = root / ".mlsecops"

    @property
    def config(self) -> Path:
        return self.project / "mlsecops.yaml"

    def stage(self, *args: str, process: bool = False) -> CliResult:
        return run_cli("--config", str(self.config), "--workspace", str(self.workspace), *args, cwd=self.root,
                       process=process)

    def result(self, stage: str) -> dict[str, Any]:
        return json.loads((self.workspace / stage / "result.json").read_text(encoding="utf-8"))

    def edit_config(self, **sections: dict[str, Any]) -> None:
        data = yaml.safe_load(self.config.read_text(encoding="utf-8"))
        for section, values in sections.items():
            data.setdefault(section, {}).update(values)
        self.config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def copy_to(self, root: Path) -> Checkout:
        shutil.copytree(self.root, root)
        return Checkout(root)


def pass_security_gate(checkout: Checkout) -> None:
    """`scan` and `gate --stage security` as the pipeline runs them before train; the gate must pass."""
    scanned = checkout.stage("scan")
    assert scanned.exit_code == 0, scanned.output[-2000:]
    gated = checkout.stage("gate", "--stage", "security")
    assert gated.exit_code == 0, gated.output[-2000:]


def prepare(root: Path, variant: str = "default", gated: bool = True, **sections: dict[str, Any]) -> Checkout:
    """The demo `variant` after a real `mlsecops load` and, when `gated`, a passed security gate; then its
    config sections updated with `sections` (settings of train and later stages, which the gate does not judge).

    The loaded and gated checkout of each variant is made once per test run (for all xdist workers) and copied.
    """
    if not gated:
        checkout = Checkout(root)
        demo.materialize(variant, checkout.project)
        if sections:
            checkout.edit_config(**sections)
        loaded = checkout.stage("load")
        assert loaded.exit_code == 0, loaded.output[-2000:]
        return checkout

    def build(folder: Path) -> None:
        pass_security_gate(prepare(folder, variant, gated=False))

    checkout = Checkout(built_once(f"gated-{variant}", build)).copy_to(root)
    if sections:
        checkout.edit_config(**sections)
    return checkout


def loaded_source(checkout: Checkout, name: str) -> dict[str, Any]:
    """The load stage's record of source `name`: {name, kind, path (relative to the workspace), url, sha256}."""
    return next(s for s in checkout.result("load")["details"]["sources"] if s["name"] == name)


def trained_demo(tmp_path_factory=None) -> Checkout:
    """The default demo trained once per test run (for all xdist workers) with its own settings; copy it
    before changing it. (`tmp_path_factory` is no longer needed; kept for the callers that pass it.)"""
    return trained_variant("default")


def trained_variant(variant: str) -> Checkout:
    """The demo `variant` loaded, gated and trained once per test run with its own settings (for all xdist
    workers and every module that needs it); copy it before changing it."""

    def build(folder: Path) -> None:
        outcome = prepare(folder, variant=variant).stage("train")
        assert outcome.exit_code == 0, outcome.output[-3000:]

    return Checkout(built_once(f"trained-{variant}", build))


def one_line_error(outcome: CliResult) -> str:
    """The CLI's refusal: one line on stderr, no traceback."""
    assert "Traceback" not in outcome.output, outcome.output[-2000:]
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr[-2000:]
    return lines[0]
