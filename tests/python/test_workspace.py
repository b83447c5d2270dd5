"""The workspace contract: one folder and one result.json per stage, readable on another agent."""

from __future__ import annotations

import json
import os
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


def _scan_result(*scanners: str, status: str = "ran") -> StageResult:
    """A scan result in which each scanner reported one finding of its own."""
    result = StageResult(stage="scan")
    for name in scanners:
        result.findings.append(make_finding(rule=f"{name}/rule", title=name, severity="high", category="secret",
                                            tool=f"{name}-tool", location=Location(path="f"),
                                            properties={"scanner": name}))
        result.scanners.append({"scanner": name, "status": status})
        result.tools[name] = "1.0"
    result.metrics = {"findings": len(result.findings), "findings.high": len(result.findings)}
    return result.finish()


def test_a_branch_replaces_its_scanner_in_the_older_stage_wide_result(tmp_path):
    ws = Workspace(tmp_path)
    ws.write_result(_scan_result("secrets", "dataset"))
    newer = StageResult(stage="scan")
    newer.scanners.append({"scanner": "secrets", "status": "not-run"})
    ws.write_result(newer.finish(), subdir="secrets")

    merged = ws.read_result("scan")

    assert {s["scanner"]: s["status"] for s in merged.scanners} == {"dataset": "ran", "secrets": "not-run"}
    assert [f.title for f in merged.findings] == ["dataset"]
    assert merged.metrics["findings"] == 1 and merged.metrics["findings.high"] == 1
    assert "secrets" not in merged.tools


def test_branches_add_scanners_the_stage_wide_result_did_not_run(tmp_path):
    ws = Workspace(tmp_path)
    ws.write_result(_scan_result("dataset"))
    ws.write_result(_scan_result("secrets"), subdir="secrets")

    merged = ws.read_result("scan")

    assert sorted(s["scanner"] for s in merged.scanners) == ["dataset", "secrets"]
    assert sorted(f.title for f in merged.findings) == ["dataset", "secrets"]
    assert merged.metrics["findings"] == 2


def test_findings_recorded_without_their_scanner_are_attributed_by_tool(tmp_path):
    """Results written before findings named their scanner: a not-run finding's tool is the scanner."""
    ws = Workspace(tmp_path)
    old = _scan_result("secrets")
    old.findings[0].properties.clear()
    old.findings[0].tool = "secrets"
    ws.write_result(old)
    rerun = StageResult(stage="scan")
    rerun.scanners.append({"scanner": "secrets", "status": "ran"})
    ws.write_result(rerun.finish(), subdir="secrets")

    assert ws.read_result("scan").findings == []


def test_a_branch_that_failed_before_recording_its_scanner_still_replaces_it(tmp_path):
    """`scan --only secrets` that stopped early leaves only an error: the older findings must not pass for it."""
    ws = Workspace(tmp_path)
    ws.write_result(_scan_result("secrets", "dataset"))
    failed = StageResult(stage="scan", reason="scan.options.secrets: bad option")
    ws.write_result(failed.finish("error"), subdir="secrets")

    merged = ws.read_result("scan")

    assert merged.status == "error"
    assert [s["scanner"] for s in merged.scanners] == ["dataset"]
    assert [f.title for f in merged.findings] == ["dataset"]


def test_a_corrupt_branch_result_is_a_usage_error_naming_that_file(tmp_path):
    ws = Workspace(tmp_path)
    ws.write_result(_scan_result("dataset"))
    ws.stage_dir("scan/secrets").joinpath("result.json").write_text("{not json")
    with pytest.raises(UsageError, match=r"scan/secrets/result.json: unreadable stage result"):
        ws.read_result("scan")


def test_a_registered_secret_quoted_in_a_result_is_masked_in_result_json(tmp_path):
    from mlsecops.redact import register_secret

    secret = "topsecretvalue-" + os.urandom(6).hex()
    register_secret(secret)
    result = StageResult(stage="load", reason=f"https://127.0.0.1:9/data.csv?token={secret}: download failed")
    path = Workspace(tmp_path).write_result(result.finish("error"))
    written = path.read_text()
    assert secret not in written and "download failed" in written
