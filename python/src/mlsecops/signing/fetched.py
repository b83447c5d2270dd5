"""`sign.method: vault-kv | awssm`: a PEM EC private key kept in Vault KV or Secrets Manager, used in memory only.

`sign.key` is the reference without its scheme (`mount/path#field`, `name#field`). The key
is never written to disk: the bundle is built around an in-memory signing call.
"""

from __future__ import annotations

from pathlib import Path

from mlsecops.redact import register_secret
from mlsecops.signing.bundle import (
    ecdsa_hash,
    key_id,
    load_private_key,
    public_key_pem,
    remote_key_signer,
    sign_model,
    write_public_key,
)
from mlsecops.signing.interface import SignatureInfo, Signer


class _FetchedKeySigner(Signer):
    scheme: str

    def fetch_pem(self, reference: str) -> str:
        raise NotImplementedError

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        from cryptography.hazmat.primitives.asymmetric import ec

        from mlsecops.errors import UsageError

        if not self.config.key:
            raise UsageError(f"sign.key: name the {self.scheme}:// reference of the PEM key (e.g. path#field)")
        pem = self.fetch_pem(self.config.key)
        register_secret(pem)
        where = f"sign.key ({self.scheme}://{self.config.key.partition('#')[0]})"
        private = load_private_key(pem.encode(), self.config.key_password, where)
        public_pem = public_key_pem(private.public_key())
        algorithm = ec.ECDSA(ecdsa_hash(private.public_key()))
        sign_model(
            model_dir,
            bundle_path,
            self.config.hash,
            remote_key_signer(public_pem, lambda pae: private.sign(pae, algorithm)),
        )
        write_public_key(public_pem, public_key_path)
        return SignatureInfo(
            bundle=bundle_path, method=self.method, key_id=key_id(public_pem), public_key=public_key_path
        )


class VaultKvKeySigner(_FetchedKeySigner):
    method = "vault-kv"
    scheme = "vault"

    def fetch_pem(self, reference: str) -> str:
        from mlsecops.keys.vault import VaultSecretProvider

        if self.config.endpoint_url:
            import os

            os.environ.setdefault("VAULT_ADDR", self.config.endpoint_url)
        return VaultSecretProvider().resolve(reference)


class SecretsManagerKeySigner(_FetchedKeySigner):
    method = "awssm"
    scheme = "awssm"

    def fetch_pem(self, reference: str) -> str:
        import json

        from mlsecops.errors import UsageError
        from mlsecops.keys.awssm import read_secret_string
        from mlsecops.keys.vault import pick_field, split_reference

        name, field = split_reference(reference, self.scheme)
        text = read_secret_string(name, self.config.endpoint_url, self.config.region)
        if field is None:
            return text
        try:
            return pick_field(json.loads(text), field, f"secret awssm://{name}")
        except (ValueError, AttributeError):
            raise UsageError(f"secret awssm://{name}#{field}: the secret is not a JSON object") from None
