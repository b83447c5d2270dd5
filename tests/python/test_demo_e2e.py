"""The embedded demo end to end, both ways, as a user and as Jenkins run it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from agents_support import run_on_fresh_agents
from mlsecops.demo import planted_values

pytestmark = [pytest.mark.timeout(900), pytest.mark.e2e]

REPORTS = ("findings.json", "findings.sarif", "junit.xml", "defectdojo.json", "summary.md", "summary.html",
           "ml-bom.cdx.json")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_default_demo_passes_every_stage_and_ships_a_signed_model(cli, tmp_path: Path):
    result = cli("run")
    assert result.exit_code == 0, result.output[-3000:]
    ws = tmp_path / ".mlsecops"
    for stage in ("load", "scan", "gate-security", "train", "evaluate", "modeltest", "gate-model", "sign", "store"):
        data = json.loads((ws / stage / "result.json").read_text())
        assert data["status"] == "passed", (stage, data.get("reason"))
    for name in REPORTS:
        assert (ws / "reports" / name).stat().st_size > 0, name
    manifests = list((ws / "store").rglob("manifest.json"))
    assert len(manifests) == 1
    release = manifests[0].parent
    verified = cli("verify", str(release))
    assert verified.exit_code == 0, verified.output


def test_insecure_demo_stops_at_the_security_gate_with_all_three_problems(cli, tmp_path: Path):
    result = cli("run", "--demo", "insecure")
    assert result.exit_code == 1, result.output[-3000:]
    ws = tmp_path / ".mlsecops"
    gate = json.loads((ws / "gate-security" / "result.json").read_text())
    assert gate["status"] == "failed"
    assert not (ws / "train" / "result.json").exists(), "nothing may be trained after a failed gate"
    findings = json.loads((ws / "scan" / "result.json").read_text())["findings"]
    categories = {f["category"] for f in findings if f["severity"] in ("critical", "high", "medium")}
    assert {"secret", "data-pii", "model-file"} <= categories
    assert any(f["category"] == "model-file" and "tokenizer.pickle" in json.dumps(f["location"]) for f in findings)
    for name in REPORTS:
        assert (ws / "reports" / name).is_file(), name

    # Nothing the run wrote may hold a planted value: only verbatim copies of the inputs may.
    project = ws / "demo" / "insecure"
    input_digests = {sha256(p) for p in project.rglob("*") if p.is_file()}
    written = [p for p in tmp_path.rglob("*") if p.is_file() and project not in p.parents]
    written = [p for p in written if sha256(p) not in input_digests]
    assert written, "the run must have written files"
    texts = [(p, p.read_bytes()) for p in written] + [(Path("<stdout+stderr>"), result.output.encode())]
    secrets = planted_values("insecure")
    assert secrets
    for path, data in texts:
        for value in secrets:
            assert value.encode() not in data, f"{value[:4]}… leaked into {path}"


def test_each_stage_runs_alone_on_a_fresh_agent_with_only_the_stashed_folders(cli, tmp_path: Path):
    project = tmp_path / "checkout"
    assert cli("demo", "init", str(project)).exit_code == 0
    run_on_fresh_agents(cli, project, tmp_path)  # each stage asserts exit 0 on its agent
