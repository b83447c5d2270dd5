"""`mlsecops verify PATH`: check a stored model folder (a release or the signed model folder) against its bundle.

A release folder without `manifest.json` is incomplete and treated as absent. The public key
defaults to the release's own copy, which proves integrity but not origin: pin the key you
trust with `--public-key`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..errors import GateFailed, UsageError


def verify_command(path: Path, signature: str | None, public_key: str | None, echo: Callable[[str], None]) -> None:
    from ..signing.verifier import verify_model
    from ..stores.release import MANIFEST
    from .sign import BUNDLE, PUBLIC_KEY

    bundle = Path(signature) if signature else path / BUNDLE
    key = Path(public_key) if public_key else path / PUBLIC_KEY
    manifest_path = path / MANIFEST
    if not bundle.is_file():
        raise UsageError(f"{bundle}: signature bundle not found (pass --signature)")
    if signature is None and not manifest_path.is_file():
        raise GateFailed(f"{path}: no {MANIFEST}: an incomplete release counts as absent")
    if not key.is_file():
        from ..signing.verifier import is_keyless, read_bundle

        if is_keyless(read_bundle(bundle)):
            raise UsageError(
                f"{bundle}: a keyless (Sigstore) bundle: verify the signer's identity with "
                "`model_signing verify sigstore --signature ... --identity ... --identity_provider ...`"
            )
        raise UsageError(f"{key}: public key not found (pass --public-key)")

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


def _manifest_problems(path: Path, manifest_path: Path) -> list[str]:
    """Files that ride along unsigned (reports, ML-BOM) are checked against the release manifest."""
    from ..hashing import file_sha256
    from ..stores.interface import check_key

    try:
        entries = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"unreadable {manifest_path.name}"]
    problems = []
    for entry in entries:
        file = path / check_key(entry["path"])
        if entry.get("signed"):
            continue  # the signature already judged these
        if not file.is_file():
            problems.append(f"missing: {entry['path']}")
        elif file_sha256(file) != entry["sha256"]:
            problems.append(f"changed: {entry['path']}")
    return problems
