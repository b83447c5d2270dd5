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


def test_the_stash_plan_is_derived_from_the_stage_manifest_not_a_table_of_its_own():
    plan = (REPO / "src/org/mlsecops/StashPlan.groovy").read_text()
    assert "'org/mlsecops/stages.yaml'" in plan and "libraryResource(RESOURCE)" in plan
    assert "NEEDS" not in plan, "a second table of stage inputs would drift from the manifest"
    manifest = yaml.safe_load((REPO / "resources/org/mlsecops/stages.yaml").read_text())
    folders = {folder for stage in manifest["stages"] for folder in stage["writes"] + stage["reads"]}
    assert folders <= set(STAGES) | {"reports"}, sorted(folders - set(STAGES))


def test_every_worker_command_the_library_runs_exists():
    steps = "\n".join(p.read_text() for p in (REPO / "vars").glob("*.groovy"))
    used = set(re.findall(r"(?:command:|command =[^\n]*?)\s*\[\s*'([a-z]+)'", steps))
    assert {"load", "scan", "gate", "train", "evaluate", "modeltest", "sign", "store", "notify"} <= used
    assert used <= set(cli.list_commands(None)), sorted(used - set(cli.list_commands(None)))
