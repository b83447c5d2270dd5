"""Signers produce an OpenSSF model-signing bundle over a model folder; `verify` checks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from mlsecops.config import Section, SignConfig


@dataclass
class SignatureInfo:
    bundle: Path
    method: str
    key_id: str = ""  # fingerprint of the public key, never the key
    public_key: Path | None = None
    local_key: bool = False  # a key generated on this machine, not a managed one
    files: list[str] = field(default_factory=list)
    identity: str = ""  # keyless: the OIDC identity in the certificate


@dataclass
class VerifyReport:
    ok: bool
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    message: str = ""
    key_id: str = ""


class NoOptions(Section):
    """This signing method takes no `sign.options`."""


class Signer(ABC):
    """One signing backend. `work_dir` is the sign stage's folder (keys it generates live there)."""

    method: str
    # the model of `sign.options` for this method (unknown keys refused); a method with options declares its own
    options_model: ClassVar[type[Section]] = NoOptions

    def __init__(self, config: SignConfig, work_dir: Path, echo: Callable[[str], None] = print) -> None:
        self.config = config
        self.work_dir = work_dir
        self.echo = echo

    @abstractmethod
    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        """Sign every file under `model_dir` into `bundle_path`; write the public key to `public_key_path`."""
