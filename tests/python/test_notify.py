"""The notify stage: a console summary of the run, sinks filtered by event, never a failed build."""

from __future__ import annotations

import json
import socket
import time

import pytest
from mlsecops.config import SecretRef
from mlsecops.errors import UsageError
from mlsecops.workspace import Workspace
from notify_support.harness import notify_run
from notify_support.workspace import failed_model_gate, passing_run


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_console_summary_shows_each_gate_severity_counts_top_findings_and_metrics(tmp_path):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    run = notify_run(workspace, [], event="gate-failed")
    lines = run.output
    assert lines[0] == "mlsecops fraud-detector 1.4.0: gate-failed - FAILED"
    assert "  gates    security passed, model FAILED" in lines
    assert "  findings 1 critical, 3 high, 1 medium, 0 low, 0 info (5 total)" in lines
    top = [line.strip() for line in lines if line.startswith("    ")]
    assert top[0].startswith("CRITICAL model-file Unsafe operator in tokenizer.pickle")
    assert [t.split()[0] for t in top] == ["CRITICAL", "HIGH", "HIGH", "HIGH", "MEDIUM"]
    metrics = next(line for line in lines if line.startswith("  metrics"))
    assert "accuracy 0.931" in metrics and "roc_auc 0.972" in metrics and "asr LLM01 0.250" in metrics
    assert "confusion_matrix" not in metrics
    assert "  gate-model: model gate failed: attack success rate LLM01 0.250 > 0.1" in lines


def test_result_json_records_the_event_verdict_and_each_sink_outcome(tmp_path):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    run = notify_run(workspace, [], event="gate-failed")
    assert run.result["status"] == "passed"
    assert run.result["details"]["event"] == "gate-failed"
    assert run.result["details"]["verdict"] == "failed"
    assert run.sink("console")["status"] == "sent"


def test_started_prints_only_the_headline_and_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud/43/")
    run = notify_run(Workspace(tmp_path / ".mlsecops"), [], event="started")
    assert run.output == ["mlsecops fraud-detector 1.4.0: started - RUNNING",
                          "  build    https://jenkins.example.com/job/fraud/43/"]


def test_a_finished_run_with_no_stage_results_says_so(tmp_path):
    run = notify_run(Workspace(tmp_path / ".mlsecops"), [], event="finished")
    assert run.output[0] == "mlsecops fraud-detector 1.4.0: finished - UNKNOWN"
    assert "  stages   none has run yet" in run.output
    assert "  gates    security not run, model not run" in run.output


@pytest.mark.timeout(30)
def test_an_unreachable_sink_is_a_warning_and_the_build_still_passes(tmp_path):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    port = _closed_port()
    sinks = [{"type": "pushgateway", "url": f"http://127.0.0.1:{port}", "retries": 1, "timeout": 1}]
    run = notify_run(workspace, sinks, event="gate-failed")
    outcome = run.sink("pushgateway")
    assert outcome["status"] == "failed"
    assert "connection failed" in outcome["reason"] and "after 2 attempts" in outcome["reason"]
    assert run.result["status"] == "passed"
    assert any(w.startswith("notify sink pushgateway: connection failed") for w in run.result["warnings"])
    assert any(line.startswith("warning: notify sink pushgateway") for line in run.output)


def test_a_sink_url_that_is_not_a_url_fails_at_once_instead_of_spending_its_time_budget(tmp_path):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    sinks = [{"type": "pushgateway", "url": "pushgateway.monitoring:9091", "retries": 3, "max_seconds": 60}]
    started = time.monotonic()
    run = notify_run(workspace, sinks, event="gate-failed")
    assert time.monotonic() - started < 10
    assert "not a usable URL" in run.sink("pushgateway")["reason"]


def test_a_sink_whose_filter_does_not_want_the_event_is_skipped(tmp_path):
    workspace = passing_run(tmp_path / ".mlsecops")
    sinks = [{"type": "pushgateway", "url": "http://127.0.0.1:9", "events": ["gate-failed"]}]
    run = notify_run(workspace, sinks, event="succeeded")
    assert run.sink("pushgateway")["status"] == "skipped"
    assert run.result["warnings"] == []


def test_jenkins_branch_and_build_url_reach_the_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("BRANCH_NAME", "feature/tokenizer")
    monkeypatch.setenv("BUILD_URL", "https://jenkins.example.com/job/fraud/42/")
    run = notify_run(passing_run(tmp_path / ".mlsecops"), [], event="succeeded")
    assert run.output[0] == "mlsecops fraud-detector 1.4.0 (feature/tokenizer): succeeded - PASSED"
    assert "  reports  https://jenkins.example.com/job/fraud/42/artifact/.mlsecops/reports/" in run.output


def test_git_branch_from_the_git_plugin_loses_its_remote_prefix(tmp_path, monkeypatch):
    monkeypatch.delenv("BRANCH_NAME", raising=False)
    monkeypatch.setenv("GIT_BRANCH", "origin/main")
    run = notify_run(passing_run(tmp_path / ".mlsecops"), [], event="succeeded")
    assert "(main)" in run.output[0]


def test_an_unknown_event_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown event 'done'"):
        notify_run(Workspace(tmp_path / ".mlsecops"), [], event="done")


# ------------------------------------------------------------------ through the real CLI


def _config(tmp_path, sinks_yaml: str) -> None:
    (tmp_path / "mlsecops.yaml").write_text(
        "project: {name: fraud-detector, version: 1.4.0}\nnotify:\n  sinks:\n" + sinks_yaml
    )


@pytest.mark.timeout(60)
def test_cli_notify_exits_0_when_a_sink_fails(tmp_path, cli):
    failed_model_gate(tmp_path / ".mlsecops")
    _config(tmp_path, f"    - {{type: pushgateway, url: 'http://127.0.0.1:{_closed_port()}', retries: 0, timeout: 1}}\n")
    result = cli("notify", "--event", "gate-failed")
    assert result.exit_code == 0, result.output
    assert "warning: notify sink pushgateway: connection failed" in result.output
    saved = json.loads((tmp_path / ".mlsecops" / "notify" / "result.json").read_text())
    assert saved["details"]["sinks"][1]["status"] == "failed"


def test_cli_rejects_a_literal_credential_without_echoing_it(tmp_path, cli):
    literal = "https://hooks.slack.com/services/T1/B2/literalSecretValue"
    _config(tmp_path, f"    - {{type: slack, webhook_url: '{literal}'}}\n")
    result = cli("notify")
    assert result.exit_code == 2
    assert "notify.sinks.0.slack.webhook_url" in result.stderr
    assert "secret reference" in result.stderr
    assert "literalSecretValue" not in result.output


def test_cli_names_an_unknown_sink_key(tmp_path, cli):
    _config(tmp_path, "    - {type: slack, webhook_url: '${secret:env://SLACK_WEBHOOK_URL}', chanel: '#ml'}\n")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert "unknown key 'notify.sinks.0.slack.chanel'" in result.stderr


def test_cli_names_an_unknown_sink_type(tmp_path, cli):
    _config(tmp_path, "    - {type: teams, url: 'https://example.com'}\n")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert "notify.sinks.0" in result.stderr and "teams" in result.stderr


def test_notification_credentials_are_only_needed_by_notify(tmp_path, cli, monkeypatch):
    """Jenkins binds SLACK_WEBHOOK_URL around the notify stage only: other commands must not need it."""
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    _config(tmp_path, "    - {type: slack, webhook_url: '${secret:env://SLACK_WEBHOOK_URL}'}\n")
    validated = cli("config", "validate")
    assert validated.exit_code == 0, validated.output
    notified = cli("notify", "--event", "finished")
    assert notified.exit_code == 0, notified.output
    assert ("warning: notify sink slack: notify.sinks[0].webhook_url: secret env://SLACK_WEBHOOK_URL: "
            "environment variable is not set") in notified.output


def test_an_unreadable_stage_result_is_reported_and_the_rest_still_notified(tmp_path):
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    (workspace.root / "train" / "result.json").write_text("{not json")
    run = notify_run(workspace, [], event="finished")
    assert run.result["status"] == "passed"
    assert any("unreadable stage result" in w for w in run.result["warnings"])
    assert "train" not in next(line for line in run.output if line.startswith("  stages"))
    assert any(line.startswith("  warning:") and "train/result.json" in line for line in run.output)


@pytest.mark.timeout(30)
def test_a_hanging_server_costs_no_more_than_the_sink_time_budget(tmp_path):
    import time

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        sinks = [{"type": "pushgateway", "url": f"http://127.0.0.1:{port}", "timeout": 1, "retries": 5,
                  "max_seconds": 1.5}]
        t0 = time.monotonic()
        run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), sinks, event="gate-failed")
        elapsed = time.monotonic() - t0
    assert run.sink("pushgateway")["status"] == "failed"
    assert "out of time" in run.sink("pushgateway")["reason"]
    assert elapsed < 4


def test_plain_values_are_interpolated_at_load_and_credentials_stay_references(tmp_path, monkeypatch):
    from mlsecops.config import parse_config

    monkeypatch.setenv("DOJO_URL", "https://dojo.example.com")
    monkeypatch.delenv("DEFECTDOJO_API_KEY", raising=False)  # bound by Jenkins around notify only
    config = parse_config({"notify": {"sinks": [
        {"type": "defectdojo", "url": "${DOJO_URL}", "api_key": "${secret:env://DEFECTDOJO_API_KEY}"}]}})
    [dojo] = config.notify.sinks
    assert dojo.url == "https://dojo.example.com"
    assert isinstance(dojo.api_key, SecretRef) and str(dojo.api_key) == "${secret:env://DEFECTDOJO_API_KEY}"
    assert dojo.api_key.where == "notify.sinks[0].api_key"  # resolved when the sink sends


def test_an_environment_reference_is_not_a_secret_reference(tmp_path, monkeypatch):
    from mlsecops.config import parse_config

    monkeypatch.setenv("SLACK_URL", "https://hooks.slack.com/services/T/B/plainEnvValue")
    with pytest.raises(UsageError, match=r"notify\.sinks\.0\.slack\.webhook_url: .*secret reference"):
        parse_config({"notify": {"sinks": [{"type": "slack", "webhook_url": "${SLACK_URL}"}]}})


MINIMAL_SINKS = {
    "slack": {},
    "telegram": {"chat_id": "42"},
    "pagerduty": {},
    "defectdojo": {"url": "https://dojo.example.com"},
    "elasticsearch": {"url": "https://elastic.example.com", "username": "ci"},
    "pushgateway": {"url": "https://pushgateway.example.com", "username": "ci"},
}
CREDENTIAL_FIELDS = [("slack", "webhook_url"), ("telegram", "bot_token"), ("pagerduty", "routing_key"),
                     ("defectdojo", "api_key"), ("elasticsearch", "api_key"), ("elasticsearch", "password"),
                     ("pushgateway", "password")]


@pytest.mark.parametrize(("kind", "field"), CREDENTIAL_FIELDS)
def test_every_credential_loads_unresolved_and_refuses_a_literal(kind, field, monkeypatch):
    from mlsecops.config import parse_config
    from mlsecops.notify.settings import SINK_SETTINGS

    monkeypatch.delenv("NOT_BOUND_HERE", raising=False)
    sink = {"type": kind, **MINIMAL_SINKS[kind]}
    config = parse_config({"notify": {"sinks": [{**sink, field: "${secret:env://NOT_BOUND_HERE}"}]}})
    reference = getattr(config.notify.sinks[0], field)
    assert isinstance(reference, SecretRef) and str(reference) == "${secret:env://NOT_BOUND_HERE}"
    assert "NOT_BOUND_HERE" in repr(reference)  # the reference names where the secret lives, never a value
    with pytest.raises(UsageError, match=f"notify.sinks.0.{kind}.{field}: .*secret reference"):
        parse_config({"notify": {"sinks": [{**sink, field: "literal-value-1234"}]}})
    assert set(SINK_SETTINGS[kind].credentials) == {f for k, f in CREDENTIAL_FIELDS if k == kind}


def test_a_local_run_keeps_one_run_id_from_start_to_finish_and_the_next_run_gets_another(tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_TAG", raising=False)
    workspace = Workspace(tmp_path / ".mlsecops")
    first = notify_run(workspace, [], event="started").result["details"]["run_id"]
    assert notify_run(workspace, [], event="finished").result["details"]["run_id"] == first
    second = notify_run(workspace, [], event="started").result["details"]["run_id"]
    assert second != first and second.startswith("local-")


def test_jenkins_names_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv("BUILD_TAG", "jenkins-fraud-detector-main-42")
    run = notify_run(Workspace(tmp_path / ".mlsecops"), [], event="started")
    assert run.result["details"]["run_id"] == "jenkins-fraud-detector-main-42"
