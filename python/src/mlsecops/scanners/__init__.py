"""Scanner adapters, one file each; see `interface.py`. Register a new one with one line here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlsecops.registry import load_plugin

if TYPE_CHECKING:  # the names alone (`scan --help`, the config's checks) need no adapter, nor pydantic
    from mlsecops.scanners.interface import Scanner

SCANNERS: dict[str, str] = {
    "secrets": "mlsecops.scanners.secrets:SecretsScanner",
    "secrets-detect-secrets": "mlsecops.scanners.detect_secrets:DetectSecretsScanner",
    "secrets-gitleaks": "mlsecops.scanners.gitleaks:GitleaksScanner",
    "dataset": "mlsecops.scanners.dataset_pii:DatasetPiiScanner",
    "dataset-presidio": "mlsecops.scanners.presidio:PresidioScanner",
    "notebooks": "mlsecops.scanners.notebooks:NotebookScanner",
    "bandit": "mlsecops.scanners.bandit:BanditScanner",
    "sonar": "mlsecops.scanners.sonar:SonarScanner",
    "semgrep": "mlsecops.scanners.semgrep:SemgrepScanner",
    "dependencies": "mlsecops.scanners.dependencies:DependenciesScanner",
    "pip-audit": "mlsecops.scanners.pip_audit:PipAuditScanner",
    "osv-offline": "mlsecops.scanners.osv_offline:OsvOfflineScanner",
    "trivy": "mlsecops.scanners.trivy:TrivyScanner",
    "dependency-check": "mlsecops.scanners.dependency_check:DependencyCheckScanner",
    "provenance": "mlsecops.scanners.provenance:ProvenanceScanner",
    "models": "mlsecops.scanners.model_files:ModelFilesScanner",
}


def get_scanner(name: str) -> Scanner:
    return load_plugin(SCANNERS, name, "scanner")()
