"""`mlsecops verify`: a release folder against its bundle, naming each changed, added or missing file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli as run_cli_in
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from stores_support import passed_pipeline, run_cli, write_config


@pytest.fixture(scope="module")
def signed_and_stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose passed pipeline was signed and stored: built once, each test gets its own copy."""
    project = tmp_path_factory.mktemp("signed-and-stored")
    write_config(project, {"project": {"name": "demo", "version": "2.1"}})
    passed_pipeline(project / ".mlsecops")
    for command in ("sign", "store"):
        result = run_cli_in(command, cwd=project)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def release(signed_and_stored: Path, tmp_path, monkeypatch) -> Path:
    shutil.copytree(signed_and_stored, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path / ".mlsecops/store/demo/2.1"


def test_an_untouched_release_verifies(release, capsys):
    code, out, err = run_cli(capsys, "verify", str(release))
    assert code == 0, err
    assert "verified" in out and "pin it with --public-key" in out


def test_model_signings_own_cli_accepts_the_release_folder(release):
    model_signing = Path(sys.executable).with_name("model_signing")
    completed = subprocess.run(
        [str(model_signing), "verify", "key", "--signature", str(release / "model.sig"),
         "--public_key", str(release / "public-key.pem"), str(release)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Verification succeeded" in completed.stdout


def test_each_changed_added_and_missing_file_is_named_with_exit_1(release, capsys):
    (release / "model.h5").write_bytes(b"tampered")
    (release / "backdoor.py").write_text("import os\n")
    (release / "labels.json").unlink()
    code, out, err = run_cli(capsys, "verify", str(release))
    assert code == 1
    assert "changed: model.h5" in out and "added: backdoor.py" in out and "missing: labels.json" in out
    assert "changed: model.h5" in err


def test_a_changed_report_riding_along_is_caught_through_the_manifest(release, capsys):
    (release / "reports/findings.json").write_text('{"findings": ["hidden"]}')
    code, out, _ = run_cli(capsys, "verify", str(release))
    assert code == 1 and "changed: reports/findings.json" in out


def test_a_release_without_manifest_counts_as_absent(release, capsys):
    (release / "manifest.json").unlink()
    code, _, err = run_cli(capsys, "verify", str(release))
    assert code == 1 and "incomplete release" in err


def test_a_signature_from_another_key_is_refused(release, tmp_path, capsys):
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (tmp_path / "other.pem").write_bytes(
        other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, _, err = run_cli(capsys, "verify", str(release), "--public-key", str(tmp_path / "other.pem"))
    assert code == 1 and "does not verify with public key" in err


def test_a_bare_model_folder_verifies_with_an_explicit_signature(release, tmp_path, capsys):
    bare = tmp_path / "bare"
    shutil.copytree(release, bare, ignore=shutil.ignore_patterns("reports", "manifest.json", "model.sig"))
    code, _, err = run_cli(
        capsys, "verify", str(bare), "--signature", str(release / "model.sig"),
        "--public-key", str(release / "public-key.pem"),
    )
    assert code == 0, err


def test_a_release_whose_own_bundle_is_corrupt_fails_verification(release, capsys):
    (release / "model.sig").write_text(json.dumps({"not": "a bundle"}))
    code, _, err = run_cli(capsys, "verify", str(release))
    assert code == 1 and "not a model-signing bundle (corrupt or tampered)" in err


def test_a_signature_file_the_user_names_that_is_not_a_bundle_is_bad_input(release, tmp_path, capsys):
    (tmp_path / "junk.sig").write_text("not json")
    code, _, err = run_cli(capsys, "verify", str(release), "--signature", str(tmp_path / "junk.sig"))
    assert code == 2 and "not a model-signing bundle" in err


def test_a_private_key_passed_as_public_key_is_bad_input_and_never_echoed(release, tmp_path, capsys):
    private = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "signing-key.pem").write_bytes(private)
    code, out, err = run_cli(capsys, "verify", str(release), "--public-key", str(tmp_path / "signing-key.pem"))
    assert code == 2 and "a private key, not a public key" in err and len(err.strip().splitlines()) == 1
    body = b"".join(private.splitlines()[1:-1]).decode()
    assert body[:24] not in out + err


def test_garbage_passed_as_public_key_is_bad_input(release, tmp_path, capsys):
    (tmp_path / "key.pem").write_text("hello")
    code, _, err = run_cli(capsys, "verify", str(release), "--public-key", str(tmp_path / "key.pem"))
    assert code == 2 and "not a PEM EC public key" in err


def test_a_release_whose_own_public_key_is_corrupt_fails_verification(release, capsys):
    (release / "public-key.pem").write_text("-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----\n")
    code, _, err = run_cli(capsys, "verify", str(release))
    assert code == 1 and "corrupt or tampered" in err


def test_a_report_slipped_into_the_release_is_named_as_added(release, capsys):
    (release / "reports/new.txt").write_text("not from the pipeline")
    code, out, err = run_cli(capsys, "verify", str(release))
    assert code == 1 and "added: reports/new.txt" in out and "added: reports/new.txt" in err


STORED_FILES = ["model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json", "model.sig",
                "public-key.pem", "manifest.json", "reports/findings.json", "reports/ml-bom.cdx.json",
                "reports/summary.html"]


@pytest.mark.parametrize("name", STORED_FILES)
def test_tampering_with_any_stored_file_fails_verification(release, capsys, name):
    target = release / name
    assert target.is_file(), name
    data = target.read_bytes()
    # flip one byte in the middle: the file keeps its size and, mostly, its format
    middle = len(data) // 2
    target.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    code, out, err = run_cli(capsys, "verify", str(release))
    assert code == 1, (name, code, out, err)  # tampering is a failed verification, never "bad input"
    assert "Traceback" not in out + err


# ------------------------------------------------------------------ folders signed by the model_signing tool


def _model_signing_signed_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A model folder signed exactly as `model_signing sign key --private_key KEY --signature DIR/model.sig DIR`
    does it, through the library's own API; returns the folder and the signer's public key."""
    import model_signing.hashing
    import model_signing.signing

    folder = tmp_path / "hf-model"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      " + bytes(range(64)))
    (folder / "config.json").write_text('{"architectures": ["BertModel"]}')
    (folder / "tokenizer/vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    private = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "signer.pem").write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "signer.pub").write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    signature = folder / "model.sig"
    model_signing.signing.Config().use_elliptic_key_signer(private_key=tmp_path / "signer.pem").set_hashing_config(
        model_signing.hashing.Config().set_ignored_paths(paths=[Path("model.sig")], ignore_git_paths=True)
    ).sign(folder, signature)
    return folder, tmp_path / "signer.pub"


def test_a_folder_signed_with_the_model_signing_api_verifies_with_its_public_key(tmp_path, capsys):
    folder, public = _model_signing_signed_folder(tmp_path)
    code, out, err = run_cli(capsys, "verify", str(folder), "--public-key", str(public))
    assert code == 0, err
    assert "verified" in out and "pinned" in out


def test_a_changed_file_in_a_model_signing_folder_is_named(tmp_path, capsys):
    folder, public = _model_signing_signed_folder(tmp_path)
    (folder / "tokenizer/vocab.txt").write_text("[PAD]\n[UNK]\nevil\n")
    (folder / "extra.py").write_text("import os\n")
    code, out, _ = run_cli(capsys, "verify", str(folder), "--public-key", str(public))
    assert code == 1 and "changed: tokenizer/vocab.txt" in out and "added: extra.py" in out


def test_a_model_signing_folder_needs_the_signers_key(tmp_path, capsys):
    folder, _ = _model_signing_signed_folder(tmp_path)
    code, _, err = run_cli(capsys, "verify", str(folder))
    assert code == 2 and "--public-key" in err and len(err.strip().splitlines()) == 1


def test_a_folder_signed_by_the_model_signing_cli_verifies(tmp_path, capsys):
    folder, public = _model_signing_signed_folder(tmp_path)
    (folder / "model.sig").unlink()
    model_signing = Path(sys.executable).with_name("model_signing")
    completed = subprocess.run(
        [str(model_signing), "sign", "key", "--private_key", str(tmp_path / "signer.pem"),
         "--signature", str(folder / "model.sig"), str(folder)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    code, _, err = run_cli(capsys, "verify", str(folder), "--public-key", str(public))
    assert code == 0, err


def test_a_release_with_its_manifest_removed_is_still_not_taken_for_a_model_signing_folder(release, capsys):
    (release / "manifest.json").unlink()
    code, _, err = run_cli(capsys, "verify", str(release), "--public-key", str(release / "public-key.pem"))
    assert code == 1 and "incomplete release" in err
