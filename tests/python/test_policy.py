"""Gates judge findings, scanner coverage and metrics; waivers need a reason and expire."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from mlsecops.errors import UsageError
from mlsecops.findings import Location, make_finding, scanner_did_not_run
from mlsecops.policy import evaluate_gate, known_scanner_names, load_policy
from mlsecops.scanners import SCANNERS, get_scanner
from mlsecops.scanners.interface import ScanTargets
from mlsecops.scanners.run import run_scanner
from mlsecops.workspace import StageResult

TODAY = date(2026, 11, 26)


def scan_result(*findings, scanners=("secrets", "dataset", "models")) -> StageResult:
    result = StageResult(stage="scan", findings=list(findings))
    result.scanners = [{"scanner": name, "status": "ran"} for name in scanners]
    return result


def secret_finding(severity="high", path="app/settings.py"):
    return make_finding(rule="aws-access-key", title="AWS key", severity=severity, category="secret",
                        tool="secrets", location=Location(path=path, line=3), identity="k1")


def test_clean_scan_passes_the_security_gate():
    verdict = evaluate_gate("security", load_policy(), {"scan": scan_result()}, TODAY)
    assert verdict.passed
    assert all(check.passed for check in verdict.checks)


def test_a_secret_fails_the_security_gate_and_is_named():
    finding = secret_finding()
    verdict = evaluate_gate("security", load_policy(), {"scan": scan_result(finding)}, TODAY)
    assert not verdict.passed
    assert [f.id for f in verdict.violations] == [finding.id]
    assert "secret: 1 high" in verdict.reason


def test_severity_below_the_category_threshold_does_not_fail():
    code_low = make_finding(rule="B101", title="assert", severity="low", category="code", tool="bandit",
                            location=Location(path="a.py", line=1))
    verdict = evaluate_gate("security", load_policy(), {"scan": scan_result(code_low)}, TODAY)
    assert verdict.passed


def test_nothing_to_judge_fails_closed():
    verdict = evaluate_gate("security", load_policy(), {}, TODAY)
    assert not verdict.passed
    assert "nothing to judge" in verdict.reason


def test_required_scanner_that_did_not_run_fails_the_gate():
    verdict = evaluate_gate("security", load_policy(), {"scan": scan_result(scanners=("secrets", "dataset"))}, TODAY)
    assert not verdict.passed
    assert "required scanner 'models' did not run" in verdict.reason


def test_optional_scanner_that_did_not_run_is_waived_with_a_reason():
    missing = scanner_did_not_run("secrets-gitleaks", ".", "gitleaks not on PATH")
    verdict = evaluate_gate("security", load_policy(), {"scan": scan_result(missing)}, TODAY)
    assert verdict.passed
    assert verdict.waived[0]["id"] == missing.id
    assert "optional" in verdict.waived[0]["reason"]


def test_waiver_by_id_applies_until_it_expires(tmp_path: Path):
    finding = secret_finding()
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(
        f"waivers:\n  - id: {finding.id}\n    reason: test fixture key, rotated\n    expires: 2026-12-31\n"
    )
    policy = load_policy(policy_file)
    assert evaluate_gate("security", policy, {"scan": scan_result(finding)}, TODAY).passed
    later = evaluate_gate("security", policy, {"scan": scan_result(finding)}, date(2027, 1, 1))
    assert not later.passed
    assert any("expired" in warning for warning in later.warnings)


def test_waiver_without_reason_or_expiry_is_rejected(tmp_path: Path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("waivers:\n  - id: abc\n")
    with pytest.raises(UsageError, match="waivers.0"):
        load_policy(policy_file)


def test_project_policy_merges_over_the_default(tmp_path: Path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("gates:\n  security:\n    fail_on: {secret: critical}\n")
    policy = load_policy(policy_file)
    assert policy.gates["security"].fail_on["secret"].value == "critical"
    assert policy.gates["security"].required_scanners == ["secrets", "dataset", "models"]
    assert evaluate_gate("security", policy, {"scan": scan_result(secret_finding("high"))}, TODAY).passed


def test_unknown_category_in_policy_is_rejected(tmp_path: Path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("gates:\n  security:\n    fail_on: {secrets: low}\n")
    with pytest.raises(UsageError, match="unknown category 'secrets'"):
        load_policy(policy_file)


@pytest.mark.parametrize("name", [n for n in load_policy().gates["security"].optional_scanners if n in SCANNERS])
def test_each_default_optional_scanner_whose_tool_is_absent_passes_the_security_gate(name, monkeypatch):
    monkeypatch.setattr(type(get_scanner(name)), "unavailable_reason", lambda self: "its tool is not installed")
    outcome = run_scanner(name, ScanTargets(paths=[Path(".")]))
    assert outcome.status == "not-run"
    result = scan_result(*outcome.findings, scanners=("secrets", "dataset", "models", name))
    result.scanners[-1]["status"] = "not-run"

    verdict = evaluate_gate("security", load_policy(), {"scan": result}, TODAY)

    assert verdict.passed, verdict.reason
    assert [w["id"] for w in verdict.waived] == [f.id for f in outcome.findings]


def test_every_scanner_name_in_the_default_policy_is_known():
    for gate in load_policy().gates.values():
        assert set(gate.required_scanners) | set(gate.optional_scanners) <= known_scanner_names()


@pytest.mark.parametrize("key", ["required_scanners", "optional_scanners"])
def test_an_unknown_scanner_name_in_the_policy_is_rejected(tmp_path: Path, key: str):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(f"gates:\n  security:\n    {key}: [secrets, gitleaks]\n")
    with pytest.raises(UsageError, match=f"gates.security.{key}: unknown scanner 'gitleaks'") as caught:
        load_policy(policy_file)
    assert caught.value.exit_code == 2


def test_an_unknown_scanner_name_in_the_policy_fails_the_gate_command_with_one_line(cli, tmp_path: Path):
    assert cli("demo", "init", str(tmp_path / "d")).exit_code == 0
    (tmp_path / "d" / "policy.yaml").write_text("gates:\n  security:\n    optional_scanners: [presidio]\n")
    config = tmp_path / "d" / "mlsecops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npolicy: policy.yaml\n", encoding="utf-8")

    result = cli("gate", "--stage", "security", cwd=tmp_path / "d")

    assert result.exit_code == 2, result.output
    assert "unknown scanner 'presidio'" in result.output
    assert "Traceback" not in result.output


def model_results(metrics: dict, **extra_metrics) -> dict[str, StageResult]:
    evaluate = StageResult(stage="evaluate", metrics=metrics)
    modeltest = StageResult(stage="modeltest", metrics=extra_metrics)
    modeltest.scanners = [{"scanner": "models", "status": "ran"}]
    return {"scan": scan_result(), "evaluate": evaluate, "modeltest": modeltest}


GOOD_METRICS = {"accuracy": 0.95, "f1_macro": 0.94, "roc_auc": 0.99}


def test_model_gate_passes_good_metrics():
    assert evaluate_gate("model", load_policy(), model_results(GOOD_METRICS), TODAY).passed


def test_model_gate_fails_a_metric_under_its_threshold():
    verdict = evaluate_gate("model", load_policy(), model_results({**GOOD_METRICS, "f1_macro": 0.5}), TODAY)
    assert not verdict.passed
    assert "f1_macro 0.5000 < 0.85" in verdict.reason


def test_model_gate_fails_when_a_metric_was_never_measured():
    verdict = evaluate_gate("model", load_policy(), model_results({"accuracy": 0.99}), TODAY)
    assert "metric roc_auc was not measured" in verdict.reason


def test_model_gate_fails_without_model_tests():
    results = model_results(GOOD_METRICS)
    del results["modeltest"]
    verdict = evaluate_gate("model", load_policy(), results, TODAY)
    assert "stage 'modeltest' has no result" in verdict.reason


def test_attack_success_rate_above_the_owasp_item_limit_fails():
    results = model_results(GOOD_METRICS, **{"attack_success_rate.LLM01": 0.3, "attack_success_rate.LLM09": 0.1})
    verdict = evaluate_gate("model", load_policy(), results, TODAY)
    assert not verdict.passed
    failed = [c.rule for c in verdict.checks if not c.passed]
    assert failed == ["asr:LLM01"]


def with_baseline(results: dict, baseline: dict) -> dict:
    results["evaluate"].details["baseline"] = {"source": "store/support-intents/1.0.0", "metrics": baseline}
    return results


def test_a_metric_worse_than_the_last_release_by_more_than_the_tolerance_fails_the_model_gate():
    policy = load_policy()
    assert policy.gates["model"].regression_tolerance == 0.02, "the default policy holds the one tolerance"
    within = with_baseline(model_results({**GOOD_METRICS, "log_loss": 0.21}), {"accuracy": 0.969, "log_loss": 0.19})
    verdict = evaluate_gate("model", policy, within, TODAY)
    assert verdict.passed, verdict.reason
    assert {c.rule for c in verdict.checks} >= {"regression:accuracy", "regression:log_loss"}
    beyond = with_baseline(model_results({**GOOD_METRICS, "log_loss": 0.25}), {"accuracy": 0.971, "log_loss": 0.2})
    verdict = evaluate_gate("model", policy, beyond, TODAY)
    assert [c.rule for c in verdict.checks if not c.passed] == ["regression:accuracy", "regression:log_loss"]
    assert "accuracy 0.9500 regressed from 0.9710 (tolerance 0.02)" in verdict.reason
    assert "log_loss 0.2500 regressed from 0.2000" in verdict.reason, "a rise of a lower-is-better metric"


def test_a_baseline_of_another_task_or_none_at_all_compares_nothing(tmp_path: Path):
    other_task = with_baseline(model_results(GOOD_METRICS), {"r2": 0.99})
    verdict = evaluate_gate("model", load_policy(), other_task, TODAY)
    assert verdict.passed and not [c for c in verdict.checks if c.rule.startswith("regression:")]
    policy = tmp_path / "policy.yaml"
    policy.write_text("gates:\n  model:\n    regression_tolerance: null\n")
    dropped = with_baseline(model_results(GOOD_METRICS), {"accuracy": 0.99})
    assert evaluate_gate("model", load_policy(policy), dropped, TODAY).passed, "a policy may judge no regressions"


def test_the_old_tolerance_keys_are_translated_into_the_policy_and_the_project_policy_wins(tmp_path: Path):
    from mlsecops.config import Config
    from mlsecops.policy import ConfigOverrides, config_overrides

    assert config_overrides(Config(), "classification") == ConfigOverrides(), "nothing set: the policy's own, silently"
    old = Config.model_validate({"evaluate": {"regression_tolerance": 0.05},
                                 "modeltest": {"regression": {"metric_tolerance": 0.03}}})
    overrides = config_overrides(old, "classification")
    assert overrides.regression_tolerance == 0.03, "two old keys: the stricter"
    assert [w.split(" is read as")[0] for w in overrides.warnings] == [
        "evaluate.regression_tolerance", "modeltest.regression.metric_tolerance"]
    assert all("\n" not in w for w in overrides.warnings)
    assert load_policy(overrides=overrides).gates["model"].regression_tolerance == 0.03
    policy = tmp_path / "policy.yaml"
    policy.write_text("gates:\n  model:\n    regression_tolerance: 0.01\n")
    assert load_policy(policy, overrides=overrides).gates["model"].regression_tolerance == 0.01
    assert load_policy(overrides=overrides).gates["security"].regression_tolerance is None
