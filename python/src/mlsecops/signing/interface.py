"""Signers produce an OpenSSF model-signing bundle over a model folder; `verify` checks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SignatureInfo:
    bundle: Path
    method: str
    key_id: str = ""  # fingerprint of the public key, never the key
    public_key: Path | None = None
    local_key: bool = False  # a key generated on this machine, not a managed one
    files: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    ok: bool
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    message: str = ""


class Signer(ABC):
    method: str

    @abstractmethod
    def sign(self, model_dir: Path, bundle_path: Path) -> SignatureInfo:
        """Sign every file under `model_dir` into `bundle_path`."""
