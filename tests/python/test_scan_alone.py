"""`mlsecops scan NAME PATH`: a scanner alone exits like a gate, and nothing to scan is bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mlsecops.scanners import SCANNERS

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("name", sorted(SCANNERS))
def test_an_empty_folder_is_nothing_to_scan_for_every_scanner_that_can_run(cli, tmp_path: Path, name: str):
    (tmp_path / "empty").mkdir()
    result = cli("scan", name, str(tmp_path / "empty"))
    assert "Traceback" not in result.output
    if "the scanner did not run" in result.stderr:  # its tool or its settings are missing here: not PATH's fault
        assert result.exit_code == 3, result.output
        assert "nothing to scan" not in result.stderr
        return
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert result.stderr.startswith(f"mlsecops: {name}: nothing to scan in the given path")


@pytest.mark.parametrize(("name", "file_name", "content"), [
    ("secrets", "blob.dat", b"\x00\x01binary only"),
    ("models", "notes.txt", b"just text, no model\n"),
    ("notebooks", "app.py", b"print('no notebook here')\n"),
])
def test_a_folder_without_anything_the_scanner_reads_is_nothing_to_scan(cli, tmp_path: Path, name: str,
                                                                       file_name: str, content: bytes):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / file_name).write_bytes(content)
    result = cli("scan", name, str(tmp_path / "src"))
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1].startswith(f"mlsecops: {name}: nothing to scan in the given path")


def test_a_fifo_is_not_something_to_scan(cli, tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.csv")
    result = cli("scan", "dataset", str(tmp_path / "pipe.csv"))
    assert result.exit_code == 2, result.output
    assert "dataset: nothing to scan in the given path" in result.output


def test_fail_on_never_still_exits_0_after_printing(cli, tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.txt").write_text("no model here\n")
    result = cli("scan", "models", str(tmp_path / "src"), "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "models: ran, 0 finding(s), 0 scanned" in result.output


def test_a_scanner_whose_tool_is_missing_still_exits_3(cli, tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    result = cli("scan", "secrets-gitleaks", str(tmp_path / "src"), env={"PATH": str(tmp_path / "no-bin")})
    assert result.exit_code == 3, result.output
    assert "gitleaks is not on PATH" in result.output


def test_the_models_scanner_in_the_pipeline_still_ran_on_a_project_without_models(tmp_path: Path):
    from mlsecops.scanners.interface import ScanTargets
    from mlsecops.scanners.run import run_scanner

    (tmp_path / "app.py").write_text("x = 1\n")
    outcome = run_scanner("models", ScanTargets(paths=[tmp_path]))
    assert (outcome.status, outcome.scanned, outcome.findings) == ("ran", 0, [])
