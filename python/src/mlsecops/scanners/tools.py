"""Running external scanners: find the binary, run it bounded, keep a scrubbed tail of what it said.

Adapters read the tool's report file, never its exit code: most of these tools exit non-zero
exactly when they found something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..redact import scrub, scrub_url

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
