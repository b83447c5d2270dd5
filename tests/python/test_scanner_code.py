"""Code scanners: bandit (real), the SonarQube quality gate (local server), semgrep's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsecops.scanners import get_scanner, sonar
from mlsecops.scanners.interface import ScanTargets
from scanner_support.fake_secrets import plant
from scanner_support.fake_tools import calls_of, install_fake_tool
from scanner_support.sonar_server import SonarState, sonar_server

TOKEN = "squ_" + "0123456789abcdef" * 2 + "abcdefgh"


def test_bandit_reports_python_issues_with_cwe_and_never_the_password(tmp_path):
    password, _ = plant("password-assignment")
    (tmp_path / "app.py").write_text(
        f'import subprocess\npassword = "{password}"\nsubprocess.call("ls " + input(), shell=True)\n'
    )
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.py").write_text("exec(input())\n")
    outcome = get_scanner("bandit").scan(ScanTargets(paths=[tmp_path], exclude=["vendor"]))
    assert outcome.status == "ran" and outcome.scanned == 1
    rules = {f.rule: f for f in outcome.findings}
    assert {"bandit/B105", "bandit/B602"} <= set(rules)
    shell = rules["bandit/B602"]
    assert (shell.location.path, shell.location.line, shell.severity.value, shell.cwe) == ("app.py", 3, "high",
                                                                                         ["CWE-78"])
    assert password not in json.dumps([f.to_dict() for f in outcome.findings])


def test_bandit_reports_files_it_cannot_parse(tmp_path):
    (tmp_path / "broken.py").write_text("def f(:\n")
    outcome = get_scanner("bandit").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.skipped == ["broken.py: syntax error while parsing AST from file"]


def test_bandit_with_no_python_files_did_not_run(tmp_path):
    assert get_scanner("bandit").scan(ScanTargets(paths=[tmp_path])).status == "not-run"


def sonar_targets(url: str, tmp_path: Path, **extra) -> ScanTargets:
    return ScanTargets(paths=[tmp_path], work_dir=tmp_path / "work",
                       options={"host_url": url, "project_key": "team:bot", "token": TOKEN, **extra})


@pytest.mark.timeout(30)
def test_a_passing_quality_gate_gives_no_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no sonar-scanner: the gate of the last analysis is read
    state = SonarState(TOKEN)
    with sonar_server(state) as url:
        outcome = get_scanner("sonar").scan(sonar_targets(url, tmp_path, branch="main"))
    assert (outcome.status, outcome.findings) == ("ran", [])
    assert state.requests == [("/api/qualitygates/project_status", {"projectKey": ["team:bot"], "branch": ["main"]},
                               TOKEN)]


@pytest.mark.timeout(30)
def test_each_failed_gate_condition_is_a_finding(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    state = SonarState(TOKEN, gate={"status": "ERROR", "conditions": [
        {"status": "ERROR", "metricKey": "new_security_rating", "comparator": "GT", "errorThreshold": "1",
         "actualValue": "4"},
        {"status": "OK", "metricKey": "new_coverage", "comparator": "LT", "errorThreshold": "80", "actualValue": "91"},
    ]})
    with sonar_server(state) as url:
        outcome = get_scanner("sonar").scan(sonar_targets(url, tmp_path))
    [finding] = outcome.findings
    assert (finding.rule, finding.severity.value, finding.category) == (
        "sonar/quality-gate/new_security_rating", "high", "code")
    assert finding.message == "new_security_rating is 4 (GT 1 fails the gate)"
    assert finding.references == [f"{url}/dashboard?id=team:bot"]


@pytest.mark.timeout(30)
def test_a_project_without_gate_status_fails_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with sonar_server(SonarState(TOKEN, gate={"status": "NONE"})) as url:
        [finding] = get_scanner("sonar").scan(sonar_targets(url, tmp_path)).findings
    assert (finding.rule, finding.severity.value) == ("sonar/quality-gate-none", "high")


@pytest.mark.timeout(30)
def test_a_wrong_token_is_an_error_that_never_shows_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with sonar_server(SonarState("another-token")) as url:
        outcome = get_scanner("sonar").scan(sonar_targets(url, tmp_path))
    assert outcome.status == "error" and "HTTP 401" in outcome.message and TOKEN not in outcome.message


@pytest.mark.timeout(30)
def test_an_unreachable_server_is_an_error(tmp_path):
    outcome = get_scanner("sonar").scan(sonar_targets("http://127.0.0.1:9", tmp_path))
    assert outcome.status == "error" and "unreachable" in outcome.message


def test_sonar_without_server_settings_did_not_run(tmp_path):
    outcome = get_scanner("sonar").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "not-run" and "host_url" in outcome.message


@pytest.mark.timeout(60)
def test_sonar_scanner_runs_and_the_gate_of_its_own_analysis_is_awaited(tmp_path, monkeypatch):
    monkeypatch.setattr(sonar, "POLL_SECONDS", 0.01)
    task = "AYx-task-1"
    scanner = install_fake_tool(tmp_path / "bin", "sonar-scanner", f"ceTaskId={task}\nprojectKey=team:bot\n",
                                exit_code=0)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    state = SonarState(TOKEN, tasks={task: ["PENDING", "IN_PROGRESS", "SUCCESS"]})
    with sonar_server(state) as url:
        outcome = get_scanner("sonar").scan(sonar_targets(url, tmp_path))
    assert outcome.status == "ran" and outcome.tool_version == "sonar-scanner"
    [call] = calls_of(scanner)
    assert "-Dsonar.projectKey=team:bot" in call and not any(TOKEN in arg for arg in call)
    assert [path for path, _, _ in state.requests] == ["/api/ce/task"] * 3 + ["/api/qualitygates/project_status"]
    assert state.requests[-1][1] == {"analysisId": [f"AN-{task}"]}


SEMGREP_REPORT_TEMPLATE = {
    "version": "1.185.0",
    "results": [{
        "check_id": "mlsecops.torch-load-without-weights-only", "path": "ROOT/train.py",
        "start": {"line": 4, "col": 9, "offset": 50}, "end": {"line": 4, "col": 30, "offset": 71},
        "extra": {"message": "torch.load unpickles arbitrary objects", "severity": "ERROR",
                  "metadata": {"cwe": ["CWE-502: Deserialization of Untrusted Data"]}, "lines": "requires login"},
    }],
    "errors": [{"type": "Syntax error", "message": "could not parse", "path": "ROOT/broken.py"}],
}


def test_semgrep_runs_with_our_local_rules_offline_and_its_report_is_read(tmp_path):
    report = json.loads(json.dumps(SEMGREP_REPORT_TEMPLATE).replace("ROOT", str(tmp_path)))
    tool = install_fake_tool(tmp_path / "bin", "semgrep", report)
    outcome = get_scanner("semgrep").scan(ScanTargets(paths=[tmp_path], exclude=[".git"],
                                                     options={"binary": str(tool)}, work_dir=tmp_path / "w"))
    call = calls_of(tool)[-1]
    assert call[0] == "scan" and ["--metrics", "off"] == call[call.index("--metrics"):][:2]
    rules_dir = Path(call[call.index("--config") + 1])
    assert (rules_dir / "ml-python.yml").is_file()
    [finding] = outcome.findings
    assert (finding.rule, finding.location.path, finding.location.line, finding.severity.value, finding.cwe) == (
        "semgrep/mlsecops.torch-load-without-weights-only", "train.py", 4, "high", ["CWE-502"])
    assert outcome.skipped == ["broken.py: could not parse"]
