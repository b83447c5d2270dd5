"""Elasticsearch: `_bulk` NDJSON, one ECS-style document per stage result and per finding."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from notify_support.elasticsearch_fake import ElasticsearchFake
from notify_support.harness import notify_run
from notify_support.workspace import failed_model_gate

pytestmark = pytest.mark.timeout(60)
TEMPLATE = (Path(__file__).resolve().parents[2]
            / "resources/org/mlsecops/elasticsearch/mlsecops-events.index-template.json")
API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="


@pytest.fixture
def elastic(monkeypatch):
    fake = ElasticsearchFake(api_key=API_KEY).start()
    monkeypatch.setenv("ELASTIC_API_KEY", API_KEY)
    monkeypatch.setenv("BUILD_TAG", "jenkins-fraud-detector-42")
    yield fake
    fake.stop()


def sink(fake: ElasticsearchFake, **extra) -> dict:
    return {"type": "elasticsearch", "url": fake.url, "api_key": "${secret:env://ELASTIC_API_KEY}", **extra}


def stored(fake: ElasticsearchFake, dataset: str) -> dict[str, dict]:
    return {doc_id: doc for (_, doc_id), doc in fake.stored.items() if doc["event"]["dataset"] == dataset}


def test_each_stage_result_and_each_finding_becomes_one_ecs_document(tmp_path, elastic, monkeypatch):
    monkeypatch.setenv("BRANCH_NAME", "main")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="gate-failed")
    assert run.sink("elasticsearch")["details"] == {"index": "mlsecops-events", "documents": 13}
    [bulk] = elastic.receiver.requests
    assert bulk.path == "/_bulk" and bulk.headers["content-type"] == "application/x-ndjson"
    assert bulk.headers["authorization"] == f"ApiKey {API_KEY}"
    stages = stored(elastic, "mlsecops.stage")
    assert sorted(doc["labels"]["stage"] for doc in stages.values()) == sorted(
        ["load", "scan", "gate-security", "train", "evaluate", "modeltest", "gate-model"])
    gate = stages["jenkins-fraud-detector-42:stage:gate-model"]
    assert gate["event"]["outcome"] == "failure" and gate["event"]["kind"] == "event"
    assert gate["event"]["duration"] == 200_000_000  # 0.2 s in nanoseconds, as ECS wants
    assert gate["labels"] == {"project": "fraud-detector", "version": "1.4.0", "branch": "main",
                              "run_id": "jenkins-fraud-detector-42", "notify_event": "gate-failed",
                              "stage": "gate-model"}
    assert stages["jenkins-fraud-detector-42:stage:evaluate"]["mlsecops"]["metrics"]["roc_auc"] == 0.972
    findings = stored(elastic, "mlsecops.finding")
    assert len(findings) == 5
    critical = next(d for d in findings.values() if d["vulnerability"]["severity"] == "Critical")
    assert critical["event"]["category"] == ["vulnerability"] and critical["labels"]["stage"] == "modeltest"
    assert critical["file"] == {"path": "model/tokenizer.pickle"}
    assert all(doc["@timestamp"] for doc in elastic.stored.values())


def _mapped(path: str, properties: dict, dynamic: list[dict]) -> bool:
    node: dict | None = {"properties": properties}
    for part in path.split("."):
        node = (node or {}).get("properties", {}).get(part)
        if node is None:
            break
    if node is not None:
        return True
    return any(fnmatch.fnmatch(path, rule["path_match"]) for t in dynamic for rule in t.values() if "path_match" in rule)


def _leaves(document: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in document.items():
        path = f"{prefix}{key}"
        paths.extend(_leaves(value, f"{path}.") if isinstance(value, dict) else [path])
    return paths


def test_every_field_we_send_is_mapped_by_the_shipped_index_template(tmp_path, elastic):
    notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="gate-failed")
    template = json.loads(TEMPLATE.read_text())
    assert fnmatch.fnmatch("mlsecops-events", template["index_patterns"][0])
    mappings = template["template"]["mappings"]
    unmapped = {path for doc in elastic.stored.values() for path in _leaves(doc)
                if not _mapped(path, mappings["properties"], mappings["dynamic_templates"])}
    assert unmapped == set()


def test_sending_the_same_run_again_overwrites_instead_of_duplicating(tmp_path, elastic):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    notify_run(workspace, [sink(elastic)], event="gate-failed")
    notify_run(workspace, [sink(elastic)], event="finished")
    assert (len(stored(elastic, "mlsecops.stage")), len(stored(elastic, "mlsecops.finding"))) == (7, 5)
    assert sorted(stored(elastic, "mlsecops.run")) == ["jenkins-fraud-detector-42:run:finished",
                                                       "jenkins-fraud-detector-42:run:gate-failed"]
    second = [json.loads(line) for line in elastic.receiver.requests[1].text().splitlines()[::2]]
    assert {"index": {"_index": "mlsecops-events", "_id": "jenkins-fraud-detector-42:stage:load"}} in second


def test_a_start_sends_only_the_run_event(tmp_path, elastic):
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="started")
    assert run.sink("elasticsearch")["details"]["documents"] == 1
    [(doc_id, document)] = [(k[1], v) for k, v in elastic.stored.items()]
    assert doc_id == "jenkins-fraud-detector-42:run:started"
    assert document["event"]["type"] == ["start"] and document["mlsecops"]["run"]["verdict"] == "running"


def test_a_rejected_document_is_reported_and_the_others_are_indexed(tmp_path, elastic):
    elastic.reject_ids.add("jenkins-fraud-detector-42:stage:train")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="gate-failed")
    outcome = run.sink("elasticsearch")
    assert outcome["status"] == "failed"
    assert outcome["reason"] == ("elasticsearch: 1 of 13 documents rejected (first: 400 mapper_parsing_exception: "
                                 "failed to parse field [event.duration])")
    assert len(elastic.stored) == 12


def test_documents_throttled_with_429_are_resent_alone(tmp_path, elastic):
    elastic.throttle_once.update({"jenkins-fraud-detector-42:stage:scan", "jenkins-fraud-detector-42:stage:load"})
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="gate-failed")
    assert run.sink("elasticsearch")["status"] == "sent", run.sink("elasticsearch")
    assert len(elastic.stored) == 13
    resent = elastic.receiver.requests[1].text().splitlines()
    assert len(resent) == 4  # two action lines, two documents


def test_a_wrong_api_key_is_a_warning(tmp_path, elastic, monkeypatch):
    monkeypatch.setenv("ELASTIC_API_KEY", "d3JvbmdrZXk6d3JvbmdzZWNyZXQtdmFsdWUtMTIz")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(elastic)], event="gate-failed")
    assert run.sink("elasticsearch")["reason"].startswith("elasticsearch: HTTP 401")
    assert "d3JvbmdrZXk6" not in run.text + str(run.result)
