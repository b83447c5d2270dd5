"""No planted secret or PII value reaches any sink, the console, or result.json: every channel at once."""

from __future__ import annotations

import json

import pytest
import requests
from mlsecops.config import parse_config
from notify_support.defectdojo_fake import DefectDojoFake
from notify_support.elasticsearch_fake import ElasticsearchFake
from notify_support.harness import notify_run
from notify_support.leaks import leaks, received_text
from notify_support.pagerduty_fake import PagerDutyFake
from notify_support.pushgateway import pushgateway  # noqa: F401  (fixture)
from notify_support.slack_fake import WEBHOOK_PATH, slack_receiver
from notify_support.telegram_fake import telegram_receiver
from notify_support.workspace import failed_model_gate

pytestmark = pytest.mark.timeout(90)
STORE_PASSWORD = "Nx-store-Pa55word-7781"  # a config secret, resolved (and registered) like any other
PLANTED = {
    "registered": STORE_PASSWORD,
    "url": "https://deploy:hunter2-url-pass@nexus.example.com/repository/models",
    "email": "jane.doe@example.com",
    "aws": "AKIAIOSFODNN7EXAMPLE",
}
PLANTED_VALUES = [STORE_PASSWORD, "hunter2-url-pass", "jane.doe@example.com", "AKIAIOSFODNN7EXAMPLE"]
CREDENTIALS = {
    "TELEGRAM_BOT_TOKEN": "7312345678:AAFh2kq9-Zx_Wv8TestTokenValueThatIsLong",
    "PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY0123456789abcdefABCDEF",
    "DEFECTDOJO_API_KEY": "dd0123456789abcdef0123456789abcdef012345",
    "ELASTIC_API_KEY": "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
}


def test_no_planted_secret_reaches_any_sink(tmp_path, monkeypatch, pushgateway):  # noqa: F811
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("STORE_PASSWORD", STORE_PASSWORD)
    monkeypatch.setenv("BRANCH_NAME", "secrets-check")
    parse_config({"load": {"connections": {"nexus": {"password": "${secret:env://STORE_PASSWORD}"}}}})
    slack = slack_receiver()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url + WEBHOOK_PATH)
    telegram = telegram_receiver(CREDENTIALS["TELEGRAM_BOT_TOKEN"])
    pagerduty = PagerDutyFake(CREDENTIALS["PAGERDUTY_ROUTING_KEY"]).start()
    dojo = DefectDojoFake(CREDENTIALS["DEFECTDOJO_API_KEY"]).start()
    dojo.add_product("fraud-detector", engagement="mlsecops")
    elastic = ElasticsearchFake(api_key=CREDENTIALS["ELASTIC_API_KEY"]).start()
    receivers = {"slack": slack, "telegram": telegram, "pagerduty": pagerduty.receiver,
                 "defectdojo": dojo.receiver, "elasticsearch": elastic.receiver}
    try:
        sinks = [
            {"type": "slack", "webhook_url": "${secret:env://SLACK_WEBHOOK_URL}", "top": 20},
            {"type": "telegram", "bot_token": "${secret:env://TELEGRAM_BOT_TOKEN}", "chat_id": "42",
             "api_url": telegram.url, "top": 20},
            {"type": "pagerduty", "routing_key": "${secret:env://PAGERDUTY_ROUTING_KEY}", "events_url": pagerduty.url},
            {"type": "defectdojo", "url": dojo.url, "api_key": "${secret:env://DEFECTDOJO_API_KEY}"},
            {"type": "elasticsearch", "url": elastic.url, "api_key": "${secret:env://ELASTIC_API_KEY}"},
            {"type": "pushgateway", "url": pushgateway.url},
        ]
        run = notify_run(failed_model_gate(tmp_path / ".mlsecops", planted=PLANTED), sinks, event="gate-failed")
        assert {o["sink"]: o["status"] for o in run.result["details"]["sinks"]} == dict.fromkeys(
            ["console", "slack", "telegram", "pagerduty", "defectdojo", "elasticsearch", "pushgateway"], "sent")
        # the planted values were really there to leak: the workspace holds the unregistered ones in full
        # (result.json masks a registered secret as it is written)
        written = (tmp_path / ".mlsecops" / "scan" / "result.json").read_text()
        assert "jane.doe@example.com" in written and "hunter2-url-pass" in written
        assert STORE_PASSWORD not in written
        sent = received_text(receivers)
        sent["pushgateway"] = requests.get(f"{pushgateway.url}/metrics", timeout=5).text
        sent["console"] = run.text
        sent["result.json"] = json.dumps(run.result)
        assert leaks(sent, PLANTED_VALUES) == []
        # a credential may appear only where its own service needs it: the bot token in the Bot API path,
        # the routing key in the PagerDuty event
        own = {CREDENTIALS["TELEGRAM_BOT_TOKEN"]: "telegram", CREDENTIALS["PAGERDUTY_ROUTING_KEY"]: "pagerduty"}
        assert leaks(sent, list(CREDENTIALS.values()), allowed=own) == []
        assert "****" in sent["slack"]  # masked in place, so the reader still sees that something was there
    finally:
        for receiver in receivers.values():
            receiver.stop()
