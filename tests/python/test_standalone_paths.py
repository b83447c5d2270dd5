"""A scanner run alone on a folder of a project names its findings as the pipeline does.

`mlsecops scan NAME sub/` from the project root, `mlsecops --config ../mlsecops.yaml scan NAME .` from
inside `sub/`, and `mlsecops scan NAME /abs/.../sub` all report each finding under its path relative to
the project root, with the id the pipeline's scan stage gives it: a waiver or baseline written against
one holds for the others. Tools that report paths themselves (gitleaks, semgrep, trivy,
dependency-check) are held to the same naming through `tool_path`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from mlsecops.scanners.dependency_check import read_dependency_check_report
from mlsecops.scanners.files import target_files, tool_path
from mlsecops.scanners.gitleaks import read_gitleaks_report
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.scanners.semgrep import read_semgrep_report
from mlsecops.scanners.trivy import read_trivy_report

# random, in the shape of an AWS access key id (not the documented example key, which tools allow)
AWS_KEY = "AKIAQ7XK2M4PLR9TZB3W"
APP = f"""import subprocess

AWS_ACCESS_KEY_ID = "{AWS_KEY}"


def run(command):
    return subprocess.call(command, shell=True)
"""
NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": ["!pip install --index-url http://mirror.invalid/simple requests\n",
                          f'aws_key = "{AWS_KEY}"\n']}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}
ADVISORY = {
    "id": "GHSA-test-jinj-a211", "modified": "2026-01-02T00:00:00Z", "summary": "sandbox escape",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}],
    "database_specific": {"severity": "HIGH"},
}
PEOPLE = "name,contact,phone\nAda,ada.lovelace@example.org,+1 415 555 0134\nAlan,alan.turing@example.net,+1 212 555 0198\n"

# (scanner, folder it runs on): the dataset scanner alone treats every file given as a dataset, so it
# gets a folder of data only
SCANNERS = [("bandit", "sub"), ("secrets-detect-secrets", "sub"), ("notebooks", "sub"), ("osv-offline", "sub"),
            ("dataset", "data"), ("secrets-gitleaks", "sub")]
NEEDS_BINARY = {"secrets-gitleaks": "gitleaks"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """A project with code, a notebook, a manifest and a dataset below its root, and its pipeline scan."""
    root = tmp_path_factory.mktemp("project")
    (root / "sub" / "pkg").mkdir(parents=True)
    (root / "sub" / "pkg" / "app.py").write_text(APP)
    (root / "sub" / "explore.ipynb").write_text(json.dumps(NOTEBOOK))
    (root / "sub" / "requirements.txt").write_text("jinja2==2.10\nrequests\n")
    (root / "data").mkdir()
    (root / "data" / "people.csv").write_text(PEOPLE)
    (root / "advisories").mkdir()
    (root / "advisories" / "GHSA-test-jinj-a211.json").write_text(json.dumps(ADVISORY))
    names = [name for name, _ in SCANNERS if shutil.which(NEEDS_BINARY.get(name, "python3"))]
    # options the standalone runs must honour too: a relative advisory folder, one PII type only
    (root / "mlsecops.yaml").write_text(
        f"scan:\n  scanners: [{', '.join(names)}]\n  options:\n"
        "    osv-offline:\n      osv_dir: advisories\n"
        "    dataset:\n      entities: [EMAIL_ADDRESS]\n")
    assert run_cli("scan", cwd=root).exit_code == 0
    findings = json.loads((root / ".mlsecops" / "scan" / "result.json").read_text())["findings"]
    return root, findings


def _named(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((f["location"]["path"], f["id"], f["rule"]) for f in findings)


@pytest.mark.parametrize(("name", "folder"), SCANNERS)
def test_alone_on_a_folder_every_way_it_is_named_a_finding_keeps_the_pipelines_path_and_id(project, name, folder):
    binary = NEEDS_BINARY.get(name)
    if binary and shutil.which(binary) is None:
        pytest.skip(f"{binary} is not installed")
    root, pipeline = project
    expected = _named(f for f in pipeline
                      if f["properties"].get("scanner") == name and f["location"]["path"].startswith(f"{folder}/"))
    assert expected, f"the pipeline's {name} found nothing under {folder}/: the fixture no longer exercises it"
    runs = {
        f"{folder}/ from the root": run_cli("scan", name, f"{folder}/", "--format", "json", cwd=root),
        "an absolute path": run_cli("scan", name, str(root / folder), "--format", "json", cwd=root),
        ". from inside the folder": run_cli("--config", "../mlsecops.yaml", "scan", name, ".", "--format", "json",
                                            cwd=root / folder),
    }
    for how, run in runs.items():
        assert run.exit_code in (0, 1), (how, run.stderr)
        assert _named(json.loads(run.stdout)["findings"]) == expected, how


def test_the_dataset_scanner_alone_uses_the_projects_options(project, tmp_path):
    root, _ = project

    def rules(*args: str, cwd: Path) -> set[str]:
        return {f["rule"] for f in json.loads(run_cli(*args, "--format", "json", cwd=cwd).stdout)["findings"]}

    # scan.options.dataset.entities lists e-mail addresses only: the phone column is not reported ...
    assert rules("scan", "dataset", "data", cwd=root) == {"pii/email-address"}
    # ... which it is without that option
    (tmp_path / "mlsecops.yaml").write_text("scan:\n  scanners: [dataset]\n")
    everything = rules("scan", "dataset", str(root / "data"), cwd=tmp_path)
    assert "pii/email-address" in everything and any("phone" in rule for rule in everything)


def test_tree_files_are_named_from_the_project_root_only_when_there_is_one(tmp_path: Path):
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "conf.py").write_text("x = 1\n")
    folder, file = tmp_path / "src", tmp_path / "src" / "app" / "conf.py"

    def names(path: Path, project_root: Path | None = None) -> list[str]:
        return [t.display for t in target_files(ScanTargets(paths=[path], project_root=project_root))]

    assert names(folder) == ["app/conf.py"] and names(file) == ["conf.py"]
    assert names(folder, tmp_path) == ["src/app/conf.py"]
    assert names(file, tmp_path) == ["src/app/conf.py"]
    assert names(tmp_path, tmp_path) == ["src/app/conf.py"]
    # a folder outside the project is named from itself
    assert names(folder, tmp_path / "elsewhere") == ["app/conf.py"]


def test_a_tool_reported_path_is_named_from_the_project_root_in_every_form_tools_report_it(tmp_path, monkeypatch):
    (tmp_path / "sub" / "pkg").mkdir(parents=True)
    (tmp_path / "sub" / "pkg" / "app.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    alone = ScanTargets(project_root=Path("."))
    absolute = str(tmp_path / "sub" / "pkg" / "app.py")
    # relative to the root; prefixed by the root as given on the command line; absolute
    for root, forms in ((Path("sub"), ("pkg/app.py", "./pkg/app.py", "sub/pkg/app.py", absolute)),
                        (Path("sub/"), ("pkg/app.py", "sub/pkg/app.py", absolute)),
                        (tmp_path / "sub", ("pkg/app.py", absolute))):
        for reported in forms:
            assert tool_path(alone, root, reported) == "sub/pkg/app.py", (root, reported)
            assert tool_path(ScanTargets(), root, reported) == "pkg/app.py", (root, reported)
    assert tool_path(alone, Path("sub/pkg/app.py"), "sub/pkg/app.py") == "sub/pkg/app.py"
    assert tool_path(ScanTargets(), Path("sub/pkg/app.py"), "sub/pkg/app.py") == "app.py"
    assert tool_path(alone, Path("sub"), "/elsewhere/lib.py") == "/elsewhere/lib.py"


def test_each_tool_adapter_names_its_reported_files_from_the_project_root(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "app.py").write_text(f'key = "{AWS_KEY}"\n')
    (tmp_path / "sub" / "requirements.txt").write_text("jinja2==2.10\n")
    monkeypatch.chdir(tmp_path / "sub")
    alone = ScanTargets(paths=[Path(".")], project_root=tmp_path)
    root = Path(".")
    leaks = read_gitleaks_report([{"File": "app.py", "RuleID": "aws-access-token", "StartLine": 1,
                                   "StartColumn": 8, "EndColumn": 27, "Secret": "REDACTED"}], root, [], alone)
    semgrep = ScanOutcome(scanner="semgrep")
    read_semgrep_report({"results": [{"check_id": "r", "path": "app.py", "start": {"line": 1, "col": 1},
                                      "extra": {"message": "m", "lines": "key = ..."}}]}, root, semgrep, alone)
    trivy = ScanOutcome(scanner="trivy")
    read_trivy_report({"Results": [{"Target": "requirements.txt", "Vulnerabilities": [
        {"VulnerabilityID": "CVE-2020-28493", "PkgName": "jinja2", "InstalledVersion": "2.10", "Severity": "HIGH"}]}]},
        trivy, root, alone)
    check = ScanOutcome(scanner="dependency-check")
    read_dependency_check_report({"dependencies": [{
        "filePath": str(tmp_path / "sub" / "requirements.txt"), "fileName": "requirements.txt",
        "packages": [{"id": "pkg:pypi/jinja2@2.10"}],
        "vulnerabilities": [{"name": "CVE-2020-28493", "severity": "HIGH"}]}]}, root, check, alone)
    for findings in (leaks, semgrep.findings, trivy.findings, check.findings):
        assert findings and {f.location.path for f in findings} <= {"sub/app.py", "sub/requirements.txt"}
