"""The security gate judges the newest result of every scanner, however the scans were split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# A made-up AWS secret key: the demo's source tree gains a secret after a clean scan.
PLANTED = 'AWS_SECRET_ACCESS_KEY = "Uhs2Vfg2+DxY0QVBw8+kyxuAKxMx3zvGaMhDNzL+"\n'


@pytest.fixture
def demo(cli, tmp_path: Path):
    project = tmp_path / "d"
    assert cli("demo", "init", str(project)).exit_code == 0

    def run(*args: str):
        return cli(*args, cwd=project)

    for command in (("load",), ("scan",), ("gate", "--stage", "security")):
        result = run(*command)
        assert result.exit_code == 0, (command, result.output[-2000:])
    with (project / "app" / "bot.py").open("a", encoding="utf-8") as handle:
        handle.write(PLANTED)
    run.project = project  # type: ignore[attr-defined]
    return run


def test_a_newer_scan_of_one_scanner_is_judged_over_the_older_full_scan(demo):
    assert demo("scan", "--only", "secrets").exit_code == 0

    gate = demo("gate", "--stage", "security")

    assert gate.exit_code == 1, gate.output[-2000:]
    assert "secret: 1 critical" in gate.output


def test_scanning_other_scanners_later_keeps_the_newer_secrets_result(demo):
    assert demo("scan", "--only", "secrets").exit_code == 0
    assert demo("scan", "--only", "dataset,models").exit_code == 0

    gate = demo("gate", "--stage", "security")

    assert gate.exit_code == 1, gate.output[-2000:]
    assert "secret: 1 critical" in gate.output
    assert "did not run" not in gate.output
    scan_dir = demo.project / ".mlsecops" / "scan"
    assert all((scan_dir / name / "result.json").is_file() for name in ("secrets", "dataset", "models"))


def test_a_full_scan_supersedes_earlier_branches_of_its_scanners(demo):
    assert demo("scan", "--only", "secrets").exit_code == 0
    (demo.project / "app" / "bot.py").write_text(
        (demo.project / "app" / "bot.py").read_text(encoding="utf-8").replace(PLANTED, ""), encoding="utf-8")

    assert demo("scan").exit_code == 0
    gate = demo("gate", "--stage", "security")

    assert gate.exit_code == 0, gate.output[-2000:]
    assert not (demo.project / ".mlsecops" / "scan" / "secrets" / "result.json").exists()
    verdict = json.loads((demo.project / ".mlsecops" / "gate-security" / "result.json").read_text())
    assert verdict["status"] == "passed"


def test_the_security_gate_records_the_loaded_inputs_it_judged(tmp_path, monkeypatch, capsys):
    """`train` trains only on the inputs a passed security gate judged: the gate names them by digest."""
    from mlsecops.workspace import StageResult, Workspace
    from stores_support import result_json, run_cli, write_config

    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"project": {"name": "demo", "version": "1.0"}})
    workspace = Workspace(tmp_path / ".mlsecops")
    sources = [{"name": "dataset", "kind": "dataset", "path": "load/dataset/data.csv", "sha256": "a" * 64},
               {"name": "encoder", "kind": "model", "path": "load/encoder/enc.h5", "sha256": "b" * 64}]
    workspace.write_result(StageResult(stage="load", details={"sources": sources}).finish())
    run_cli(capsys, "gate", "--stage", "security")  # no scan to judge: it fails, and still records what it saw
    gate = result_json(workspace.root, "gate-security")
    assert gate["status"] == "failed"
    assert gate["details"]["inputs"] == {"dataset": "a" * 64, "encoder": "b" * 64}
