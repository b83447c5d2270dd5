"""A workspace as the pipeline leaves it, built from synthetic stage results for the report tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mlsecops.config import Config, parse_config
from mlsecops.findings import (
    Finding,
    Location,
    make_finding,
    owasp_tags,
    scanner_did_not_run,
)
from mlsecops.workspace import Artifact, StageResult, Workspace

if TYPE_CHECKING:  # jsonschema's format checkers take seconds to import: only in the tests that validate
    import jsonschema

FIXTURES = Path(__file__).parent / "fixtures"
SECRET_EVIDENCE = "AKIA****(len=20)"
SCRIPT_MESSAGE = '<script>alert("pwned")</script> in ticket text'


def secret_finding() -> Finding:
    return make_finding(
        rule="secrets/aws-access-key", title="AWS access key", severity="high", category="secret",
        tool="detect-secrets", location=Location(path="src/settings.py", line=12),
        message="an AWS access key id is committed", evidence=SECRET_EVIDENCE, identity="k1",
        cwe=["CWE-798"], references=["https://cwe.mitre.org/data/definitions/798.html"],
    )


def pii_finding() -> Finding:
    return make_finding(
        rule="pii/email", title="E-mail addresses in dataset", severity="medium", category="data-pii",
        tool="dataset-pii", location=Location(path="data/tickets.csv", line=7, column="text"),
        message=SCRIPT_MESSAGE, evidence="j***@example.com", identity="email", cwe=["CWE-359"],
    )


def pickle_finding() -> Finding:
    return make_finding(
        rule="modelscan/unsafe-operator", title="Unsafe pickle operator", severity="critical",
        category="model-file", tool="modelscan", location=Location(artifact="tokenizer.pickle"),
        message="os.system is called when the file is unpickled", cwe=["CWE-502"], identity="os.system",
    )


def probe_finding() -> Finding:
    return make_finding(
        rule="garak/promptinject.HijackHateHumans", title="Prompt injection succeeded", severity="high",
        category="llm-probe", tool="garak", location=Location(artifact="model"),
        message="12 of 40 attempts hijacked the output", owasp_llm=owasp_tags("LLM01", "LLM01"),
        identity="promptinject",
    )


def waived_finding() -> Finding:
    return make_finding(
        rule="secrets/high-entropy", title="High-entropy string", severity="low", category="secret",
        tool="detect-secrets", location=Location(path="tests/fixtures/sample.txt", line=3),
        evidence="9f3a****(len=40)", identity="entropy",
    )


def config(base_dir: Path) -> Config:
    return parse_config({"project": {"name": "tickets", "version": "1.4.0"}}, base_dir=base_dir)


def _write_artifact(root: Path, relative: str, content: bytes) -> Artifact:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Workspace(root).artifact(path)


def _result(stage: str, status: str = "passed", started: str = "2026-11-26T12:00:00+00:00",
            duration: float = 1.0, **fields) -> StageResult:
    result = StageResult(stage=stage, status=status, started=started, finished=started,
                         duration_seconds=duration, **fields)
    return result


def _gate(name: str, status: str, checks: list[dict], violations: list[str], waived: list[dict],
          reason: str) -> StageResult:
    return _result(
        f"gate-{name}", status=status, started="2026-11-26T12:01:00+00:00", duration=0.2, reason=reason,
        details={"gate": name, "checks": checks, "violations": violations, "waived": waived},
    )


def populated_workspace(root: Path, *, security_gate_fails: bool = False) -> Workspace:
    """load, scan, both gates, train, evaluate and modeltest, as a full run writes them."""
    workspace = Workspace(root / ".mlsecops")
    workspace.root.mkdir(parents=True, exist_ok=True)
    dataset = _write_artifact(workspace.root, "load/dataset/tickets.csv", b"text,label\nhello,greeting\n")
    pretrained = _write_artifact(workspace.root, "load/encoder/encoder.h5", b"\x89HDF\r\n")
    waived = waived_finding()
    workspace.write_result(_result(
        "load", duration=0.4, artifacts=[dataset, pretrained], tools={"mlsecops": "0.1.0"},
        details={"sources": [
            {"name": "dataset", "kind": "dataset", "path": dataset.path, "url": "file://data/tickets.csv",
             "sha256": dataset.sha256},
            {"name": "encoder", "kind": "model", "path": pretrained.path, "url": "s3://models/encoder.h5",
             "sha256": pretrained.sha256},
        ]},
    ))
    not_run = scanner_did_not_run("gitleaks", ".", "gitleaks is not on PATH")
    workspace.write_result(_result(
        "scan", started="2026-11-26T12:00:01+00:00", duration=3.5,
        findings=[secret_finding(), pii_finding(), pickle_finding(), waived, not_run],
        tools={"detect-secrets": "1.5.0", "modelscan": "0.8.8", "dataset-pii": "0.1.0"},
        scanners=[{"scanner": "secrets", "status": "ran", "findings": 2},
                  {"scanner": "dataset", "status": "ran", "findings": 1},
                  {"scanner": "models", "status": "ran", "findings": 1},
                  {"scanner": "gitleaks", "status": "not-run", "message": "gitleaks is not on PATH"}],
    ))
    blocking = [secret_finding().id, pickle_finding().id]
    security_checks = [
        {"rule": "stage:scan", "name": "stage 'scan' has a result", "passed": True, "message": "", "finding_ids": []},
        {"rule": "scanner:secrets", "name": "required scanner 'secrets' ran", "passed": True, "message": "",
         "finding_ids": []},
        {"rule": "category:secret", "name": "no 'secret' finding at or above low",
         "passed": not security_gate_fails, "message": "secret: 1 high" if security_gate_fails else "",
         "finding_ids": [secret_finding().id] if security_gate_fails else []},
        {"rule": "category:model-file", "name": "no 'model-file' finding at or above high",
         "passed": not security_gate_fails, "message": "model-file: 1 critical" if security_gate_fails else "",
         "finding_ids": [pickle_finding().id] if security_gate_fails else []},
        {"rule": "category:scanner", "name": "no 'scanner' finding at or above high", "passed": True,
         "message": "", "finding_ids": []},
    ]
    waivers = [{"id": waived.id, "reason": "test fixture, not a credential", "expires": "2027-01-31"},
               {"id": not_run.id, "reason": "scanner 'gitleaks' is optional by policy", "expires": None}]
    if security_gate_fails:
        workspace.write_result(_gate("security", "failed", security_checks, blocking, waivers,
                                     "security gate failed: secret: 1 high; model-file: 1 critical"))
        return workspace
    workspace.write_result(_gate("security", "passed", security_checks, [], waivers,
                                 "security gate passed (5 checks)"))
    train_files = [
        _write_artifact(workspace.root, f"train/{name}", content)
        for name, content in (("model.keras", b"PK\x03\x04keras"), ("model.h5", b"\x89HDF\r\nh5"),
                              ("tokenizer.json", b'{"vocab": []}'), ("tokenizer.pickle", b"\x80\x04N."))
    ]
    workspace.write_result(_result(
        "train", started="2026-11-26T12:01:01+00:00", duration=42.0, artifacts=train_files,
        metrics={"cv_accuracy_mean": 0.9312, "cv_accuracy_std": 0.0123, "cv_f1_macro_mean": 0.9201,
                 "cv_f1_macro_std": 0.0150},
        tools={"keras": "3.6.0", "torch": "2.13.0", "scikit-learn": "1.5.2"},
        details={"labels": ["billing", "bug", "refund"], "parameters": 164_227, "vocabulary_size": 4_811,
                 "folds": [{"fold": 1, "accuracy": 0.9201, "f1_macro": 0.9105},
                           {"fold": 2, "accuracy": 0.9488, "f1_macro": 0.9377},
                           {"fold": 3, "accuracy": 0.9247, "f1_macro": 0.9121}],
                 "settings": {"folds": 3, "epochs": 8, "batch_size": 64, "seed": 42}},
    ))
    workspace.write_result(_result(
        "evaluate", started="2026-11-26T12:01:43+00:00", duration=2.0,
        metrics={"accuracy": 0.94, "precision_macro": 0.93, "recall_macro": 0.92, "f1_macro": 0.925,
                 "roc_auc": 0.88},
        details={"confusion_matrix": {"labels": ["billing", "bug", "refund"],
                                      "matrix": [[50, 2, 1], [3, 45, 0], [0, 4, 47]]},
                 "thresholds": {"accuracy": 0.85, "f1_macro": 0.85, "roc_auc": 0.9}},
    ))
    workspace.write_result(_result(
        "modeltest", started="2026-11-26T12:01:45+00:00", duration=30.0,
        findings=[probe_finding(), pickle_finding()],  # modelscan reports the pickle again: one finding
        metrics={"attack_success_rate.LLM01": 0.3, "attack_success_rate.LLM02": 0.0},
        tools={"garak": "0.17.1", "modelscan": "0.8.8"},
        details={"garak": {"probes": [
            {"probe": "promptinject.HijackHateHumans", "detector": "promptinject.AttackRogueString",
             "owasp_llm": "LLM01", "attempts": 40, "hits": 12, "rate": 0.3, "ci_low": 0.18, "ci_high": 0.45},
            {"probe": "leakreplay.LiteratureCloze", "detector": "base.TriggerListDetector",
             "owasp_llm": "LLM02", "attempts": 20, "hits": 0, "rate": 0.0, "ci_low": 0.0, "ci_high": 0.16},
        ]}},
    ))
    model_checks = [
        {"rule": "metric:accuracy", "name": "metric accuracy within bounds", "passed": True, "message": "",
         "finding_ids": []},
        {"rule": "metric:roc_auc", "name": "metric roc_auc within bounds", "passed": False,
         "message": "roc_auc 0.8800 < 0.9", "finding_ids": []},
        {"rule": "category:llm-probe", "name": "no 'llm-probe' finding at or above high", "passed": False,
         "message": "llm-probe: 1 high", "finding_ids": [probe_finding().id]},
        {"rule": "category:secret", "name": "no 'secret' finding at or above low", "passed": True, "message": "",
         "finding_ids": []},
        {"rule": "asr:LLM01", "name": "attack success rate LLM01 <= 0.1", "passed": False,
         "message": "attack success rate LLM01 0.300 > 0.1", "finding_ids": []},
        {"rule": "asr:LLM02", "name": "attack success rate LLM02 <= 0.05", "passed": True, "message": "",
         "finding_ids": []},
    ]
    workspace.write_result(_gate("model", "failed", model_checks, [probe_finding().id], waivers,
                                 "model gate failed: roc_auc 0.8800 < 0.9; llm-probe: 1 high"))
    return workspace


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def sarif_validator() -> jsonschema.Draft4Validator:
    """The official SARIF 2.1.0 schema (a fixture copied from oasis-tcs/sarif-spec), with format checks."""
    import jsonschema

    schema = read_json(FIXTURES / "sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def cyclonedx_problem(text: str) -> str | None:
    """The first line of what the CycloneDX 1.6 JSON schema finds wrong; None when the BOM is valid."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    return None if error is None else str(error).splitlines()[0]


def defectdojo_accepted() -> tuple[set[str], set[str], set[str]]:
    """(keys a finding may carry, keys it must carry, severities) of DefectDojo's generic JSON importer."""
    accepted = read_json(FIXTURES / "defectdojo-generic-json-keys.json")
    allowed = set(accepted["allowed"]) | set(accepted["required"]) | set(accepted["popped"])
    return allowed, set(accepted["required"]), set(accepted["severities"])


def junit_problems(path: Path) -> list[str]:
    """What junit-10.xsd (the JUnit schema of Jenkins' xUnit plugin, a fixture) finds wrong in `path`."""
    import xmlschema

    schema = xmlschema.XMLSchema(str(FIXTURES / "junit-10.xsd"))
    return [str(error).splitlines()[0] for error in schema.iter_errors(str(path))]
