"""Masking of secret and PII values: nothing sensitive is ever written in full."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

_MASK = "****"
_registered: set[str] = set()
_lock = threading.Lock()


def redact(value: str, keep: int = 4) -> str:
    """Show at most `keep` leading characters and the length; short values are fully hidden."""
    value = str(value)
    if len(value) <= keep * 2:
        return f"{_MASK}(len={len(value)})"
    return f"{value[:keep]}{_MASK}(len={len(value)})"


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
