"""PagerDuty Events API v2: one incident per project and gate, opened on failure, resolved on the next pass."""

from __future__ import annotations

import pytest
from mlsecops.workspace import StageResult, Workspace
from notify_support.harness import notify_run
from notify_support.pagerduty_fake import PagerDutyFake
from notify_support.workspace import failed_model_gate, passing_run

pytestmark = pytest.mark.timeout(60)
ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"
MODEL_KEY = "mlsecops:fraud-detector:model"


@pytest.fixture
def pagerduty(monkeypatch):
    fake = PagerDutyFake(ROUTING_KEY).start()
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    yield fake
    fake.stop()


def sink(fake: PagerDutyFake, **extra) -> dict:
    return {"type": "pagerduty", "routing_key": "${secret:env://PAGERDUTY_ROUTING_KEY}", "events_url": fake.url,
            **extra}


def test_a_failed_gate_triggers_one_incident_with_the_findings(tmp_path, pagerduty):
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(pagerduty)], event="gate-failed")
    assert run.sink("pagerduty")["details"] == {
        "triggered": [MODEL_KEY],
        "resolved": ["mlsecops:fraud-detector:security"],
    }
    assert pagerduty.open == {MODEL_KEY: 1}
    trigger = next(r.json() for r in pagerduty.receiver.requests if r.json()["event_action"] == "trigger")
    assert trigger["payload"]["summary"] == (
        "mlsecops fraud-detector 1.4.0: gate 'model' failed: model gate failed: attack success rate LLM01 0.250 > 0.1"
    )
    assert trigger["payload"]["severity"] == "error" and trigger["payload"]["component"] == "model"
    details = trigger["payload"]["custom_details"]
    assert details["findings_by_severity"]["critical"] == 1
    assert details["top_findings"][0].startswith("CRITICAL model-file")


def test_the_same_gate_failing_again_stays_one_incident_and_the_next_pass_resolves_it(tmp_path, pagerduty):
    notify_run(failed_model_gate(tmp_path / "build1"), [sink(pagerduty)], event="gate-failed")
    notify_run(failed_model_gate(tmp_path / "build2"), [sink(pagerduty)], event="gate-failed")
    assert pagerduty.open == {MODEL_KEY: 2}
    run = notify_run(passing_run(tmp_path / "build3"), [sink(pagerduty)], event="succeeded")
    assert pagerduty.open == {}
    assert pagerduty.resolved == [MODEL_KEY]
    assert MODEL_KEY in run.sink("pagerduty")["details"]["resolved"]


def test_per_branch_incidents_keep_a_feature_branch_from_resolving_main(tmp_path, pagerduty, monkeypatch):
    monkeypatch.setenv("BRANCH_NAME", "main")
    notify_run(failed_model_gate(tmp_path / "main"), [sink(pagerduty, per_branch=True)], event="gate-failed")
    monkeypatch.setenv("BRANCH_NAME", "feature/x")
    notify_run(passing_run(tmp_path / "feature"), [sink(pagerduty, per_branch=True)], event="succeeded")
    assert pagerduty.open == {"mlsecops:fraud-detector:main:model": 1}


def test_a_crashed_stage_pages_the_pipeline_incident(tmp_path, pagerduty):
    workspace = Workspace(tmp_path / ".mlsecops")
    crashed = StageResult(stage="train", reason="internal error: RuntimeError").finish("error")
    workspace.write_result(crashed)
    run = notify_run(workspace, [sink(pagerduty, severity="critical")], event="error")
    assert run.sink("pagerduty")["details"]["triggered"] == ["mlsecops:fraud-detector:pipeline"]
    trigger = pagerduty.receiver.requests[0].json()
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["payload"]["summary"].endswith("pipeline error: internal error: RuntimeError")


def test_a_wrong_routing_key_is_a_warning(tmp_path, pagerduty, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY", "WRONGKEY0123456789abcdefABCDEF99")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(pagerduty)], event="gate-failed")
    outcome = run.sink("pagerduty")
    assert outcome["status"] == "failed" and "HTTP 400" in outcome["reason"] and "Invalid routing key" in outcome["reason"]
    assert "WRONGKEY0123" not in run.text + str(run.result)
