"""The pipeline names a finding as a scanner run alone does, whatever `scan.paths` lists and whether the
file is a load source or just a file of the tree: the same path from the project root and the same id,
so a waiver, a baseline or a SARIF link written against one holds for the others.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from scanner_support.fake_secrets import plant

pytestmark = pytest.mark.timeout(600)

AWS_KEY = "AKIAQ7XK2M4PLR9TZB3W"  # random, in the shape of an AWS access key id
GITHUB_TOKEN, _ = plant("github-pat")
APP = f"""import subprocess

AWS_ACCESS_KEY_ID = "{AWS_KEY}"


def run(command):
    return subprocess.call(command, shell=True)
"""
NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": 1, "id": "c0", "metadata": {},
               "source": ["!pip install --index-url http://mirror.invalid/simple requests\n",
                          f'aws_key = "{AWS_KEY}"\n'],
               "outputs": [{"output_type": "stream", "name": "stdout", "text": GITHUB_TOKEN}]}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}
ADVISORY = {
    "id": "GHSA-test-jinj-a211", "modified": "2026-01-02T00:00:00Z", "summary": "sandbox escape",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}],
    "database_specific": {"severity": "HIGH"},
}
PEOPLE = ("name,contact,note\nAda,ada.lovelace@example.org,call me\n"
          f"Alan,alan.turing@example.net,my token is {GITHUB_TOKEN} thanks\n")

# (scanner, the folder it runs on alone): the dataset scanner alone reads every file given as a dataset
SCANNERS = [("secrets", "src"), ("secrets", "data"), ("secrets-detect-secrets", "src"),
            ("secrets-detect-secrets", "data"), ("notebooks", "src"), ("bandit", "src"),
            ("osv-offline", "src"), ("dependencies", "src"), ("dataset", "data"), ("models", "src")]
NAMES = sorted({name for name, _ in SCANNERS})
# the same project, its data, notebook and code also fetched by the load stage from the checkout
SOURCES = [("people", "data/people.csv", "dataset"), ("explore", "src/explore.ipynb", "notebook"),
           ("app", "src/pkg/app.py", "code"), ("requirements", "src/requirements.txt", "requirements"),
           ("model", "src/model.pkl", "model")]
# a pickle that would call eval on load (written as opcodes, never loaded)
EVAL_PICKLE = b"cbuiltins\neval\n(S'1+1'\ntR."


def write_project(root: Path, *, sources: bool) -> None:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "app.py").write_text(APP)
    (root / "src" / "explore.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    (root / "src" / "requirements.txt").write_text("jinja2==2.10\nrequests\n")
    (root / "src" / "model.pkl").write_bytes(EVAL_PICKLE)
    (root / "data").mkdir()
    (root / "data" / "people.csv").write_text(PEOPLE)
    (root / "advisories").mkdir()
    (root / "advisories" / "GHSA-test-jinj-a211.json").write_text(json.dumps(ADVISORY))
    load = ""
    if sources:
        listed = "".join(f"  - name: {name}\n    url: file://{path}\n    kind: {kind}\n" for name, path, kind in SOURCES)
        load = f"load:\n  sources:\n{listed}  allowlist: ['file://src/', 'file://data/']\n"
    # the tree is scanned below the root only: src/ and data/, not the advisories
    (root / "mlsecops.yaml").write_text(
        f"{load}scan:\n  paths: [src, data]\n  scanners: [{', '.join(NAMES)}]\n  options:\n"
        "    osv-offline:\n      osv_dir: advisories\n"
        "    dependencies:\n      osv_dir: advisories\n")


def pipeline_scan(root: Path, *stages: str) -> list[dict[str, Any]]:
    for stage in (*stages, "scan"):
        result = run_cli(stage, cwd=root)
        assert result.exit_code == 0, (stage, result.stderr)
    findings: list[dict[str, Any]] = json.loads((root / ".mlsecops" / "scan" / "result.json").read_text())["findings"]
    return findings


def named(findings: Any, name: str | None, folder: str) -> list[tuple[str, str, str]]:
    """(path, id, rule) of the findings under `folder` (of scanner `name` among the pipeline's)."""
    return sorted((f["location"]["path"], f["id"], f["rule"]) for f in findings
                  if name is None or f["properties"].get("scanner") == name
                  if f["location"]["path"].startswith(f"{folder}/"))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("tree")
    write_project(root, sources=False)
    return root, pipeline_scan(root)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("loaded")
    write_project(root, sources=True)
    return pipeline_scan(root, "lock", "load")


@pytest.mark.parametrize(("name", "folder"), SCANNERS)
def test_under_scan_paths_below_the_root_the_pipeline_names_a_finding_as_the_scanner_alone(tree, name, folder):
    root, pipeline = tree
    expected = named(pipeline, name, folder)
    assert expected, f"the pipeline's {name} found nothing under {folder}/: the fixture no longer exercises it"
    alone = run_cli("scan", name, f"{folder}/", "--format", "json", cwd=root)
    assert alone.exit_code in (0, 1), alone.stderr
    assert named(json.loads(alone.stdout)["findings"], None, folder) == expected


@pytest.mark.parametrize(("name", "folder"), SCANNERS)
def test_a_file_fetched_from_the_checkout_by_the_load_stage_keeps_its_tree_findings_and_ids(tree, loaded, name, folder):
    _, pipeline = tree
    assert named(loaded, name, folder) == named(pipeline, name, folder)


def test_a_secret_in_a_loaded_dataset_is_reported_by_the_secrets_scanners_as_in_the_tree(loaded):
    rules = {(f["properties"].get("scanner"), f["rule"]) for f in loaded if f["location"]["path"] == "data/people.csv"}
    assert {("secrets", "secret/github-pat"), ("dataset", "pii/api-key")} <= rules
    assert ("secrets-detect-secrets", "detect-secrets/github-token") in rules


def test_a_project_copied_elsewhere_keeps_every_id(tree, tmp_path):
    root, pipeline = tree
    moved = tmp_path / "elsewhere"
    shutil.copytree(root, moved, ignore=shutil.ignore_patterns(".mlsecops"))
    again = pipeline_scan(moved)
    assert sorted(f["id"] for f in again) == sorted(f["id"] for f in pipeline)
