"""The README's example config passes its own gate: no signing key where its own scan looks."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml
from mlsecops.workspace import Workspace
from stores_support import run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


def example_config() -> str:
    section = README.read_text(encoding="utf-8").split("## Configuration (`mlsecops.yaml`)", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def _inside(path: str, folder: str) -> bool:
    path_parts, folder_parts = PurePosixPath(path).parts, PurePosixPath(folder).parts
    return folder in (".", "") or path_parts[: len(folder_parts)] == folder_parts


def test_the_example_keeps_its_signing_key_out_of_the_scanned_paths():
    config = yaml.safe_load(example_config())
    key = (config.get("sign") or {}).get("key")
    scanned = (config.get("scan") or {}).get("paths") or ["."]
    if key and not str(key).startswith(("${", "-----BEGIN")):
        assert not [folder for folder in scanned if _inside(str(key), folder)], (
            f"sign.key {key} lies under scan.paths {scanned}: the secrets scanner reports it as a critical private key"
        )


def test_the_secrets_scanner_finds_nothing_in_a_project_holding_the_example_config(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIGNING_KEY_PASSWORD", "not-a-real-password")
    (tmp_path / "mlsecops.yaml").write_text(example_config(), encoding="utf-8")
    code, _, err = run_cli(capsys, "scan", "--only", "secrets")
    assert code == 0, err
    scan = Workspace(tmp_path / ".mlsecops").read_result("scan")  # `--only` writes the branch scan/secrets/
    assert [entry["status"] for entry in scan.scanners] == ["ran"]
    assert scan.findings == []
