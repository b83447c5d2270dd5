"""Shared fixtures: run the real CLI, and build the slow inputs once per test run."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import shutil
import subprocess
import sys
import warnings
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


# `MLSECOPS_TEST_CLI=process` runs every command in a fresh interpreter, as `make test-processes` does.
IN_PROCESS = os.environ.get("MLSECOPS_TEST_CLI", "in-process") != "process"

# A fresh interpreter's warning filters (Python's defaults outside development mode).
_FRESH_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, None),
    ("ignore", PendingDeprecationWarning, None),
    ("ignore", ImportWarning, None),
    ("ignore", ResourceWarning, None),
)


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600,
            process: bool = False) -> CliResult:
    """`mlsecops ARGS` as a pipeline step runs it: its exit code, standard output and standard error.

    By default the command runs in this interpreter, through the same `main()` as the `mlsecops` script,
    with the environment, working directory, standard streams, warning filters and logging of a fresh
    process: a fresh interpreter costs a second or more of imports per command, most of the suite's time.
    `process=True` (or MLSECOPS_TEST_CLI=process) runs a real `python -m mlsecops` instead: for what only a
    new process shows (imports, signals, time limits). test_cli_in_process.py holds both ways equal.
    """
    full_env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env.pop("MLSECOPS_DEBUG", None)
    full_env.pop("PYTEST_CURRENT_TEST", None)
    if IN_PROCESS and not process:
        return _run_in_this_process(list(args), cwd, full_env)
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


def _run_in_this_process(args: list[str], cwd: Path, env: dict[str, str]) -> CliResult:
    from mlsecops.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stdout, stderr = _captured_stream(), _captured_stream()
    exit_code = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b"")), stdout, stderr
        # pytest's log capture would swallow what a fresh process prints through logging's last resort
        root.handlers, root.level = [], logging.WARNING
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in _FRESH_WARNING_FILTERS:
                warnings.filterwarnings(action, category=category, module=module or "")
            warnings.showwarning = _warning_to_stderr
            try:
                main(args)
            except SystemExit as exc:
                exit_code = _exit_status(exc.code)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        root.handlers, root.level = saved_handlers, saved_level
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return CliResult(exit_code, _text_of(stdout), _text_of(stderr))


def _captured_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)


def _text_of(stream: io.TextIOWrapper) -> str:
    """What `subprocess.run(text=True)` would have read: decoded, newlines translated."""
    stream.flush()
    raw = stream.buffer.getvalue().decode("utf-8", errors="replace")  # type: ignore[attr-defined]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # `sys.exit("text")`: Python prints it and exits 1
    return 1


def _warning_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@pytest.fixture
def cli(tmp_path: Path):
    """Run the CLI with the temporary folder as working directory."""

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600,
               process: bool = False):
        return run_cli(*args, cwd=cwd or tmp_path, env=env, timeout=timeout, process=process)

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
        f"{E2E}: a whole demo pipeline, a real training, a real garak run or the demo app as its own process "
        "(tens of seconds to minutes of CPU); `make test-quick` skips them, `make test` and CI run them",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The end-to-end runs first, so that the workers of `pytest -n` start the longest tests at once
    instead of one of them finding a five-minute run at the end of its queue while the others idle.

    A stable sort: every xdist worker must collect the same tests in the same order.
    """
    items.sort(key=lambda item: item.get_closest_marker(E2E) is None)
