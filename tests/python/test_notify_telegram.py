"""Telegram: Bot API sendMessage in MarkdownV2 that Telegram parses, under its 4096-character limit."""

from __future__ import annotations

import pytest
from mlsecops.findings import Location, Severity, make_finding
from mlsecops.notify.telegram import escape
from mlsecops.workspace import StageResult
from notify_support.harness import notify_run
from notify_support.telegram_fake import parse_markdown_v2, telegram_receiver
from notify_support.workspace import failed_model_gate

pytestmark = pytest.mark.timeout(60)
TOKEN = "7312345678:AAFh2kq9-Zx_Wv8TestTokenValueThatIsLong"
ALL_SPECIAL = "_*[]()~`>#+-=|{}.!\\"
SINK = {"type": "telegram", "bot_token": "${secret:env://TELEGRAM_BOT_TOKEN}", "chat_id": -1001234567890}


@pytest.fixture
def telegram(monkeypatch):
    receiver = telegram_receiver(TOKEN)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    yield receiver
    receiver.stop()


def sent_text(telegram) -> str:
    assert len(telegram.requests) == 1
    request = telegram.requests[0]
    assert request.method == "POST" and request.path == f"/bot{TOKEN}/sendMessage"
    payload = request.json()
    assert payload["parse_mode"] == "MarkdownV2" and payload["chat_id"] == "-1001234567890"
    return payload["text"]


def test_every_markdown_v2_special_character_and_the_backslash_is_escaped():
    assert escape(ALL_SPECIAL) == "".join("\\" + c for c in ALL_SPECIAL)
    assert parse_markdown_v2(escape(f"a {ALL_SPECIAL} b")) == f"a {ALL_SPECIAL} b"


def test_a_failed_gate_is_sent_and_parsed_by_telegram(tmp_path, telegram, monkeypatch):
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud(ml)/42/")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [{**SINK, "api_url": telegram.url}],
                     event="gate-failed")
    assert run.sink("telegram")["status"] == "sent", run.sink("telegram")
    shown = parse_markdown_v2(sent_text(telegram))
    lines = shown.splitlines()
    assert lines[0] == "mlsecops fraud-detector 1.4.0: gate-failed - FAILED"
    assert "Gates: ✅ security passed, ❌ model failed" in lines
    assert lines[lines.index("Top findings:") + 1].startswith("• CRITICAL model-file Unsafe operator")
    assert lines[-1] == "Open build · Reports"
    assert "(https://jenkins.example.com/job/fraud(ml\\)/42/)" in sent_text(telegram)


def test_findings_full_of_special_characters_reach_telegram_verbatim(tmp_path, telegram):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    odd = make_finding(rule="x/odd", title=f"odd {ALL_SPECIAL} title", severity=Severity.CRITICAL,
                       category="code", tool="t", location=Location(path="a_b*c.py", line=3))
    workspace.write_result(StageResult(stage="scan", findings=[odd]).finish())
    run = notify_run(workspace, [{**SINK, "api_url": telegram.url}], event="gate-failed")
    assert run.sink("telegram")["status"] == "sent", run.sink("telegram")
    assert f"• CRITICAL code odd {ALL_SPECIAL} title @ a_b*c.py:3" in parse_markdown_v2(sent_text(telegram))


def test_a_long_report_is_cut_under_4096_characters_with_a_count_of_the_rest(tmp_path, telegram):
    workspace = failed_model_gate(tmp_path / ".mlsecops", findings_per_scan=400)
    run = notify_run(workspace, [{**SINK, "api_url": telegram.url, "top": 50}], event="gate-failed")
    assert run.sink("telegram")["status"] == "sent", run.sink("telegram")
    text = sent_text(telegram)
    assert len(text) <= 4096
    shown = parse_markdown_v2(text).splitlines()
    listed = [line for line in shown if line.startswith("• ")]
    assert 0 < len(listed) < 50
    assert shown[-1] == f"… and {405 - len(listed)} more in the reports"


def test_a_bot_api_refusal_is_a_warning_without_the_token(tmp_path, telegram, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7312345678:AAWrongTokenWrongTokenWrongToken12345")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [{**SINK, "api_url": telegram.url}],
                     event="gate-failed")
    outcome = run.sink("telegram")
    assert outcome["status"] == "failed" and outcome["reason"].startswith("telegram: HTTP 404")
    assert "AAWrongToken" not in run.text + str(run.result)


def test_a_start_is_announced_without_a_stale_verdict(tmp_path, telegram, monkeypatch):
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud/43/")
    sinks = [{**SINK, "api_url": telegram.url, "events": ["started"]}]
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), sinks, event="started")
    assert run.sink("telegram")["status"] == "sent"
    assert parse_markdown_v2(sent_text(telegram)).splitlines() == [
        "mlsecops fraud-detector 1.4.0: started - RUNNING", "Open build · Reports"]
