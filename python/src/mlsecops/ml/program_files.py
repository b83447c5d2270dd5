"""The team's own training program files, by digest: what the security gate judged is what train runs.

`train.command` names a program (`["python", "train.py", ...]`) that stage 3 scanned in the
project tree. The security gate records the digest of every argument that is a file of the
project; `train` refuses when one of them changed afterwards, so code edited after the gate
(a key pasted into `train.py`) never runs unjudged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsecops.hashing import file_sha256

RUNS_A_PROGRAM = ("command", "pretrained")


def program_digests(config: Any) -> dict[str, str]:
    """Project-relative path -> sha256 of each `train.command` argument that is a file inside the project."""
    train = config.train
    if train.kind not in RUNS_A_PROGRAM or not train.command:
        return {}
    base = Path(config.base_dir).resolve()
    digests: dict[str, str] = {}
    for argument in train.command[1:] if _is_interpreter(train.command[0]) else train.command:
        path = (base / argument).resolve() if not Path(argument).is_absolute() else Path(argument).resolve()
        if path.is_file() and path.is_relative_to(base):
            digests[path.relative_to(base).as_posix()] = file_sha256(path)
    return digests


def _is_interpreter(first: str) -> bool:
    return Path(first).name.startswith("python")


def changed_programs(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """The program files train would run now that the gate did not judge as they are (changed or new)."""
    return sorted(name for name, digest in current.items() if recorded.get(name) != digest)
