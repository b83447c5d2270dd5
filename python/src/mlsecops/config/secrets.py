"""`${secret:...}` references: resolved when read, only for the sections a command reads, never shown in full."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

from mlsecops.errors import MlsecopsError, UsageError
from mlsecops.stage_manifest import manifest

if TYPE_CHECKING:
    from mlsecops.config.schema import ConfigBase as Config


_REFERENCE = re.compile(r"\$\{([^}]+)\}")


_ONE_SECRET_REFERENCE = re.compile(r"\$\{secret:[a-z][a-z0-9+.-]*://[^}]+\}")


class SecretRef:
    """A `${secret:...}` reference in the config, resolved when read: `reveal()` returns the value.

    Its str, repr and format show the reference text (which names where the secret lives, never
    the secret), so a log line or a dump never holds the value. A reference outside the running
    command's secret scopes (SECRET_SCOPES) refuses to be revealed: a stage that reads one more
    section than the stage manifest says fails with a clear line instead of sending the reference
    text as a credential. As a field type it accepts only a reference, never a literal value.
    """

    __slots__ = ("text", "where", "in_scope", "_value")

    def __init__(self, text: str, where: str = "", in_scope: bool = True) -> None:
        self.text = text  # `${secret:...}`, possibly within other text (`https://u:${secret:env://P}@host`)
        self.where = where  # the dotted key, for messages
        self.in_scope = in_scope
        self._value: str | None = None

    def reveal(self) -> str:
        """The value, resolved (and registered for scrubbing) on the first call."""
        if not self.in_scope:
            raise RuntimeError(
                f"{self.where or 'a secret reference'}: its secret reference was not resolved for this command "
                "(the stage manifest's `secrets` of the command miss the section)"
            )
        if self._value is None:
            self._value = _expand(self.text, self.where, secrets=True, resolved=[])
        return self._value

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __repr__(self) -> str:
        return f"SecretRef({self.text!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._from_field, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def _from_field(cls, value: Any) -> SecretRef:
        if isinstance(value, SecretRef):
            return value
        if isinstance(value, str) and _ONE_SECRET_REFERENCE.fullmatch(value.strip()):
            return cls(value.strip())
        raise ValueError("a credential must be a secret reference such as ${secret:env://NAME}, not a literal value")


# The parts of the config (dotted prefixes) each command reads, directly or through what it calls:
# only their secret references are resolved, because Jenkins binds a credential only around the
# stages that use it (README, "Credentials it expects"). Every other reference stays its literal
# `${secret:...}` text. A command missing here (run, config validate/show, anything new) resolves
# everything: a forgotten entry costs a credential too many, never a credential unresolved.
# The table is the stage manifest's (resources/stages.yaml, shared with the Jenkins library, which
# binds each stage's credentials from the same entries).
SECRET_SCOPES: dict[str, tuple[str, ...]] = manifest().secret_scopes()


@dataclass
class _Resolution:
    """Which secret references a parse resolves, and where it found them."""

    scope: tuple[str, ...] | None  # dotted prefixes; None: all
    resolved: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)

    def covers(self, where: str) -> bool:
        if self.scope is None:
            return True
        return any(where == prefix or where.startswith((f"{prefix}.", f"{prefix}[")) for prefix in self.scope)


def _resolve_secret(expression: str, where: str) -> str:
    from mlsecops.keys import resolve_secret  # the secret providers; Vault and AWS load lazily

    try:
        return resolve_secret(expression[len("secret:") :])
    except MlsecopsError as exc:  # the provider knows the reference, not which key holds it
        raise type(exc)(f"{where}: {exc}") from None


def _expand(value: str, where: str, secrets: bool, resolved: list[str]) -> str:
    """`${ENV}` references replaced; `${secret:...}` ones resolved when `secrets`, else kept as they are.

    One pass over the text as written, so text that a variable or secret brings in is never read as a reference.
    """

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("secret:"):
            if not secrets:
                return match.group(0)
            resolved.append(where)
            return _resolve_secret(expression, where)
        name, _, default = expression.partition(":-")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"{where}: bad reference ${{{expression}}}")
        if name in os.environ:
            return os.environ[name]
        if ":-" in expression:
            return default
        raise UsageError(f"{where}: environment variable {name} is not set")

    if "${secret:" in _REFERENCE.sub("", value):  # e.g. "${secret:env://X" missing its "}"
        raise UsageError(f"{where}: unterminated secret reference (no closing '}}')")
    return _REFERENCE.sub(replace, value)


def _has_secret(value: str) -> bool:
    return any(match.group(1).startswith("secret:") for match in _REFERENCE.finditer(value))


def _walk(node: Any, where: str, text: Callable[[str, str], Any]) -> Any:
    """The raw config with `text(value, key)` applied to every string holding a `${...}` reference."""
    if isinstance(node, dict):
        return {key: _walk(value, f"{where}.{key}" if where else str(key), text) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, f"{where}[{index}]", text) for index, item in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        return text(node, where)
    return node


def _values(node: Any, where: str = "") -> Iterator[tuple[str, Any, Any, Any]]:
    """Every value of a validated config as (key, container, its name or index there, value)."""
    if isinstance(node, BaseModel):
        items: Iterator[tuple[Any, Any]] = ((name, getattr(node, name)) for name in type(node).model_fields)
    elif isinstance(node, dict):
        items = iter(list(node.items()))
    elif isinstance(node, list):
        items = iter(list(enumerate(node)))
    else:
        return
    for key, value in items:
        path = f"{where}[{key}]" if isinstance(node, list) else (f"{where}.{key}" if where else str(key))
        yield path, node, key, value
        yield from _values(value, path)


def _replace(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, BaseModel):
        object.__setattr__(container, key, value)  # as validated, only its type changes: no second validation
    else:
        container[key] = value


_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE)


def _looks_like_secret_key(key: str) -> bool:
    # `github_secret_env`, `api_key_env`: the NAME of a variable that holds a secret, shown as is
    return bool(_SECRET_KEY.search(key)) and not key.lower().endswith("_env")


def _reference_text(value: Any) -> str:
    """How a dump shows a SecretRef left in a text field (a reference this command does not use)."""
    if isinstance(value, SecretRef):
        return str(value)
    raise TypeError(f"cannot show a {type(value).__name__} in the config")


def masked_dump(config: Config) -> dict[str, Any]:
    """The effective config for `config show`: every resolved secret masked wherever it appears.

    A key that received a secret is masked whole (the secret may be part of a URL), a credential
    key holding a literal is masked by its name, and any other text is scrubbed of every
    resolved secret value, e.g. one that reached a non-credential key through `${ENV}`.
    """
    from mlsecops.redact import redact, scrub

    data = config.model_dump(mode="json", fallback=_reference_text, warnings=False)
    secret_paths = set(config.secret_paths)

    def mask(node: Any, where: str, key: str = "") -> Any:
        if isinstance(node, dict):
            return {name: mask(value, f"{where}.{name}" if where else str(name), str(name))
                    for name, value in node.items()}
        if isinstance(node, list):
            return [mask(item, f"{where}[{index}]", key) for index, item in enumerate(node)]
        if isinstance(node, str) and node and (where in secret_paths or _looks_like_secret_key(key)):
            return redact(node)
        if isinstance(node, str):
            return scrub(node)
        return node

    return mask(data, "")

