"""Shared fixtures: run the real CLI as a separate process, as Jenkins and users do."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> CliResult:
    """`mlsecops ARGS` in a fresh interpreter, the way a pipeline step runs it."""
    full_env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env.pop("MLSECOPS_DEBUG", None)
    completed = subprocess.run(
        [sys.executable, "-m", "mlsecops", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def cli(tmp_path: Path):
    """Run the CLI with the temporary folder as working directory."""

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600):
        return run_cli(*args, cwd=cwd or tmp_path, env=env, timeout=timeout)

    return invoke
