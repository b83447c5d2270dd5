"""mlsecops.yaml: validated, interpolated, and every bad field named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlsecops.config import load_config, masked_dump, parse_config
from mlsecops.errors import UsageError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlsecops.yaml"
    path.write_text(text)
    return path


def test_defaults_fill_every_section(tmp_path):
    config = load_config(write(tmp_path, "project: {name: bot, version: '2.1'}\n"))
    assert config.project.name == "bot"
    assert config.train.folds >= 2
    assert config.store.url.startswith("file://")
    assert config.base_dir == tmp_path


def test_unknown_key_is_named_with_its_path(tmp_path):
    with pytest.raises(UsageError) as error:
        load_config(write(tmp_path, "train:\n  epocs: 3\n"))
    assert "unknown key 'train.epocs'" in str(error.value)
    assert str(tmp_path / "mlsecops.yaml") in str(error.value)


def test_wrong_type_is_named_with_its_path(tmp_path):
    with pytest.raises(UsageError) as error:
        load_config(write(tmp_path, "train:\n  folds: many\n"))
    assert "train.folds" in str(error.value)


def test_bad_yaml_names_file_and_line(tmp_path):
    with pytest.raises(UsageError) as error:
        load_config(write(tmp_path, "project:\n  name: [unclosed\n"))
    assert "mlsecops.yaml:" in str(error.value)


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")


def test_environment_interpolation_with_default(monkeypatch):
    monkeypatch.setenv("MODEL_VERSION", "3.4.5")
    config = parse_config({"project": {"version": "${MODEL_VERSION}", "name": "${NAME:-fallback}"}})
    assert config.project.version == "3.4.5"
    assert config.project.name == "fallback"


def test_unset_environment_variable_is_named(monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(UsageError, match="project.version: environment variable NOT_SET_ANYWHERE is not set"):
        parse_config({"project": {"version": "${NOT_SET_ANYWHERE}"}})


def test_secret_reference_is_resolved_and_masked_in_show(monkeypatch):
    monkeypatch.setenv("NEXUS_PW", "s3cr3t-value-123")
    config = parse_config({"load": {"connections": {"nexus": {"password": "${secret:env://NEXUS_PW}"}}}})
    assert config.load.connections["nexus"].password == "s3cr3t-value-123"
    shown = str(masked_dump(config))
    assert "s3cr3t-value-123" not in shown
    assert "****" in shown


def test_secret_from_file(tmp_path):
    (tmp_path / "token").write_text("file-token-value\n")
    config = parse_config({"load": {"connections": {"s3": {"token": f"${{secret:file://{tmp_path / 'token'}}}"}}}})
    assert config.load.connections["s3"].token == "file-token-value"


def test_config_show_masks_secrets_and_validate_names_file(cli, tmp_path, monkeypatch):
    write(tmp_path, "load:\n  connections:\n    ftp: {password: '${secret:env://FTP_PW}'}\n")
    shown = cli("config", "show", env={"FTP_PW": "hunter2hunter2"})
    assert shown.exit_code == 0, shown.stderr
    assert "hunter2hunter2" not in shown.output
    valid = cli("config", "validate", env={"FTP_PW": "x"})
    assert valid.exit_code == 0
    assert "valid" in valid.stdout


def test_config_validate_rejects_unknown_key_in_one_line(cli, tmp_path):
    write(tmp_path, "scan:\n  scanerz: [secrets]\n")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "scan.scanerz" in result.stderr


def test_the_jenkins_layer_of_the_same_file_is_accepted_and_left_to_jenkins():
    config = parse_config({"jenkins": {"image": "registry.example/mlsecops:1", "credentials": {}}})
    assert config.jenkins["image"] == "registry.example/mlsecops:1"
