"""Each stage, run by the real worker on the demo project, opens only the workspace folders and
reads only the credential variables its stage-manifest entry declares.

Jenkins gives a stage nothing but what the manifest says (its unstashes, its bindings), so a
stage that reads one more folder silently loses it there (modeltest comparing against no
evaluate result), while `mlsecops run`, which shares one workspace, still has it. Here every
stage runs in one shared workspace, as `mlsecops run` does, and a recorder in the worker's
process notes every workspace path it opens or lists and every credential variable it looks up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mlsecops.stage_manifest import manifest

pytestmark = [pytest.mark.timeout(1200), pytest.mark.e2e]

# Runs the worker with an audit hook (PEP 578) on open/scandir/listdir and a recording os.environ.
RECORDER = r"""
import atexit, json, os, sys
root = os.path.realpath(os.environ.pop("RECORD_WORKSPACE"))
out = os.environ.pop("RECORD_OUT")
watched = set(json.loads(os.environ.pop("RECORD_VARIABLES")))
folders, variables = set(), set()

def hook(event, args):
    if event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(root + os.sep):
            folders.add(os.path.relpath(path, root).split(os.sep)[0])

class RecordingEnviron(type(os.environ)):
    def __getitem__(self, key):
        if key in watched:
            variables.add(key)
        return super().__getitem__(key)

def save():
    with open(out, "w") as handle:
        json.dump({"folders": sorted(folders), "variables": sorted(variables)}, handle)

atexit.register(save)
os.environ.__class__ = RecordingEnviron
sys.addaudithook(hook)
from mlsecops.cli import main
main(sys.argv[1:])
"""


def credential_variables() -> list[str]:
    names = []
    for name, spec in manifest().credentials.items():
        names += [name] + ([spec["with"]] if "with" in spec else [])
    return names


def run_recorded(args: list[str], cwd: Path, workspace: Path, record: Path) -> tuple[int, str, dict]:
    env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1", "RECORD_WORKSPACE": str(workspace),
           "RECORD_OUT": str(record), "RECORD_VARIABLES": json.dumps(credential_variables())}
    env.pop("MLSECOPS_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", RECORDER, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    return done.returncode, done.stdout + done.stderr, json.loads(record.read_text())


def test_every_stage_reads_only_the_folders_and_credentials_its_manifest_entry_declares(cli, tmp_path: Path):
    project = tmp_path / "checkout"
    assert cli("demo", "init", str(project)).exit_code == 0
    # the gates' verdicts are not under test: a model finding must not stop the run before
    # sign and store, whose reads matter most (every stage's result)
    (project / "relaxed-policy.yaml").write_text(
        "version: 1\ngates:\n  model:\n    fail_on: {llm-probe: critical, data-poisoning: critical, disclosure: critical}\n"
    )
    config = project / "mlsecops.yaml"
    # the optional redact stage runs too: train then reads its folder (declared readsOptional)
    config.write_text(config.read_text() + "\npolicy: relaxed-policy.yaml\nredact: {enabled: true}\n")
    workspace = tmp_path / ".mlsecops"
    every_folder = set(manifest().folders())
    undeclared = {}
    for entry in manifest().stages:
        if entry.name == "notify":
            continue  # its sinks need servers; its reads are declared optional-all, checked by report
        args = ["--config", str(project / "mlsecops.yaml"), "--workspace", str(workspace), *entry.command]
        code, output, seen = run_recorded(args, tmp_path, workspace, tmp_path / f"{entry.name}.json")
        assert code == 0, (entry.name, output[-2000:])
        declared = set(entry.reads) | set(entry.writes)
        declared |= every_folder if "all" in entry.optional_reads else set(entry.optional_reads)
        extra_folders = set(seen["folders"]) - declared - {"jenkins"}
        variables = set(entry.credentials) | {
            manifest().credentials[name].get("with", name) for name in entry.credentials
        }
        extra_variables = set(seen["variables"]) - variables
        if extra_folders or extra_variables:
            undeclared[entry.name] = {"folders": sorted(extra_folders), "credentials": sorted(extra_variables)}
    assert not undeclared, f"stages.yaml misses what these stages read: {undeclared}"
