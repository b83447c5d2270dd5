"""Lines added by the commits since a base ref (a merge request's target): what history scanning reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlsecops.errors import UsageError

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_COMMIT_MARK = b"\x00commit "


@dataclass
class AddedText:
    commit: str
    path: str
    lines: list[tuple[int, bytes]] = field(default_factory=list)  # (line number in that commit, text)

    def blob(self) -> bytes:
        return b"\n".join(text for _, text in self.lines)

    def line_at(self, index: int) -> int:
        """The file line of the `index`-th (1-based) line of `blob()`."""
        return self.lines[index - 1][0]


def git_available() -> bool:
    return shutil.which("git") is not None


def added_since(repo: Path, base_ref: str) -> Iterator[AddedText]:
    """Every commit in base_ref..HEAD, file by file, with the lines it added (renames are not re-reported)."""
    check = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        raise UsageError(f"scan.options.secrets.git_base_ref: '{base_ref}' is not a commit in {repo}")
    process = subprocess.Popen(
        ["git", "-C", str(repo), "log", "--no-color", "--no-ext-diff", "--no-textconv", "-p", "-U0",
         "-M", "--format=%x00commit %H", f"{base_ref}..HEAD"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    current: AddedText | None = None
    commit = ""
    next_line = 0
    try:
        for raw in process.stdout:
            line = raw.rstrip(b"\n")
            if line.startswith(_COMMIT_MARK):
                commit = line[len(_COMMIT_MARK):].decode("ascii", "replace")
            elif line.startswith(b"+++ "):
                if current and current.lines:
                    yield current
                target = line[4:]
                current = None if target == b"/dev/null" else AddedText(
                    commit, target[2:].decode("utf-8", "replace") if target.startswith(b"b/") else
                    target.decode("utf-8", "replace"))
            elif line.startswith(b"diff --git"):
                if current and current.lines:
                    yield current
                current = None
            elif (hunk := _HUNK.match(line)) is not None:
                next_line = int(hunk.group(1))
            elif line.startswith(b"+") and current is not None:
                current.lines.append((next_line, line[1:]))
                next_line += 1
        if current and current.lines:
            yield current
    finally:
        process.stdout.close()
        process.wait()
