"""Signing backends, one file each; see `interface.py`.

SIGNERS is the only list of signing methods: a method is one file (a Signer subclass, with its
`options_model` when it takes `sign.options`) plus one line here. `sign.method`'s accepted values,
the validation of `sign.options` and the reference docs are derived from it (config/schema.py).
"""

from __future__ import annotations

from mlsecops.registry import load_plugin

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
