"""Stand-ins for scanner binaries that cannot be installed on this machine (gitleaks, trivy,
Dependency-Check, semgrep, sonar-scanner, and pip-audit's online service).

Each is a small executable that records the arguments it was called with and writes the
report the real tool writes, in that tool's documented format, where the real tool would
write it. They implement only what the adapters use: `--version`/`version`, and one report.
"""

from __future__ import annotations

import json
import stat
import sys
import textwrap
from pathlib import Path
from typing import Any

_SCRIPT = '''\
#!{python}
import json, pathlib, sys
args = sys.argv[1:]
calls = pathlib.Path({log!r})
calls.write_text(calls.read_text() + json.dumps(args) + "\\n" if calls.exists() else json.dumps(args) + "\\n")
if args[:1] in (["--version"], ["version"]):
    print({version!r})
    sys.exit(0)
report = json.loads({report!r})
def value_after(*names):
    for name in names:
        for index, arg in enumerate(args):
            if arg == name:
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None
target = {target}
if target is not None and report is not None:
    path = pathlib.Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report if isinstance(report, str) else json.dumps(report))
sys.exit({exit_code})
'''

# where each tool writes its report, as a Python expression over `value_after` and `args`
REPORT_TARGETS = {
    "gitleaks": 'value_after("--report-path")',
    "trivy": 'value_after("--output", "-o")',
    "semgrep": 'value_after("--output", "-o")',
    "pip-audit": 'value_after("--output", "-o")',
    "dependency-check": 'str(pathlib.Path(value_after("--out")) / "dependency-check-report.json")',
    "sonar-scanner": 'str(pathlib.Path([a for a in args if a.startswith("-Dsonar.working.directory=")][0]'
                     '.split("=", 1)[1]) / "report-task.txt")',
}


def install_fake_tool(folder: Path, name: str, report: Any, *, version: str = "1.0.0", exit_code: int = 1) -> Path:
    """An executable `folder/name` that writes `report` (JSON-able, or text) where `name` would; None: no report.

    The default exit code is 1, as these tools exit when they found something: adapters must
    read the report, not the exit code.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(_SCRIPT.format(
        python=sys.executable, log=str(folder / f"{name}.calls"), version=f"{name} {version}",
        report=json.dumps(report), target=REPORT_TARGETS[name], exit_code=exit_code,
    )))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def calls_of(tool: Path) -> list[list[str]]:
    log = tool.with_name(f"{tool.name}.calls")
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
