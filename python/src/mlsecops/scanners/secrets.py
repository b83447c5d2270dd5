"""`secrets`: the built-in secrets scanner over the source tree, text-like artifacts and (optionally) git history.

Options (`scan.options.secrets`): `baseline` (a JSON file of accepted secrets),
`disable_rules` (rule ids), `git_base_ref` (also scan the lines added since that ref),
`hyperscan` (false forces the pure-`re` engine). A candidate baseline of everything found is
written to the work dir as `secrets-baseline.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from mlsecops.engines.filebytes import sniff_binary
from mlsecops.engines.multipattern import engine_version
from mlsecops.engines.secrets.engine import SecretHit, SecretsEngine, baseline_document, load_baseline
from mlsecops.findings import Finding, Location, make_finding, number_repeats, scanner_did_not_run
from mlsecops.redact import redact
from mlsecops.scanners.files import (
    LOCK_FILES,
    TargetFile,
    is_lock_file,
    not_scanned_finding,
    option_path,
    target_files,
)
from mlsecops.scanners.git_history import added_since, git_available
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets

# Every kind: a loaded file is read as the same file in the tree is (datasets and model folders too, their
# binary files passed over), so a secret gets the same findings and ids whether or not it is a load source.
TEXT_ARTIFACT_KINDS = ("code", "notebook", "requirements", "other", "dataset", "model")
TOOL = "mlsecops-secrets"


def secret_finding(hit: SecretHit, location: Location, *, tool: str = TOOL, place: str | None = None,
                   **extra: object) -> Finding:
    return make_finding(
        rule=f"secret/{hit.rule.id}",
        title=hit.rule.title,
        severity=hit.rule.severity,
        category="secret",
        tool=tool,
        location=location,
        message=f"{hit.rule.title} found; rotate it and load it from the environment or a secret store",
        evidence=redact(hit.text),
        identity=hit.digest,
        # the value itself is the content that identifies it: the id survives lines added above, and
        # the same secret twice in one file is numbered by `number_repeats`
        context="",
        place=place,
        cwe=[hit.rule.cwe],
        properties={"secret_digest": hit.digest, **extra},
    )


def vocabulary_finding(hit: SecretHit, characters: int, model_file: str, source: str) -> Finding:
    """A secret of the training texts (`source`: the dataset and column) that the model's vocabulary
    kept: the model file holds it, at the model gate, whatever waived the dataset's own finding."""
    return make_finding(
        rule=f"secret/{hit.rule.id}",
        title=f"{hit.rule.title} kept in the model's vocabulary",
        severity=hit.rule.severity,
        category="secret",
        tool=TOOL,
        location=Location(path=model_file),
        message=(f"{characters} characters of a secret in {source} are words of the vocabulary stored in "
                 f"{model_file}: whoever gets the model gets them; rotate the secret, remove it from the data "
                 "(mlsecops redact) and train again"),
        evidence=redact(hit.text),
        identity=hit.digest,
        context="",  # the model file and the value identify it
        cwe=[hit.rule.cwe],
        properties={"secret_digest": hit.digest, "kept_characters": characters, "source": source},
    )


class SecretsOptions(ScannerOptions):
    baseline: str | None = Field(default=None, description="a JSON file of accepted secrets (the work dir's "
                                 "`secrets-baseline.json` lists everything found)")
    disable_rules: list[str] = Field(default_factory=list, description="rule ids not applied")
    git_base_ref: str | None = Field(default=None, description="also scan the lines added since this git ref")
    hyperscan: bool = Field(default=True, description="false forces the pure-`re` engine")


class SecretsScanner(Scanner):
    name = "secrets"
    category = "secret"
    options_model: ClassVar[type[SecretsOptions]] = SecretsOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        engine = SecretsEngine(options.disable_rules, prefer_hyperscan=options.hyperscan)
        outcome = ScanOutcome(scanner=self.name, tool_version=engine_version(engine.backend))
        baseline = load_baseline(option_path(targets, options.baseline)) if options.baseline else set()
        found: list[tuple[str, SecretHit, Location, dict[str, object]]] = []
        binaries: list[str] = []
        # named from the project root when run alone inside one (target_files): the pipeline's ids
        for target in target_files(targets, TEXT_ARTIFACT_KINDS, skipped=outcome.skipped, findings=outcome.findings):
            found.extend(self._scan_file(engine, target, outcome, binaries))
        if binaries:
            shown = ", ".join(binaries[:20]) + (" ..." if len(binaries) > 20 else "")
            outcome.skipped.append(f"{len(binaries)} binary file(s) not scanned for secrets: {shown}")
        if options.git_base_ref:
            found.extend(self._scan_history(engine, targets, options.git_base_ref, outcome))
        elif outcome.scanned == 0 and not outcome.findings:  # unreadable files are findings, not nothing
            outcome.status = "not-run"
            outcome.message = "nothing to scan: no text file under the scanned paths"
        accepted = 0
        seen = {f.id for f in outcome.findings}
        tree: list[Finding] = []
        history: list[Finding] = []
        for display, hit, location, extra in found:
            if (hit.rule.id, display, hit.digest) in baseline:
                accepted += 1
                continue
            (history if "commit" in extra else tree).append(secret_finding(hit, location, **extra))
        for finding in [*number_repeats(tree), *number_repeats(history)]:
            if finding.id not in seen:  # history and tree agree on a secret still present: report it once
                seen.add(finding.id)
                outcome.findings.append(finding)
        if accepted:
            outcome.message = f"{accepted} secret(s) accepted by the baseline"
        if targets.work_dir is not None:
            document = baseline_document((hit.rule.id, display, hit.digest) for display, hit, _, _ in found)
            Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
            (Path(targets.work_dir) / "secrets-baseline.json").write_text(json.dumps(document, indent=2))
        return outcome

    @staticmethod
    def _scan_file(engine: SecretsEngine, target: TargetFile, outcome: ScanOutcome,
                   binaries: list[str]) -> list[tuple[str, SecretHit, Location, dict[str, object]]]:
        if sniff_binary(target.path):
            binaries.append(target.display)
            return []
        try:
            hits = engine.scan_file(target.path, lock_file=is_lock_file(target.path))
        except OSError as exc:
            outcome.findings.append(not_scanned_finding(target, f"unreadable ({exc.__class__.__name__})",
                                                        category="secret", tool=TOOL, looked_for="secrets"))
            return []
        outcome.scanned += 1
        return [
            (target.display, hit, Location(path=target.display, line=hit.line, artifact=target.artifact), {})
            for hit in hits
        ]

    @staticmethod
    def _scan_history(engine: SecretsEngine, targets: ScanTargets, base_ref: str,
                      outcome: ScanOutcome) -> list[tuple[str, SecretHit, Location, dict[str, object]]]:
        if not git_available():
            outcome.skipped.append("git history: git is not on PATH")
            outcome.findings.append(scanner_did_not_run(f"{TOOL}-history", base_ref, "git is not on PATH"))
            return []
        found = []
        for root in targets.paths:
            for added in added_since(Path(root), base_ref):
                for hit in engine.scan_bytes(added.blob(), lock_file=Path(added.path).name in LOCK_FILES):
                    line = added.line_at(hit.line)
                    location = Location(path=added.path, line=line)
                    found.append((added.path, hit, location, {"commit": added.commit}))
        return found

