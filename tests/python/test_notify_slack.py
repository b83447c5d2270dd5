"""Slack: an incoming-webhook Block Kit message that Slack accepts, whatever the run holds."""

from __future__ import annotations

import pytest
from notify_support.harness import notify_run
from notify_support.receiver import Receiver, Reply
from notify_support.slack_fake import WEBHOOK_PATH, slack_receiver, violations
from notify_support.workspace import failed_model_gate

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def slack(monkeypatch):
    receiver = slack_receiver()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", receiver.url + WEBHOOK_PATH)
    yield receiver
    receiver.stop()


SINK = {"type": "slack", "webhook_url": "${secret:env://SLACK_WEBHOOK_URL}"}


def blocks_of(slack: Receiver) -> list[dict]:
    assert len(slack.requests) == 1
    request = slack.requests[0]
    assert request.method == "POST" and request.path == WEBHOOK_PATH
    assert request.headers["content-type"] == "application/json"
    return request.json()["blocks"]


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def test_a_failed_gate_posts_verdicts_top_findings_and_links(tmp_path, slack, monkeypatch):
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud/42/")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [SINK], event="gate-failed")
    assert run.sink("slack")["status"] == "sent", run.sink("slack")
    blocks = blocks_of(slack)
    assert blocks[0] == {"type": "header", "text": {
        "type": "plain_text", "text": "mlsecops fraud-detector 1.4.0: gate-failed - FAILED", "emoji": True}}
    gates = next(t for t in texts(blocks) if t.startswith("*Gates*"))
    assert ":white_check_mark: *security* passed" in gates and ":x: *model* failed" in gates
    top = next(t for t in texts(blocks) if t.startswith("*Top findings*"))
    assert top.splitlines()[1].startswith("• CRITICAL model-file Unsafe operator in tokenizer.pickle")
    assert len([line for line in top.splitlines() if line.startswith("•")]) == 5
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [(b["text"]["text"], b["url"]) for b in buttons] == [
        ("Open build", "https://jenkins.example.com/job/fraud/42/"),
        ("Reports", "https://jenkins.example.com/job/fraud/42/artifact/.mlsecops/reports/"),
    ]
    assert slack.requests[0].json()["text"].startswith(":x: mlsecops fraud-detector")


def test_hundreds_of_findings_stay_within_slack_limits(tmp_path, slack):
    workspace = failed_model_gate(tmp_path / ".mlsecops", findings_per_scan=400)
    run = notify_run(workspace, [{**SINK, "top": 50}], event="gate-failed")
    assert run.sink("slack")["status"] == "sent", run.sink("slack")
    blocks = blocks_of(slack)
    assert violations({"blocks": blocks, "text": "x"}) == []
    assert len(blocks) <= 50 and all(len(t) <= 3000 for t in texts(blocks))
    top = next(t for t in texts(blocks) if t.startswith("*Top findings*"))
    listed = [line for line in top.splitlines() if line.startswith("• ")]
    assert 0 < len(listed) < 50  # whole lines up to Slack's 3000 characters, then a count of the rest
    assert top.splitlines()[-1] == f"_… and {405 - len(listed)} more in the reports_"


def test_mrkdwn_control_characters_in_findings_are_escaped(tmp_path, slack):
    workspace = failed_model_gate(tmp_path / ".mlsecops", findings_per_scan=1)
    notify_run(workspace, [{**SINK, "top": 10}], event="gate-failed")
    top = next(t for t in texts(blocks_of(slack)) if t.startswith("*Top findings*"))
    assert "[x](y) &lt;b&gt;" in top and "<b>" not in top


def test_a_revoked_webhook_is_a_warning_that_does_not_show_the_webhook(tmp_path, slack, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url + "/services/T0001/B0002/revokedSecretPart")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [SINK], event="gate-failed")
    outcome = run.sink("slack")
    assert outcome["status"] == "failed" and outcome["reason"] == "slack: HTTP 404: no_service"
    assert len(slack.requests) == 1  # a 404 is final: no retry
    assert "revokedSecretPart" not in run.text + str(run.result)


@pytest.fixture
def scripted_webhook(monkeypatch):
    """A webhook that answers from a script, one reply per request; the last reply repeats."""
    receiver = Receiver()

    def serve(*replies: Reply) -> Receiver:
        script = list(replies)
        receiver.route("POST", "/services/", lambda recorded: script.pop(0) if len(script) > 1 else script[0])
        receiver.start()
        monkeypatch.setenv("SLACK_WEBHOOK_URL", receiver.url + WEBHOOK_PATH)
        return receiver

    yield serve
    receiver.stop()


def test_a_transient_failure_is_retried_within_the_bound(tmp_path, scripted_webhook):
    webhook = scripted_webhook(Reply(503, "service unavailable"), Reply(429, "rate_limited", {"Retry-After": "0"}),
                               Reply(200, "ok"))
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [{**SINK, "retries": 2}], event="gate-failed")
    assert run.sink("slack")["status"] == "sent"
    assert len(webhook.requests) == 3


def test_retries_are_bounded(tmp_path, scripted_webhook):
    webhook = scripted_webhook(Reply(500, "internal_error"))
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [{**SINK, "retries": 1}], event="gate-failed")
    assert run.sink("slack")["reason"] == "slack: HTTP 500: internal_error (after 2 attempts)"
    assert len(webhook.requests) == 2


def test_a_start_is_announced_without_a_stale_verdict(tmp_path, slack, monkeypatch):
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud/43/")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [{**SINK, "events": ["started"]}], event="started")
    assert run.sink("slack")["status"] == "sent"
    blocks = blocks_of(slack)
    assert [b["type"] for b in blocks] == ["header", "section", "actions", "context"]
    assert blocks[0]["text"]["text"] == "mlsecops fraud-detector 1.4.0: started - RUNNING"
