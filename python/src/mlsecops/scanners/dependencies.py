"""`dependencies`: the dependency audit a site gets by default: offline OSV when an advisory folder
is configured (`scan.options.dependencies.osv_dir`, air-gapped sites), pip-audit otherwise."""

from __future__ import annotations

from .interface import Scanner, ScanOutcome, ScanTargets
from .osv_offline import OsvOfflineScanner
from .pip_audit import PipAuditScanner


class DependenciesScanner(Scanner):
    name = "dependencies"
    category = "dependency"

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        chosen: Scanner = OsvOfflineScanner() if targets.options.get("osv_dir") else PipAuditScanner()
        outcome = chosen.scan(targets)
        outcome.scanner = self.name
        outcome.tool_version = f"{chosen.name}: {outcome.tool_version}"
        return outcome
