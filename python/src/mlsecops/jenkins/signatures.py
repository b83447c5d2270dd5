"""Authenticity of webhook deliveries: every comparison is constant-time, every missing piece a refusal."""

from __future__ import annotations

import hashlib
import hmac


def github_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub computes: HMAC-SHA256 over the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def github_signature_valid(secret: str | None, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(github_signature(secret, body).encode("ascii"), header.strip().encode("utf-8"))


def gitlab_token_valid(secret: str | None, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(secret.encode("utf-8"), header.encode("utf-8"))
