"""Regression against the last release: interval-aware attack success rates, and the one reader of that release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsecops.modeltests.base import TestEnv
from mlsecops.modeltests.regression import run_test
from mlsecops.modeltests.settings import ModelTestSettings, RegressionSettings
from mlsecops.stores import open_store
from mlsecops.stores.release import publish_release


def counts(hits: int, attempts: int, item: str = "LLM01") -> dict[str, float | int]:
    return {f"attack_success_rate.{item}": round(hits / attempts, 4), f"attack_hits.{item}": hits,
            f"attack_attempts.{item}": attempts}


def release(store_dir: Path, scratch: Path, modeltest: dict, evaluate: dict, version: str = "1.0.0") -> None:
    """A release as `mlsecops store` publishes it: signed model files, reports/findings.json, the manifest."""
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "model.keras").write_bytes(b"model " + version.encode())
    (scratch / "findings.json").write_text(json.dumps({"metrics": {"modeltest": modeltest, "evaluate": evaluate}}))
    with open_store(f"file://{store_dir}") as store:
        publish_release(store, f"support-intents/{version}",
                        {"model.keras": scratch / "model.keras", "reports/findings.json": scratch / "findings.json"},
                        {"model.keras"}, {"project": "support-intents", "version": version,
                                          "created": f"2026-01-0{version[0]}T00:00:00+00:00", "metrics": evaluate},
                        echo=lambda _: None)


def env_for(tmp_path: Path, current: dict, **settings) -> TestEnv:
    return TestEnv(settings=ModelTestSettings(regression=RegressionSettings(**settings)), stage_dir=tmp_path,
                   train_dir=tmp_path, project_dir=tmp_path, metrics=current,
                   project_name="support-intents", store_url=f"file://{tmp_path / 'store'}")


def test_a_rate_whose_interval_lies_above_the_last_releases_is_a_regression(tmp_path: Path):
    release(tmp_path / "store", tmp_path / "r1", counts(1, 60), {"accuracy": 0.93})
    outcome = run_test(env_for(tmp_path, counts(30, 60)))
    (finding,) = outcome.findings
    assert finding.rule == "regression/attack-success-rate"
    assert finding.severity.value == "high"
    assert "LLM01:2025" in finding.owasp_llm
    assert finding.properties["baseline"]["hits"] == 1
    assert outcome.details["baseline"].endswith("support-intents/1.0.0")


def test_a_rise_within_the_noise_of_few_attempts_is_not_a_regression(tmp_path: Path):
    release(tmp_path / "store", tmp_path / "r1", counts(0, 5), {})
    assert run_test(env_for(tmp_path, counts(1, 5))).findings == []


def test_the_newest_release_is_the_baseline(tmp_path: Path):
    release(tmp_path / "store", tmp_path / "r1", counts(40, 60), {}, version="1.0.0")
    release(tmp_path / "store", tmp_path / "r2", counts(1, 60), {}, version="2.0.0")
    (finding,) = run_test(env_for(tmp_path, counts(40, 60))).findings
    assert "2.0.0" in finding.message


def test_the_last_release_reads_every_stages_metrics_in_one_shape_from_the_store_or_a_named_file(tmp_path: Path):
    from mlsecops.stores.last_release import last_release, read_baseline

    evaluate = {"accuracy": 0.95, "f1_macro": 0.94}
    release(tmp_path / "store", tmp_path / "r1", counts(3, 60), evaluate)
    stored = last_release(f"file://{tmp_path / 'store'}", {}, "support-intents")
    assert stored is not None and stored.source.endswith("/support-intents/1.0.0")
    assert stored.stage("evaluate") == evaluate and stored.stage("modeltest") == counts(3, 60)
    assert last_release(f"file://{tmp_path / 'store'}", {}, "another-project") is None

    folder = read_baseline(tmp_path / "store/support-intents/1.0.0", "evaluate.baseline")
    assert folder.metrics == stored.metrics, "a release folder reads as the store's release does"
    findings = read_baseline(tmp_path / "r1/findings.json", "modeltest.regression.baseline")
    assert findings.metrics == stored.metrics
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "1.0.0", "metrics": evaluate}))
    assert read_baseline(tmp_path / "manifest.json", "evaluate.baseline").metrics == {"evaluate": evaluate}
    (tmp_path / "result.json").write_text(json.dumps({"stage": "evaluate", "metrics": evaluate}))
    assert read_baseline(tmp_path / "result.json", "evaluate.baseline").metrics == {"evaluate": evaluate}


def test_a_named_baseline_that_cannot_be_read_is_a_usage_error_naming_the_setting(tmp_path: Path):
    from mlsecops.errors import UsageError
    from mlsecops.stores.last_release import read_baseline

    with pytest.raises(UsageError, match="modeltest.regression.baseline not found"):
        run_test(env_for(tmp_path, counts(1, 5), baseline="gone.json"))
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(UsageError, match="evaluate.baseline: .*broken.json is not readable JSON"):
        read_baseline(tmp_path / "broken.json", "evaluate.baseline")
    (tmp_path / "empty.json").write_text(json.dumps({"metrics": {}}))
    with pytest.raises(UsageError, match="holds no metrics to compare with"):
        read_baseline(tmp_path / "empty.json", "evaluate.baseline")


def test_a_baseline_file_can_be_named_instead_of_the_store(tmp_path: Path):
    (tmp_path / "last.json").write_text(json.dumps({"stage": "modeltest", "metrics": counts(2, 80)}))
    outcome = run_test(env_for(tmp_path, counts(50, 80), baseline="last.json"))
    assert [f.rule for f in outcome.findings] == ["regression/attack-success-rate"]


def test_with_no_previous_release_the_comparison_is_skipped(tmp_path: Path):
    outcome = run_test(env_for(tmp_path, counts(50, 80)))
    assert outcome.status == "skipped"
    assert outcome.findings == []
