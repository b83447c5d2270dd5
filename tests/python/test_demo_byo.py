"""The "bring your own model" demos end to end: `mlsecops run --demo NAME` as a user runs it, and stage by
stage on fresh agents with only the stashed folders, as Jenkins runs it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from agents_support import PIPELINE, run_on_fresh_agents
from mlsecops import demo
from mlsecops.demo.services import ENDPOINT_VARIABLE, endpoint_server

pytestmark = pytest.mark.timeout(900)



def passed_pipeline(ws: Path) -> dict[str, dict]:
    results = {}
    for stage in PIPELINE:
        data = json.loads((ws / stage / "result.json").read_text())
        assert data["status"] == "passed", (stage, data.get("reason"))
        results[stage] = data
    return results


def stored_release(ws: Path) -> Path:
    manifests = list((ws / "store").rglob("manifest.json"))
    assert len(manifests) == 1, manifests
    return manifests[0].parent


@pytest.mark.e2e
def test_the_tabular_demo_trains_scikit_learn_and_ships_a_signed_skops_model(cli, tmp_path: Path):
    result = cli("run", "--demo", "tabular")
    assert result.exit_code == 0, result.output[-3000:]
    ws = tmp_path / ".mlsecops"
    results = passed_pipeline(ws)
    assert results["train"]["details"]["kind"] == "sklearn"
    assert results["evaluate"]["metrics"]["f1_macro"] >= 0.95
    modeltest = {entry["scanner"]: entry for entry in results["modeltest"]["scanners"]}
    assert modeltest["poisoning"]["status"] == "skipped" and "no text column" in modeltest["poisoning"]["message"]
    release = stored_release(ws)
    assert (release / "model.skops").is_file() or any(release.rglob("model.skops"))
    assert cli("verify", str(release)).exit_code == 0


@pytest.mark.e2e
def test_the_byo_demo_runs_stage_by_stage_on_fresh_agents_like_jenkins(cli, tmp_path: Path):
    project = tmp_path / "checkout"
    assert cli("demo", "init", str(project), "--variant", "byo").exit_code == 0
    stash = run_on_fresh_agents(cli, project, tmp_path)
    train = json.loads((stash / "train/result.json").read_text())
    assert train["details"]["model_files"] == ["train/model/model.safetensors"]
    sign = json.loads((stash / "sign/result.json").read_text())
    assert "model.safetensors" in json.dumps(sign["details"])


@pytest.mark.e2e
def test_the_pretrained_demo_ships_the_scanned_model_file_unchanged(cli, tmp_path: Path):
    result = cli("run", "--demo", "pretrained")
    assert result.exit_code == 0, result.output[-3000:]
    ws = tmp_path / ".mlsecops"
    results = passed_pipeline(ws)
    loaded = next(s for s in results["load"]["details"]["sources"] if s["name"] == "published-model")
    shipped = next(a for a in results["train"]["artifacts"] if a["path"] == "train/model/model.safetensors")
    assert shipped["sha256"] == loaded["sha256"]
    assert results["evaluate"]["metrics"]["roc_auc"] >= 0.95


@pytest.mark.e2e
def test_the_llm_endpoint_demo_tests_its_endpoint_and_ships_its_prompt_bundle(cli, tmp_path: Path):
    result = cli("run", "--demo", "llm-endpoint")
    assert result.exit_code == 0, result.output[-3000:]
    ws = tmp_path / ".mlsecops"
    results = passed_pipeline(ws)
    assert results["train"]["details"]["kind"] == "none"
    assert results["evaluate"]["details"]["applicable"] is False
    tests = {entry["scanner"]: entry["status"] for entry in results["modeltest"]["scanners"]}
    assert tests["injection"] == "ran" and tests["garak"] == "ran"
    assert any(key.startswith("attack_success_rate.") for key in results["modeltest"]["metrics"])
    gate = {check["rule"]: check for check in results["gate-model"]["details"]["checks"]}
    assert not [rule for rule in gate if rule.startswith("metric:")], "no accuracy bounds for an endpoint-only app"
    release = stored_release(ws)
    assert any(path.name == "system_prompt.txt" for path in release.rglob("*"))
    assert ENDPOINT_VARIABLE not in os.environ


def test_the_demo_endpoint_serves_openai_chat_on_127_0_0_1_and_stops(tmp_path: Path):
    import requests

    config = demo.materialize("llm-endpoint", tmp_path / "project")
    with endpoint_server(config.parent) as url:
        assert url.startswith("http://127.0.0.1:")
        answer = requests.post(f"{url}/chat/completions", timeout=10, json={
            "model": "support-assistant", "messages": [{"role": "user", "content": "Where is my parcel?"}]})
        assert answer.status_code == 200
        assert "tracking" in answer.json()["choices"][0]["message"]["content"]
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/chat/completions", timeout=5, json={"messages": []})


@pytest.mark.parametrize("variant", ["tabular", "byo", "pretrained", "llm-endpoint"])
def test_each_own_model_demo_is_a_complete_project_written_the_same_every_time(tmp_path: Path, variant):
    from mlsecops.config import load_config
    from mlsecops.config.check import check_references

    first = demo.build(variant).render()
    assert first == demo.build(variant).render(), "no run-to-run difference: the lock file pins every byte"
    config_path = demo.materialize(variant, tmp_path / variant)
    config = load_config(config_path)
    check_references(config)
    assert config.train.kind == {"tabular": "sklearn", "byo": "command", "pretrained": "pretrained",
                                 "llm-endpoint": "none"}[variant]
    for source in config.load.sources:
        assert (config_path.parent / source.url.removeprefix("file://")).is_file(), source.name


def test_the_tabular_data_is_scikit_learns_breast_cancer_table_read_without_a_download(tmp_path: Path):
    import csv

    from sklearn.datasets import load_breast_cancer

    config_path = demo.materialize("tabular", tmp_path / "tabular")
    with (config_path.parent / "data/breast_cancer.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    reference = load_breast_cancer()
    assert len(rows) == 569 and list(rows[0])[:-1] == list(reference.feature_names)
    assert [row["diagnosis"] for row in rows] == [reference.target_names[t] for t in reference.target]
    assert float(rows[0]["mean radius"]) == pytest.approx(reference.data[0][0])


@pytest.mark.e2e
def test_a_training_program_edited_after_the_security_gate_does_not_run(cli, tmp_path: Path):
    project = tmp_path / "checkout"
    assert cli("demo", "init", str(project), "--variant", "byo").exit_code == 0
    for command in (("load",), ("scan",), ("gate", "--stage", "security")):
        result = cli("--config", str(project / "mlsecops.yaml"), *command, cwd=project)
        assert result.exit_code == 0, (command, result.output[-2000:])
    program = project / "train.py"
    program.write_text(program.read_text() + "\n# edited after the gate\n")
    result = cli("--config", str(project / "mlsecops.yaml"), "train", cwd=project)
    assert result.exit_code == 1, result.output[-2000:]
    assert "train.py changed after the security gate judged it" in result.output
