"""Signing backends beyond a key file: Vault KV, Vault Transit, Secrets Manager, AWS KMS, keyless Sigstore.

Each must produce a bundle that model-signing's own verifier accepts with the public key,
and managed keys must never reach the workspace. Vault is servers/fake_vault.py (real ECDSA);
KMS and Secrets Manager are moto's server.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from mlsecops.signing.verifier import verify_model
from servers.fake_vault import fake_vault
from servers.moto_server import aws_env, moto_server
from stores_support import passed_pipeline, result_json, run_cli, write_config

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "VAULT_AUTH_METHOD", "SIGSTORE_ID_TOKEN",
                 "MLSECOPS_SIGNING_KEY", "ACTIONS_ID_TOKEN_REQUEST_URL"):
        monkeypatch.delenv(name, raising=False)
    passed_pipeline(tmp_path / ".mlsecops")
    return tmp_path


def _pem() -> tuple[str, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def _assert_signed_and_clean(workspace, method: str, public: bytes | None, secret: str | None = None) -> None:
    ws = workspace / ".mlsecops"
    result = result_json(ws, "sign")
    assert result["details"]["method"] == method and result["details"]["local_key"] is False
    assert not (ws / "sign/local-key").exists()
    if public is not None:
        assert (ws / "sign/public-key.pem").read_bytes() == public
    report = verify_model(ws / "sign/model", ws / "sign/model.sig", ws / "sign/public-key.pem")
    assert report.ok, report.message
    if secret:
        body = secret.splitlines()[1]
        for path in ws.rglob("*"):
            if path.is_file():
                assert body not in path.read_text(errors="replace")


def test_a_key_held_in_vault_kv_signs_in_memory(workspace, monkeypatch, capsys):
    private, public = _pem()
    with fake_vault() as vault:
        vault.state.kv["secret/signing/model"] = {"pem": private}
        monkeypatch.setenv("VAULT_TOKEN", vault.state.root_token)
        write_config(workspace, {"sign": {"method": "vault-kv", "key": "secret/signing/model#pem",
                                          "endpoint_url": vault.url}})
        code, out, err = run_cli(capsys, "sign")
    assert code == 0, err
    _assert_signed_and_clean(workspace, "vault-kv", public, private)
    assert private.splitlines()[1] not in out + err


def test_vault_transit_signs_the_dsse_pae_and_the_key_never_leaves_vault(workspace, monkeypatch, capsys):
    with fake_vault() as vault:
        vault.state.transit["model-signing"] = ec.generate_private_key(ec.SECP256R1())
        monkeypatch.setenv("VAULT_TOKEN", vault.state.root_token)
        write_config(workspace, {"sign": {"method": "vault-transit", "key": "transit/model-signing",
                                          "endpoint_url": vault.url}})
        code, _, err = run_cli(capsys, "sign")
        public = vault.state.public_pem("model-signing").encode()
        sent = vault.state.requests
    assert code == 0, err
    _assert_signed_and_clean(workspace, "vault-transit", public)
    sign_requests = [json.loads(body) for body in sent if body.startswith("{") and "input" in body]
    assert sign_requests and all(req["prehashed"] and len(req["input"]) == 44 for req in sign_requests)


def test_a_transit_key_of_the_wrong_type_is_refused(workspace, monkeypatch, capsys):
    with fake_vault() as vault:
        monkeypatch.setenv("VAULT_TOKEN", vault.state.root_token)
        write_config(workspace, {"sign": {"method": "vault-transit", "key": "absent-key", "endpoint_url": vault.url}})
        code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "absent-key" in err


def test_a_key_in_secrets_manager_and_a_kms_key_both_sign(workspace, monkeypatch, capsys):
    private, public = _pem()
    with moto_server() as endpoint:
        aws_env(monkeypatch, endpoint)
        boto3.client("secretsmanager").create_secret(Name="ml/signing", SecretString=json.dumps({"pem": private}))
        write_config(workspace, {"sign": {"method": "awssm", "key": "ml/signing#pem"}})
        code, _, err = run_cli(capsys, "sign")
        assert code == 0, err
        _assert_signed_and_clean(workspace, "awssm", public, private)

        kms = boto3.client("kms")
        key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/model-signing", TargetKeyId=key_id)
        write_config(workspace, {"sign": {"method": "awskms", "key": "alias/model-signing"}})
        code, _, err = run_cli(capsys, "sign")
        assert code == 0, err
        kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"]).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _assert_signed_and_clean(workspace, "awskms", kms_public)

        rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        write_config(workspace, {"sign": {"method": "awskms", "key": rsa_key}})
        code, _, err = run_cli(capsys, "sign")
        assert code == 2 and "ECC_NIST_P256" in err


def test_keyless_signing_without_an_identity_token_stops_with_one_line(workspace, capsys):
    write_config(workspace, {"sign": {"method": "sigstore"}})
    code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "SIGSTORE_ID_TOKEN" in err and len(err.strip().splitlines()) == 1
    assert not (workspace / ".mlsecops/sign/model.sig").exists()


def test_an_unknown_signing_method_is_bad_config(workspace, capsys):
    write_config(workspace, {"sign": {"method": "gpg"}})
    code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "sign.method" in err


@pytest.mark.parametrize("env", [{}, {"VAULT_TOKEN": "hvs.bad-token-xyz"}])
def test_vault_without_valid_credentials_fails_cleanly(workspace, monkeypatch, capsys, env):
    with fake_vault() as vault:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        write_config(workspace, {"sign": {"method": "vault-transit", "key": "k", "endpoint_url": vault.url}})
        code, _, err = run_cli(capsys, "sign")
    assert code == (3 if env else 2) and "bad-token" not in err and os.linesep not in err.strip()
