"""`${secret:file://path}`: a secret in a file (Jenkins file credential, Kubernetes secret volume)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .interface import SecretProvider


class FileSecretProvider(SecretProvider):
    scheme = "file"

    def resolve(self, reference: str) -> str:
        path = Path(reference)
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            why = exc.strerror or exc.__class__.__name__
            raise UsageError(f"secret file://{reference}: cannot read ({why})") from None
