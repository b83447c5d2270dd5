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
