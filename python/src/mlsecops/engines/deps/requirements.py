"""Python dependency manifests: requirements files and lock files, read into pinned (name, version) pairs.

Supports pip requirements (with `-r`/`-c` includes, extras, markers, hashes), Pipfile.lock,
poetry.lock and uv.lock. A requirement that is not pinned to one version cannot be audited
exactly: it is returned with `version=None` so scanners can report it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_REQUIREMENTS_NAME = re.compile(r"^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$|^requirements\.lock$", re.I)
LOCK_NAMES = {"Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock"}
MAX_INCLUDE_DEPTH = 5


@dataclass(frozen=True)
class Dependency:
    name: str  # normalized (PEP 503)
    version: str | None  # None: not pinned
    source: str  # the manifest, as findings name it
    line: int | None = None
    specifier: str = ""

    @property
    def purl(self) -> str:
        return f"pkg:pypi/{self.name}@{self.version}" if self.version else f"pkg:pypi/{self.name}"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_manifest(path: Path) -> bool:
    return bool(_REQUIREMENTS_NAME.match(path.name)) or path.name in LOCK_NAMES


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the line when there is one."""


def read_manifest(path: Path, display: str) -> list[Dependency]:
    if path.name == "Pipfile.lock":
        return _pipfile_lock(path, display)
    if path.name in ("poetry.lock", "uv.lock", "pdm.lock"):
        return _toml_lock(path, display)
    return list(_requirements(path, display, 0, set()))


def _requirements(path: Path, display: str, depth: int, seen: set[Path]) -> Iterator[Dependency]:
    from packaging.requirements import InvalidRequirement, Requirement

    resolved = path.resolve()
    if resolved in seen or depth > MAX_INCLUDE_DEPTH:
        return
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read ({exc.__class__.__name__})") from None
    for number, line in _logical_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        include = re.match(r"^(?:-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if include:
            child = path.parent / include.group(1)
            if child.is_file():
                yield from _requirements(child, f"{display.rsplit('/', 1)[0]}/{include.group(1)}"
                                         if "/" in display else include.group(1), depth + 1, seen)
            continue
        if line.startswith("-"):
            continue  # index options, editable installs, --hash continuation: not a package pin
        requirement_text = re.split(r"\s+--hash", line)[0].strip()
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement:
            if "://" in requirement_text or requirement_text.startswith((".", "/")):
                continue  # a direct URL or path: not in any advisory database by version
            raise ManifestError(f"line {number}: not a requirement: {requirement_text[:80]!r}") from None
        pins = [s.version for s in requirement.specifier if s.operator in ("==", "===") and "*" not in s.version]
        yield Dependency(normalize(requirement.name), pins[0] if pins else None, display, number,
                         str(requirement.specifier))


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines joined across trailing backslashes, numbered by where they start."""
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\"):
            buffer += raw[:-1] + " "
            continue
        yield start, buffer + raw
        buffer = ""
    if buffer:
        yield start, buffer


def _pipfile_lock(path: Path, display: str) -> list[Dependency]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"not a Pipfile.lock ({exc.__class__.__name__})") from None
    dependencies = []
    for section in ("default", "develop"):
        for name, entry in (data.get(section) or {}).items():
            version = str(entry.get("version", "")).removeprefix("==") if isinstance(entry, dict) else ""
            dependencies.append(Dependency(normalize(name), version or None, display))
    return dependencies


def _toml_lock(path: Path, display: str) -> list[Dependency]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"not a TOML lock file ({exc.__class__.__name__})") from None
    return [
        Dependency(normalize(str(p["name"])), str(p["version"]) if p.get("version") else None, display)
        for p in data.get("package", [])
        if isinstance(p, dict) and p.get("name")
    ]


def cyclonedx_sbom(dependencies: list[Dependency], tool: str) -> dict[str, object]:
    """A CycloneDX 1.5 SBOM of the scanned dependencies (one component per name and version)."""
    import uuid
    from datetime import UTC, datetime

    components = {}
    for dependency in dependencies:
        key = (dependency.name, dependency.version)
        if key in components:
            continue
        component: dict[str, object] = {"type": "library", "bom-ref": dependency.purl, "name": dependency.name,
                                         "purl": dependency.purl}
        if dependency.version:
            component["version"] = dependency.version
        components[key] = component
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "tools": {"components": [{"type": "application", "name": tool}]},
        },
        "components": sorted(components.values(), key=lambda c: str(c["bom-ref"])),
    }
