"""Reading `mlsecops.yaml`: bounded YAML, `${ENV}` and secret expansion, one clear line per bad field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from mlsecops.config.base import DEFAULT_CONFIG, _format_validation_error
from mlsecops.config.schema import config_model
from mlsecops.config.secrets import SecretRef, _expand, _has_secret, _replace, _Resolution, _values, _walk
from mlsecops.errors import MlsecopsError, UsageError

if TYPE_CHECKING:
    from mlsecops.config.schema import ConfigBase as Config


def _validate(data: dict[str, Any], source: str, text: Callable[[str, str], Any]) -> Config:
    try:
        return config_model().model_validate(_walk(data, "", text))
    except ValidationError as exc:
        raise UsageError(_format_validation_error(source, exc)) from None
    except MlsecopsError as exc:  # an unset variable or a secret that cannot be read: name the file too
        raise type(exc)(f"{source}: {exc}") from None


def parse_config(
    data: Any,
    source: str = DEFAULT_CONFIG,
    base_dir: Path | None = None,
    secrets: tuple[str, ...] | None = None,
) -> Config:
    """Validate the config; resolve the secret references under the `secrets` prefixes (None: all).

    The structure is checked before any secret is read, so a misspelt key is reported as such,
    not as the secret behind it that cannot be read. A secret reference must therefore sit in a
    text field: unresolved, it is validated as its literal text. A field typed SecretRef (a
    notification credential) keeps its reference, resolved when read; any other reference the
    command does not use becomes a SecretRef that refuses to be revealed.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: the top level must be a mapping of sections")
    if base_dir is not None:  # its `${secret:file://...}` may read there (keys/file.py)
        from mlsecops.keys.file import allow_config_folder

        allow_config_folder(base_dir)
    written: dict[str, str] = {}  # key -> its text as written, for each text holding a secret reference

    def environment_only(value: str, where: str) -> str:
        if _has_secret(value):
            written[where] = value
        return _expand(value, where, secrets=False, resolved=[])

    config = _validate(data, source, environment_only)
    resolution = _Resolution(scope=secrets)
    typed = {where for where, _, _, value in _values(config) if isinstance(value, SecretRef)}
    wanted = {where for where in written if where not in typed and resolution.covers(where)}
    if wanted:

        def in_scope(value: str, where: str) -> str:
            return _expand(value, where, secrets=where in wanted, resolved=resolution.resolved)

        config = _validate(data, source, in_scope)
    for where, container, key, value in list(_values(config)):
        if isinstance(value, SecretRef):
            value.where, value.in_scope = where, resolution.covers(where)
        elif where in written and where not in wanted:
            resolution.deferred.append(where)
            _replace(container, key, SecretRef(written[where], where, in_scope=False))
    _check_release_name(config, source)
    config.base_dir = base_dir or Path(".")
    config.secret_paths = resolution.resolved
    config.deferred_secret_paths = resolution.deferred
    return config


def _check_release_name(config: Config, source: str) -> None:
    """project.name/project.version is the release's place in the store: refused here, before any
    stage runs, rather than by the store after a full training run (the rules of stores.check_key)."""
    project = config.project
    for key, value in (("project.name", project.name), ("project.version", project.version)):
        text = value.replace("\\", "/")
        parts = (text.rstrip("/") if key == "project.version" else text).split("/")  # the store's key: name/version
        if not value.strip() or "\x00" in value or any(part in ("", ".", "..") for part in parts):
            raise UsageError(f"{source}: {key}: '{value}' cannot name a release in the store "
                             "(empty, absolute or with '.'/'..' parts)")


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, refusing a key given twice in one mapping: YAML keeps the last one silently, so a
    second `sign:` section would quietly replace the first (keys brought in by `<<:` may be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, every failure one UsageError naming `source` and, when known, the line.

    Nesting depth and alias expansion are bounded before anything is built (yaml_safe.py)."""
    from mlsecops.config.yaml_safe import check_yaml_bounds

    try:
        check_yaml_bounds(text, source)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UsageError(f"{source}{place}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's constructors: a date such as 2026-02-30
        raise UsageError(f"{source}{_failing_scalar_line(text)}: invalid value ({exc})") from None


def _failing_scalar_line(text: str) -> str:
    """`:LINE` of the first scalar PyYAML cannot construct: its constructors raise without a position."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ""
    constructor = yaml.SafeLoader("")
    pending = [root] if root is not None else []
    seen: set[int] = set()  # an alias may make the tree a cycle
    while pending:
        node = pending.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError):
                return f":{node.start_mark.line + 1}"
        elif isinstance(node, yaml.SequenceNode):
            pending[:0] = node.value
        elif isinstance(node, yaml.MappingNode):
            pending[:0] = [part for pair in node.value for part in pair]
    return ""


def load_config(path: str | Path, secrets: tuple[str, ...] | None = None) -> Config:
    """Read and validate the file; resolve the secret references under the `secrets` prefixes (None: all)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config ({exc.__class__.__name__})") from None
    config = parse_config(parse_yaml(text, str(path)), str(path), path.parent, secrets)
    config.config_file = path.name
    return config

