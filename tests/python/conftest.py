"""Shared fixtures: run the real CLI as a separate process, as Jenkins and users do."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# ------------------------------------------------------------------ built once for all xdist workers

_SHARED: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Under `pytest -n`, each worker's basetemp is `<run's basetemp>/popen-gwN`: their parent is one
    # folder per run, which pytest removes with its old basetemps.
    base = tmp_path_factory.getbasetemp()
    _SHARED[:] = [base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name`, built by `build(folder)` by the first worker that needs it; the others wait for it.

    Training the demo or passing its security gate takes a minute of CPU: done once per test run, not
    once per xdist worker. The folder is shared: copy it before changing anything in it.
    """
    root = _SHARED[0] / "built-once"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with _locked(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            build(folder)
            done.touch()
    return folder


# ------------------------------------------------------------------ test selection and order

E2E = "e2e"


def pytest_configure(config: pytest.Config) -> None:
    # The markers live here, not in python/pyproject.toml: `pytest tests/python` from the repository
    # root never reads that file (it is not an ancestor of the tests), so a marker declared there
    # would be unknown.
    config.addinivalue_line(
        "markers",
        f"{E2E}: a whole demo pipeline, a real training or a real garak run through the real CLI (tens of seconds "
        "to minutes of CPU); `make test-quick` skips them, `make test` and CI run them",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The end-to-end runs first, so that the workers of `pytest -n` start the longest tests at once
    instead of one of them finding a five-minute run at the end of its queue while the others idle.

    A stable sort: every xdist worker must collect the same tests in the same order.
    """
    items.sort(key=lambda item: item.get_closest_marker(E2E) is None)
