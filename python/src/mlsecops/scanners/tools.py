"""Running external scanners: find the binary, run it bounded, keep a scrubbed tail of what it said.

Adapters read the tool's report file, never its exit code: most of these tools exit non-zero
exactly when they found something.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.redact import scrub, scrub_url
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets

DEFAULT_TIMEOUT = 1800.0


def find_binary(name: str, override: str | None = None) -> str | None:
    """The tool's path: `scan.options.<scanner>.binary` when set, else the first `name` on PATH."""
    if override:
        return override if Path(override).is_file() and os.access(override, os.X_OK) else None
    return shutil.which(name)


@dataclass
class ToolRun:
    returncode: int
    stdout: str
    stderr_tail: str  # scrubbed: safe to put in a message
    timed_out: bool = False


def run_tool(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
             timeout: float = DEFAULT_TIMEOUT) -> ToolRun:
    """Run `args`; credentials come only through `env` (merged over ours), never on the command line."""
    try:
        completed = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                                   text=True, errors="replace", timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ToolRun(-1, "", f"timed out after {timeout:.0f} s", timed_out=True)
    except OSError as exc:
        return ToolRun(-1, "", f"could not start {Path(args[0]).name}: {exc.strerror or exc.__class__.__name__}")
    tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
    return ToolRun(completed.returncode, completed.stdout, scrub_url(scrub(tail))[-800:])


def version_of(binary: str, *args: str) -> str:
    run = run_tool([binary, *(args or ("--version",))], timeout=60)
    text = (run.stdout or run.stderr_tail).strip().splitlines()
    return text[0][:100] if text else "unknown"


def work_dir(targets: ScanTargets) -> Path:
    """Where a tool writes its report: the scanner's work dir, or (run alone) a fresh temporary folder."""
    if targets.work_dir is not None:
        Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
        return Path(targets.work_dir)
    return Path(tempfile.mkdtemp(prefix="mlsecops-scan-"))


def run_for_report(args: list[str], report: Path, tool: str, *, timeout: float,
                   env: dict[str, str] | None = None) -> tuple[Any, str]:
    """Run a tool that writes a JSON report to `report`: (parsed report, "") or (None, why there is none)."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    run = run_tool(args, env=env, timeout=timeout)
    if not report.is_file():
        return None, f"{tool} wrote no report (exit {run.returncode}): {run.stderr_tail}"
    try:
        return json.loads(report.read_text(encoding="utf-8", errors="replace") or "null"), ""
    except ValueError:
        return None, f"{tool} wrote a report that is not JSON: {report.name}"


class ToolOptions(ScannerOptions):
    """The options of every adapter of an external binary."""

    binary: str | None = Field(default=None, description="path of the tool's executable (default: found on PATH)")
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, description="seconds before the tool is stopped")


class ToolScanner(Scanner):
    """An adapter for an external binary that writes a JSON report, run once per scanned root.

    The binary is found on PATH or at `options.binary`; without one the scanner did not run.
    That is decided in `scan`, where the options are known. Subclasses say how to call the
    tool (`command`) and how to read its report (`read`).
    """

    binaries: tuple[str, ...]  # names to look for, in order
    version_args: tuple[str, ...] = ("--version",)
    install_hint = "the worker image can install it"
    env: dict[str, str] | None = None
    options_model: ClassVar[type[ToolOptions]] = ToolOptions

    def locate(self, override: str | None = None) -> str | None:
        return next((found for name in self.binaries if (found := find_binary(name, override))), None)

    def report_path(self, work: Path, index: int) -> Path:
        return work / f"{self.binaries[0]}-{index}.json"

    def command(self, binary: str, targets: ScanTargets, root: Path, report: Path) -> list[str]:
        raise NotImplementedError

    def read(self, data: Any, root: Path, targets: ScanTargets, outcome: ScanOutcome) -> None:
        raise NotImplementedError

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        outcome = ScanOutcome(scanner=self.name)
        options = self.options_model.of(targets)
        binary = self.locate(options.binary)
        if binary is None:
            outcome.status, outcome.message = "not-run", f"{self.binaries[0]} is not on PATH ({self.install_hint})"
            return outcome
        outcome.tool_version = version_of(binary, *self.version_args)
        work = work_dir(targets)
        for index, root in enumerate(Path(p) for p in targets.paths):
            report = self.report_path(work, index)
            data, problem = run_for_report(self.command(binary, targets, root, report), report, self.binaries[0],
                                           env=self.env, timeout=options.timeout)
            if problem:
                outcome.status, outcome.message = "error", problem
                return outcome
            self.read(data, root, targets, outcome)
            outcome.scanned += 1
        return outcome


def package_missing(package: str) -> str | None:
    """Why a Python-package scanner cannot run (its distribution is not installed), or None."""
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return f"{package} is not installed (pip install {package})"
    return None
