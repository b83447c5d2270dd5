"""Hostile config files: alias bombs, deep nesting, file secrets outside their folders, masked values.

A config may come from a merge request, so each case is what an outside sender could commit.
The bombs run the real CLI in a child process whose peak memory is measured (issue 12: 2.3 GB
and 102 s for eight levels of anchors before these bounds).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mlsecops.config import load_config, parse_config, parse_yaml
from mlsecops.errors import UsageError
from mlsecops.redact import redact, register_secret, scrub
from peak_rss import run_measured

pytestmark = pytest.mark.timeout(120)

PEAK_MB = 512


def alias_bomb(levels: int, fan_out: int = 9) -> str:
    """Each anchor lists the previous one `fan_out` times: fan_out**levels strings from a few hundred bytes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * fan_out)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan_out)}]" for i in range(1, levels + 1)]
    return "project:\n  name: bomb\n" + "\n".join(lines) + "\n"


def nested(depth: int, flow: bool) -> str:
    if flow:
        return "project: " + "[" * depth + "]" * depth + "\n"
    return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "leaf\n"


def test_an_alias_bomb_is_refused_quickly_in_bounded_memory_naming_the_file(tmp_path):
    text = alias_bomb(8)
    assert len(text) < 600
    (tmp_path / "mlsecops.yaml").write_text(text)

    started = time.monotonic()
    run = run_measured("config", "validate", cwd=tmp_path)

    assert run.exit_code == 2, run.stderr
    assert time.monotonic() - started < 30
    assert run.peak_mb <= PEAK_MB
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "mlsecops.yaml:" in lines[0] and "alias bomb" in lines[0]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("flow", [True, False], ids=["flow-brackets", "block-mappings"])
def test_deep_nesting_is_a_usage_error_naming_the_file_not_a_recursion_error(tmp_path, flow):
    (tmp_path / "mlsecops.yaml").write_text(nested(20_000 if flow else 2_000, flow))

    run = run_measured("config", "validate", cwd=tmp_path)

    assert run.exit_code == 2, run.stderr
    assert run.peak_mb <= PEAK_MB
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "mlsecops.yaml:" in lines[0] and "nested deeper than" in lines[0]
    assert "RecursionError" not in run.stderr


def test_a_self_referencing_alias_is_refused():
    with pytest.raises(UsageError, match=r"policy.yaml:1: alias \*x refers to a node that contains it"):
        parse_yaml("a: &x [1, *x]\n", "policy.yaml")


def test_ordinary_anchors_and_merge_keys_still_work():
    text = ("defaults: &defaults {timeout: 30, retries: 2}\n"
            "connections:\n  s3: {<<: *defaults, region: eu-west-1}\n  ftp: *defaults\n")
    assert parse_yaml(text, "mlsecops.yaml")["connections"] == {
        "s3": {"timeout": 30, "retries": 2, "region": "eu-west-1"}, "ftp": {"timeout": 30, "retries": 2}}


def test_nesting_just_inside_the_bound_is_accepted():
    assert parse_yaml("a: " + "[" * 60 + "]" * 60 + "\n", "x.yaml") is not None


def test_the_lock_file_is_bounded_like_the_config(tmp_path):
    from mlsecops.lockfile import read_lock

    (tmp_path / "mlsecops.lock").write_text(alias_bomb(8))
    with pytest.raises(UsageError, match="mlsecops.lock:.*alias bomb"):
        read_lock(tmp_path / "mlsecops.lock")


# ---------------------------------------------------------------- file secrets


def _token_config(tmp_path: Path, reference: str) -> Path:
    path = tmp_path / "mlsecops.yaml"
    path.write_text(f"load:\n  connections:\n    s3: {{token: '${{secret:file://{reference}}}'}}\n")
    return path


def test_a_file_secret_outside_the_project_and_config_folders_is_refused(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    _token_config(project, "/etc/shadow")

    run = run_measured("config", "validate", cwd=project)

    assert run.exit_code == 2
    line = run.stderr.strip()
    assert "\n" not in line
    assert "load.connections.s3.token: secret file:///etc/shadow: outside the folders" in line
    assert "MLSECOPS_SECRET_FILE_ROOTS" in line


def test_a_symlink_in_the_project_does_not_carry_a_file_secret_out(tmp_path):
    outside = tmp_path / "outside-token"
    outside.write_text("outside-value-7d1c\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "token").symlink_to(outside)

    with pytest.raises(UsageError, match="outside the folders"):
        load_config(_token_config(project, str(project / "token")))


def test_the_environment_names_the_folders_file_secrets_may_come_from(tmp_path, monkeypatch):
    secrets_dir = tmp_path / "run-secrets"
    secrets_dir.mkdir()
    (secrets_dir / "s3-token").write_text("mounted-token-value\n")
    project = tmp_path / "project"
    project.mkdir()
    config_path = _token_config(project, str(secrets_dir / "s3-token"))

    with pytest.raises(UsageError, match="outside the folders"):
        load_config(config_path)
    monkeypatch.setenv("MLSECOPS_SECRET_FILE_ROOTS", f"{tmp_path / 'elsewhere'}{os.pathsep}{secrets_dir}")
    assert load_config(config_path).load.connections["s3"].token == "mounted-token-value"


def test_the_environment_list_replaces_the_default_folders(tmp_path, monkeypatch):
    (tmp_path / "token").write_text("in-config-folder\n")
    monkeypatch.setenv("MLSECOPS_SECRET_FILE_ROOTS", str(tmp_path / "only-here"))
    with pytest.raises(UsageError, match="outside the folders"):
        load_config(_token_config(tmp_path, str(tmp_path / "token")))


def test_a_fifo_or_a_huge_file_is_not_read_as_a_secret(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UsageError, match="not a regular file"):
        load_config(_token_config(tmp_path, str(tmp_path / "fifo")))
    with open(tmp_path / "big", "wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    with pytest.raises(UsageError, match="larger than"):
        load_config(_token_config(tmp_path, str(tmp_path / "big")))


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(("value", "shown"), [
    ("ghp_" + "Ab3" * 12, "****[github-token, 32-63 chars]"),
    ("AKIA" + "EXAMPLE7" * 2, "****[aws-key-id, 16-31 chars]"),
    ("9f3a" * 10, "****[hex, 32-63 chars]"),
    ("hunter2", "****[string, 1-7 chars]"),
    ("correct horse battery staple", "****[text, 16-31 chars]"),
    ("x" * 300, "****[token, 256+ chars]"),
])
def test_a_masked_value_shows_its_shape_and_length_class_only(value, shown):
    assert redact(value) == shown
    assert value[:3] not in redact(value)


def test_values_of_neighbouring_lengths_share_one_mask():
    assert len({redact("s" * length + "-Q") for length in range(30, 62)}) == 1


def test_scrubbed_text_keeps_no_prefix_and_no_exact_length_of_a_registered_secret():
    secret = "tok-" + os.urandom(12).hex()
    register_secret(secret)

    shown = scrub(f"login failed for token {secret} at 10:02")

    assert secret[:4] not in shown and str(len(secret)) not in shown
    assert shown == "login failed for token ****[token, 16-31 chars] at 10:02"


def test_config_show_masks_a_file_secret_without_prefix_or_length(cli, tmp_path):
    (tmp_path / "token").write_text("file-token-" + "z" * 21 + "\n")
    (tmp_path / "mlsecops.yaml").write_text("load:\n  connections:\n    s3: {token: '${secret:file://token}'}\n")

    shown = cli("config", "show")

    assert shown.exit_code == 0, shown.stderr
    assert "file-token" not in shown.output and "len=" not in shown.output
    assert "****[token, 32-63 chars]" in shown.stdout


def test_a_parsed_config_keeps_working_with_secrets_in_its_folder(tmp_path):
    (tmp_path / "pw").write_text("pw-in-config-folder\n")
    config = parse_config({"sign": {"key_password": f"${{secret:file://{tmp_path / 'pw'}}}"}}, base_dir=tmp_path)
    assert config.sign.key_password == "pw-in-config-folder"
