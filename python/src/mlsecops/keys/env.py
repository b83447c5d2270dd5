"""`${secret:env://NAME}`: a secret handed over in an environment variable (Jenkins withCredentials)."""

from __future__ import annotations

import os

from mlsecops.errors import UsageError
from mlsecops.keys.interface import SecretProvider


class EnvSecretProvider(SecretProvider):
    scheme = "env"

    def resolve(self, reference: str) -> str:
        if reference not in os.environ:
            raise UsageError(f"secret env://{reference}: environment variable is not set")
        return os.environ[reference]
