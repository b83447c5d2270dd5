"""Real demo runs through the CLI, notified to a real Pushgateway and the local receivers.

The insecure demo stops at the security gate after planting secrets and PII: none of them
may reach a sink. The default demo runs every stage: the shipped dashboard must query only
metrics that run pushed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from mlsecops.demo import planted_values
from notify_support.dashboard import dashboard, pushed_metrics, queried_metrics
from notify_support.elasticsearch_fake import ElasticsearchFake
from notify_support.leaks import leaks, received_text
from notify_support.pagerduty_fake import PagerDutyFake
from notify_support.pushgateway import pushgateway  # noqa: F401  (fixture)
from notify_support.slack_fake import WEBHOOK_PATH, slack_receiver
from notify_support.telegram_fake import telegram_receiver

TOKEN = "7312345678:AAFh2kq9-Zx_Wv8TestTokenValueThatIsLong"
ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"


def demo_project(cli, tmp_path: Path, variant: str, sinks_yaml: str) -> Path:
    created = cli("demo", "init", "project", "--variant", variant)
    assert created.exit_code == 0, created.output
    config = tmp_path / "project" / "mlsecops.yaml"
    config.write_text(config.read_text() + "notify:\n  sinks:\n" + sinks_yaml)
    return config


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_no_value_the_insecure_demo_plants_reaches_any_sink(cli, tmp_path, pushgateway):  # noqa: F811
    slack = slack_receiver()
    telegram = telegram_receiver(TOKEN)
    pagerduty = PagerDutyFake(ROUTING_KEY).start()
    elastic = ElasticsearchFake().start()
    try:
        config = demo_project(cli, tmp_path, "insecure", (
            "    - {type: slack, webhook_url: '${secret:env://SLACK_WEBHOOK_URL}', top: 30}\n"
            f"    - {{type: telegram, bot_token: '${{secret:env://TELEGRAM_BOT_TOKEN}}', chat_id: 7, "
            f"api_url: '{telegram.url}', top: 30}}\n"
            f"    - {{type: pagerduty, routing_key: '${{secret:env://PAGERDUTY_ROUTING_KEY}}', "
            f"events_url: '{pagerduty.url}'}}\n"
            f"    - {{type: elasticsearch, url: '{elastic.url}'}}\n"
            f"    - {{type: pushgateway, url: '{pushgateway.url}'}}\n"
        ))
        env = {"SLACK_WEBHOOK_URL": slack.url + WEBHOOK_PATH, "TELEGRAM_BOT_TOKEN": TOKEN,
               "PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "BRANCH_NAME": "insecure-demo"}
        result = cli("--config", str(config), "run", env=env)
        assert result.exit_code == 1, result.output[-3000:]
        saved = json.loads((tmp_path / ".mlsecops" / "notify" / "result.json").read_text())
        assert saved["details"]["event"] == "gate-failed"
        assert {o["sink"]: o["status"] for o in saved["details"]["sinks"]} == dict.fromkeys(
            ["console", "slack", "telegram", "pagerduty", "elasticsearch", "pushgateway"], "sent"), saved
        assert pagerduty.open == {"mlsecops:support-intents:security": 1}
        sent = received_text({"slack": slack, "telegram": telegram, "pagerduty": pagerduty.receiver,
                              "elasticsearch": elastic.receiver})
        sent["pushgateway"] = requests.get(f"{pushgateway.url}/metrics", timeout=5).text
        sent["output"] = result.output
        planted = planted_values("insecure")
        assert planted
        assert leaks(sent, planted) == []
    finally:
        for fake in (slack, telegram, pagerduty.receiver, elastic.receiver):
            fake.stop()


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_the_dashboard_queries_only_metrics_a_real_demo_run_pushed(cli, tmp_path, pushgateway):  # noqa: F811
    config = demo_project(cli, tmp_path, "default", f"    - {{type: pushgateway, url: '{pushgateway.url}'}}\n")
    result = cli("--config", str(config), "run", env={"BRANCH_NAME": "default-demo"})
    # the model gate's verdict is the demo's business; what matters here is that every stage reached it
    assert result.exit_code in (0, 1), result.output[-3000:]
    assert (tmp_path / ".mlsecops" / "gate-model" / "result.json").is_file(), result.output[-3000:]
    group = pushgateway.group(job="mlsecops", project="support-intents", branch="default-demo")
    received = pushed_metrics(group)
    modeltest = json.loads((tmp_path / ".mlsecops" / "modeltest" / "result.json").read_text()) if (
        tmp_path / ".mlsecops" / "modeltest" / "result.json").is_file() else {"metrics": {}}
    measured_asr = any(key.startswith("attack_success_rate.") for key in modeltest.get("metrics", {}))
    unmeasured = set() if measured_asr else {"mlsecops_attack_success_rate"}  # a classifier demo without garak
    assert queried_metrics(dashboard()) - received == unmeasured
