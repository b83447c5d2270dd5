"""The suite runs most commands inside the test process (conftest.run_cli): a command must answer there
exactly as `python -m mlsecops` does in a fresh interpreter, the way a pipeline step runs it.

Each case runs once each way; exit code, standard output and standard error must be equal (timings and
run ids aside, which differ between any two runs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CliResult, run_cli

TOKEN_LINE = 'token = "ghp_' + "Z9y8X7w6V5u4T3s2R1q0" * 2 + '"\n'
_VOLATILE = re.compile(r"\d+(\.\d+)?\s?(ms|s)\b|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?|[0-9a-f]{32,}")


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "app.py").write_text(TOKEN_LINE)
    (root / "clean").mkdir()
    (root / "clean" / "main.py").write_text("print('nothing to see')\n")
    (root / "bad.yaml").write_text("project: [unclosed\n")
    (root / "typo.yaml").write_text("project: {name: demo}\nscan:\n  options:\n    secrets: {baselin: x}\n")
    return root


CASES = {
    "help": ("--help",),
    "version": ("--version",),
    "unknown flag": ("scan", "--no-such-flag"),
    "unknown command": ("no-such-command",),
    "no config": ("config", "validate"),
    "unparsable config": ("--config", "bad.yaml", "config", "validate"),
    "misspelt option": ("--config", "typo.yaml", "config", "validate"),
    "finding fails": ("scan", "secrets", "app.py"),
    "finding as json": ("scan", "secrets", "app.py", "--format", "json"),
    "clean passes": ("scan", "secrets", "clean"),
    "nothing to scan": ("scan", "notebooks", "clean"),
    "gate without a scan": ("--demo", "default", "gate", "--stage", "security"),
}


def _comparable(result: CliResult) -> tuple[int, str, str]:
    stdout = result.stdout
    if stdout.lstrip().startswith("{"):
        stdout = json.dumps(json.loads(stdout), sort_keys=True, indent=1)
    return result.exit_code, _VOLATILE.sub("<v>", stdout), _VOLATILE.sub("<v>", result.stderr)


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_a_command_answers_in_the_test_process_as_in_a_fresh_interpreter(tmp_path: Path, args: tuple[str, ...]):
    fresh = run_cli(*args, cwd=_project(tmp_path / "fresh"), process=True)
    here = run_cli(*args, cwd=_project(tmp_path / "here"))
    assert "Traceback" not in fresh.output
    assert _comparable(here) == _comparable(fresh)


def test_the_test_process_keeps_its_environment_folder_and_streams(tmp_path: Path):
    import os
    import sys

    before = dict(os.environ), os.getcwd(), sys.stdout, sys.stderr
    result = run_cli("scan", "secrets", "app.py", cwd=_project(tmp_path / "project"), env={"MLSECOPS_PROBE": "1"})
    assert result.exit_code == 1
    assert (dict(os.environ), os.getcwd(), sys.stdout, sys.stderr) == before
