"""`sign.method: vault-transit`: the key never leaves Vault; Transit signs the DSSE pre-authentication encoding.

`sign.key` is `[mount/]name` (mount defaults to `transit`) of an `ecdsa-p256` (or p384)
transit key. The PAE is hashed here and sent prehashed, so only 32 bytes travel; Vault
returns an ASN.1 DER signature that model-signing's verifier accepts with the key's public
half, read from Transit itself.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.signing.bundle import key_id, remote_key_signer, sign_model, write_public_key
from mlsecops.signing.interface import SignatureInfo, Signer

_HASHES = {"ecdsa-p256": ("sha2-256", hashlib.sha256), "ecdsa-p384": ("sha2-384", hashlib.sha384)}


class VaultTransitSigner(Signer):
    method = "vault-transit"

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        from mlsecops.keys.vault import _call, vault_address, vault_client

        if not self.config.key:
            raise UsageError("sign.key: name the transit key ([mount/]name)")
        mount, _, name = self.config.key.rpartition("/")
        mount = mount or "transit"
        client = vault_client(self.config.endpoint_url)
        address = vault_address(self.config.endpoint_url)
        key = _call(
            lambda: client.secrets.transit.read_key(name=name, mount_point=mount), address, f"read key {mount}/{name}"
        )
        key_type = key["data"].get("type", "")
        if key_type not in _HASHES:
            raise UsageError(
                f"Vault transit key {mount}/{name} is {key_type or 'unknown'}: use ecdsa-p256 or ecdsa-p384"
            )
        version = int(key["data"]["latest_version"])
        public_pem = key["data"]["keys"][str(version)]["public_key"].encode()
        vault_hash, hasher = _HASHES[key_type]

        def sign_pae(pae: bytes) -> bytes:
            response = _call(
                lambda: client.secrets.transit.sign_data(
                    name=name,
                    mount_point=mount,
                    key_version=version,
                    hash_input=base64.b64encode(hasher(pae).digest()).decode(),
                    hash_algorithm=vault_hash,
                    prehashed=True,
                    marshaling_algorithm="asn1",
                ),
                address,
                f"sign with {mount}/{name}",
            )
            signature = response["data"]["signature"]
            prefix, _, encoded = signature.rpartition(":")
            if not prefix.startswith("vault:v"):
                raise EnvironmentFailure(f"Vault at {address}: unexpected signature format from {mount}/{name}")
            return base64.b64decode(encoded)

        sign_model(model_dir, bundle_path, self.config.hash, remote_key_signer(public_pem, sign_pae))
        write_public_key(public_pem, public_key_path)
        return SignatureInfo(
            bundle=bundle_path, method=self.method, key_id=key_id(public_pem), public_key=public_key_path
        )
