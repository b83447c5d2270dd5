"""What every signer shares: the hashing config, the DSSE/Sigstore bundle around a remote signature, key ids.

model-signing 1.1.1 builds the bundle only around a private key it can read. For keys that
never leave Vault Transit or KMS (and for keys fetched into memory) `RemoteKeySigner` builds
the very same bundle (DSSE envelope over the in-toto statement, public-key hint) around a
signing callback, so model-signing's own `verify key` accepts the result.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

from mlsecops.errors import UsageError

# Files that ride along in a release but are not part of the signed model. They are recorded
# in the statement's ignore_paths so that `model_signing verify` works on a release folder.
RELEASE_METADATA = ("model.sig", "public-key.pem", "manifest.json", "reports")
HASH_ALGORITHMS = ("sha256", "blake3")
# sha256 files are read into one reused buffer small enough to stay in the CPU cache: a fresh
# 8 MiB bytes object per read (model-signing's own reader) costs page faults and cache misses
# that made signing up to 11 % slower than `openssl dgst -sha256` (bench/bench_signing.py).
_READ_BUFFER = 256 * 1024


def hashing_config(algorithm: str):

    if algorithm not in HASH_ALGORITHMS:
        raise UsageError(f"sign.hash: unsupported '{algorithm}' (use {' or '.join(HASH_ALGORITHMS)})")
    return _hashing_config_class()().use_file_serialization(
        hashing_algorithm=algorithm,
        chunk_size=_READ_BUFFER,
        ignore_paths=[Path(p) for p in RELEASE_METADATA],
    )


def _hashing_config_class():
    """model-signing's hashing config with sha256 files hashed by `ReusedBufferSha256`; the
    manifest (file serialization, digest name "sha256") is exactly the one model-signing writes."""
    import model_signing.hashing
    from model_signing._hashing import hashing as engines
    from model_signing._hashing import io as file_hashers

    class ReusedBufferSha256(file_hashers.FileHasher):
        def __init__(self, file: Path, buffer_size: int) -> None:
            self._file = file
            self._buffer_size = buffer_size

        @property
        def digest_name(self) -> str:
            return "sha256"

        @property
        def digest_size(self) -> int:
            return 32

        def compute(self) -> engines.Digest:
            digest = hashlib.sha256()
            buffer = bytearray(self._buffer_size)
            view = memoryview(buffer)
            with open(self._file, "rb", buffering=0) as handle:
                while size := handle.readinto(buffer):
                    digest.update(view[:size])
            return engines.Digest("sha256", digest.digest())

    class Config(model_signing.hashing.Config):
        def _build_file_hasher_factory(self, hashing_algorithm="sha256", chunk_size=_READ_BUFFER, max_workers=None):
            if hashing_algorithm != "sha256":
                return super()._build_file_hasher_factory(hashing_algorithm, chunk_size, max_workers)
            return lambda path: ReusedBufferSha256(path, chunk_size)

    return Config


def public_key_pem(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(pem: bytes) -> str:
    """sha256 of the PEM public key: the hint model-signing writes into the bundle."""
    return hashlib.sha256(pem).hexdigest()


def check_ec_public_key(public_key, where: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name not in ("secp256r1", "secp384r1"):
        raise UsageError(f"{where}: the signing key must be an EC P-256 or P-384 key")


def load_private_key(pem: bytes, password: str | None, where: str):
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(pem, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        reason = (
            "wrong or missing password"
            if "password" in str(exc).lower() or "decrypt" in str(exc).lower()
            else ("not a PEM private key")
        )
        raise UsageError(f"{where}: cannot load the signing key ({reason})") from None
    check_ec_public_key(key.public_key(), where)
    return key


def ecdsa_hash(public_key):
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA384() if public_key.curve.key_size == 384 else hashes.SHA256()


def sign_model(model_dir: Path, bundle_path: Path, algorithm: str, signer) -> None:
    """Hash `model_dir`, wrap the in-toto statement in DSSE, sign it with `signer`, write the bundle."""
    from model_signing._signing import signing

    manifest = hashing_config(algorithm).hash(model_dir)
    signature = signer.sign(signing.Payload(manifest))
    bundle_path.parent.mkdir(parents=True, exist_ok=True)
    signature.write(bundle_path)


def remote_key_signer(public_pem: bytes, sign_pae: Callable[[bytes], bytes]):
    """A model-signing `Signer` whose private half lives elsewhere: `sign_pae(pae) -> DER ECDSA signature`."""
    from google.protobuf import json_format
    from model_signing._signing import sign_sigstore_pb as sigstore_pb
    from model_signing._signing import signing
    from sigstore_models import intoto as intoto_pb
    from sigstore_models.bundle import v1 as bundle_pb
    from sigstore_models.common import v1 as common_pb

    class RemoteKeySigner(sigstore_pb.Signer):
        def sign(self, payload: signing.Payload) -> signing.Signature:
            raw_payload = json_format.MessageToJson(payload.statement.pb).encode("utf-8")
            signature = sign_pae(sigstore_pb.pae(raw_payload))
            envelope = intoto_pb.Envelope(
                payload=base64.b64encode(raw_payload),
                payload_type=signing._IN_TOTO_JSON_PAYLOAD_TYPE,
                signatures=[intoto_pb.Signature(sig=base64.b64encode(signature), keyid="")],
            )
            material = bundle_pb.VerificationMaterial(
                public_key=common_pb.PublicKeyIdentifier(hint=key_id(public_pem)), tlog_entries=[]
            )
            return sigstore_pb.Signature(
                bundle_pb.Bundle(
                    media_type=sigstore_pb._BUNDLE_MEDIA_TYPE, verification_material=material, dsse_envelope=envelope
                )
            )

    return RemoteKeySigner()


def write_public_key(pem: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
