"""`sign.method: awskms`: an asymmetric ECC_NIST_P256 (or P384) KMS key signs the DSSE PAE digest; the key stays in KMS.

`sign.key` is the key id, ARN or `alias/...`. Credentials follow boto3's chain; `sign.endpoint_url`
or AWS_ENDPOINT_URL points at a KMS-compatible endpoint.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.signing.bundle import key_id, remote_key_signer, sign_model, write_public_key
from mlsecops.signing.interface import SignatureInfo, Signer

_RAW_LIMIT = 4096
_SPECS = {"ECC_NIST_P256": ("ECDSA_SHA_256", hashlib.sha256), "ECC_NIST_P384": ("ECDSA_SHA_384", hashlib.sha384)}


class KmsSigner(Signer):
    method = "awskms"

    def _call(self, action, what: str):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return action()
        except NoCredentialsError:
            raise EnvironmentFailure(f"AWS KMS: no credentials to {what}") from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in (
                "NotFoundException",
                "InvalidKeyUsageException",
                "DisabledException",
                "KMSInvalidStateException",
            ):
                raise UsageError(f"AWS KMS: cannot {what}: {code}") from None
            if code in ("AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"):
                raise EnvironmentFailure(f"AWS KMS: {what} refused: credentials rejected ({code})") from None
            raise EnvironmentFailure(f"AWS KMS: {what} failed ({code})") from None
        except BotoCoreError as exc:
            raise EnvironmentFailure(f"AWS KMS: {what} failed ({exc.__class__.__name__})") from None

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        import boto3
        from cryptography.hazmat.primitives import serialization

        key = self.config.key
        if not key:
            raise UsageError("sign.key: name the KMS key (id, ARN or alias/NAME)")
        kms = boto3.session.Session().client(
            "kms", endpoint_url=self.config.endpoint_url, region_name=self.config.region
        )
        described = self._call(lambda: kms.get_public_key(KeyId=key), f"read the public key of {key}")
        spec = described.get("KeySpec") or described.get("CustomerMasterKeySpec", "")
        if spec not in _SPECS or described.get("KeyUsage") != "SIGN_VERIFY":
            raise UsageError(f"AWS KMS key {key} is {spec}/{described.get('KeyUsage')}: use ECC_NIST_P256 SIGN_VERIFY")
        algorithm, hasher = _SPECS[spec]
        public_pem = serialization.load_der_public_key(described["PublicKey"]).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

        def sign_pae(pae: bytes) -> bytes:
            # KMS hashes RAW messages up to 4 KiB itself; larger statements (many files) go as a
            # digest. (moto implements RAW only, so the tests exercise RAW.)
            if len(pae) <= _RAW_LIMIT:
                message, message_type = pae, "RAW"
            else:
                message, message_type = hasher(pae).digest(), "DIGEST"
            response = self._call(
                lambda: kms.sign(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm),
                f"sign with {key}",
            )
            return response["Signature"]

        sign_model(model_dir, bundle_path, self.config.hash, remote_key_signer(public_pem, sign_pae))
        write_public_key(public_pem, public_key_path)
        return SignatureInfo(
            bundle=bundle_path, method=self.method, key_id=key_id(public_pem), public_key=public_key_path
        )
