"""Signing backends, one file each; see `interface.py`."""

from __future__ import annotations

from ..registry import load_plugin

SIGNERS: dict[str, str] = {
    "key": "mlsecops.signing.keyfile:KeyFileSigner",
}


def signer_class(method: str):
    return load_plugin(SIGNERS, method, "signing method")
