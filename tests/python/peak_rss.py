"""Run `mlsecops ARGS` in a child process and measure its peak resident memory.

`RUSAGE_CHILDREN` of the test process would also hold every earlier child of the session (a
training run, say), so a small measuring process runs the CLI as its only child and reports
that child's `ru_maxrss` (kilobytes on Linux).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@dataclass
class MeasuredRun:
    exit_code: int
    stdout: str
    stderr: str
    peak_mb: float


def run_measured(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> MeasuredRun:
    full_env = {**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env.pop("MLSECOPS_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "mlsecops", *args],
                          cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=True)
    report = json.loads(done.stdout)
    return MeasuredRun(report["code"], report["stdout"], report["stderr"], report["maxrss_kb"] / 1024)
