"""`mlsecops lock`: every source resolved to its sha256, through the global --config."""

from __future__ import annotations

import hashlib

import yaml
from stores_support import run_cli, write_config


def _project(tmp_path):
    upstream = tmp_path / "cfg" / "upstream"
    upstream.mkdir(parents=True)
    (upstream / "a.csv").write_bytes(b"a,b\n1,2\n")
    (upstream / "model.bin").write_bytes(b"\x00" * 1000)
    write_config(
        tmp_path / "cfg",
        {
            "load": {
                "allowlist": ["file://upstream/"],
                "sources": [
                    {"name": "data", "url": "file://upstream/a.csv", "kind": "dataset"},
                    {"name": "base-model", "url": "file://upstream/model.bin", "kind": "model"},
                ],
            }
        },
    )
    return tmp_path / "cfg"


def test_lock_pins_every_source_next_to_the_config_and_load_accepts_it(tmp_path, capsys, monkeypatch):
    cfg = _project(tmp_path)
    monkeypatch.chdir(tmp_path)  # elsewhere: relative file:// URLs and the lock follow the config's folder
    code, out, err = run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "lock")
    assert code == 0, err
    assert "2 source(s) pinned" in out
    lock = yaml.safe_load((cfg / "mlsecops.lock").read_text())
    assert lock == {
        "base-model": {"url": "file://upstream/model.bin", "sha256": hashlib.sha256(b"\x00" * 1000).hexdigest()},
        "data": {"url": "file://upstream/a.csv", "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest()},
    }
    assert not (tmp_path / ".mlsecops/load").exists()  # lock never writes into the workspace
    code, _, err = run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "load")
    assert code == 0, err


def test_lock_check_reports_a_stale_lock_with_exit_1(tmp_path, capsys):
    cfg = _project(tmp_path)
    assert run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "lock")[0] == 0
    assert run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "lock", "--check")[0] == 0
    (cfg / "upstream/a.csv").write_bytes(b"changed\n")
    code, _, err = run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "lock", "--check")
    assert code == 1 and "stale for data" in err


def test_lock_refuses_sources_outside_the_allowlist(tmp_path, capsys):
    cfg = _project(tmp_path)
    config = yaml.safe_load((cfg / "mlsecops.yaml").read_text())
    config["load"]["allowlist"] = ["file://elsewhere"]
    write_config(cfg, config)
    code, _, err = run_cli(capsys, "--config", str(cfg / "mlsecops.yaml"), "lock")
    assert code == 2 and "allowlist" in err and not (cfg / "mlsecops.lock").exists()
