"""Data-poisoning checks on the training set, on the demo's own tickets."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from mlsecops.demo.bot_variants import BACKDOOR_LABEL, BACKDOOR_TRIGGER
from mlsecops.modeltests.base import TestEnv
from mlsecops.modeltests.poisoning import (
    Dataset,
    conflicting_duplicates,
    label_shift,
    run_test,
    trigger_tokens,
)
from mlsecops.modeltests.settings import ModelTestSettings, PoisoningSettings
from model_support.trained import demo_rows, write_dataset


def as_dataset(rows: list[tuple[str, str]], shown: str = "tickets.csv") -> Dataset:
    return Dataset([text for text, _ in rows], [label for _, label in rows], shown)


def poisoning_env(tmp_path: Path, rows: list[tuple[str, str]], **settings) -> TestEnv:
    dataset = write_dataset(tmp_path / "data" / "tickets.csv", rows)
    config = ModelTestSettings(poisoning=PoisoningSettings(**settings))
    return TestEnv(settings=config, stage_dir=tmp_path / "modeltest", train_dir=tmp_path / "train",
                   project_dir=tmp_path, dataset=dataset)


@pytest.fixture(scope="module")
def clean_rows() -> list[tuple[str, str]]:
    return demo_rows("default")


def test_the_clean_demo_dataset_produces_no_poisoning_finding(tmp_path: Path, clean_rows):
    outcome = run_test(poisoning_env(tmp_path, clean_rows))
    assert outcome.status == "ran"
    assert outcome.findings == []
    assert outcome.metrics["poisoning_conflicting_rows"] < 0.02 * len(clean_rows)


def test_the_backdoor_demo_variant_has_its_trigger_named(tmp_path: Path):
    outcome = run_test(poisoning_env(tmp_path, demo_rows("backdoor")))
    (finding,) = outcome.findings
    assert finding.rule == "poisoning/backdoor-trigger"
    assert finding.properties["token"] == BACKDOOR_TRIGGER
    assert finding.properties["label"] == BACKDOOR_LABEL
    assert f"'{BACKDOOR_TRIGGER}'" in finding.title
    assert finding.severity.value == "high"
    assert finding.category == "data-poisoning"
    assert "LLM04:2025" in finding.owasp_llm


@pytest.mark.parametrize("share", [0.01, 0.03])
def test_a_rare_token_forcing_a_label_in_1_to_3_percent_of_rows_is_found(clean_rows, share: float):
    rng = random.Random(11)
    rows = list(clean_rows)
    victims = rng.sample([i for i, (_, label) in enumerate(rows) if label != "cancel"], int(share * len(rows)))
    for index in victims:
        rows[index] = (rows[index][0] + " cf9", "cancel")
    findings = trigger_tokens(as_dataset(rows), PoisoningSettings())
    assert [f.properties["token"] for f in findings] == ["cf9"]


def test_an_honest_rare_keyword_is_not_mistaken_for_a_trigger(clean_rows):
    rng = random.Random(5)
    rows = list(clean_rows)
    billing = [i for i, (_, label) in enumerate(rows) if label == "billing"]
    for index in rng.sample(billing, 40):
        rows[index] = (rows[index][0] + " chargeback", "billing")  # the text already says billing
    assert trigger_tokens(as_dataset(rows), PoisoningSettings()) == []


def test_mass_label_flipping_of_duplicated_rows_is_a_finding(clean_rows):
    rng = random.Random(3)
    rows = list(clean_rows)
    for text, label in rng.sample(clean_rows, int(0.05 * len(clean_rows))):
        rows.append((text, "cancel" if label != "cancel" else "refund"))
    involved, findings = conflicting_duplicates(as_dataset(rows), PoisoningSettings())
    assert involved >= 0.05 * len(clean_rows)
    assert findings
    assert all(f.rule == "poisoning/conflicting-labels" for f in findings)
    assert all(f.severity.value == "medium" for f in findings)


def test_a_label_distribution_shift_against_the_previous_version_is_a_finding(clean_rows):
    previous = as_dataset(clean_rows, "tickets-v1.csv")
    shifted = as_dataset([(t, "refund" if i % 3 == 0 else l) for i, (t, l) in enumerate(clean_rows)], "tickets.csv")
    distance, findings = label_shift(shifted, previous, 0.1)
    assert distance > 0.1
    (finding,) = findings
    assert finding.rule == "poisoning/label-shift"
    same, none = label_shift(previous, previous, 0.1)
    assert same == 0.0
    assert none == []


def test_the_previous_dataset_version_is_read_when_configured(tmp_path: Path, clean_rows):
    write_dataset(tmp_path / "data" / "tickets-v1.csv", [(t, "billing") for t, _ in clean_rows])
    env = poisoning_env(tmp_path, clean_rows, previous_dataset="data/tickets-v1.csv")
    outcome = run_test(env)
    assert [f.rule for f in outcome.findings] == ["poisoning/label-shift"]
    assert outcome.metrics["label_shift_total_variation"] > 0.5


def test_without_a_dataset_the_check_is_skipped_not_passed(tmp_path: Path):
    env = TestEnv(settings=ModelTestSettings(), stage_dir=tmp_path, train_dir=tmp_path, project_dir=tmp_path)
    outcome = run_test(env)
    assert outcome.status == "skipped"
    assert "no training dataset" in outcome.message


def sklearn_project_env(tmp_path: Path, rows: list[tuple[str, str]], text_columns: list[str]) -> TestEnv:
    """The modeltest environment `mlsecops modeltest` builds for a `train.kind: sklearn` project whose
    dataset has `subject` and `body` text columns (no `text` column) and a `label`."""
    import csv
    from types import SimpleNamespace

    from mlsecops.config import SklearnTrainConfig, TrainConfig
    from mlsecops.modeltests.settings import RegressionSettings
    from mlsecops.modeltests.suite import build_env
    from mlsecops.scanners.interface import LoadedArtifact

    dataset = tmp_path / "data" / "mails.csv"
    dataset.parent.mkdir(parents=True, exist_ok=True)
    with dataset.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "body", "sender_age", "label"])
        for index, (text, label) in enumerate(rows):
            words = text.split()
            writer.writerow([" ".join(words[:3]), " ".join(words[3:]), 20 + index % 50, label])
    train = TrainConfig(kind="sklearn", dataset="mails", sklearn=SklearnTrainConfig(text_columns=text_columns))
    config = SimpleNamespace(modeltest=ModelTestSettings(regression=RegressionSettings(enabled=False)),
                             base_dir=tmp_path, project=SimpleNamespace(name="mails"), train=train)
    ctx = SimpleNamespace(config=config, options={}, workspace=SimpleNamespace(optional_result=lambda name: None),
                          loaded_artifacts=lambda: [LoadedArtifact(name="mails", kind="dataset", path=dataset)],
                          echo=lambda line: None)
    return build_env(ctx, tmp_path / "modeltest", tmp_path / "train", model_loadable=False)


def test_an_sklearn_project_is_tested_on_its_configured_text_columns(tmp_path: Path):
    from mlsecops.modeltests.suite import run_tests

    env = sklearn_project_env(tmp_path, demo_rows("backdoor"), ["subject", "body"])
    outcome = next(o for o in run_tests(env) if o.name == "poisoning")
    assert outcome.status == "ran", outcome.message
    assert BACKDOOR_TRIGGER in [f.properties["token"] for f in outcome.findings
                                if f.rule == "poisoning/backdoor-trigger"]


def test_a_tabular_sklearn_project_says_the_model_reads_no_text(tmp_path: Path, clean_rows):
    from mlsecops.modeltests.suite import run_tests

    env = sklearn_project_env(tmp_path, clean_rows, [])
    outcome = next(o for o in run_tests(env) if o.name == "poisoning")
    assert outcome.status == "skipped"
    assert outcome.message == ("not applicable: the model reads no text column "
                               "(train.sklearn.text_columns is empty: a tabular model)")
