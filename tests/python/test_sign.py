"""Stage 9, sign: only after both gates passed; key file, PEM in the environment, or a loud local key."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from mlsecops.signing.verifier import verify_model
from stores_support import (
    passed_pipeline,
    result_json,
    run_cli,
    write_config,
    write_gate,
)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLSECOPS_SIGNING_KEY", raising=False)
    write_config(tmp_path, {"project": {"name": "demo", "version": "1.0"}})
    passed_pipeline(tmp_path / ".mlsecops")
    return tmp_path / ".mlsecops"


def _pem(key, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def test_without_a_key_a_local_one_is_made_once_private_and_announced(workspace, capsys):
    code, out, err = run_cli(capsys, "sign")
    assert code == 0, err
    assert "LOCAL, UNMANAGED key" in out
    key = workspace / "sign/local-key/private-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_bytes()
    result = result_json(workspace, "sign")
    assert result["details"]["local_key"] is True and result["details"]["method"] == "key"
    assert result["details"]["files"] == sorted(
        ["labels.json", "model.h5", "model.keras", "tokenizer.json", "tokenizer.pickle"]
    )
    assert "local-key" not in json.dumps(result["artifacts"])
    assert run_cli(capsys, "sign")[0] == 0
    assert key.read_bytes() == first  # generated once, reused
    report = verify_model(workspace / "sign/model", workspace / "sign/model.sig", workspace / "sign/public-key.pem")
    assert report.ok


def test_a_configured_password_protected_key_file_signs_and_the_key_id_is_its_public_hash(workspace, tmp_path, capsys):
    private = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "signing.pem").write_bytes(_pem(private, b"s3cret-pass"))
    write_config(
        tmp_path,
        {"sign": {"key": "signing.pem", "key_password": "${secret:env://KEY_PASS}"}},
    )
    import os

    os.environ["KEY_PASS"] = "s3cret-pass"
    try:
        code, out, err = run_cli(capsys, "sign")
    finally:
        del os.environ["KEY_PASS"]
    assert code == 0, err
    result = result_json(workspace, "sign")
    assert result["details"]["local_key"] is False
    assert not (workspace / "sign/local-key").exists()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib

    assert result["details"]["key_id"] == hashlib.sha256(public).hexdigest()
    assert (workspace / "sign/public-key.pem").read_bytes() == public
    assert "s3cret-pass" not in out + err + json.dumps(result)


def test_a_pem_handed_over_in_the_environment_is_used_and_never_written_to_the_workspace(
    workspace, capsys, monkeypatch
):
    pem = _pem(ec.generate_private_key(ec.SECP384R1())).decode()
    monkeypatch.setenv("MLSECOPS_SIGNING_KEY", pem)
    code, _, err = run_cli(capsys, "sign")
    assert code == 0, err
    body = pem.splitlines()[1]
    for path in workspace.rglob("*"):
        if path.is_file():
            assert body not in path.read_text(errors="replace")


@pytest.mark.parametrize("gate,status", [("gate-security", "failed"), ("gate-model", "error")])
def test_signing_is_refused_unless_both_gates_passed(workspace, capsys, gate, status):
    write_gate(workspace, gate, status)
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and f"{gate}: {status}" in err and len(err.strip().splitlines()) == 1
    assert "refusing to sign: gates not passed" in err
    assert not (workspace / "sign/model.sig").exists()


def test_a_gate_that_never_ran_counts_as_not_passed(workspace, capsys):
    (workspace / "gate-model/result.json").unlink()
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and "gate-model: missing" in err


def test_a_model_file_changed_after_train_recorded_it_is_not_signed(workspace, capsys):
    (workspace / "train/model.keras").write_bytes(b"swapped after training")
    code, _, err = run_cli(capsys, "sign")
    assert code == 1 and "train/model.keras differs" in err


def test_an_rsa_key_is_refused_with_one_line(workspace, tmp_path, capsys):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "rsa.pem").write_bytes(_pem(rsa_key))
    write_config(tmp_path, {"sign": {"key": "rsa.pem"}})
    code, _, err = run_cli(capsys, "sign")
    assert code == 2 and "EC P-256 or P-384" in err


def test_blake3_hashing_produces_a_bundle_model_signing_verifies(workspace, tmp_path, capsys):
    write_config(tmp_path, {"sign": {"hash": "blake3"}})
    assert run_cli(capsys, "sign")[0] == 0
    import base64

    statement = json.loads(
        base64.b64decode(json.loads((workspace / "sign/model.sig").read_text())["dsseEnvelope"]["payload"])
    )
    assert {r["algorithm"] for r in statement["predicate"]["resources"]} == {"blake3"}
    assert verify_model(workspace / "sign/model", workspace / "sign/model.sig", workspace / "sign/public-key.pem").ok


def test_sha256_signing_records_each_files_plain_sha256_and_model_signings_own_verifier_accepts_it(tmp_path):
    import base64
    import hashlib
    import os

    import model_signing.verifying
    from mlsecops.config import SignConfig
    from mlsecops.signing.keyfile import KeyFileSigner

    model = tmp_path / "model"
    model.mkdir()
    # larger than the read buffer and not a multiple of it: the last partial read must be hashed too
    (model / "weights.bin").write_bytes(os.urandom(3 * 256 * 1024 + 12345))
    (model / "tokenizer.json").write_text('{"vocab": {}}')
    bundle, public = tmp_path / "model.sig", tmp_path / "public-key.pem"
    KeyFileSigner(SignConfig(hash="sha256"), tmp_path / "work", echo=lambda _line: None).sign(model, bundle, public)

    statement = json.loads(base64.b64decode(json.loads(bundle.read_text())["dsseEnvelope"]["payload"]))
    recorded = {r["name"]: (r["algorithm"], r["digest"]) for r in statement["predicate"]["resources"]}
    expected = {p.name: ("sha256", hashlib.sha256(p.read_bytes()).hexdigest()) for p in model.iterdir()}
    assert recorded == expected
    # model-signing's verifier guesses its own (stock) hashing config from the bundle
    model_signing.verifying.Config().use_elliptic_key_verifier(public_key=public).verify(model, bundle)
