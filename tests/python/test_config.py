"""mlsecops.yaml: validated, interpolated, and every bad field named in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mlsecops.config import SecretRef, load_config, masked_dump, parse_config
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


def test_secret_from_a_file_in_the_config_folder(tmp_path):
    (tmp_path / "token").write_text("file-token-value\n")
    config = parse_config({"load": {"connections": {"s3": {"token": f"${{secret:file://{tmp_path / 'token'}}}"}}}},
                          base_dir=tmp_path)
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


# ---------------------------------------------------------------- secret references: per command, named, masked


def test_a_stage_needs_only_the_credentials_of_the_sections_it_uses(cli, tmp_path):
    """Jenkins binds the signing password around `sign` only: every other stage must run without it."""
    (tmp_path / "data.csv").write_text("text,label\nhello there,ham\nwin money now,spam\n")
    write(tmp_path, (
        "project: {name: bot}\n"
        "load:\n"
        "  sources: [{name: dataset, url: 'file://data.csv', kind: dataset}]\n"
        "  allowlist: ['file://']\n"
        "sign:\n"
        "  key_password: '${secret:env://SIGNING_KEY_PASSWORD_UNSET}'\n"
    ))
    for args in (["lock"], ["load"], ["scan"], ["gate", "--stage", "security"], ["report"]):
        result = cli(*args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        assert "SIGNING_KEY_PASSWORD_UNSET" not in result.output
    signed = cli("sign")
    assert signed.exit_code == 2
    assert signed.stderr.strip() == (
        "mlsecops: mlsecops.yaml: sign.key_password: secret env://SIGNING_KEY_PASSWORD_UNSET: "
        "environment variable is not set"
    )


REFERENCES = {
    "load.connections.nexus.password": "NEXUS_PASSWORD",
    "store.connections.s3.token": "STORE_TOKEN",
    "sign.key_password": "SIGNING_PASSWORD",
    "load.sources[0].url": "SOURCE_URL",
    "modeltest.target.headers.Authorization": "TARGET_AUTH",
    "notify.reports_url": "REPORTS_URL",
}


def _config_with_every_reference() -> dict:
    ref = {path: f"${{secret:env://{name}}}" for path, name in REFERENCES.items()}
    return {
        "load": {
            "sources": [{"name": "data", "url": ref["load.sources[0].url"]}],
            "connections": {"nexus": {"password": ref["load.connections.nexus.password"]}},
        },
        "store": {"connections": {"s3": {"token": ref["store.connections.s3.token"]}}},
        "sign": {"key_password": ref["sign.key_password"]},
        "modeltest": {"target": {"headers": {"Authorization": ref["modeltest.target.headers.Authorization"]}}},
        "notify": {"reports_url": ref["notify.reports_url"]},
    }


@pytest.mark.parametrize(("command", "resolved"), [
    ("load", {"load.connections.nexus.password", "load.sources[0].url"}),
    ("lock", {"load.connections.nexus.password", "load.sources[0].url"}),
    ("scan", {"load.sources[0].url"}),
    ("gate", set()),
    ("report", set()),
    ("train", set()),
    ("evaluate", {"load.connections.nexus.password", "store.connections.s3.token"}),  # the baseline release
    ("modeltest", {"modeltest.target.headers.Authorization", "load.connections.nexus.password",
                   "store.connections.s3.token"}),  # the regression test reads the last release
    ("sign", {"sign.key_password"}),
    ("store", {"load.connections.nexus.password", "store.connections.s3.token"}),
    ("notify", {"notify.reports_url"}),
    ("run", set(REFERENCES)),
    ("config", set(REFERENCES)),
])
def test_each_command_resolves_the_secrets_of_what_it_reads_and_leaves_the_rest_literal(
    monkeypatch, command, resolved
):
    from mlsecops.cli import secret_scope

    for name in REFERENCES.values():
        monkeypatch.setenv(name, f"value-of-{name}")
    config = parse_config(_config_with_every_reference(), secrets=secret_scope(command))
    assert set(config.secret_paths) == resolved
    assert set(config.deferred_secret_paths) == set(REFERENCES) - resolved
    readers = {
        "load.connections.nexus.password": lambda: config.load.connections["nexus"].password,
        "store.connections.s3.token": lambda: config.store.connections["s3"].token,
        "sign.key_password": lambda: config.sign.key_password,
        "load.sources[0].url": lambda: config.load.sources[0].url,
        "modeltest.target.headers.Authorization": lambda: config.modeltest.target.headers["Authorization"],
        "notify.reports_url": lambda: config.notify.reports_url,
    }
    for path, name in REFERENCES.items():
        if path in resolved:
            assert readers[path]() == f"value-of-{name}", path
            continue
        # every other reference is a SecretRef: it shows its reference text and refuses to resolve
        reference = readers[path]()
        assert isinstance(reference, SecretRef), path
        assert str(reference) == f"{reference}" == f"${{secret:env://{name}}}", path
        with pytest.raises(RuntimeError, match=rf"^{re.escape(path)}: .*not resolved for this command"):
            reference.reveal()


def test_every_command_named_in_the_secret_scopes_exists():
    """A misspelt command would silently fall back to resolving every secret."""
    import click
    from mlsecops.cli import cli
    from mlsecops.config import SECRET_SCOPES

    commands = set(cli.list_commands(click.Context(cli)))
    assert set(SECRET_SCOPES) <= commands


def test_environment_references_are_interpolated_even_where_secrets_wait(monkeypatch):
    monkeypatch.setenv("SIGN_REGION", "eu-west-1")
    monkeypatch.delenv("SIGNING_PASSWORD_UNSET", raising=False)
    config = parse_config(
        {"sign": {"region": "${SIGN_REGION}", "key_password": "${secret:env://SIGNING_PASSWORD_UNSET}"}},
        secrets=("load",),
    )
    assert config.sign.region == "eu-west-1"
    assert config.deferred_secret_paths == ["sign.key_password"]


@pytest.mark.parametrize(("data", "key"), [
    ({"store": {"connections": {"s3": {"pasword": "${secret:env://NOT_SET_X1}"}}}}, "store.connections.s3.pasword"),
    ({"notify": {"sinks": [{"type": "slack", "webhook_url": "${secret:env://NOT_SET_X1}",
                            "webhok_url": "${secret:env://NOT_SET_X1}"}]}}, "notify.sinks.0.slack.webhok_url"),
])
def test_a_misspelt_key_holding_a_secret_reference_is_reported_as_unknown_not_as_the_secret(monkeypatch, data, key):
    monkeypatch.delenv("NOT_SET_X1", raising=False)
    with pytest.raises(UsageError) as error:
        parse_config(data)
    assert f"unknown key '{key}'" in str(error.value)
    assert "NOT_SET_X1" not in str(error.value)


def test_a_secret_that_cannot_be_read_is_named_by_file_and_key(tmp_path, monkeypatch):
    monkeypatch.delenv("NOT_SET_X2", raising=False)
    path = write(tmp_path, "sign:\n  key_password: '${secret:env://NOT_SET_X2}'\n")
    with pytest.raises(UsageError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: sign.key_password: secret env://NOT_SET_X2: environment variable is not set"


def test_an_unknown_secret_scheme_is_named_by_key():
    with pytest.raises(UsageError, match=r"^mlsecops.yaml: project.description: unknown secret provider 'nope'"):
        parse_config({"project": {"description": "${secret:nope://x}"}})


# ---------------------------------------------------------------- YAML values PyYAML cannot construct


def test_an_impossible_date_is_bad_config_naming_file_and_line(tmp_path):
    path = write(tmp_path, "project:\n  name: bot\n  description: 2026-13-01\n")
    with pytest.raises(UsageError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:3: invalid value")


def test_an_impossible_waiver_expiry_is_bad_policy_naming_file_and_line(tmp_path):
    from mlsecops.policy import load_policy

    policy = tmp_path / "policy.yaml"
    policy.write_text("waivers:\n  - id: abc123\n    reason: accepted risk\n    expires: 2026-02-30\n")
    with pytest.raises(UsageError) as error:
        load_policy(policy)
    assert str(error.value).startswith(f"{policy}:4: invalid value")


def test_an_impossible_date_exits_2_with_one_line(cli, tmp_path):
    write(tmp_path, "project: {name: bot, description: 2026-02-30}\n")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "mlsecops.yaml:1: invalid value" in result.stderr and "internal error" not in result.stderr


# ---------------------------------------------------------------- config show


def test_config_show_masks_a_secret_wherever_it_appears(cli, tmp_path):
    write(tmp_path, (
        "notify:\n  reports_url: 'https://ci:${secret:env://REPORTS_PW}@reports.example/x'\n"
        "project:\n  description: 'copied ${REPORTS_COPY}'\n"
    ))
    shown = cli("config", "show", env={"REPORTS_PW": "pw-2f9c81d7e6", "REPORTS_COPY": "pw-2f9c81d7e6"})
    assert shown.exit_code == 0, shown.stderr
    assert "2f9c81d7e6" not in shown.output
    assert "reports_url: '****[url, 32-63 chars]'" in shown.stdout


def test_config_show_prints_variable_names_that_only_look_like_secrets():
    config = parse_config({"webhook": {"github_secret_env": "GH_HOOK_SECRET"},
                           "modeltest": {"target": {"api_key_env": "OPENAI_API_KEY"}},
                           "load": {"connections": {"ftp": {"password": "literal-password"}}}})
    shown = masked_dump(config)
    assert shown["webhook"]["github_secret_env"] == "GH_HOOK_SECRET"
    assert shown["webhook"]["gitlab_token_env"] == "GITLAB_WEBHOOK_TOKEN"
    assert shown["modeltest"]["target"]["api_key_env"] == "OPENAI_API_KEY"
    assert "literal-password" not in str(shown)  # a credential key is masked even when it holds a literal


# ---------------------------------------------------------------- config validate: what later stages would reject


@pytest.mark.parametrize(("text", "expected"), [
    ("scan:\n  scanners: [secrets, bandt]\n", "scan.scanners.1: unknown scanner 'bandt'"),
    ("scan:\n  options: {bandt: {skip: [B101]}}\n", "scan.options.bandt: unknown scanner"),
    ("evaluate:\n  thresholds: {acuracy: 0.9}\n", "evaluate.thresholds.acuracy: unknown metric"),
    ("policy: absent-policy.yaml\n", "mlsecops.yaml: policy: absent-policy.yaml not found"),
    ("policy: policy.yaml\n", "policy.yaml:2:1: expected"),
    ("policy: bad-gates.yaml\n", "gates.security.fail_on"),
])
def test_config_validate_rejects_what_a_later_stage_would(cli, tmp_path, text, expected):
    (tmp_path / "policy.yaml").write_text("gates: [unclosed\n")
    (tmp_path / "bad-gates.yaml").write_text("gates:\n  security:\n    fail_on: {secret: catastrophic}\n")
    write(tmp_path, text)
    result = cli("config", "validate")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0
    assert expected in result.stderr


def test_config_validate_accepts_a_project_policy_and_known_names(cli, tmp_path):
    (tmp_path / "policy.yaml").write_text(
        "waivers:\n  - {id: abc123, reason: accepted risk, expires: 2030-01-31}\n"
    )
    write(tmp_path, (
        "policy: policy.yaml\n"
        "scan: {scanners: [secrets, bandit], options: {bandit: {skip: [B101]}}}\n"
        "evaluate: {thresholds: {accuracy: 0.9, roc_auc: 0.8}}\n"
    ))
    result = cli("config", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "mlsecops.yaml: valid"


def test_a_key_given_twice_is_bad_config_naming_the_line(tmp_path):
    path = tmp_path / "mlsecops.yaml"
    path.write_text("sign:\n  method: key\nproject: {name: p}\nsign:\n  method: vault-transit\n")
    with pytest.raises(UsageError, match=r"mlsecops.yaml:4:1: duplicate key 'sign'"):
        load_config(path)


def test_keys_brought_in_by_a_merge_may_be_overridden(tmp_path):
    path = tmp_path / "mlsecops.yaml"
    path.write_text("x-base: &base {name: base, version: '1'}\nproject:\n  <<: *base\n  name: mine\n")
    with pytest.raises(UsageError, match="unknown key 'x-base'"):  # the anchor's holder is not a section
        load_config(path)
    path.write_text("project:\n  <<: {name: base, version: '1'}\n  name: mine\n")
    assert load_config(path).project.name == "mine"


def test_an_unterminated_secret_reference_is_bad_config(monkeypatch):
    monkeypatch.setenv("X_PASSWORD", "value-1")
    with pytest.raises(UsageError, match=r"sign.key_password: unterminated secret reference"):
        parse_config({"sign": {"key_password": "${secret:env://X_PASSWORD"}})
