"""Secret providers: resolve `${secret:SCHEME://...}` references in the config."""

from __future__ import annotations

from abc import ABC, abstractmethod


class SecretProvider(ABC):
    """Resolves one reference (the part after `SCHEME://`) to a secret value."""

    scheme: str

    @abstractmethod
    def resolve(self, reference: str) -> str:
        """Return the value; raise UsageError for a bad reference, EnvironmentFailure when unreachable."""
