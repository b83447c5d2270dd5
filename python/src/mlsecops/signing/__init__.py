"""Signing backends, one file each; see `interface.py`."""

from __future__ import annotations

from ..registry import load_plugin

SIGNERS: dict[str, str] = {
    "key": "mlsecops.signing.keyfile:KeyFileSigner",
    "vault-kv": "mlsecops.signing.fetched:VaultKvKeySigner",
    "awssm": "mlsecops.signing.fetched:SecretsManagerKeySigner",
    "vault-transit": "mlsecops.signing.vault_transit:VaultTransitSigner",
    "awskms": "mlsecops.signing.awskms:KmsSigner",
    "sigstore": "mlsecops.signing.sigstore:SigstoreSigner",
}


def signer_class(method: str):
    return load_plugin(SIGNERS, method, "signing method")
