"""`provenance`: loaded pre-trained models must carry a model-signing signature that verifies.

For each loaded artifact of a checked kind (default: model) the signature bundle is
`scan.options.provenance.signatures.<artifact name>`, or found beside it by convention:
`<file>.sig`, or `model.sig` inside a model folder. It is verified with model-signing's API
(through the sign stage's verifier) against the configured public key (`public_key`, or
`public_keys.<artifact name>`). Unsigned models, models without a trusted key and models
whose signature or file digests do not verify are findings; the severity of an unsigned
model is the policy's call (`unsigned_severity`, default high). Nothing is loaded: only
file digests are computed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from mlsecops.errors import UsageError
from mlsecops.findings import Location, Severity, make_finding
from mlsecops.scanners.files import option_path
from mlsecops.scanners.interface import LoadedArtifact, Scanner, ScannerOptions, ScanOutcome, ScanTargets

TOOL = "model-signing"


def find_bundle(artifact: LoadedArtifact, configured: dict[str, str]) -> Path | None:
    if artifact.name in configured:
        return Path(str(configured[artifact.name]))
    path = Path(artifact.path)
    candidates = [path / "model.sig"] if path.is_dir() else [path.with_name(path.name + ".sig"),
                                                              path.with_suffix(".sig")]
    return next((c for c in candidates if c.is_file()), None)


class ProvenanceOptions(ScannerOptions):
    kinds: list[str] = Field(default_factory=lambda: ["model"], description="the kinds of loaded artifacts "
                             "that must be signed")
    public_key: str | None = Field(default=None, description="the signer's public key (PEM file)")
    public_keys: dict[str, str] = Field(default_factory=dict, description="per artifact name: its signer's "
                                        "public key, in place of public_key")
    signatures: dict[str, str] = Field(default_factory=dict, description="per artifact name: its signature "
                                       "bundle (default: `<file>.sig`, or `model.sig` in a model folder)")
    unsigned_severity: Literal["critical", "high", "medium", "low", "info"] = Field(
        default="high", description="the severity of an unsigned artifact")


class ProvenanceScanner(Scanner):
    name = "provenance"
    category = "provenance"
    options_model: ClassVar[type[ProvenanceOptions]] = ProvenanceOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        import model_signing

        from mlsecops.signing.verifier import verify_model

        options = self.options_model.of(targets)
        outcome = ScanOutcome(scanner=self.name, tool_version=f"model-signing {model_signing.__version__}")
        kinds = tuple(options.kinds)
        artifacts = targets.artifacts_of(*kinds)
        if not artifacts:
            outcome.status = "not-run"
            outcome.message = f"nothing to check: no loaded artifact of kind {', '.join(kinds)}"
            return outcome
        unsigned = Severity(options.unsigned_severity)
        records = []
        for artifact in artifacts:
            location = Location(path=artifact.name, artifact=artifact.name)
            bundle = find_bundle(artifact, options.signatures)
            bundle = option_path(targets, bundle) if bundle else None
            configured_key = options.public_keys.get(artifact.name, options.public_key)
            key = option_path(targets, configured_key) if configured_key else None
            outcome.scanned += 1
            if bundle is None or not bundle.is_file():
                outcome.findings.append(_finding("unsigned", f"{artifact.name} is not signed", unsigned, location,
                                                 "no model-signing bundle was found for this artifact"
                                                 + (f" (configured: {bundle})" if bundle else "")))
                records.append({"artifact": artifact.name, "status": "unsigned"})
                continue
            if not key:
                outcome.findings.append(_finding("no-trusted-key", f"No trusted key to verify {artifact.name}",
                                                 Severity.HIGH, location, "set scan.options.provenance.public_key "
                                                 "(or public_keys.<artifact>) to the signer's public key"))
                records.append({"artifact": artifact.name, "status": "no-key"})
                continue
            try:
                report = verify_model(Path(artifact.path), bundle, Path(str(key)))
            except UsageError as exc:
                outcome.findings.append(_finding("unverifiable", f"Signature of {artifact.name} cannot be checked",
                                                 Severity.HIGH, location, str(exc)))
                records.append({"artifact": artifact.name, "status": "unverifiable"})
                continue
            records.append({"artifact": artifact.name, "status": "verified" if report.ok else "failed",
                            "key_id": report.key_id, "message": report.message})
            if not report.ok:
                differences = {k: v for k, v in (("changed", report.changed), ("added", report.added),
                                                  ("missing", report.missing)) if v}
                outcome.findings.append(_finding("signature-invalid", f"Signature of {artifact.name} does not verify",
                                                 Severity.CRITICAL, location, report.message, differences))
            elif "identity not checked" in report.message:
                outcome.findings.append(_finding("identity-not-checked", f"Signer identity of {artifact.name} not "
                                                 "checked", Severity.LOW, location, report.message))
        if targets.work_dir is not None:
            Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
            (Path(targets.work_dir) / "provenance.json").write_text(json.dumps(records, indent=2))
        return outcome


def _finding(rule: str, title: str, severity: Severity, location: Location, message: str,
             properties: dict[str, Any] | None = None) -> Any:
    return make_finding(rule=f"provenance/{rule}", title=title, severity=severity, category="provenance", tool=TOOL,
                        location=location, message=message, identity=rule, properties=properties or {})
