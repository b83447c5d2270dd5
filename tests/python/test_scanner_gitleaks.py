"""The gitleaks adapter: how it calls gitleaks and how it reads gitleaks' JSON report."""

from __future__ import annotations

import json

from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import ScanTargets
from scanner_support.fake_secrets import plant
from scanner_support.fake_tools import calls_of, install_fake_tool


def gitleaks_entry(path: str, line: int, secret: str, rule: str = "aws-access-token", commit: str = "") -> dict:
    return {"Description": "AWS", "StartLine": line, "EndLine": line, "StartColumn": 1, "EndColumn": 40,
            "Match": secret, "Secret": secret, "File": path, "Commit": commit, "Entropy": 3.9, "RuleID": rule,
            "Fingerprint": f"{path}:{rule}:{line}", "Tags": []}


def test_gitleaks_runs_redacted_over_the_tree_and_its_report_is_read(tmp_path):
    root = tmp_path / "src"
    root.mkdir()
    secret, _ = plant("aws-access-key-id")
    report = [gitleaks_entry(str(root / "app" / "settings.py"), 8, secret),
              gitleaks_entry(str(root / "vendor" / "x.py"), 1, "REDACTED")]
    tool = install_fake_tool(tmp_path / "bin", "gitleaks", report, version="8.24.0")
    outcome = get_scanner("secrets-gitleaks").scan(ScanTargets(paths=[root], exclude=["vendor"],
                                                              options={"binary": str(tool)},
                                                              work_dir=tmp_path / "w"))
    assert outcome.tool_version == "gitleaks 8.24.0"
    call = calls_of(tool)[-1]
    assert call[0] == "dir" and "--redact" in call and call[-1] == str(root)
    [finding] = outcome.findings
    assert (finding.rule, finding.location.path, finding.location.line, finding.category) == (
        "gitleaks/aws-access-token", "app/settings.py", 8, "secret")
    assert secret not in json.dumps(finding.to_dict())


def test_gitleaks_scans_the_commits_of_a_merge_request(tmp_path):
    report = [gitleaks_entry("app.py", 3, "REDACTED", commit="0123456789abcdef0123")]
    tool = install_fake_tool(tmp_path / "bin", "gitleaks", report)
    outcome = get_scanner("secrets-gitleaks").scan(ScanTargets(paths=[tmp_path], work_dir=tmp_path / "w",
                                                              options={"binary": str(tool),
                                                                       "git_base_ref": "origin/main"}))
    assert calls_of(tool)[-1][:2] == ["git", "--log-opts=origin/main..HEAD"]
    [finding] = outcome.findings
    assert finding.evidence == "REDACTED" and "in commit 0123456789ab" in finding.message


def test_gitleaks_without_a_report_is_an_error(tmp_path):
    tool = install_fake_tool(tmp_path / "bin", "gitleaks", None, exit_code=126)
    outcome = get_scanner("secrets-gitleaks").scan(ScanTargets(paths=[tmp_path], options={"binary": str(tool)},
                                                              work_dir=tmp_path / "w"))
    assert outcome.status == "error" and "exit 126" in outcome.message
