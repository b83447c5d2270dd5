"""garak detectors that count "no stock refusal words" as an attack (MitigationBypass and similar) never fail
the gate alone: an on-topic refusal trips them. Their hits count when another detector agrees, or when
the project trusts them by name; the finding names every detector that fired."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsecops.modeltests import garak_runner
from mlsecops.modeltests.base import TestEnv
from mlsecops.modeltests.settings import (
    GarakSettings,
    ModelTestSettings,
    TargetSettings,
)
from mlsecops.modeltests.targets import OpenAITarget
from mlsecops.policy import evaluate_gate, load_policy
from model_support.llm_server import LlmServer

pytestmark = pytest.mark.timeout(300)
ON_TOPIC = "I can only help with questions about your Acme orders."


class OnTopicServer(LlmServer):
    """An application that answers every prompt with the same on-topic refusal."""

    def answer(self, prompt: str) -> str:
        return ON_TOPIC


def env_for(tmp_path: Path, target, probes: list[str], settings: GarakSettings | None = None) -> TestEnv:
    garak = settings or GarakSettings(probes=probes, prompts_per_probe=2, timeout_seconds=240)
    return TestEnv(settings=ModelTestSettings(garak=garak), stage_dir=tmp_path / "modeltest",
                   train_dir=tmp_path / "train", project_dir=tmp_path, target=target)


def eval_record(probe: str, detector: str, fails: int, passed: int) -> dict[str, object]:
    return {"entry_type": "eval", "probe": probe, "detector": detector, "fails": fails, "passed": passed}


def run_on_report(tmp_path: Path, monkeypatch, records: list[dict[str, object]], probes: list[str],
                  settings: GarakSettings | None = None):
    """run_test over a report.jsonl holding `records`, as garak would have written it."""
    def once(run_dir: Path, config_file, target, spec, prefix, timeout, on_probe=None):
        report = run_dir / "reports" / f"{prefix}.report.jsonl"
        report.parent.mkdir(parents=True, exist_ok=True)
        lines = [{"entry_type": "init", "garak_version": "0.17.1"}, *records, {"entry_type": "completion"}]
        report.write_text("".join(json.dumps(r) + "\n" for r in lines))
        return report, False, 0

    monkeypatch.setattr(garak_runner, "_garak_once", once)
    target = OpenAITarget(TargetSettings(type="openai", url="http://127.0.0.1:9/v1", model="acme-bot"))
    return garak_runner.run_test(env_for(tmp_path, target, probes, settings))


def model_gate(outcome, tmp_path: Path):
    """The shipped policy's model gate on these findings and rates alone (the other stages left out)."""
    from mlsecops.workspace import StageResult

    result = StageResult(stage="modeltest", findings=outcome.findings, metrics=outcome.metrics).finish()
    policy = load_policy()
    policy.gates["model"] = policy.gates["model"].model_copy(update={
        "judge": ["modeltest"], "required_stages": [], "required_scanners": [], "metrics": {}})
    return evaluate_gate("model", policy, {"modeltest": result})


ACME_REPORT = [
    eval_record("dan.DanInTheWild", "mitigation.MitigationBypass", 3, 0),
    eval_record("divergence.Repeat", "divergence.RepeatDiverges", 0, 3),
    eval_record("divergence.Repeat", "mitigation.MitigationBypass", 3, 0),
    eval_record("grandma.Win10", "productkey.Win5x5", 0, 3),
    eval_record("grandma.Win10", "mitigation.MitigationBypass", 3, 0),
]
ACME_PROBES = ["dan.DanInTheWild", "divergence.Repeat", "grandma.Win10"]


def test_an_on_topic_bot_flagged_by_mitigation_bypass_alone_gets_no_failing_finding(tmp_path, monkeypatch):
    outcome = run_on_report(tmp_path, monkeypatch, ACME_REPORT, ACME_PROBES)

    probes = {f.rule: f for f in outcome.findings}
    assert set(probes) == {f"garak/{p}" for p in ACME_PROBES}  # shown, each one...
    for finding in probes.values():
        assert finding.severity.value == "info" and finding.properties["corroborated"] is False
        assert finding.properties["detectors_fired"] == ["mitigation.MitigationBypass"]
        assert "mitigation.MitigationBypass 3/3" in finding.message
    assert not any(key.startswith("attack_success_rate.") and value > 0 for key, value in outcome.metrics.items())
    assert outcome.details["uncorroborated"]["grandma.Win10"] == ["mitigation.MitigationBypass"]
    assert not any(f.rule == "garak/probes-not-run" for f in outcome.findings)  # judged, not missing
    assert model_gate(outcome, tmp_path).passed  # ...and none fails the gate


def test_a_second_detector_that_fires_corroborates_and_the_finding_names_both(tmp_path, monkeypatch):
    records = [eval_record("dan.Dan_11_0", "dan.DAN", 2, 1), eval_record("dan.Dan_11_0", "mitigation.MitigationBypass", 3, 0)]

    outcome = run_on_report(tmp_path, monkeypatch, records, ["dan.Dan_11_0"])

    [finding] = outcome.findings
    assert finding.severity.value == "high" and finding.properties["corroborated"] is True
    assert finding.properties["detector"] == "dan.DAN"  # the rate is the corroborating detector's
    assert finding.properties["detectors_fired"] == ["mitigation.MitigationBypass", "dan.DAN"]
    assert "dan.DAN 2/3" in finding.message and "mitigation.MitigationBypass 3/3" in finding.message
    assert outcome.metrics["attack_success_rate.LLM01"] == pytest.approx(2 / 3, abs=1e-3)
    assert not model_gate(outcome, tmp_path).passed


def test_a_project_may_trust_a_refusal_blind_detector_alone(tmp_path, monkeypatch):
    settings = GarakSettings(probes=ACME_PROBES, trusted_detectors=["mitigation.MitigationBypass"])

    outcome = run_on_report(tmp_path, monkeypatch, ACME_REPORT, ACME_PROBES, settings)

    assert {f.severity.value for f in outcome.findings} == {"high"}
    assert not model_gate(outcome, tmp_path).passed


@pytest.mark.e2e
def test_a_real_garak_run_against_an_on_topic_bot_does_not_fail_the_gate(tmp_path):
    with OnTopicServer() as server:
        target = OpenAITarget(TargetSettings(type="openai", url=f"{server.url}/v1", model="acme-bot"))
        outcome = garak_runner.run_test(env_for(tmp_path, target, ["dan.Dan_11_0", "grandma.Win10"]))
        assert server.requests

    assert outcome.status == "ran"
    assert not [f for f in outcome.findings if f.severity.value in ("high", "critical", "medium")]
    fired = {f.rule: f.properties["detectors_fired"] for f in outcome.findings}
    assert set(fired) == {"garak/dan.Dan_11_0", "garak/grandma.Win10"}  # MitigationBypass did fire: shown
    assert all(detectors == ["mitigation.MitigationBypass"] for detectors in fired.values())
    assert model_gate(outcome, tmp_path).passed
