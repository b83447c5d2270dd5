"""A realistic workspace built from StageResults: what the stages of a failed model gate leave behind."""

from __future__ import annotations

from pathlib import Path

from mlsecops.findings import (
    Location,
    Severity,
    make_finding,
    owasp_tags,
    scanner_did_not_run,
)
from mlsecops.redact import redact
from mlsecops.workspace import StageResult, Workspace


def stage(name: str, status: str = "passed", duration: float = 1.0, **fields) -> StageResult:
    result = StageResult(stage=name, **fields)
    result.finish(status)
    result.duration_seconds = duration
    return result


def failed_model_gate(root: Path, *, planted: dict[str, str] | None = None, findings_per_scan: int = 0) -> Workspace:
    """load, scan, gate-security, train, evaluate, modeltest passed; gate-model failed on an injection rate.

    `planted` values (secret or PII) are written where careless stages put them: a stage
    reason, a warning, a finding message; no sink may send them.
    """
    planted = planted or {}
    workspace = Workspace(root)
    leak = " ".join(planted.values())
    scan_findings = [
        make_finding(rule="secrets/aws-access-key", title="AWS access key in source", severity=Severity.HIGH,
                     category="secret", tool="detect-secrets", location=Location(path="src/train.py", line=12),
                     evidence=redact("AKIAEXAMPLEEXAMPLE12"), identity="k1",
                     message=f"key found near {leak}" if leak else "key found"),
        make_finding(rule="dataset/email", title="E-mail addresses in dataset", severity=Severity.MEDIUM,
                     category="data-pii", tool="dataset-pii", location=Location(path="data/train.csv", column="text"),
                     evidence="j***@e***.com", identity="email"),
        scanner_did_not_run("gitleaks", ".", "gitleaks is not on PATH"),
    ]
    for index in range(findings_per_scan):
        scan_findings.append(make_finding(
            rule=f"bandit/B{index:03d}", title=f"Risky call number {index} with *markdown* _chars_ [x](y) <b>",
            severity=Severity.LOW, category="code", tool="bandit",
            location=Location(path=f"src/module_{index}.py", line=index + 1), identity=str(index)))
    model_findings = [
        make_finding(rule="modelscan/unsafe-pickle", title="Unsafe operator in tokenizer.pickle",
                     severity=Severity.CRITICAL, category="model-file", tool="modelscan",
                     location=Location(path="model/tokenizer.pickle"), identity="os.system"),
        make_finding(rule="garak/promptinject", title="Prompt injection succeeded (hijack)", severity=Severity.HIGH,
                     category="llm-probe", tool="garak", location=Location(artifact="model"), identity="hijack",
                     owasp_llm=owasp_tags("LLM01", "LLM01")),
    ]
    results = [
        stage("load", duration=0.4, tools={"requests": "2.32"}),
        stage("scan", duration=3.2, findings=scan_findings, warnings=[f"retrying with {leak}"] if leak else []),
        stage("gate-security", duration=0.1, reason="security gate passed (2 waived)"),
        stage("train", duration=41.5, metrics={"epochs_run": 6, "fold_accuracy_mean": 0.93}),
        stage("evaluate", duration=2.0, metrics={
            "accuracy": 0.931, "precision_macro": 0.925, "recall_macro": 0.918, "f1_macro": 0.921,
            "roc_auc": 0.972, "confusion_matrix": [[90, 7], [6, 97]]}),
        stage("modeltest", duration=12.7, findings=model_findings, metrics={
            "attack_success_rate.LLM01": 0.25, "attack_success_rate.LLM02": 0.0, "attack_success_rate.LLM05": 0.04,
            "probes_run": 12}),
        stage("gate-model", status="failed", duration=0.2,
              reason="model gate failed: attack success rate LLM01 0.250 > 0.1"
                     + (f" (seen at {planted.get('url', '')})" if "url" in planted else "")),
    ]
    for result in results:
        workspace.write_result(result)
    return workspace


def passing_run(root: Path) -> Workspace:
    """The same project a build later: both gates pass, nothing above low."""
    workspace = Workspace(root)
    for result in (
        stage("load"), stage("scan"), stage("gate-security"), stage("train"),
        stage("evaluate", metrics={"accuracy": 0.95, "f1_macro": 0.94, "roc_auc": 0.98}),
        stage("modeltest", metrics={"attack_success_rate.LLM01": 0.02}),
        stage("gate-model", reason="model gate passed"),
    ):
        workspace.write_result(result)
    return workspace
