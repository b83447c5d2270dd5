"""Lazy plug-in registries: a name maps to "module:Class", imported only when used.

Adding a scanner, store, signer or notifier is one new file plus one registration line in
the registry of its folder; nothing heavy is imported until a command needs it.
"""

from __future__ import annotations

import importlib
from typing import Any

from mlsecops.errors import UsageError


def load_plugin(registry: dict[str, str], name: str, kind: str) -> Any:
    try:
        target = registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise UsageError(f"unknown {kind} '{name}' (known: {known})") from None
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute)
