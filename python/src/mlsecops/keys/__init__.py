"""Secret and key providers behind one interface; see `interface.py`."""

from __future__ import annotations

from mlsecops.errors import UsageError
from mlsecops.redact import register_secret
from mlsecops.registry import load_plugin

PROVIDERS: dict[str, str] = {
    "env": "mlsecops.keys.env:EnvSecretProvider",
    "file": "mlsecops.keys.file:FileSecretProvider",
    "vault": "mlsecops.keys.vault:VaultSecretProvider",
    "awssm": "mlsecops.keys.awssm:SecretsManagerProvider",
}


def resolve_secret(reference: str, where: str = "") -> str:
    """Resolve `SCHEME://rest` and remember the value so that no output shows it; `where` names a bad reference."""
    scheme, sep, rest = reference.partition("://")
    if not sep:
        prefix = f"{where}: " if where else ""
        raise UsageError(f"{prefix}secret reference must look like SCHEME://..., got '{scheme}'")
    provider = load_plugin(PROVIDERS, scheme, "secret provider")()
    value = provider.resolve(rest)
    register_secret(value)
    return value
