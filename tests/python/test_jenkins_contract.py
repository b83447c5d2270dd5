"""The Jenkins library and the worker agree: scanner names, stage folders and worker commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from mlsecops.cli import cli
from mlsecops.scanners import SCANNERS
from mlsecops.workspace import STAGES

REPO = Path(__file__).resolve().parents[2]


def test_every_scanner_the_library_names_is_registered_in_the_worker():
    defaults = yaml.safe_load((REPO / "resources/org/mlsecops/defaults.yaml").read_text())
    named = set(defaults["scanners"])
    for example in (REPO / "Jenkinsfile.example", REPO / "resources/org/mlsecops/examples/custom.Jenkinsfile"):
        for listed in re.findall(r"scanners\s*:\s*\[([^\]]*)\]", example.read_text()):
            named |= {name.strip(" '\"") for name in listed.split(",") if name.strip()}
    assert named, "the library names no scanner"
    assert named <= set(SCANNERS), sorted(named - set(SCANNERS))


def test_the_stash_plan_uses_the_workers_stage_folders():
    plan = (REPO / "src/org/mlsecops/StashPlan.groovy").read_text()
    needs = re.search(r"NEEDS = \[(.*?)\]\.asImmutable", plan, re.DOTALL).group(1)
    folders = set(re.findall(r"'([a-z-]+)'", needs)) - {"reports"}
    assert folders <= set(STAGES), sorted(folders - set(STAGES))


def test_every_worker_command_the_library_runs_exists():
    steps = "\n".join(p.read_text() for p in (REPO / "vars").glob("*.groovy"))
    used = set(re.findall(r"(?:command:|command =[^\n]*?)\s*\[\s*'([a-z]+)'", steps))
    assert {"load", "scan", "gate", "train", "evaluate", "modeltest", "sign", "store", "notify"} <= used
    assert used <= set(cli.list_commands(None)), sorted(used - set(cli.list_commands(None)))
