"""The reports in `.mlsecops/reports/`: every format, read back the way its consumer reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlsecops.findings import Location, make_finding
from mlsecops.redact import redact, register_secret
from mlsecops.reports import REPORTS, write_reports
from mlsecops.workspace import StageResult, Workspace
from reports_support import (
    SCRIPT_MESSAGE,
    SECRET_EVIDENCE,
    config,
    cyclonedx_problem,
    defectdojo_accepted,
    junit_problems,
    pickle_finding,
    pii_finding,
    populated_workspace,
    probe_finding,
    read_json,
    sarif_validator,
    secret_finding,
    waived_finding,
)

ALL_REPORTS = sorted(REPORTS)


# the SARIF and CycloneDX schema checks import jsonschema (seconds of CPU): one xdist worker pays it
pytestmark = pytest.mark.xdist_group("jsonschema")


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    workspace = populated_workspace(tmp_path)
    write_reports(workspace, config(tmp_path))
    return workspace.reports_dir


@pytest.fixture
def failed_reports(tmp_path: Path) -> Path:
    workspace = populated_workspace(tmp_path, security_gate_fails=True)
    write_reports(workspace, config(tmp_path))
    return workspace.reports_dir


# ---------------------------------------------------------------- all formats


def test_every_format_is_written_into_the_reports_folder_and_no_temp_file_is_left(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path)
    paths = write_reports(workspace, config(tmp_path))
    assert sorted(p.name for p in paths) == ALL_REPORTS
    assert sorted(p.name for p in workspace.reports_dir.iterdir()) == ALL_REPORTS
    assert all(p.parent == workspace.reports_dir and p.stat().st_size > 0 for p in paths)


def test_writing_again_replaces_the_reports_with_the_new_state(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path, security_gate_fails=True)
    write_reports(workspace, config(tmp_path))
    assert read_json(workspace.reports_dir / "findings.json")["run"]["verdict"] == "failed"
    for stage in ("gate-security", "scan", "load"):
        (workspace.root / stage / "result.json").unlink()
    write_reports(workspace, config(tmp_path))
    document = read_json(workspace.reports_dir / "findings.json")
    assert document["findings"] == [] and document["run"]["verdict"] == "incomplete"


def test_a_registered_secret_never_reaches_any_report(tmp_path: Path) -> None:
    secret = "sk_live_51HxQv2eZvKYlo2C8Nq3RtT9"
    register_secret(secret)
    workspace = populated_workspace(tmp_path)
    leaky = make_finding(rule="secrets/stripe", title="Stripe key", severity="high", category="secret",
                         tool="detect-secrets", location=Location(path="app.py", line=3),
                         message=f"key {secret} committed", evidence=secret, identity="stripe")
    scan = workspace.read_result("scan")
    scan.findings.append(leaky)
    scan.reason = f"found {secret}"
    workspace.write_result(scan)
    for path in write_reports(workspace, config(tmp_path)):
        text = path.read_text(encoding="utf-8")
        assert secret not in text, path.name
    assert redact(secret) in (workspace.reports_dir / "findings.json").read_text(encoding="utf-8")


def test_an_empty_workspace_gives_valid_reports_with_an_incomplete_verdict_never_a_pass(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".mlsecops")
    write_reports(workspace, config(tmp_path))
    folder = workspace.reports_dir
    assert read_json(folder / "findings.json")["run"]["verdict"] == "incomplete"
    sarif = read_json(folder / "findings.sarif")
    sarif_validator().validate(sarif)
    assert [run["tool"]["driver"]["name"] for run in sarif["runs"]] == ["mlsecops"]
    assert ET.parse(folder / "junit.xml").getroot().get("tests") == "0"
    assert junit_problems(folder / "junit.xml") == []
    assert "INCOMPLETE" in (folder / "summary.html").read_text(encoding="utf-8")
    assert read_json(folder / "defectdojo.json")["findings"] == []


# ---------------------------------------------------------------- findings.json


def test_findings_json_holds_each_finding_once_with_its_waiver_and_gate_verdicts(reports: Path) -> None:
    document = read_json(reports / "findings.json")
    ids = [f["id"] for f in document["findings"]]
    assert len(ids) == len(set(ids)) == 6  # the pickle finding of scan and modeltest is one finding
    by_id = {f["id"]: f for f in document["findings"]}
    assert by_id[pickle_finding().id]["stage"] == "scan"
    assert by_id[waived_finding().id]["waived"] is True
    assert by_id[waived_finding().id]["waiver"] == {
        "reason": "test fixture, not a credential", "expires": "2027-01-31", "gate": "security"}
    assert by_id[probe_finding().id]["violation"] is True and by_id[probe_finding().id]["waived"] is False
    assert document["gates"]["security"]["status"] == "passed"
    assert document["gates"]["model"]["status"] == "failed"
    assert document["run"]["verdict"] == "failed"
    assert document["run"]["project"] == "tickets" and document["run"]["version"] == "1.4.0"
    assert document["metrics"]["evaluate"]["roc_auc"] == 0.88
    assert document["tools"]["garak"] == "0.17.1"
    assert [f["severity"] for f in document["findings"]][:2] == ["critical", "high"]


# ---------------------------------------------------------------- SARIF


def test_sarif_validates_against_the_official_2_1_0_schema(reports: Path) -> None:
    sarif_validator().validate(read_json(reports / "findings.sarif"))


def test_sarif_has_one_run_per_tool_with_rules_that_match_the_results(reports: Path) -> None:
    sarif = read_json(reports / "findings.sarif")
    tools = [run["tool"]["driver"]["name"] for run in sarif["runs"]]
    assert tools == sorted({"dataset-pii", "detect-secrets", "garak", "gitleaks", "modelscan"})
    for run in sarif["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    modelscan = next(r for r in sarif["runs"] if r["tool"]["driver"]["name"] == "modelscan")
    assert modelscan["tool"]["driver"]["version"] == "0.8.8"
    rule = modelscan["tool"]["driver"]["rules"][0]
    assert rule["id"] == "modelscan/unsafe-operator"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "9.5"
    assert {"security", "model-file", "CWE-502", "external/cwe/cwe-502", "OWASP-LLM03:2025"} <= set(
        rule["properties"]["tags"])


def _sarif_results(sarif: dict) -> dict[str, dict]:
    """Every result of every run, by our fingerprint."""
    return {r["partialFingerprints"]["mlsecops/v1"]: r for run in sarif["runs"] for r in run["results"]}


def test_sarif_results_carry_fingerprints_locations_and_suppressions(reports: Path) -> None:
    results = _sarif_results(read_json(reports / "findings.sarif"))
    secret = results[secret_finding().id]
    physical = secret["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "src/settings.py"}, "region": {"startLine": 12}}
    assert secret["level"] == "error" and "suppressions" not in secret
    assert SECRET_EVIDENCE in secret["message"]["text"]

    probe = results[probe_finding().id]  # not a file: a logical location names what it is about
    assert probe["locations"][0]["logicalLocations"][0]["name"] == "model"
    assert probe["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mlsecops.yaml"

    pii = results[pii_finding().id]  # a dataset column: the file, its line, and the column
    assert pii["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert pii["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "data/tickets.csv[text]"

    waived = results[waived_finding().id]
    assert waived["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "waived by the security gate: test fixture, not a credential (expires 2027-01-31)"}]


def test_sarif_meets_github_code_scanning_expectations(reports: Path) -> None:
    """A location with a relative uri on every result, numeric security-severity, at most 20 tags."""
    sarif = read_json(reports / "findings.sarif")
    for run in sarif["runs"]:
        assert run["tool"]["driver"]["name"]
        for rule in run["tool"]["driver"]["rules"]:
            assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
            assert len(rule["properties"]["tags"]) <= 20
        for result in run["results"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert uri and not uri.startswith("/") and "://" not in uri
            assert result["message"]["text"] and result["ruleId"]


def test_sarif_ids_and_fingerprints_are_stable_across_runs(tmp_path: Path) -> None:
    def identities(root: Path) -> list[tuple[str, str]]:
        workspace = populated_workspace(root)
        write_reports(workspace, config(root))
        sarif = read_json(workspace.reports_dir / "findings.sarif")
        return [(r["ruleId"], r["partialFingerprints"]["mlsecops/v1"]) for run in sarif["runs"] for r in run["results"]]

    assert identities(tmp_path / "first") == identities(tmp_path / "second")


def test_sarif_relativises_absolute_paths_under_the_project(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path)
    scan = workspace.read_result("scan")
    scan.findings = [make_finding(rule="r/abs", title="abs", severity="low", category="code", tool="bandit",
                                  location=Location(path=str(tmp_path / "src" / "my app.py"), line=4))]
    workspace.write_result(scan)
    write_reports(workspace, config(tmp_path))
    sarif = read_json(workspace.reports_dir / "findings.sarif")
    bandit = next(r for r in sarif["runs"] if r["tool"]["driver"]["name"] == "bandit")
    assert bandit["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/my%20app.py"
    sarif_validator().validate(sarif)


def test_sarif_says_a_scanner_did_not_run_as_a_failed_invocation(reports: Path) -> None:
    sarif = read_json(reports / "findings.sarif")
    runs = {run["tool"]["driver"]["name"]: run for run in sarif["runs"]}
    gitleaks = runs["gitleaks"]["invocations"][0]
    assert gitleaks["executionSuccessful"] is False
    assert "not on PATH" in gitleaks["toolExecutionNotifications"][0]["message"]["text"]
    assert runs["modelscan"]["invocations"][0]["executionSuccessful"] is True


def test_sarif_caps_a_run_at_the_consumers_limit_keeping_the_most_severe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlsecops.reports import sarif as sarif_module

    monkeypatch.setattr(sarif_module, "MAX_RESULTS_PER_RUN", 1)
    workspace = populated_workspace(tmp_path)
    write_reports(workspace, config(tmp_path))
    sarif = read_json(workspace.reports_dir / "findings.sarif")
    sarif_validator().validate(sarif)
    secrets = next(run for run in sarif["runs"] if run["tool"]["driver"]["name"] == "detect-secrets")
    assert [r["ruleId"] for r in secrets["results"]] == ["secrets/aws-access-key"]  # high kept, low cut
    notes = secrets["invocations"][0]["toolExecutionNotifications"]
    assert "1 less severe results left out" in notes[0]["message"]["text"]
    assert len(read_json(workspace.reports_dir / "findings.json")["findings"]) == 6


# ---------------------------------------------------------------- JUnit


def test_junit_has_a_suite_per_gate_with_a_case_per_rule_and_a_suite_per_stage(reports: Path) -> None:
    root = ET.parse(reports / "junit.xml").getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["gate.security", "gate.model", "stage.load", "stage.scan", "stage.train",
                            "stage.evaluate", "stage.modeltest"]
    model = suites["gate.model"]
    cases = {c.get("name"): c for c in model.iter("testcase")}
    assert list(cases) == ["metric:accuracy", "metric:roc_auc", "category:llm-probe", "category:secret",
                           "asr:LLM01", "asr:LLM02"]
    assert model.get("tests") == "6" and model.get("failures") == "3"
    probe = cases["category:llm-probe"].find("failure")
    assert probe is not None and "garak/promptinject.HijackHateHumans at model" in probe.get("message")
    assert probe_finding().id in probe.text
    assert cases["metric:accuracy"].find("failure") is None
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites.values())


def test_junit_is_valid_against_the_junit_schema_jenkins_uses(reports: Path, failed_reports: Path) -> None:
    assert junit_problems(reports / "junit.xml") == []
    assert junit_problems(failed_reports / "junit.xml") == []


def test_junit_marks_rules_that_pass_only_through_waivers_as_skipped(reports: Path) -> None:
    root = ET.parse(reports / "junit.xml").getroot()
    security = next(s for s in root.iter("testsuite") if s.get("name") == "gate.security")
    secret = next(c for c in security.iter("testcase") if c.get("name") == "category:secret")
    skipped = secret.find("skipped")
    assert skipped is not None and "test fixture, not a credential" in skipped.get("message")


def test_junit_failure_names_the_findings_with_redacted_evidence_only(failed_reports: Path) -> None:
    root = ET.parse(failed_reports / "junit.xml").getroot()
    security = next(s for s in root.iter("testsuite") if s.get("name") == "gate.security")
    failure = next(c for c in security.iter("testcase") if c.get("name") == "category:secret").find("failure")
    assert failure is not None
    assert "secrets/aws-access-key at src/settings.py:12" in failure.get("message")
    assert SECRET_EVIDENCE in failure.text and secret_finding().id in failure.text


def test_junit_shows_a_scanner_that_did_not_run_as_skipped_and_leaves_the_verdict_to_the_gates(
    reports: Path,
) -> None:
    root = ET.parse(reports / "junit.xml").getroot()
    scan = next(s for s in root.iter("testsuite") if s.get("name") == "stage.scan")
    gitleaks = next(c for c in scan.iter("testcase") if c.get("name") == "scanner gitleaks")
    assert "not on PATH" in gitleaks.find("skipped").get("message")
    secrets = next(c for c in scan.iter("testcase") if c.get("name") == "scanner secrets")
    assert list(secrets) == []  # ran: a plain pass


def test_junit_stays_well_formed_when_a_message_holds_control_characters(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path, security_gate_fails=True)
    gate = workspace.read_result("gate-security")
    gate.details["checks"][2]["message"] = "bad \x00\x07 bytes & <tags>"
    workspace.write_result(gate)
    write_reports(workspace, config(tmp_path))
    root = ET.parse(workspace.reports_dir / "junit.xml").getroot()
    messages = [f.get("message") for f in root.iter("failure")]
    assert any("& <tags>" in m for m in messages)


# ---------------------------------------------------------------- DefectDojo


def test_defectdojo_writes_only_keys_the_generic_importer_accepts(reports: Path) -> None:
    allowed, required, severities = defectdojo_accepted()
    findings = read_json(reports / "defectdojo.json")["findings"]
    assert len(findings) == 6
    for item in findings:
        assert set(item) <= allowed, set(item) - allowed
        assert required <= set(item)
        assert item["severity"] in severities


def test_defectdojo_findings_carry_the_finding_id_rule_and_cwe(reports: Path) -> None:
    findings = {f["unique_id_from_tool"]: f for f in read_json(reports / "defectdojo.json")["findings"]}
    secret = findings[secret_finding().id]
    assert secret["vuln_id_from_tool"] == "secrets/aws-access-key"
    assert secret["cwe"] == 798 and isinstance(secret["cwe"], int)
    assert secret["severity"] == "High" and secret["file_path"] == "src/settings.py" and secret["line"] == 12
    assert secret["static_finding"] is True and secret["dynamic_finding"] is False
    assert findings[probe_finding().id]["dynamic_finding"] is True
    assert findings[pickle_finding().id]["severity"] == "Critical"
    assert "waived" in findings[waived_finding().id]["tags"]


# ---------------------------------------------------------------- summaries


def test_html_summary_escapes_attacker_controlled_text(reports: Path) -> None:
    page = (reports / "summary.html").read_text(encoding="utf-8")
    assert SCRIPT_MESSAGE not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def test_html_summary_is_self_contained(reports: Path) -> None:
    page = (reports / "summary.html").read_text(encoding="utf-8")
    for external in ("src=", "<link", "@import", "url(http", "href=\"http"):
        assert external not in page
    assert "default-src 'none'" in page  # the CSP forbids anything a finding might smuggle in


def test_html_summary_shows_verdicts_findings_metrics_and_tests(reports: Path) -> None:
    page = (reports / "summary.html").read_text(encoding="utf-8")
    assert "<h1>FAILED</h1>" in page
    assert "Security gate" in page and "Model gate" in page and "roc_auc 0.8800 &lt; 0.9" in page
    assert page.count('<tr class="waived"') == 2
    assert page.count("blocks release</span>") == 1  # the probe finding the model gate failed on
    assert page.index("sev-critical") < page.index("sev-high") < page.index("sev-medium") < page.index("sev-low")
    assert "Evaluation metrics against their thresholds" in page and "ROC-AUC" in page
    assert 'class="heat"' in page and ">47</td>" in page  # the confusion matrix
    assert "0.9312 ± 0.0123" in page and "<h3>Folds</h3>" in page and ">0.9488</td>" in page
    assert "Attack success rate per OWASP LLM item" in page and "30.0%" in page
    assert "promptinject.HijackHateHumans" in page and "0.17.1" in page


def test_markdown_summary_escapes_html_and_markdown(reports: Path) -> None:
    text = (reports / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "FAILED" in text and "### model: ❌ failed" in text
    assert "| metric | value | threshold |  |" in text
    assert "0.9312 ± 0.0123" in text
    assert "| LLM01 | 30.0% | 10.0% | ❌ |" in text  # measured rate against the default policy's limit


# ---------------------------------------------------------------- CycloneDX ML-BOM


def test_ml_bom_validates_against_the_cyclonedx_1_6_schema(reports: Path) -> None:
    assert cyclonedx_problem((reports / "ml-bom.cdx.json").read_text(encoding="utf-8")) is None


def test_ml_bom_describes_the_model_its_files_datasets_and_tools(tmp_path: Path, reports: Path) -> None:
    bom = read_json(reports / "ml-bom.cdx.json")
    assert bom["serialNumber"].startswith("urn:uuid:") and bom["specVersion"] == "1.6"
    model = bom["components"][0]
    assert model["type"] == "machine-learning-model" and model["version"] == "1.4.0"
    card = model["modelCard"]
    assert card["modelParameters"]["datasets"] == [{"ref": "data:dataset"}]
    metrics = {m["type"]: m["value"] for m in card["quantitativeAnalysis"]["performanceMetrics"]}
    assert metrics["accuracy"] == "0.9400" and metrics["cv_accuracy"] == "0.9312"
    facts = {p["name"]: p["value"] for p in card["properties"]}
    assert facts["mlsecops:parameters"] == "164227" and facts["mlsecops:train.epochs"] == "8"
    assert facts["mlsecops:labels"] == "billing, bug, refund"
    workspace = Workspace(tmp_path / ".mlsecops")
    train = {Path(a.path).name: a.sha256 for a in workspace.read_result("train").artifacts}
    files = {c["name"]: c["hashes"][0]["content"] for c in model["components"]}
    assert files == train  # model.keras, model.h5, tokenizer.json, tokenizer.pickle
    sources = {s["name"]: s["sha256"] for s in workspace.read_result("load").details["sources"]}
    by_ref = {c["bom-ref"]: c for c in bom["components"]}
    assert by_ref["data:dataset"]["type"] == "data"
    assert by_ref["data:dataset"]["hashes"][0]["content"] == sources["dataset"]
    assert by_ref["model:encoder"]["type"] == "machine-learning-model"
    assert by_ref["model:encoder"]["hashes"][0]["content"] == sources["encoder"]
    assert bom["metadata"]["component"]["name"] == "tickets"
    assert {"ref": bom["metadata"]["component"]["bom-ref"], "dependsOn": [model["bom-ref"]]} in bom["dependencies"]
    tools = {t["name"]: t["version"] for t in bom["metadata"]["tools"]["components"]}
    assert tools["keras"] == "3.6.0" and tools["modelscan"] == "0.8.8"


def test_ml_bom_lists_findings_on_a_dataset_as_vulnerabilities_of_that_component(reports: Path) -> None:
    bom = read_json(reports / "ml-bom.cdx.json")
    vulnerabilities = {v["id"]: v for v in bom["vulnerabilities"]}
    pii = vulnerabilities[pii_finding().id]
    assert pii["affects"] == [{"ref": "data:dataset"}]
    assert pii["ratings"] == [{"severity": "medium", "method": "other"}] and pii["cwes"] == [359]
    assert secret_finding().id not in vulnerabilities  # a file of the repository, not a BOM component


# ---------------------------------------------------------------- the command


def _report_command(root: Path, config_name: str) -> subprocess.CompletedProcess[str]:
    """`mlsecops -c CONFIG report` as a process, over a populated workspace and a minimal config."""
    populated_workspace(root)
    (root / config_name).write_text("project:\n  name: tickets\n  version: 1.4.0\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mlsecops.cli", "-c", config_name, "-w", ".mlsecops", "report"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "MLSECOPS_DEBUG": ""}, check=False,
    )



@pytest.mark.timeout(60)
def test_report_command_writes_the_reports_of_a_workspace(tmp_path: Path) -> None:
    done = _report_command(tmp_path, "mlsecops.yaml")
    assert done.returncode == 0, done.stderr
    assert "reports written to" in done.stdout
    assert json.loads((tmp_path / ".mlsecops" / "reports" / "findings.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.timeout(60)
def test_findings_outside_files_are_anchored_to_the_config_file_the_run_used(tmp_path: Path) -> None:
    done = _report_command(tmp_path, "pipeline.yml")
    assert done.returncode == 0, done.stderr
    probe = _sarif_results(read_json(tmp_path / ".mlsecops" / "reports" / "findings.sarif"))[probe_finding().id]
    assert probe["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pipeline.yml"


def test_a_stage_result_with_odd_details_does_not_break_the_reports(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".mlsecops")
    workspace.write_result(StageResult(stage="evaluate", status="error", reason="crashed",
                                       details={"confusion_matrix": {"labels": ["a"], "matrix": []},
                                                "thresholds": "not a mapping"}))
    workspace.write_result(StageResult(stage="modeltest", details={"probes": "none"},
                                       metrics={"attack_success_rate.LLM01": "n/a"}))
    write_reports(workspace, config(tmp_path))
    assert read_json(workspace.reports_dir / "findings.json")["run"]["verdict"] == "failed"
    assert "Confusion matrix" not in (workspace.reports_dir / "summary.html").read_text(encoding="utf-8")


def test_probe_rates_filed_directly_under_details_are_shown_too(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".mlsecops")
    workspace.write_result(StageResult(stage="modeltest", metrics={"attack_success_rate.LLM07": 0.05}, details={
        "probes": [{"probe": "sysprompt.Leak", "detector": "leak.Exact", "owasp_llm": "LLM07", "attempts": 20,
                    "hits": 1, "rate": 0.05, "ci_low": 0.01, "ci_high": 0.24}]}))
    write_reports(workspace, config(tmp_path))
    page = (workspace.reports_dir / "summary.html").read_text(encoding="utf-8")
    assert "sysprompt.Leak" in page and "LLM07" in page and "5.0%" in page


def test_an_unreadable_stage_result_is_reported_as_an_error_of_that_stage(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path)
    (workspace.root / "evaluate" / "result.json").write_text("{not json", encoding="utf-8")
    write_reports(workspace, config(tmp_path))
    document = read_json(workspace.reports_dir / "findings.json")
    evaluate = next(s for s in document["run"]["stages"] if s["stage"] == "evaluate")
    assert evaluate["status"] == "error" and "unreadable stage result" in evaluate["reason"]
    assert document["run"]["verdict"] == "failed"
    assert "evaluate" not in document["metrics"]


def test_a_metric_that_is_not_a_number_keeps_every_json_report_strictly_valid(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".mlsecops")
    workspace.write_result(StageResult(stage="evaluate", metrics={"accuracy": 0.9, "roc_auc": float("nan")}))
    write_reports(workspace, config(tmp_path))

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    for name in ("findings.json", "findings.sarif", "defectdojo.json", "ml-bom.cdx.json"):
        json.loads((workspace.reports_dir / name).read_text(encoding="utf-8"), parse_constant=refuse)
    assert read_json(workspace.reports_dir / "findings.json")["metrics"]["evaluate"]["roc_auc"] is None
    page = (workspace.reports_dir / "summary.html").read_text(encoding="utf-8")
    assert "Accuracy" in page and "ROC-AUC" not in page


def test_ml_bom_describes_a_scikit_learn_model_as_what_it_is(tmp_path: Path) -> None:
    workspace = populated_workspace(tmp_path)
    train = workspace.read_result("train")
    train.details = {**train.details, "kind": "sklearn", "task": "classification",
                     "estimator": "sklearn.linear_model.LogisticRegression",
                     "features": {"numeric": ["age"], "categorical": ["plan"], "text": []}}
    workspace.write_result(train)
    write_reports(workspace, config(tmp_path))
    text = (workspace.reports_dir / "ml-bom.cdx.json").read_text(encoding="utf-8")
    assert cyclonedx_problem(text) is None
    parameters = json.loads(text)["components"][0]["modelCard"]["modelParameters"]
    assert parameters["modelArchitecture"] == "sklearn.linear_model.LogisticRegression in a scikit-learn preprocessing Pipeline"
    assert parameters["architectureFamily"] == "linear model"
    assert parameters["inputs"] == [{"format": "tabular"}]
    assert "Keras" not in text
