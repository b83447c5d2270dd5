"""`mlsecops run` reports only its own results: the folders of the stages it runs are emptied first."""

from __future__ import annotations

import json

from mlsecops.findings import Location, make_finding
from mlsecops.workspace import StageResult, Workspace
from stores_support import run_cli, write_config

STALE_FILE = "src/deleted_long_ago.py"


def stale_workspace(workspace) -> None:
    """What an earlier, complete run left: a scan with a finding, two gates, a release, the local key."""
    ws = Workspace(workspace)
    finding = make_finding(
        rule="secrets/aws-access-key", title="AWS access key", severity="high", category="secret",
        tool="detect-secrets", location=Location(path=STALE_FILE, line=3), identity="old",
    )
    ws.write_result(StageResult(stage="scan", findings=[finding]).finish())
    ws.write_result(StageResult(stage="scan", findings=[finding]).finish(), subdir="secrets")
    for gate in ("gate-security", "gate-model"):
        ws.write_result(StageResult(stage=gate, reason="earlier verdict").finish("failed"))
    ws.write_result(StageResult(stage="train").finish())
    (workspace / "train/model.keras").write_bytes(b"an old model")
    (workspace / "sign/local-key").mkdir(parents=True)
    (workspace / "sign/local-key/private-key.pem").write_text("the workspace's key")
    (workspace / "sign/model.sig").write_text("{}")
    ws.write_result(StageResult(stage="sign").finish())
    (workspace / "store/demo/1.0").mkdir(parents=True)
    (workspace / "store/demo/1.0/manifest.json").write_text('{"files": []}')
    ws.write_result(StageResult(stage="store").finish())


def test_a_run_stopped_at_load_shows_only_its_own_load(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {
        "project": {"name": "demo", "version": "1.0"},
        "load": {"allowlist": ["file://data/"], "require_lock": False,
                 "sources": [{"name": "dataset", "url": "file://data/missing.csv", "kind": "dataset"}]},
    })
    (tmp_path / "data").mkdir()
    workspace = tmp_path / ".mlsecops"
    stale_workspace(workspace)

    code, out, err = run_cli(capsys, "run")
    assert code == 2, out + err
    assert "removed the earlier results of" in out
    summary = (workspace / "reports/summary.md").read_text(encoding="utf-8")
    findings = json.loads((workspace / "reports/findings.json").read_text(encoding="utf-8"))
    for text in (out, summary, json.dumps(findings)):
        assert STALE_FILE not in text and "earlier verdict" not in text
    assert [stage["stage"] for stage in findings["run"]["stages"]] == ["load", "notify"]  # notify: this run's
    assert "gate-security" not in out.split("==> load", 1)[1]
    for stage in ("scan", "gate-security", "gate-model", "train", "sign", "store"):
        assert not (workspace / stage / "result.json").exists(), stage
    assert not (workspace / "scan/secrets").exists() and not (workspace / "train/model.keras").exists()
    # kept: the releases of the default store and the key this workspace signs with
    assert (workspace / "store/demo/1.0/manifest.json").is_file()
    assert (workspace / "sign/local-key/private-key.pem").read_text() == "the workspace's key"
    assert not (workspace / "sign/model.sig").exists()


def test_a_run_from_a_later_stage_keeps_the_earlier_stages_results(tmp_path, monkeypatch, capsys):
    from mlsecops.stages.run import clear_stale_results

    workspace = tmp_path / ".mlsecops"
    stale_workspace(workspace)
    (workspace / "reports").mkdir()
    (workspace / "reports/summary.md").write_text("# the last run's summary")
    (workspace / "reports/team-notes.txt").write_text("not a report mlsecops writes")
    cleared = clear_stale_results(Workspace(workspace), ["gate-model", "sign", "store"])
    assert cleared == ["gate-model", "sign", "store"]
    assert not (workspace / "reports/summary.md").exists() and (workspace / "reports/team-notes.txt").is_file()
    assert (workspace / "scan/result.json").is_file() and (workspace / "gate-security/result.json").is_file()
    assert not (workspace / "gate-model/result.json").exists()


def test_a_folder_without_a_stage_result_is_never_touched(tmp_path):
    """A workspace pointed at a project folder: its own `train/` is the team's code, not a stage's output."""
    from mlsecops.stages.run import clear_stale_results

    (tmp_path / "train").mkdir()
    (tmp_path / "train/train.py").write_text("print('the team's training program')\n")
    assert clear_stale_results(Workspace(tmp_path), ["train"]) == []
    assert (tmp_path / "train/train.py").is_file()
