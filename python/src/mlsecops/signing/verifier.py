"""Check a model folder against a model-signing bundle, and say which files differ when it does not match.

model-signing's verifier is the authority; when it refuses, the in-toto statement of the
bundle (trusted only after its DSSE signature checked out) gives the per-file digests we
recompute ourselves to name each changed, added or missing file.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.signing.bundle import ecdsa_hash, key_id
from mlsecops.signing.interface import VerifyReport

_ALWAYS_IGNORED = (".git", ".gitattributes", ".github", ".gitignore")


def read_bundle(bundle_path: Path) -> dict[str, Any]:
    try:
        bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
        envelope = bundle["dsseEnvelope"]
        statement = json.loads(base64.b64decode(envelope["payload"]))
    except FileNotFoundError:
        raise UsageError(f"{bundle_path}: signature bundle not found") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{bundle_path}: not a model-signing bundle") from None
    return {"bundle": bundle, "envelope": envelope, "statement": statement}


def _envelope_signature_ok(envelope: dict[str, Any], public_pem: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from model_signing._signing import sign_sigstore_pb as sigstore_pb

    public_key = serialization.load_pem_public_key(public_pem)
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise UsageError("public key: not an EC public key")
    payload = base64.b64decode(envelope["payload"])
    try:
        signature = base64.b64decode(envelope["signatures"][0]["sig"])
        public_key.verify(signature, sigstore_pb.pae(payload), ec.ECDSA(ecdsa_hash(public_key)))
        return True
    except (InvalidSignature, KeyError, IndexError, ValueError):
        return False


def _file_digest(path: Path, algorithm: str) -> str:
    if algorithm == "blake3":
        import blake3

        return blake3.blake3(max_threads=blake3.blake3.AUTO).update_mmap(str(path)).hexdigest()
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def diff_against_statement(model_dir: Path, statement: dict[str, Any]) -> VerifyReport:
    """Recompute every file's digest as the statement's serialization says, and compare."""
    predicate = statement.get("predicate", {})
    serialization = predicate.get("serialization", {})
    ignored = set(serialization.get("ignore_paths", [])) | set(_ALWAYS_IGNORED)
    expected = {r["name"]: (r["algorithm"], r["digest"]) for r in predicate.get("resources", [])}
    actual_files = sorted(
        p.relative_to(model_dir).as_posix()
        for p in model_dir.rglob("*")
        if (p.is_file() or p.is_symlink()) and not _is_ignored(p.relative_to(model_dir).as_posix(), ignored)
    )
    report = VerifyReport(ok=True)
    for name in actual_files:
        if name not in expected:
            report.added.append(name)
        elif _file_digest(model_dir / name, expected[name][0]) != expected[name][1]:
            report.changed.append(name)
    report.missing = sorted(set(expected) - set(actual_files))
    report.ok = not (report.added or report.changed or report.missing)
    return report


def _is_ignored(rel: str, ignored: set[str]) -> bool:
    return any(rel == path or rel.startswith(path.rstrip("/") + "/") for path in ignored)


def is_keyless(parsed: dict[str, Any]) -> bool:
    material = parsed["bundle"].get("verificationMaterial", {})
    return "certificate" in material or "x509CertificateChain" in material


def verify_model(model_dir: Path, bundle_path: Path, public_key_path: Path | None) -> VerifyReport:
    """Signature and digests with a public key; for a keyless bundle without one, the digests only
    (its identity is checked by `model_signing verify sigstore`, which needs Rekor)."""
    import model_signing.verifying

    parsed = read_bundle(bundle_path)
    if is_keyless(parsed) and (public_key_path is None or not public_key_path.is_file()):
        report = diff_against_statement(model_dir, parsed["statement"])
        report.message = "keyless bundle: file digests match the signed statement; identity not checked here"
        return report
    if public_key_path is None:
        raise UsageError(f"{bundle_path}: a public key is needed to verify this bundle")
    try:
        public_pem = public_key_path.read_bytes()
    except OSError:
        raise UsageError(f"{public_key_path}: public key not found") from None
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_pem_public_key(public_pem)
    except ValueError:
        why = "not a readable PEM public key (corrupt or tampered)"
        return VerifyReport(ok=False, message=f"{public_key_path.name}: {why}")
    kid = key_id(public_pem)
    if not _envelope_signature_ok(parsed["envelope"], public_pem):
        return VerifyReport(ok=False, key_id=kid, message=f"the signature does not verify with public key {kid[:16]}")
    try:
        model_signing.verifying.Config().use_elliptic_key_verifier(public_key=public_key_path).verify(
            model_dir, bundle_path
        )
        return VerifyReport(ok=True, key_id=kid, message="signature and every file digest match")
    except ValueError as exc:
        report = diff_against_statement(model_dir, parsed["statement"])
        report.ok = False
        report.key_id = kid
        report.message = (
            "files differ from the signed statement"
            if (report.added or report.changed or report.missing)
            else f"model-signing refused: {str(exc)[:200]}"
        )
        return report
