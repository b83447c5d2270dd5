"""Stage 2, load: allowlist, lock file, digest check before use, safe extraction, the recorded contract."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml
from mlsecops.stages.base import StageContext
from mlsecops.workspace import Workspace
from stores_support import result_json, run_cli, write_config


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A config folder with a data file served through a relative file:// URL, pinned in mlsecops.lock."""
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "upstream"
    data.mkdir()
    (data / "train.csv").write_bytes(b"text,label\nhello,0\nwin money,1\n")
    config = {
        "project": {"name": "demo", "version": "1.0"},
        "load": {
            "allowlist": ["file://upstream"],
            "sources": [{"name": "dataset", "url": "file://upstream/train.csv", "kind": "dataset"}],
        },
    }
    write_config(tmp_path, config)
    lock = {"dataset": {"url": "file://upstream/train.csv", "sha256": _sha((data / "train.csv").read_bytes())}}
    (tmp_path / "mlsecops.lock").write_text(yaml.safe_dump(lock))
    return tmp_path, config


def test_a_pinned_allowlisted_source_is_fetched_and_recorded_for_the_scanners(project, capsys):
    root, _ = project
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    fetched = root / ".mlsecops/load/dataset/train.csv"
    assert fetched.read_bytes() == (root / "upstream/train.csv").read_bytes()
    result = result_json(root / ".mlsecops", "load")
    assert result["details"]["sources"] == [
        {
            "name": "dataset",
            "kind": "dataset",
            "path": "load/dataset/train.csv",
            "url": "file://upstream/train.csv",
            "sha256": _sha(fetched.read_bytes()),
        }
    ]
    assert result["artifacts"][0]["sha256"] == _sha(fetched.read_bytes())
    # the contract the scan stage reads
    from mlsecops.config import load_config

    ctx = StageContext(config=load_config(root / "mlsecops.yaml"), workspace=Workspace(root / ".mlsecops"))
    [artifact] = ctx.loaded_artifacts()
    assert artifact.path == root / ".mlsecops/load/dataset/train.csv" and artifact.kind == "dataset"


def test_a_changed_upstream_file_is_refused_with_both_digests_and_not_kept(project, capsys):
    root, _ = project
    locked = yaml.safe_load((root / "mlsecops.lock").read_text())["dataset"]["sha256"]
    (root / "upstream/train.csv").write_bytes(b"text,label\npoisoned,1\n")
    code, _, err = run_cli(capsys, "load")
    assert code == 2
    assert "dataset" in err and locked[:12] in err and _sha(b"text,label\npoisoned,1\n")[:12] in err
    assert len(err.strip().splitlines()) == 1
    assert not (root / ".mlsecops/load/dataset").exists() or not any((root / ".mlsecops/load/dataset").iterdir())


def test_a_url_outside_the_allowlist_is_refused_before_any_fetch(project, capsys):
    root, config = project
    config["load"]["allowlist"] = ["file://upstream-other"]
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "matches no load.allowlist prefix" in err
    assert not (root / ".mlsecops/load/dataset").exists()


def test_a_prefix_only_matches_at_a_path_boundary(project, capsys):
    root, config = project
    (root / "upstream-evil").mkdir()
    (root / "upstream-evil/train.csv").write_text("x")
    config["load"]["sources"][0]["url"] = "file://upstream-evil/train.csv"
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "allowlist" in err


def test_dot_dot_segments_cannot_walk_around_the_allowlist(project, capsys):
    root, config = project
    config["load"]["sources"][0]["url"] = "file://upstream/%2e%2e/mlsecops.yaml"
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "'..'" in err


def test_an_empty_allowlist_lets_nothing_in(project, capsys):
    root, config = project
    config["load"]["allowlist"] = []
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "allowlist is empty" in err


def test_an_unknown_scheme_is_one_line_and_exit_2(project, capsys):
    root, config = project
    config["load"]["sources"][0]["url"] = "gopher://host/train.csv"
    config["load"]["allowlist"] = ["gopher://host"]
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "unsupported scheme 'gopher'" in err and len(err.strip().splitlines()) == 1


def test_a_source_missing_from_the_lock_is_refused_when_the_lock_is_required(project, capsys):
    root, _ = project
    (root / "mlsecops.lock").write_text("{}\n")
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "not pinned" in err and "mlsecops lock" in err


def test_a_source_may_be_unpinned_only_when_require_lock_is_off_and_it_is_flagged(project, capsys):
    root, config = project
    (root / "mlsecops.lock").unlink()
    config["load"]["require_lock"] = False
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    assert any("not pinned" in w for w in result_json(root / ".mlsecops", "load")["warnings"])


def test_an_archive_is_extracted_after_its_digest_check_and_the_folder_is_recorded(project, capsys):
    root, config = project
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in {"nb/analysis.ipynb": b"{}", "requirements.txt": b"numpy==2.0\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (root / "upstream/code.tar.gz").write_bytes(buffer.getvalue())
    config["load"]["sources"].append(
        {"name": "code", "url": "file://upstream/code.tar.gz", "kind": "code", "extract": True}
    )
    write_config(root, config)
    lock = yaml.safe_load((root / "mlsecops.lock").read_text())
    lock["code"] = {"url": "file://upstream/code.tar.gz", "sha256": _sha(buffer.getvalue())}
    (root / "mlsecops.lock").write_text(json.dumps(lock))  # JSON lock files are read too
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    assert (root / ".mlsecops/load/code/nb/analysis.ipynb").read_bytes() == b"{}"
    record = result_json(root / ".mlsecops", "load")["details"]["sources"][1]
    assert record["path"] == "load/code" and record["kind"] == "code"


def test_a_hostile_archive_fails_the_load_naming_the_member(project, capsys):
    root, config = project
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("../../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    (root / "upstream/evil.tar").write_bytes(buffer.getvalue())
    config["load"]["sources"] = [{"name": "evil", "url": "file://upstream/evil.tar", "extract": True}]
    write_config(root, config)
    (root / "mlsecops.lock").write_text(
        yaml.safe_dump({"evil": {"url": "file://upstream/evil.tar", "sha256": _sha(buffer.getvalue())}})
    )
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "../../escape.txt" in err
    assert not (root / "escape.txt").exists() and not Path(root.parent / "escape.txt").exists()
    assert not (root / ".mlsecops/load/evil").exists()


def _load_a_release(root: Path, config: dict, capsys) -> Path:
    """Publish a release in a file store next to the config, make it the only source, lock it."""
    release = _publish(root)
    config["load"]["allowlist"].append("file://releases")
    config["load"]["sources"] = [{"name": "base", "url": "file://releases/base/2.0/", "kind": "model"}]
    write_config(root, config)
    assert run_cli(capsys, "lock")[0] == 0
    return release


def _publish(root: Path) -> Path:
    """A release of an mlsecops store on disk, as `mlsecops store` leaves it."""
    from mlsecops.stores import open_store
    from mlsecops.stores.release import publish_release

    model = root / "base-model.keras"
    model.write_bytes(b"pretrained weights")
    store = open_store(f"file://{root / 'releases'}")
    publish_release(store, "base/2.0", {"model.keras": model}, {"model.keras"}, {"project": "base"},
                    echo=lambda _: None)
    return root / "releases/base/2.0"


def test_a_release_folder_is_loaded_whole_and_pinned_by_its_manifest(project, capsys):
    root, config = project
    _load_a_release(root, config, capsys)
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    assert (root / ".mlsecops/load/base/model.keras").read_bytes() == b"pretrained weights"
    record = result_json(root / ".mlsecops", "load")["details"]["sources"][0]
    assert record["path"] == "load/base"
    assert record["sha256"] == _sha((root / "releases/base/2.0/manifest.json").read_bytes())


def test_a_release_whose_file_changed_or_whose_manifest_is_missing_is_refused(project, capsys):
    root, config = project
    release = _load_a_release(root, config, capsys)
    (release / "model.keras").write_bytes(b"backdoored weights")
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "sha256 mismatch" in err
    assert not (root / ".mlsecops/load/base").exists()
    (release / "manifest.json").unlink()
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "no release there" in err


def test_a_file_next_to_the_config_is_a_valid_source(project, capsys):
    root, config = project
    (root / "requirements.txt").write_text("numpy==2.0\n")
    config["load"]["allowlist"].append("file://requirements.txt")
    config["load"]["sources"].append({"name": "reqs", "url": "file://requirements.txt", "kind": "requirements"})
    write_config(root, config)
    assert run_cli(capsys, "lock")[0] == 0
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    assert (root / ".mlsecops/load/reqs/requirements.txt").read_text() == "numpy==2.0\n"


def test_a_symlink_in_an_allowlisted_folder_cannot_pull_in_a_file_from_outside(project, capsys):
    root, config = project
    secret = root / "outside.txt"
    secret.write_text("not for the workspace")
    (root / "upstream/link.csv").symlink_to(secret)
    config["load"]["require_lock"] = False
    config["load"]["sources"] = [{"name": "linked", "url": "file://upstream/link.csv"}]
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "'linked'" in err and "resolves outside its allowlisted folder" in err
    assert len(err.strip().splitlines()) == 1
    assert not any(p.is_file() for p in (root / ".mlsecops/load").rglob("*") if p.name != "result.json")
    code, _, err = run_cli(capsys, "lock")
    assert code == 2 and "resolves outside" in err


def test_a_symlinked_sub_folder_cannot_lead_out_of_the_allowlisted_folder(project, capsys):
    root, config = project
    (root / "elsewhere").mkdir()
    (root / "elsewhere/train.csv").write_text("text,label\n")
    (root / "upstream/sub").symlink_to(root / "elsewhere", target_is_directory=True)
    config["load"]["require_lock"] = False
    config["load"]["sources"] = [{"name": "dataset", "url": "file://upstream/sub/train.csv"}]
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "'dataset'" in err and "resolves outside" in err


def test_an_allowlisted_folder_that_is_itself_a_symlink_still_loads(project, capsys):
    root, config = project
    (root / "mounted").symlink_to(root / "upstream", target_is_directory=True)  # e.g. an NFS mount linked in
    (root / "mlsecops.lock").unlink()
    config["load"]["allowlist"] = ["file://mounted/"]
    config["load"]["require_lock"] = False
    config["load"]["sources"] = [{"name": "dataset", "url": "file://mounted/train.csv"}]
    write_config(root, config)
    code, _, err = run_cli(capsys, "load")
    assert code == 0, err
    assert (root / ".mlsecops/load/dataset/train.csv").read_bytes() == (root / "upstream/train.csv").read_bytes()


def test_a_release_file_that_is_a_symlink_out_of_the_store_is_refused(project, capsys):
    root, config = project
    release = _load_a_release(root, config, capsys)
    outside = root / "outside.keras"
    outside.write_bytes(b"pretrained weights")  # same bytes: only the link, not the digest, gives it away
    (release / "model.keras").unlink()
    (release / "model.keras").symlink_to(outside)
    code, _, err = run_cli(capsys, "load")
    assert code == 2 and "model.keras" in err and "resolves outside the store root" in err
    assert not (root / ".mlsecops/load/base").exists()
