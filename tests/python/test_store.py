"""Stage 10, store: only a signed model whose gates passed; manifest last; idempotent; --force to replace."""

from __future__ import annotations

import json

import pytest
from mlsecops.stores.file import FileStore
from mlsecops.stores.release import list_releases, read_manifest
from stores_support import (
    passed_pipeline,
    result_json,
    run_cli,
    write_config,
    write_gate,
    write_model_gate,
)


@pytest.fixture
def signed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"project": {"name": "spam-filter", "version": "1.2.0"}})
    passed_pipeline(tmp_path / ".mlsecops")
    assert run_cli(capsys, "sign")[0] == 0
    return tmp_path / ".mlsecops"


def test_the_release_holds_model_signature_key_reports_and_a_manifest_describing_them(signed, capsys):
    code, _, err = run_cli(capsys, "store")
    assert code == 0, err
    release = signed / "store/spam-filter/1.2.0"
    names = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    assert names == sorted(
        ["labels.json", "model.h5", "model.keras", "tokenizer.json", "tokenizer.pickle", "model.sig",
         "public-key.pem", "manifest.json"]
        + [f"reports/{name}" for name in ("findings.json", "findings.sarif", "junit.xml", "defectdojo.json",
                                          "summary.md", "summary.html", "ml-bom.cdx.json")]
    )
    # the released reports are written at store time, so they already know the model was signed
    released = json.loads((release / "reports/findings.json").read_text())
    assert "sign" in [stage["stage"] for stage in released["run"]["stages"]]
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["project"] == "spam-filter" and manifest["version"] == "1.2.0"
    assert manifest["metrics"] == {"accuracy": 0.93, "f1_macro": 0.92}
    assert manifest["gates"] == {"gate-security": "passed", "gate-model": "passed"}
    assert manifest["signing"]["method"] == "key" and manifest["signing"]["local_key"] is True
    assert len(manifest["signing"]["key_id"]) == 64 and manifest["created"]
    by_path = {f["path"]: f for f in manifest["files"]}
    assert by_path["model.keras"]["signed"] and not by_path["reports/ml-bom.cdx.json"]["signed"]
    assert by_path["model.keras"]["size"] == (signed / "sign/model/model.keras").stat().st_size
    assert "private" not in json.dumps(manifest) and not list(release.rglob("*private*"))
    assert result_json(signed, "store")["details"]["unchanged"] is False


def test_storing_the_same_model_again_changes_nothing(signed, capsys):
    assert run_cli(capsys, "store")[0] == 0
    manifest = (signed / "store/spam-filter/1.2.0/manifest.json").read_bytes()
    code, out, _ = run_cli(capsys, "store")
    assert code == 0 and "already released, unchanged" in out
    assert (signed / "store/spam-filter/1.2.0/manifest.json").read_bytes() == manifest


def test_a_different_model_for_the_same_version_is_refused_unless_forced(signed, capsys):
    assert run_cli(capsys, "store")[0] == 0
    (signed / "train/model.keras").write_bytes(b"retrained")
    (signed / "train/result.json").unlink()  # a retrain records new digests; the stand-in just drops them
    write_model_gate(signed)  # ... and the new model passes its gate again
    assert run_cli(capsys, "sign")[0] == 0
    code, _, err = run_cli(capsys, "store")
    assert code == 2 and "model.keras" in err and "--force" in err
    assert (signed / "store/spam-filter/1.2.0/model.keras").read_bytes() != b"retrained"
    code, _, err = run_cli(capsys, "store", "--force")
    assert code == 0, err
    assert (signed / "store/spam-filter/1.2.0/model.keras").read_bytes() == b"retrained"
    assert run_cli(capsys, "verify", str(signed / "store/spam-filter/1.2.0"))[0] == 0


@pytest.mark.parametrize("gate", ["gate-security", "gate-model"])
def test_a_failed_gate_blocks_the_store(signed, capsys, gate):
    write_gate(signed, gate, "failed")
    code, _, err = run_cli(capsys, "store")
    assert code == 1 and gate in err and "refusing to store: gates not passed" in err
    assert not (signed / "store/spam-filter").exists()


def test_an_unsigned_model_is_not_stored(signed, capsys):
    (signed / "sign/model.sig").unlink()
    code, _, err = run_cli(capsys, "store")
    assert code == 1 and "not signed" in err


def test_a_signed_model_changed_after_signing_is_not_stored(signed, capsys):
    (signed / "sign/model/tokenizer.json").write_text('{"vocab": {"evil": 1}}')
    code, _, err = run_cli(capsys, "store")
    assert code == 1 and "tokenizer.json" in err


def test_a_configured_file_store_is_relative_to_the_config_folder(signed, tmp_path, capsys):
    write_config(tmp_path, {"project": {"name": "spam-filter", "version": "1.2.0"}, "store": {"url": "file://releases"}})
    assert run_cli(capsys, "store")[0] == 0
    store = FileStore(f"file://{tmp_path / 'releases'}")
    assert read_manifest(store, "spam-filter/1.2.0") is not None
    assert [m["version"] for m in list_releases(store, "spam-filter")] == ["1.2.0"]


@pytest.mark.timeout(120)
def test_an_ftp_server_dying_mid_store_is_exit_3_with_the_url_and_no_release(tmp_path, monkeypatch, capsys):
    from servers.ftp_server import ftp_server

    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"project": {"name": "spam-filter", "version": "1.2.0"}})
    passed_pipeline(tmp_path / ".mlsecops")
    assert run_cli(capsys, "sign")[0] == 0
    with ftp_server(stop_after_files=3) as server:
        monkeypatch.setenv("FTP_PASSWORD", server.password)
        write_config(tmp_path, {
            "project": {"name": "spam-filter", "version": "1.2.0"},
            "store": {"url": f"{server.url}/releases", "connections": {"ftp": {
                "username": server.username, "password": "${secret:env://FTP_PASSWORD}",
                "retries": 2, "backoff_seconds": 0.01, "timeout": 3}}},
        })
        code, out, err = run_cli(capsys, "store")
        assert not (server.root / "releases/spam-filter/1.2.0/manifest.json").exists()
    assert code == 3 and f"{server.url}/releases/spam-filter/1.2.0/" in err and "after 3 attempts" in err
    assert server.password not in out + err
    assert result_json(tmp_path / ".mlsecops", "store")["status"] == "error"


def test_a_damaged_release_is_refused_as_a_store_fault_and_replaced_with_force(signed, capsys):
    assert run_cli(capsys, "store")[0] == 0
    release = signed / "store/spam-filter/1.2.0"
    (release / "model.h5").write_bytes(b"overwritten on the server")
    code, _, err = run_cli(capsys, "store")
    assert code == 3 and "damaged" in err and "model.h5" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1
    code, out, err = run_cli(capsys, "store", "--force")
    assert code == 0, err
    assert "unchanged" not in out and result_json(signed, "store")["details"]["replaced"] is True
    assert (release / "model.h5").read_bytes() == (signed / "sign/model/model.h5").read_bytes()
    assert run_cli(capsys, "verify", str(release))[0] == 0


def test_a_release_with_a_missing_file_or_a_broken_manifest_is_damaged_too(signed, capsys):
    assert run_cli(capsys, "store")[0] == 0
    release = signed / "store/spam-filter/1.2.0"
    (release / "tokenizer.json").unlink()
    code, _, err = run_cli(capsys, "store")
    assert code == 3 and "damaged" in err and "tokenizer.json" in err
    (release / "manifest.json").write_text("{not json")
    code, _, err = run_cli(capsys, "store")
    assert code == 3 and "damaged" in err and "manifest" in err
    assert run_cli(capsys, "store", "--force")[0] == 0
    assert (release / "tokenizer.json").is_file() and run_cli(capsys, "verify", str(release))[0] == 0


def test_a_store_url_naming_a_file_is_exit_2_in_one_line(signed, tmp_path, capsys):
    (tmp_path / "base.yaml").write_text("project: {}\n")
    write_config(tmp_path, {"project": {"name": "spam-filter", "version": "1.2.0"}, "store": {"url": "file://base.yaml"}})
    code, _, err = run_cli(capsys, "store")
    assert code == 2 and "the store root must be a folder" in err and "base.yaml" in err
    assert len(err.strip().splitlines()) == 1 and "Error" not in err
