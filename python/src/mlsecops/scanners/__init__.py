"""Scanner adapters, one file each; see `interface.py`. Register a new one with one line here."""

from __future__ import annotations

from ..registry import load_plugin
from .interface import Scanner

SCANNERS: dict[str, str] = {
    "secrets": "mlsecops.scanners.secrets:SecretsScanner",
    "secrets-detect-secrets": "mlsecops.scanners.detect_secrets:DetectSecretsScanner",
    "dataset": "mlsecops.scanners.dataset_pii:DatasetPiiScanner",
    "models": "mlsecops.scanners.model_files:ModelFilesScanner",
}


def get_scanner(name: str) -> Scanner:
    return load_plugin(SCANNERS, name, "scanner")()
