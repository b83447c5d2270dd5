"""Prometheus Pushgateway: a real one (Debian's prometheus-pushgateway) receives each run's metrics,
grouped by project and branch, and the shipped Grafana dashboard queries exactly those metrics."""

from __future__ import annotations

import pytest
from mlsecops.notify.pushgateway import METRICS
from notify_support.dashboard import dashboard, pushed_metrics, queried_metrics
from notify_support.harness import notify_run
from notify_support.pushgateway import pushgateway  # noqa: F401  (fixture)
from notify_support.workspace import failed_model_gate, passing_run

pytestmark = pytest.mark.timeout(60)


def samples(group: dict, metric: str) -> dict[tuple, float]:
    """{(label, value) pairs of a series: value} for one metric family of a pushed group."""
    family = group[metric]
    return {tuple(sorted(m["labels"].items())): float(m["value"]) for m in family["metrics"]}


def value(group: dict, family: str, **labels: str) -> float:
    for series_labels, number in samples(group, family).items():
        if all((k, v) in series_labels for k, v in labels.items()):
            return number
    raise AssertionError(f"no {family} series with {labels}")


def push(pushgateway, workspace, event="gate-failed", **sink):  # noqa: F811
    sinks = [{"type": "pushgateway", "url": pushgateway.url, "events": ["gate-failed", "succeeded"], **sink}]
    return notify_run(workspace, sinks, event=event)


def test_a_failed_run_is_pushed_grouped_by_project_and_branch(tmp_path, pushgateway, monkeypatch):  # noqa: F811
    monkeypatch.setenv("BRANCH_NAME", "feature/tokenizer")
    run = push(pushgateway, failed_model_gate(tmp_path / ".mlsecops"))
    assert run.sink("pushgateway")["status"] == "sent", run.sink("pushgateway")
    group = pushgateway.group(job="mlsecops", project="fraud-detector", branch="feature/tokenizer")
    assert value(group, "mlsecops_run_success") == 0
    assert value(group, "mlsecops_gate_passed", gate="security") == 1
    assert value(group, "mlsecops_gate_passed", gate="model") == 0
    assert value(group, "mlsecops_findings", category="model-file", severity="critical") == 1
    assert value(group, "mlsecops_findings", category="secret", severity="high") == 1
    assert value(group, "mlsecops_findings", category="code", severity="low") == 0
    assert value(group, "mlsecops_stage_duration_seconds", stage="train") == 41.5
    assert value(group, "mlsecops_stage_success", stage="gate-model") == 0
    assert value(group, "mlsecops_model_metric", metric="accuracy") == pytest.approx(0.931)
    assert value(group, "mlsecops_attack_success_rate", owasp_llm="LLM01") == 0.25
    assert value(group, "mlsecops_run_info", version="1.4.0", verdict="failed", event="gate-failed") == 1
    assert group["mlsecops_findings"]["help"] == METRICS["mlsecops_findings"]
    assert group["mlsecops_findings"]["type"] == "GAUGE"


def test_the_next_run_replaces_the_group_so_fixed_findings_drop_to_zero(tmp_path, pushgateway, monkeypatch):  # noqa: F811
    monkeypatch.setenv("BRANCH_NAME", "main")
    push(pushgateway, failed_model_gate(tmp_path / "first"))
    push(pushgateway, passing_run(tmp_path / "second"), event="succeeded")
    group = pushgateway.group(job="mlsecops", project="fraud-detector", branch="main")
    assert value(group, "mlsecops_run_success") == 1
    assert value(group, "mlsecops_gate_passed", gate="model") == 1
    assert value(group, "mlsecops_findings", category="model-file", severity="critical") == 0
    assert set(samples(group, "mlsecops_attack_success_rate")) == {(("branch", "main"), ("instance", ""),
                                                                     ("job", "mlsecops"), ("owasp_llm", "LLM01"),
                                                                     ("project", "fraud-detector"))}


def test_a_run_outside_jenkins_is_grouped_under_branch_local(tmp_path, pushgateway, monkeypatch):  # noqa: F811
    monkeypatch.delenv("BRANCH_NAME", raising=False)
    monkeypatch.delenv("GIT_BRANCH", raising=False)
    push(pushgateway, passing_run(tmp_path / ".mlsecops"), event="succeeded")
    assert value(pushgateway.group(job="mlsecops", project="fraud-detector", branch="local"),
                 "mlsecops_run_success") == 1


def test_a_pushgateway_error_is_a_warning_naming_the_status(tmp_path, pushgateway):  # noqa: F811
    run = push(pushgateway, passing_run(tmp_path / ".mlsecops"), event="succeeded", job="has/slash/../x",
               url=pushgateway.url + "/nowhere")
    assert run.sink("pushgateway")["status"] == "failed"
    assert "HTTP 404" in run.sink("pushgateway")["reason"]
    assert run.result["status"] == "passed"


# ------------------------------------------------------------------ the Grafana dashboard


def test_the_dashboard_queries_exactly_the_metrics_a_run_pushes(tmp_path, pushgateway, monkeypatch):  # noqa: F811
    monkeypatch.setenv("BRANCH_NAME", "dashboard-check")
    push(pushgateway, failed_model_gate(tmp_path / ".mlsecops"))
    group = pushgateway.group(job="mlsecops", project="fraud-detector", branch="dashboard-check")
    assert queried_metrics(dashboard()) == pushed_metrics(group) == set(METRICS)


def test_the_dashboard_is_an_importable_grafana_dashboard():
    board = dashboard()
    assert board["uid"] == "mlsecops-pipeline" and board["title"]
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    assert [i["name"] for i in board["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"} and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["refId"] and target["expr"]
            assert 'project=~"$project"' in target["expr"] and 'branch=~"$branch"' in target["expr"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert set(variables) == {"DS_PROMETHEUS", "project", "branch"}
    # a datasource variable resolves ${DS_PROMETHEUS} when the file is provisioned, not only imported
    assert variables["DS_PROMETHEUS"]["type"] == "datasource" and variables["DS_PROMETHEUS"]["query"] == "prometheus"
    assert all(variables[name]["datasource"]["uid"] == "${DS_PROMETHEUS}" for name in ("project", "branch"))


def test_attack_success_rates_are_read_in_both_shapes_tests_record_them(tmp_path, pushgateway, monkeypatch):  # noqa: F811
    from mlsecops.workspace import StageResult

    monkeypatch.setenv("BRANCH_NAME", "asr-shapes")
    workspace = passing_run(tmp_path / ".mlsecops")
    rate = {"hits": 3, "total": 10, "rate": 0.3, "ci95_low": 0.1, "ci95_high": 0.6}
    metrics = {"attack_success_rate.LLM01": 0.02, "attack_success_rate.untagged": 0.31,
               "attack_success_rate": {"LLM07": rate},
               "injection_canary_leak_rate": rate}
    workspace.write_result(StageResult(stage="modeltest", metrics=metrics).finish())
    push(pushgateway, workspace, event="succeeded")
    group = pushgateway.group(job="mlsecops", project="fraud-detector", branch="asr-shapes")
    rates = {dict(labels)["owasp_llm"]: v for labels, v in samples(group, "mlsecops_attack_success_rate").items()}
    assert rates == {"LLM01": 0.02, "LLM07": 0.3, "untagged": 0.31}


def test_basic_auth_in_front_of_the_pushgateway_gets_the_password_from_a_secret(tmp_path, monkeypatch):
    """A reverse proxy with basic auth is how Pushgateways are usually protected; a local receiver plays it."""
    import base64

    from notify_support.receiver import Receiver, Reply

    password = "pg-Proxy-Pa55-8812"
    expected = "Basic " + base64.b64encode(f"ci-pusher:{password}".encode()).decode()
    proxy = Receiver()
    proxy.route("PUT", "/metrics/", lambda r: Reply(200) if r.headers.get("authorization") == expected
                else Reply(401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="pushgateway"'}))
    proxy.start()
    try:
        monkeypatch.setenv("PUSHGATEWAY_PASSWORD", password)
        sink = {"type": "pushgateway", "url": proxy.url, "username": "ci-pusher",
                "password": "${secret:env://PUSHGATEWAY_PASSWORD}"}
        run = notify_run(passing_run(tmp_path / "ok"), [sink], event="succeeded")
        assert run.sink("pushgateway")["status"] == "sent"
        monkeypatch.setenv("PUSHGATEWAY_PASSWORD", "wrong-password-000")
        refused = notify_run(passing_run(tmp_path / "refused"), [sink], event="succeeded")
        assert refused.sink("pushgateway")["reason"] == "pushgateway: HTTP 401: Unauthorized"
        assert password not in refused.text + str(refused.result) + run.text + str(run.result)
    finally:
        proxy.stop()
