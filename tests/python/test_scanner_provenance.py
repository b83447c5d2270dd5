"""Provenance: loaded pre-trained models are verified against their model-signing signature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets


def key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def signed_model(folder: Path, private_key: Path) -> Path:
    """A model folder signed the way publishers sign with model-signing: bundle at model/model.sig."""
    import model_signing.hashing
    import model_signing.signing

    model = folder / "model"
    model.mkdir()
    (model / "config.json").write_text('{"layers": 2}')
    (model / "weights.bin").write_bytes(bytes(range(256)) * 64)
    config = model_signing.signing.Config().use_elliptic_key_signer(private_key=private_key)
    config.set_hashing_config(model_signing.hashing.Config().use_file_serialization(ignore_paths=[Path("model.sig")]))
    config.sign(model, model / "model.sig")
    return model


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    private, public = key_pair(tmp_path, "publisher")
    _, other_public = key_pair(tmp_path, "someone-else")
    return {"private": private, "public": public, "other": other_public}


def check(model: Path, work: Path | None = None, **options):
    artifact = LoadedArtifact(name="pretrained", kind="model", path=model)
    return get_scanner("provenance").scan(ScanTargets(artifacts=[artifact], options=options, work_dir=work))


def test_a_signed_model_verified_with_the_publishers_key_has_no_findings(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    outcome = check(model, tmp_path / "work", public_key=str(keys["public"]))
    assert (outcome.status, outcome.scanned, outcome.findings) == ("ran", 1, [])
    assert outcome.tool_version == "model-signing 1.1.1"
    [record] = json.loads((tmp_path / "work" / "provenance.json").read_text())
    assert record["status"] == "verified"


def test_a_tampered_file_fails_verification_and_is_named(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    (model / "weights.bin").write_bytes(b"trojan")
    [finding] = check(model, public_key=str(keys["public"])).findings
    assert (finding.rule, finding.severity.value, finding.category) == (
        "provenance/signature-invalid", "critical", "provenance")
    assert finding.properties == {"changed": ["weights.bin"]}


def test_a_signature_by_another_key_does_not_verify(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    [finding] = check(model, public_key=str(keys["other"])).findings
    assert finding.rule == "provenance/signature-invalid" and "does not verify" in finding.message


def test_an_unsigned_model_is_a_finding_with_the_policys_severity(tmp_path, keys):
    model = tmp_path / "plain"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x00" * 10)
    [default] = check(model, public_key=str(keys["public"])).findings
    assert (default.rule, default.severity.value) == ("provenance/unsigned", "high")
    [lenient] = check(model, public_key=str(keys["public"]), unsigned_severity="low").findings
    assert lenient.severity.value == "low"


def test_a_signed_model_without_a_trusted_key_is_not_taken_on_trust(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    [finding] = check(model).findings
    assert finding.rule == "provenance/no-trusted-key"


def test_a_configured_bundle_and_per_artifact_key_are_used(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    bundle = tmp_path / "elsewhere.sig"
    (model / "model.sig").rename(bundle)
    outcome = check(model, signatures={"pretrained": str(bundle)}, public_keys={"pretrained": str(keys["public"])},
                    public_key=str(keys["other"]))
    assert outcome.findings == []


def test_a_broken_bundle_is_a_finding(tmp_path, keys):
    model = signed_model(tmp_path, keys["private"])
    (model / "model.sig").write_text("not a bundle")
    [finding] = check(model, public_key=str(keys["public"])).findings
    assert finding.rule == "provenance/unverifiable"


def test_nothing_loaded_is_not_a_pass(tmp_path):
    outcome = get_scanner("provenance").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "not-run"
