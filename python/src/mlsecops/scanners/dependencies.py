"""`dependencies`: the dependency audit a site gets by default: offline OSV when an advisory folder
is configured (`scan.options.dependencies.osv_dir`, air-gapped sites), pip-audit otherwise."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from mlsecops.scanners.interface import Scanner, ScanOutcome, ScanTargets
from mlsecops.scanners.osv_offline import OsvOfflineOptions, OsvOfflineScanner
from mlsecops.scanners.pip_audit import PipAuditOptions, PipAuditScanner


class DependenciesOptions(OsvOfflineOptions, PipAuditOptions):
    """The options of both: `osv_dir` chooses offline OSV, else pip-audit runs."""


class DependenciesScanner(Scanner):
    name = "dependencies"
    category = "dependency"
    options_model: ClassVar[type[DependenciesOptions]] = DependenciesOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        chosen: Scanner = OsvOfflineScanner() if options.osv_dir else PipAuditScanner()
        # these options are both scanners' (their model is a subclass of each): a mapping would be refused
        outcome = chosen.scan(replace(targets, options=options))
        outcome.scanner = self.name
        outcome.tool_version = f"{chosen.name}: {outcome.tool_version}"
        return outcome
