"""`secrets-detect-secrets`: Yelp's detect-secrets, through its Python API, as an optional second opinion."""

from __future__ import annotations

import os
from importlib import metadata

from mlsecops.engines.filebytes import sniff_binary
from mlsecops.findings import Location, Severity, make_finding, number_repeats, value_digest
from mlsecops.redact import redact
from mlsecops.scanners.files import target_files
from mlsecops.scanners.interface import Scanner, ScanOutcome, ScanTargets
from mlsecops.scanners.secrets import TEXT_ARTIFACT_KINDS
from mlsecops.scanners.tools import package_missing

TOOL = "detect-secrets"


class DetectSecretsScanner(Scanner):
    name = "secrets-detect-secrets"
    category = "secret"

    def unavailable_reason(self) -> str | None:
        return package_missing("detect-secrets")

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        reason = self.unavailable_reason()
        if reason:
            return ScanOutcome(scanner=self.name, status="not-run", message=reason)
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings

        outcome = ScanOutcome(scanner=self.name, tool_version=metadata.version("detect-secrets"))
        files = target_files(targets, TEXT_ARTIFACT_KINDS, skipped=outcome.skipped, findings=outcome.findings)
        by_path = {os.path.abspath(t.path): t for t in files}  # however the tool spells the path back
        collection = SecretsCollection()
        with default_settings():
            for target in files:
                if sniff_binary(target.path):
                    outcome.skipped.append(f"{target.display}: binary, not scanned")
                    continue
                collection.scan_file(str(target.path))
                outcome.scanned += 1
        for filename, secret in collection:
            target = by_path.get(os.path.abspath(filename))
            display = target.display if target else filename
            value = secret.secret_value or ""
            outcome.findings.append(
                make_finding(
                    rule=f"detect-secrets/{secret.type.lower().replace(' ', '-')}",
                    title=secret.type,
                    severity=Severity.HIGH,
                    category="secret",
                    tool=TOOL,
                    location=Location(path=display, line=secret.line_number,
                                      artifact=target.artifact if target else None),
                    message=f"detect-secrets: {secret.type}",
                    evidence=redact(value) if value else "",
                    identity=value_digest(value) if value else secret.secret_hash,
                    context="",  # the value identifies it, wherever lines move
                    cwe=["CWE-798"],
                    properties={"secret_digest": value_digest(value) if value else ""},
                )
            )
        number_repeats(outcome.findings)
        return outcome
