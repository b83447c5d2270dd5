"""Masking of secret and PII values: nothing sensitive is ever written in full."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

_MASK = "****"
_registered: set[str] = set()
_lock = threading.Lock()

# What a value looks like, told by public shapes only (a provider's documented prefix, a charset):
# enough to recognise it in a report, never a character of the value itself.
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private-key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY")),
    ("url", re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)),
    ("aws-key-id", re.compile(r"^(AKIA|ASIA)[A-Z0-9]+$")),
    ("github-token", re.compile(r"^(gh[pousr]_|github_pat_)")),
    ("gitlab-token", re.compile(r"^glpat-")),
    ("slack-token", re.compile(r"^xox[abposr]-")),
    ("jwt", re.compile(r"^eyJ[\w-]*\.[\w-]*\.[\w-]*$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
    ("number", re.compile(r"^[\d\s+().-]+$")),
    ("hex", re.compile(r"^[0-9a-fA-F]{16,}$")),
    ("token", re.compile(r"^[\w+/=.~-]{16,}$")),
    ("text", re.compile(r"\s")),
)
_LENGTH_CLASSES = (8, 16, 32, 64, 128, 256)


def shape_of(value: str) -> str:
    """The kind of a value from its public shape: 'github-token', 'hex', 'token', 'text', ... or 'string'."""
    return next((name for name, pattern in _SHAPES if pattern.search(value)), "string")


def length_class(length: int) -> str:
    """A power-of-two bucket such as '32-63 chars': the exact length narrows a brute force, a class does not."""
    low = 1
    for high in _LENGTH_CLASSES:
        if length < high:
            return f"{low}-{high - 1} chars"
        low = high
    return f"{low}+ chars"


def redact(value: str) -> str:
    """`****[token, 32-63 chars]`: no character of the value and not its exact length, only its
    shape and a length class (the leading `****` marks a masked value wherever it lands)."""
    value = str(value)
    return f"{_MASK}[{shape_of(value)}, {length_class(len(value))}]"


def register_secret(value: str | None) -> None:
    """Remember a resolved secret so that `scrub` removes it from any text written later."""
    if value and len(value) >= 4:
        with _lock:
            _registered.add(value)


def scrub(text: str) -> str:
    """Replace every registered secret value that appears in `text`."""
    if not _registered:
        return text
    with _lock:
        values = sorted(_registered, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, redact(value))
    return text


def map_strings(node: Any, change: Callable[[str], str]) -> Any:
    """`change` applied to every string of a JSON-like tree, keys included: one walk for every masking."""
    if isinstance(node, str):
        return change(node)
    if isinstance(node, dict):
        return {change(key) if isinstance(key, str) else key: map_strings(value, change) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [map_strings(item, change) for item in node]
    return node


_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.IGNORECASE)


def scrub_url(url: str) -> str:
    """Drop user:password from a URL before it is shown."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{_MASK}@", url)
