"""The workspace contract: one folder and one result.json per stage, readable on another agent."""

from __future__ import annotations

import json
import shutil

import pytest
from mlsecops.errors import UsageError
from mlsecops.findings import Location, make_finding
from mlsecops.workspace import StageResult, Workspace


def test_result_round_trip_with_artifacts(tmp_path):
    ws = Workspace(tmp_path / ".mlsecops")
    model = ws.stage_dir("train") / "model.h5"
    model.write_bytes(b"weights")
    result = StageResult(stage="train", metrics={"cv_accuracy_mean": 0.9})
    result.artifacts.append(ws.artifact(model))
    result.finish()
    ws.write_result(result)
    data = json.loads((tmp_path / ".mlsecops" / "train" / "result.json").read_text())
    assert data["artifacts"][0] == {"path": "train/model.h5", "sha256": ws.artifact(model).sha256, "size": 7}
    assert set(data) >= {"status", "started", "finished", "findings", "metrics", "artifacts", "tools"}
    assert ws.read_result("train").metrics == {"cv_accuracy_mean": 0.9}


def test_stashed_folder_alone_is_enough(tmp_path):
    """Jenkins stashes `.mlsecops/<stage>/**`: a copy of that folder is all another agent needs."""
    agent_a = Workspace(tmp_path / "a")
    agent_a.write_result(StageResult(stage="scan").finish())
    agent_b = tmp_path / "b"
    shutil.copytree(tmp_path / "a" / "scan", agent_b / "scan")
    assert Workspace(agent_b).read_result("scan").status == "passed"


def test_parallel_branches_merge_into_one_stage_result(tmp_path):
    ws = Workspace(tmp_path)
    for branch, line in (("secrets", 1), ("dataset", 2)):
        part = StageResult(stage="scan")
        part.findings.append(make_finding(rule=branch, title=branch, severity="high", category="secret",
                                          tool=branch, location=Location(path="f", line=line)))
        part.scanners.append({"scanner": branch, "status": "ran"})
        ws.write_result(part.finish(), subdir=branch)
    merged = ws.read_result("scan")
    assert sorted(s["scanner"] for s in merged.scanners) == ["dataset", "secrets"]
    assert len(merged.findings) == 2


def test_missing_stage_names_the_command_to_run(tmp_path):
    with pytest.raises(UsageError, match="stage 'train' has not run"):
        Workspace(tmp_path).read_result("train")


def test_corrupt_result_is_a_usage_error(tmp_path):
    ws = Workspace(tmp_path)
    ws.stage_dir("scan").joinpath("result.json").write_text("{not json")
    with pytest.raises(UsageError, match="unreadable stage result"):
        ws.read_result("scan")
