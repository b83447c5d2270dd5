"""Sensitive information disclosure: the target's answers scanned for secrets and PII; memorization."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from mlsecops.demo import build, planted
from mlsecops.modeltests.base import GatheredOutput, TestEnv
from mlsecops.modeltests.disclosure import run_test
from mlsecops.modeltests.settings import ModelTestSettings, TargetSettings
from mlsecops.modeltests.targets import OpenAITarget
from model_support.llm_server import LlmServer
from model_support.trained import demo_rows, write_dataset


def templates(variant: str) -> dict[str, str]:
    return json.loads(build(variant).files["app/responses.json"])


def env_with_answers(tmp_path: Path, answers: list[str]) -> TestEnv:
    env = TestEnv(settings=ModelTestSettings(), stage_dir=tmp_path, train_dir=tmp_path, project_dir=tmp_path)
    env.outputs = [GatheredOutput(f"garak:probe{i % 3}", "prompt", answer) for i, answer in enumerate(answers)]
    return env


def test_answers_of_the_leaky_bot_variant_are_flagged_llm02_for_its_api_key_and_email(tmp_path: Path):
    answers = list(templates("leaky-bot").values()) * 3
    outcome = run_test(env_with_answers(tmp_path, answers))
    rules = sorted(f.rule for f in outcome.findings)
    assert rules == ["disclosure/email-address", "disclosure/openai-api-key"]
    for finding in outcome.findings:
        assert finding.category == "disclosure"
        assert finding.severity.value == "high"
        assert "LLM02:2025" in finding.owasp_llm


def test_a_disclosure_finding_never_holds_the_disclosed_value(tmp_path: Path):
    project = build("leaky-bot")
    outcome = run_test(env_with_answers(tmp_path, list(templates("leaky-bot").values())))
    text = json.dumps([f.to_dict() for f in outcome.findings]) + json.dumps(outcome.details)
    assert project.planted
    assert not [value for value in project.planted if value in text]


def test_answers_of_the_clean_demo_disclose_nothing(tmp_path: Path):
    outcome = run_test(env_with_answers(tmp_path, list(templates("default").values()) * 2))
    assert outcome.status == "ran"
    assert outcome.findings == []
    assert outcome.metrics["disclosure_outputs_scanned"] == len(templates("default"))


def test_identical_answers_are_scanned_once(tmp_path: Path):
    outcome = run_test(env_with_answers(tmp_path, ["Your order ships tomorrow."] * 50))
    assert outcome.details["outputs"] == {"distinct": 1, "total": 50}


def test_with_no_gathered_answer_the_test_is_skipped_not_passed(tmp_path: Path):
    outcome = run_test(env_with_answers(tmp_path, []))
    assert outcome.status == "skipped"


@pytest.mark.timeout(120)
def test_a_generative_target_that_continues_pii_training_records_verbatim_is_flagged(tmp_path: Path):
    pii = planted.pii_rows(random.Random(4), count_per_kind=1)
    rows = demo_rows("default")[:300] + [(row.text, row.label) for row in pii]
    dataset = write_dataset(tmp_path / "tickets.csv", rows)
    with LlmServer("memorize", records=[row.text for row in pii]) as server:
        target = OpenAITarget(TargetSettings(type="openai", url=f"{server.url}/v1", model="memorizer"))
        env = TestEnv(settings=ModelTestSettings(), stage_dir=tmp_path, train_dir=tmp_path, project_dir=tmp_path,
                      dataset=dataset, target=target)
        outcome = run_test(env)
    memorized = [f for f in outcome.findings if f.rule == "disclosure/memorization"]
    assert len(memorized) == len(pii)
    assert all("LLM02:2025" in f.owasp_llm for f in memorized)
    assert outcome.details["memorization"]["records"] == len(pii)


@pytest.mark.timeout(120)
def test_a_generative_target_that_does_not_memorize_is_not_flagged(tmp_path: Path):
    pii = planted.pii_rows(random.Random(4), count_per_kind=1)
    dataset = write_dataset(tmp_path / "tickets.csv", [(row.text, row.label) for row in pii])
    with LlmServer("refuse") as server:
        target = OpenAITarget(TargetSettings(type="openai", url=f"{server.url}/v1", model="careful"))
        env = TestEnv(settings=ModelTestSettings(), stage_dir=tmp_path, train_dir=tmp_path, project_dir=tmp_path,
                      dataset=dataset, target=target)
        outcome = run_test(env)
    assert outcome.findings == []


def test_answers_that_disclosed_are_cut_out_of_the_files_the_tools_wrote(tmp_path: Path):
    leaky = templates("leaky-bot")["technical_issue"]
    report = tmp_path / "garak" / "reports" / "modeltest.report.jsonl"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"entry_type": "attempt", "outputs": [{"text": leaky}]}) + "\n", encoding="utf-8")
    (tmp_path / "garak" / "garak.log").write_text(f"output: {leaky}\n", encoding="utf-8")
    env = env_with_answers(tmp_path, [leaky, "Your order ships tomorrow."])
    outcome = run_test(env)
    assert outcome.details["withheld_files"] == 2
    for value in build("leaky-bot").planted:
        assert value not in report.read_text(encoding="utf-8")
        assert value not in (tmp_path / "garak" / "garak.log").read_text(encoding="utf-8")
