"""`${secret:vault://...}` and `${secret:awssm://...}` in mlsecops.yaml: resolved, masked everywhere, clear failures.

Vault is the small stand-in server of servers/fake_vault.py (no Vault is installable here);
Secrets Manager is moto's real server.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest
from mlsecops.config import parse_config
from mlsecops.errors import EnvironmentFailure, UsageError
from servers.fake_vault import fake_vault
from servers.moto_server import aws_env, moto_server
from servers.nginx_nexus import nginx_nexus
from stores_support import passed_pipeline, run_cli, write_config

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def vault(monkeypatch):
    for name in ("VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "VAULT_AUTH_METHOD", "VAULT_ROLE", "VAULT_JWT"):
        monkeypatch.delenv(name, raising=False)
    with fake_vault() as server:
        monkeypatch.setenv("VAULT_ADDR", server.url)
        server.state.kv["secret/ci/nexus"] = {"password": "nexus-" + os.urandom(8).hex(), "user": "deployer"}
        yield server


def _resolve(text: str) -> str:
    return parse_config({"project": {"description": text}}).project.description


def test_a_token_reads_a_kv_v2_field(vault, monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", vault.state.root_token)
    assert _resolve("${secret:vault://secret/ci/nexus#user}") == "deployer"


def test_approle_login_then_read(vault, monkeypatch):
    vault.state.approle["role-1"] = "secret-id-" + os.urandom(4).hex()
    monkeypatch.setenv("VAULT_ROLE_ID", "role-1")
    monkeypatch.setenv("VAULT_SECRET_ID", vault.state.approle["role-1"])
    assert _resolve("${secret:vault://secret/ci/nexus#password}") == vault.state.kv["secret/ci/nexus"]["password"]


@pytest.mark.parametrize("method", ["jwt", "kubernetes"])
def test_jwt_and_kubernetes_login_with_a_token_file(vault, monkeypatch, tmp_path, method):
    jwt = "eyJhbGciOiJSUzI1NiJ9." + os.urandom(12).hex() + ".sig"
    vault.state.jwt_roles["mlsecops-ci"] = jwt
    (tmp_path / "token").write_text(jwt + "\n")
    monkeypatch.setenv("VAULT_AUTH_METHOD", method)
    monkeypatch.setenv("VAULT_ROLE", "mlsecops-ci")
    monkeypatch.setenv("VAULT_JWT_FILE", str(tmp_path / "token"))
    assert _resolve("${secret:vault://secret/ci/nexus#user}") == "deployer"


def test_a_rejected_token_is_exit_3_with_a_clear_line_and_no_token(vault, monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", "hvs.not-a-valid-token-value")
    with pytest.raises(EnvironmentFailure) as caught:
        _resolve("${secret:vault://secret/ci/nexus#user}")
    assert "credentials rejected" in str(caught.value) and "not-a-valid" not in str(caught.value)


def test_a_wrong_path_or_field_is_bad_config(vault, monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", vault.state.root_token)
    with pytest.raises(UsageError, match="not found"):
        _resolve("${secret:vault://secret/ci/absent#user}")
    with pytest.raises(UsageError, match="no field 'pass'"):
        _resolve("${secret:vault://secret/ci/nexus#pass}")


def test_no_vault_credentials_is_bad_config(vault):
    with pytest.raises(UsageError, match="no credentials"):
        _resolve("${secret:vault://secret/ci/nexus#user}")


def test_secrets_manager_json_field_and_whole_string(monkeypatch):
    with moto_server() as endpoint:
        aws_env(monkeypatch, endpoint)
        client = boto3.client("secretsmanager")
        client.create_secret(Name="ml/ci/s3", SecretString=json.dumps({"secret_key": "sk-" + os.urandom(6).hex()}))
        client.create_secret(Name="ml/ci/token", SecretString="tok-plain-value")
        value = json.loads(client.get_secret_value(SecretId="ml/ci/s3")["SecretString"])["secret_key"]
        assert _resolve("${secret:awssm://ml/ci/s3#secret_key}") == value
        assert _resolve("${secret:awssm://ml/ci/token}") == "tok-plain-value"
        with pytest.raises(UsageError, match="not found"):
            _resolve("${secret:awssm://ml/ci/absent}")


def test_a_vault_secret_used_as_a_store_password_never_appears_in_any_output(vault, tmp_path, monkeypatch, capsys):
    """The whole store stage against nginx-as-Nexus, then every output is searched for the value."""
    vault.state.approle["ci"] = "approle-secret-" + os.urandom(6).hex()
    monkeypatch.setenv("VAULT_ROLE_ID", "ci")
    monkeypatch.setenv("VAULT_SECRET_ID", vault.state.approle["ci"])
    monkeypatch.chdir(tmp_path)
    with nginx_nexus() as nexus:
        secret = nexus.password
        vault.state.kv["secret/ci/nexus"] = {"password": secret}
        write_config(tmp_path, {
            "project": {"name": "demo", "version": "3.0"},
            "store": {
                "url": f"{nexus.url}/releases",
                "connections": {"nexus": {"username": nexus.username,
                                          "password": "${secret:vault://secret/ci/nexus#password}"}},
            },
        })
        passed_pipeline(tmp_path / ".mlsecops")
        outputs = []
        for args in (["sign"], ["store"], ["config", "show"]):
            code, out, err = run_cli(capsys, *args)
            assert code == 0, err
            outputs.append(out + err)
        assert (nexus.data / "releases/demo/3.0/manifest.json").is_file()
        stored = [p.read_bytes() for p in nexus.data.rglob("*") if p.is_file()]
    workspace = [p.read_bytes() for p in (tmp_path / ".mlsecops").rglob("*") if p.is_file()]
    for blob in [o.encode() for o in outputs] + stored + workspace:
        assert secret.encode() not in blob
        assert vault.state.approle["ci"].encode() not in blob
    assert "****" in outputs[2]  # config show masks the resolved value


def test_secrets_manager_without_a_region_is_bad_config_with_a_hint(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    with pytest.raises(UsageError) as caught:
        _resolve("${secret:awssm://ml/ci/token}")
    assert "project.description: Secrets Manager: no AWS region" in str(caught.value)
    assert "AWS_REGION" in str(caught.value) and "AWS_DEFAULT_REGION" in str(caught.value)


def test_secrets_manager_takes_the_region_from_aws_region_as_the_other_sdks_do(monkeypatch):
    with moto_server() as endpoint:
        aws_env(monkeypatch, endpoint)
        boto3.client("secretsmanager").create_secret(Name="ml/ci/region", SecretString="regional-value")
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        assert _resolve("${secret:awssm://ml/ci/region}") == "regional-value"


def test_a_vault_reference_is_read_only_by_the_commands_that_use_its_section(monkeypatch):
    """Nothing listens on the address: a stage that does not sign must not even try to reach Vault."""
    from mlsecops.cli import secret_scope

    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:9")
    monkeypatch.setenv("VAULT_TOKEN", "hvs.unused-token-value")
    data = {"sign": {"method": "vault-kv", "key": "secret/ci/signing#pem",
                     "key_password": "${secret:vault://secret/ci/signing#password}"}}
    for command in ("load", "scan", "gate", "train", "evaluate", "modeltest", "store", "notify"):
        config = parse_config(data, secrets=secret_scope(command))
        assert config.deferred_secret_paths == ["sign.key_password"]
    with pytest.raises(EnvironmentFailure) as caught:
        parse_config(data, secrets=secret_scope("sign"))
    assert str(caught.value).startswith("mlsecops.yaml: sign.key_password: Vault at http://127.0.0.1:9:")
    assert "unused-token-value" not in str(caught.value)
