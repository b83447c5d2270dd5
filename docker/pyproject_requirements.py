"""Print the requirements of python/pyproject.toml with the given extras, one per line.

    python3 pyproject_requirements.py python/pyproject.toml all

The image installs these in a layer of their own before the worker's source is copied, so a
change to the code rebuilds one small layer instead of reinstalling every dependency.
Self-references between extras (`all = ["mlsecops[llm,test]"]`) are followed. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_SELF_REFERENCE = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)\[(?P<extras>[^\]]+)\]$")


def requirements(pyproject: dict, extras: list[str]) -> list[str]:
    project = pyproject["project"]
    name = project["name"].lower()
    optional = project.get("optional-dependencies", {})
    collected = list(project.get("dependencies", []))
    pending, seen = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in seen:
            continue
        if extra not in optional:
            raise SystemExit(f"pyproject_requirements: unknown extra '{extra}'")
        seen.add(extra)
        for requirement in optional[extra]:
            match = _SELF_REFERENCE.match(requirement.replace(" ", ""))
            if match and match["name"].lower() == name:
                pending.extend(part.strip() for part in match["extras"].split(","))
            else:
                collected.append(requirement)
    return list(dict.fromkeys(collected))


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: pyproject_requirements.py PYPROJECT [EXTRA ...]", file=sys.stderr)
        return 2
    pyproject = tomllib.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print("\n".join(requirements(pyproject, argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
