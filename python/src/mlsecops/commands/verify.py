"""`mlsecops verify PATH`: check a stored model folder (a release or the signed model folder) against its bundle.

A release folder without `manifest.json` is incomplete and treated as absent. The public key
defaults to the release's own copy, which proves integrity but not origin: pin the key you
trust with `--public-key`. The signature covers the model files only: `manifest.json`
(metrics, gate verdicts, file list) is not signed, and the reports are checked against it,
which catches accidents and careless edits but not someone who rewrites the manifest too.
A bad file the user names (`--signature`, `--public-key`) is bad input, exit 2; a bad
file inside the release is tampering, exit 1.

A folder signed with the OpenSSF `model_signing` CLI or API (`model_signing sign key
--signature DIR/model.sig DIR`) verifies too: its bundle does not leave out `manifest.json`,
so no manifest is expected, and the signer's public key must be given with `--public-key`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlsecops.errors import GateFailed, UsageError

REPORTS = "reports"  # the release folder of the reports that ride along unsigned (stages/store.py)


def verify_command(path: Path, signature: str | None, public_key: str | None, echo: Callable[[str], None]) -> None:
    from mlsecops.signing.layout import BUNDLE, PUBLIC_KEY
    from mlsecops.signing.verifier import verify_model
    from mlsecops.stores.release import MANIFEST

    bundle = Path(signature) if signature else path / BUNDLE
    key = Path(public_key) if public_key else path / PUBLIC_KEY
    manifest_path = path / MANIFEST
    if not bundle.is_file():
        raise UsageError(f"{bundle}: signature bundle not found (pass --signature)")
    parsed = _read_bundle(bundle, given=signature is not None)
    release = _is_release_bundle(parsed)
    if signature is None and release and not manifest_path.is_file():
        raise GateFailed(f"{path}: no {MANIFEST}: an incomplete release counts as absent")
    if not release and not key.is_file() and public_key is None and not _keyless(parsed):
        raise UsageError(f"{path}: signed by model_signing, not released by mlsecops: pass the signer's key "
                         "with --public-key")
    if not key.is_file():
        from mlsecops.signing.verifier import is_keyless

        if is_keyless(parsed):
            raise UsageError(
                f"{bundle}: a keyless (Sigstore) bundle: verify the signer's identity with "
                "`model_signing verify sigstore --signature ... --identity ... --identity_provider ...`"
            )
        if public_key is not None:  # the file the user named: say which, and where a public key comes from
            raise UsageError(
                f"--public-key {key}: file not found; a release holds its signer's public-key.pem, and a local "
                "key's is written by `openssl ec -in .mlsecops/sign/local-key/private-key.pem -pubout -out "
                "public-key.pem`"
            )
        raise UsageError(f"{key}: public key not found (pass --public-key)")
    _check_public_key(key, given=public_key is not None)

    report = verify_model(path, bundle, key)
    problems = [f"changed: {name}" for name in report.changed]
    problems += [f"added: {name}" for name in report.added]
    problems += [f"missing: {name}" for name in report.missing]
    if manifest_path.is_file():
        problems += _manifest_problems(path, manifest_path)
    if not report.ok or problems:
        for line in problems:
            echo(f"  {line}")
        summary = "; ".join(problems[:10]) or report.message
        raise GateFailed(f"{path}: verification failed: {summary}")
    origin = "pinned" if public_key else "the release's own copy: pin it with --public-key to prove origin"
    echo(f"{path}: verified ({report.message}; key {report.key_id[:16]}, {origin})")


def _keyless(parsed: dict[str, Any]) -> bool:
    from mlsecops.signing.verifier import is_keyless

    return is_keyless(parsed)


def _is_release_bundle(parsed: dict[str, Any]) -> bool:
    """mlsecops signs with the release's manifest and reports left out of the signature; a bundle made
    by the `model_signing` CLI or API over a plain model folder does not know them."""
    from mlsecops.stores.release import MANIFEST

    serialization = parsed["statement"].get("predicate", {}).get("serialization", {})
    ignored = serialization.get("ignore_paths", []) if isinstance(serialization, dict) else []
    return isinstance(ignored, list) and MANIFEST in ignored


def _read_bundle(bundle: Path, *, given: bool) -> dict[str, Any]:
    """A bad bundle the user named is bad input (exit 2); the release's own is tampering (exit 1)."""
    from mlsecops.signing.verifier import read_bundle

    try:
        return read_bundle(bundle)
    except UsageError:
        if given:
            raise
        raise GateFailed(f"{bundle}: not a model-signing bundle (corrupt or tampered)") from None


def _check_public_key(key: Path, *, given: bool) -> None:
    """A key the user passed that is no EC public key is a mistake (exit 2); the release's own copy
    being unreadable means the release was tampered with (exit 1)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        pem = key.read_bytes()
    except OSError as exc:
        raise UsageError(f"{key}: cannot read the public key ({exc.strerror})") from None
    try:
        if isinstance(serialization.load_pem_public_key(pem), ec.EllipticCurvePublicKey):
            return
    except (ValueError, TypeError):
        pass  # not a PEM public key at all: judged below like a key of the wrong kind
    if not given:
        raise GateFailed(f"{key}: not a readable EC public key (corrupt or tampered)")
    if b"PRIVATE KEY" in pem:  # never echo any of it: say only what kind of file it is
        raise UsageError(f"{key}: a private key, not a public key: pass the signer's public key to --public-key")
    raise UsageError(f"{key}: not a PEM EC public key: pass the signer's public key (public-key.pem) to --public-key")


def _manifest_problems(path: Path, manifest_path: Path) -> list[str]:
    """Files that ride along unsigned (reports, ML-BOM) are checked against the release manifest."""
    from mlsecops.hashing import file_sha256
    from mlsecops.stores.interface import check_key

    try:
        entries = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        listed = {check_key(entry["path"]): entry for entry in entries}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UsageError):
        return [f"unreadable {manifest_path.name}"]
    problems = []
    for rel, entry in listed.items():
        if entry.get("signed"):
            continue  # the signature already judged these
        file = path / rel
        if not file.is_file():
            problems.append(f"missing: {rel}")
        elif file_sha256(file) != entry.get("sha256"):
            problems.append(f"changed: {rel}")
    # the signature ignores reports/ (it differs between runs of one model), so only the
    # manifest can tell that a file was slipped in there
    reports = path / REPORTS
    if reports.is_dir():
        for file in sorted(reports.rglob("*")):
            rel = file.relative_to(path).as_posix()
            if (file.is_file() or file.is_symlink()) and rel not in listed:
                problems.append(f"added: {rel}")
    return problems
