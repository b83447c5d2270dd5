"""The stage manifest: what each stage runs, reads, writes, resolves and is given, for both sides.

The Jenkins library reads `resources/org/mlsecops/stages.yaml` (libraryResource) to decide what
a step unstashes, stashes and binds; the worker reads the byte-identical copy packaged beside
this module, so the stage order (`workspace.STAGES`) and the secret scopes
(`config.SECRET_SCOPES`) cannot drift from what Jenkins hands a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

MANIFEST_FILE = Path(__file__).parent / "resources" / "stages.yaml"
REPORTS = "reports"  # the rendered reports: written by several stages, no stage of its own


@dataclass(frozen=True)
class StageEntry:
    name: str
    command: tuple[str, ...]
    reads: tuple[str, ...]
    optional_reads: tuple[str, ...]  # used when an earlier stage left them
    writes: tuple[str, ...]
    secrets: tuple[str, ...]
    credentials: tuple[str, ...]
    enabled_by: str = ""  # an optional stage: the dotted config key (redact.enabled) that turns it on

    def enabled(self, config: object) -> bool:
        """Whether the stage runs for `config`: always, unless its `enabledBy` key is false."""
        value = config
        for part in self.enabled_by.split(".") if self.enabled_by else ():
            value = getattr(value, part)
        return bool(value)

    @property
    def has_folder(self) -> bool:
        """A stage of the workspace: it writes a folder of its own name (`report` writes only `reports`)."""
        return self.name in self.writes


@dataclass(frozen=True)
class Manifest:
    stages: tuple[StageEntry, ...]
    commands: dict[str, tuple[str, ...]]  # worker commands outside the pipeline -> secret scopes
    credentials: dict[str, dict[str, str]]
    command_credentials: dict[str, tuple[str, ...]] = field(default_factory=dict)  # e.g. handoff -> bound variables

    def stage(self, name: str) -> StageEntry:
        for entry in self.stages:
            if entry.name == name:
                return entry
        raise KeyError(f"no stage '{name}' in {MANIFEST_FILE.name}")

    def folders(self) -> tuple[str, ...]:
        """Every workspace folder a stage writes, in pipeline order."""
        seen: list[str] = []
        for entry in self.stages:
            seen.extend(folder for folder in entry.writes if folder not in seen)
        return tuple(seen)

    def secret_scopes(self) -> dict[str, tuple[str, ...]]:
        """Worker command -> the config prefixes whose secret references it resolves."""
        scopes: dict[str, tuple[str, ...]] = {}
        for entry in self.stages:
            command = entry.command[0]
            if command in scopes and scopes[command] != entry.secrets:
                # one process cannot know which of two stages it serves before the config is read
                raise ValueError(f"{MANIFEST_FILE.name}: stages of command '{command}' resolve different secrets")
            scopes[command] = entry.secrets
        for command, prefixes in self.commands.items():
            scopes[command] = prefixes
        return scopes


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{MANIFEST_FILE.name}: {where} must be a list of names")
    return tuple(value)


def parse(text: str) -> Manifest:
    """The manifest in `text`; ValueError naming the entry when it is malformed (a packaging defect)."""
    data = yaml.safe_load(text)
    stages: list[StageEntry] = []
    for raw in data["stages"]:
        name = str(raw["name"])
        writes = _strings(raw.get("writes", []), f"{name}.writes")
        optional = raw.get("readsOptional", [])
        stages.append(StageEntry(
            name=name,
            command=_strings(raw["command"], f"{name}.command"),
            reads=_strings(raw.get("reads", []), f"{name}.reads"),
            optional_reads=("all",) if optional == "all" else _strings(optional, f"{name}.readsOptional"),
            writes=writes,
            secrets=_strings(raw.get("secrets", []), f"{name}.secrets"),
            credentials=_strings(raw.get("credentials", []), f"{name}.credentials"),
            enabled_by=str(raw.get("enabledBy") or ""),
        ))
    folders = {folder for entry in stages for folder in entry.writes}
    for entry in stages:
        unknown = [folder for folder in (*entry.reads, *entry.optional_reads) if folder not in folders | {"all"}]
        if unknown:
            raise ValueError(f"{MANIFEST_FILE.name}: {entry.name} reads {unknown}, which no stage writes")
    commands: dict[str, tuple[str, ...]] = {}
    command_credentials: dict[str, tuple[str, ...]] = {}
    for key, value in (data.get("commands") or {}).items():
        # a list: the secret scopes; a map: secrets and the credentials Jenkins binds around the command
        entry = value if isinstance(value, dict) else {"secrets": value}
        commands[str(key)] = _strings(entry.get("secrets", []), f"commands.{key}.secrets")
        command_credentials[str(key)] = _strings(entry.get("credentials", []), f"commands.{key}.credentials")
    credentials = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in (data.get("credentials") or {}).items()}
    unknown = sorted({name for names in command_credentials.values() for name in names} - set(credentials))
    if unknown:
        raise ValueError(f"{MANIFEST_FILE.name}: commands bind credentials it does not define: {unknown}")
    return Manifest(stages=tuple(stages), commands=commands, credentials=credentials,
                    command_credentials=command_credentials)


@cache
def manifest() -> Manifest:
    return parse(MANIFEST_FILE.read_text(encoding="utf-8"))


def stage_order() -> tuple[str, ...]:
    """The workspace stages (a folder and a result.json each), in pipeline order."""
    return tuple(entry.name for entry in manifest().stages if entry.has_folder)


def pipeline_stages() -> tuple[str, ...]:
    """What `mlsecops run` runs, in order: the workspace stages but those around them (`readsOptional: all`, notify)."""
    return tuple(entry.name for entry in manifest().stages if entry.has_folder and entry.optional_reads != ("all",))
