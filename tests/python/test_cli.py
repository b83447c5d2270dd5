"""The command line: instant help, one-line errors and the documented exit codes."""

from __future__ import annotations

from pathlib import Path


def test_help_lists_every_stage_command(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("load", "scan", "gate", "train", "evaluate", "modeltest", "sign", "verify", "store",
                    "notify", "run", "config", "lock"):
        assert f"  {command}" in result.stdout


def test_help_does_not_import_heavy_libraries(cli):
    code = (
        "import sys; from mlsecops.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'keras', 'garak', 'boto3', 'sklearn', 'modelscan', 'pydantic') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY=\n" in out or out.strip().endswith("HEAVY=")


def test_unknown_option_is_usage_error_in_one_line(cli):
    result = cli("scan", "--no-such-flag")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_stage_without_config_says_how_to_proceed(cli):
    result = cli("gate", "--stage", "security")
    assert result.exit_code == 2
    assert "no mlsecops.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_after_a_demo_ran_in_a_folder_its_later_commands_use_that_demo(cli, tmp_path: Path):
    assert cli("--demo", "insecure", "config", "validate").exit_code == 0
    result = cli("config", "validate")  # e.g. `mlsecops report` after a config-less `mlsecops run`
    assert result.exit_code == 0, result.stderr
    assert str(Path(".mlsecops") / "demo" / "insecure" / "mlsecops.yaml") in result.stdout
    (tmp_path / "mlsecops.yaml").write_text("project: {name: own, version: '1'}\n")
    assert cli("config", "validate").stdout.strip() == "mlsecops.yaml: valid"  # a project's own config wins


def test_gate_on_empty_workspace_fails_closed(cli, tmp_path: Path):
    (tmp_path / "mlsecops.yaml").write_text("project: {name: p, version: '1'}\n")
    result = cli("gate", "--stage", "security")
    assert result.exit_code == 1
    assert "nothing to judge" in result.output
    assert (tmp_path / ".mlsecops" / "gate-security" / "result.json").is_file()


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert "mlsecops" in result.stdout


def test_a_scanner_run_alone_skips_virtualenvs_and_git_like_the_stage(cli, tmp_path: Path):
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "vendored.py").write_text('token = "ghp_' + "a1B2c3D4e5F6g7H8i9J0" * 2 + '"\n')
    (tmp_path / "app.py").write_text('token = "ghp_' + "Z9y8X7w6V5u4T3s2R1q0" * 2 + '"\n')
    result = cli("scan", "secrets", str(tmp_path), "--format", "json")
    assert result.exit_code == 1, result.stderr  # a finding fails it, as gitleaks would
    import json

    paths = [f["location"]["path"] for f in json.loads(result.stdout)["findings"]]
    assert paths and all(".venv" not in p for p in paths)
    assert any(p.endswith("app.py") for p in paths)


def test_a_scanner_run_alone_exits_like_a_gate(cli, tmp_path: Path):
    (tmp_path / "app.py").write_text('token = "ghp_' + "Z9y8X7w6V5u4T3s2R1q0" * 2 + '"\n')
    failing = cli("scan", "secrets", str(tmp_path))
    assert failing.exit_code == 1
    assert failing.stderr.count("\n") == 1 and "at or above low" in failing.stderr
    assert cli("scan", "secrets", str(tmp_path), "--fail-on", "never").exit_code == 0
    (tmp_path / "app.py").write_text("print('nothing to see')\n")
    assert cli("scan", "secrets", str(tmp_path)).exit_code == 0


def test_a_scanner_that_cannot_run_alone_is_an_environment_failure_not_a_pass(cli, tmp_path: Path):
    result = cli("scan", "trivy", str(tmp_path), env={"PATH": "/nonexistent"})
    assert result.exit_code == 3
    assert "trivy/not-run" in result.stdout
    assert result.stderr.startswith("mlsecops: trivy: the scanner did not run, nothing was judged")
    assert "Traceback" not in result.output
