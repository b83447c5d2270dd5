"""Stage 7 end to end through the CLI: scan the trained files, then test the demo bot or an HTTP target."""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import pytest
import yaml
from conftest import built_once
from mlsecops.demo import build
from mlsecops.workspace import StageResult, Workspace
from model_support import corpus_generator
from model_support.llm_server import LlmServer
from model_support.trained import demo_rows, write_dataset, write_trained_model

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def trained() -> Path:
    """The demo model trained once per test run (on a slice of the tickets), in train's layout; read-only."""
    return built_once("modeltest-trained", lambda folder: write_trained_model(folder, demo_rows()[::4], epochs=5))


def project(tmp_path: Path, trained: Path, modeltest: dict, *, variant: str = "default") -> Path:
    """A project folder with mlsecops.yaml, the dataset recorded by load, and the trained files."""
    config = {"project": {"name": "support-intents", "version": "1.0.0"},
              "train": {"dataset": "tickets"}, "modeltest": modeltest}
    (tmp_path / "mlsecops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    responses = tmp_path / "app" / "responses.json"
    responses.parent.mkdir(parents=True)
    responses.write_bytes(build(variant).files["app/responses.json"])
    workspace = Workspace(tmp_path / ".mlsecops")
    dataset = write_dataset(workspace.stage_dir("load") / "tickets.csv", demo_rows(variant))
    load = StageResult(stage="load", details={"sources": [
        {"name": "tickets", "kind": "dataset", "path": "load/tickets.csv", "url": "file://data/tickets.csv",
         "sha256": workspace.artifact(dataset).sha256},
    ]})
    workspace.write_result(load.finish())
    shutil.copytree(trained, workspace.root / "train")
    return tmp_path


def modeltest_result(folder: Path) -> dict:
    return json.loads((folder / ".mlsecops" / "modeltest" / "result.json").read_text(encoding="utf-8"))


FAST_GARAK = {"probes": ["encoding.InjectBase64", "dan.Dan_11_0"], "prompts_per_probe": 1, "timeout_seconds": 300}


@pytest.mark.e2e
def test_on_the_clean_demo_every_test_runs_and_nothing_fails_the_gate(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": FAST_GARAK, "injection": {"max_payloads": 6}})
    result = cli("modeltest", cwd=folder)
    assert result.exit_code == 0, result.output
    data = modeltest_result(folder)
    assert data["status"] == "passed"
    ran = {s["scanner"]: s["status"] for s in data["scanners"]}
    assert ran == {"models": "ran", "poisoning": "ran", "garak": "ran", "injection": "ran", "disclosure": "ran",
                   "regression": "skipped"}
    assert data["metrics"]["model_files_scanned"] == 4
    assert not [f for f in data["findings"] if f["severity"] in ("critical", "high")]
    assert data["metrics"]["attack_success_rate.LLM01"] == 0.0
    assert data["metrics"]["disclosure_outputs_scanned"] >= 8  # every template of the bot


@pytest.mark.e2e
def test_the_leaky_bot_variant_is_flagged_llm02_by_disclosure(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": FAST_GARAK, "injection": {"max_payloads": 4}}, variant="leaky-bot")
    result = cli("modeltest", cwd=folder)
    assert result.exit_code == 0, result.output
    data = modeltest_result(folder)
    disclosed = [f for f in data["findings"] if f["category"] == "disclosure"]
    assert {f["rule"] for f in disclosed} == {"disclosure/openai-api-key", "disclosure/email-address"}
    assert all("LLM02:2025" in f["owasp_llm"] for f in disclosed)
    written = (folder / ".mlsecops" / "modeltest").rglob("*")
    planted_values = build("leaky-bot").planted
    for path in (p for p in written if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not [v for v in planted_values if v in text], path
    assert not [v for v in planted_values if v in result.output]


@pytest.mark.e2e
def test_the_backdoor_variant_has_its_trigger_named_by_stage_7(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": {"enabled": False}, "injection": {"enabled": False}},
                     variant="backdoor")
    assert cli("modeltest", cwd=folder).exit_code == 0
    triggers = [f for f in modeltest_result(folder)["findings"] if f["rule"] == "poisoning/backdoor-trigger"]
    assert [f["properties"]["token"] for f in triggers] == ["zqx"]


def test_a_trojan_among_the_trained_files_is_critical_and_the_model_is_not_loaded(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": FAST_GARAK})
    gen = corpus_generator()
    (folder / ".mlsecops" / "train" / "tokenizer.pickle").write_bytes(gen.call_then_data("os", "system", "id", 2))
    result = cli("modeltest", cwd=folder)
    assert result.exit_code == 0, result.output
    data = modeltest_result(folder)
    (trojan,) = [f for f in data["findings"] if f["category"] == "model-file"]
    assert trojan["severity"] == "critical"
    assert trojan["location"]["path"] == "tokenizer.pickle"
    blocked = {f["rule"] for f in data["findings"] if f["properties"].get("not_run")}
    assert blocked == {"garak/not-run", "injection/not-run"}


def test_without_trained_files_the_model_scan_fails_closed(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": {"enabled": False}})
    shutil.rmtree(folder / ".mlsecops" / "train")
    assert cli("modeltest", cwd=folder).exit_code == 0
    rules = {f["rule"] for f in modeltest_result(folder)["findings"]}
    assert "models/not-run" in rules


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("behaviour", ["down", "garbage", "slow", "error"])
def test_a_target_that_fails_to_answer_is_exit_3_naming_it_within_bounded_time(
    tmp_path: Path, trained: Path, cli, behaviour: str
):
    with LlmServer("refuse" if behaviour == "down" else behaviour) as server:
        url = f"http://127.0.0.1:{free_port()}/generate" if behaviour == "down" else f"{server.url}/generate"
        # the slow server sleeps 30 s: two attempts of 0.3 s must give up long before it answers
        target = {"type": "rest", "url": url, "response_field": "answer", "timeout_seconds": 0.3, "retries": 1}
        folder = project(tmp_path, trained, {"target": target})
        started = time.monotonic()
        result = cli("modeltest", cwd=folder, timeout=120)
        elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert url in result.stderr
    assert "Traceback" not in result.output
    assert elapsed < 60
    assert modeltest_result(folder)["status"] == "error"


@pytest.mark.e2e
def test_the_injected_data_variant_has_its_poisoned_training_rows_named(tmp_path: Path, trained: Path, cli):
    folder = project(tmp_path, trained, {"garak": {"enabled": False}, "injection": {"max_payloads": 1}},
                     variant="injected-data")
    assert cli("modeltest", cwd=folder).exit_code == 0
    found = [f for f in modeltest_result(folder)["findings"] if f["rule"] == "llm/indirect-prompt-injection"]
    # the three planted rows fail the gate; rows only the learned model suspects are medium leads
    injected = [f for f in found if f["severity"] == "high"]
    assert len(injected) == 3
    assert all(f["severity"] == "medium" and "learned model only" in f["title"] for f in found if f not in injected)
    assert all(f["location"]["path"] == "data/tickets.csv" and f["location"]["line"] for f in injected)
    assert all("CWE-1427" in f["cwe"] for f in injected)
