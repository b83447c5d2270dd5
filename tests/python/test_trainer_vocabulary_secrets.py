"""A secret in the training texts that the trained model's vocabulary kept is a finding at the model gate,
even when the dataset's own finding was waived: the TF-IDF vocabulary inside model.skops and the keras
tokenizer's vocabulary ship with the model. Checked by the trainer on what it fitted, nothing loaded."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml
from mlsecops.findings import Severity
from mlsecops.ml.table import Table
from mlsecops.ml.tokenizer import WordTokenizer
from mlsecops.ml.trainers import keras_text, sklearn_trainer
from mlsecops.ml.trainers.sklearn_trainer import Features, build_pipeline

GITHUB_TOKEN = "ghp_" + "R8fK2mQ7xL4vN9pT3wZ6yB1cD5hJ0sG2aE4u"  # random, in the classic PAT shape
AWS_SECRET = "EqV8ib8HDy88YtDtXbiufMdI8X2Y4rUmer+BH3M1"
ORDINARY = ["refund my order please", "the parcel never arrived", "change my delivery address",
            "my card was charged twice", "cancel the subscription today", "where is my invoice"]


def fitted_tfidf(texts: list[str], max_features: int = 20_000):
    records = [{"body": text, "label": str(index % 2)} for index, text in enumerate(texts)]
    table = Table(["body", "label"], list(range(len(records))), records)
    features = Features([], [], ["body"])
    from sklearn.linear_model import LogisticRegression

    pipeline = build_pipeline(LogisticRegression(), features, SimpleNamespace(max_text_features=max_features))
    pipeline.fit(sklearn_trainer.feature_matrix(table, features, "mails.csv"), [r["label"] for r in records])
    return pipeline, features, table


def test_a_secret_the_tfidf_vocabulary_kept_is_a_finding_on_the_model_file_without_its_value():
    texts = [*ORDINARY, f"my token is {GITHUB_TOKEN} keep it", f"my aws secret is {AWS_SECRET}"]
    pipeline, features, table = fitted_tfidf(texts)
    findings = sklearn_trainer.vocabulary_findings(pipeline, features, table, "train/model/model.skops", "mails.csv")
    assert sorted((f.rule, f.severity, f.category, f.location.path) for f in findings) == [
        ("secret/aws-secret-access-key", Severity.CRITICAL, "secret", "train/model/model.skops"),
        ("secret/github-pat", Severity.CRITICAL, "secret", "train/model/model.skops"),
    ]
    assert all("kept in the model's vocabulary" in f.title and "mails.csv column 'body'" in f.message
               for f in findings)
    shown = json.dumps([f.to_dict() for f in findings])
    assert GITHUB_TOKEN.lower() not in shown.lower() and AWS_SECRET[:20].lower() not in shown.lower()


def test_a_secret_the_vocabulary_cut_off_is_not_in_the_model_and_not_a_finding():
    texts = [*ORDINARY * 3, f"my token is {GITHUB_TOKEN}"]
    pipeline, features, table = fitted_tfidf(texts, max_features=10)  # only the most frequent words stay
    assert sklearn_trainer.vocabulary_findings(pipeline, features, table, "train/model/model.skops", "m.csv") == []


def test_the_keras_tokenizer_keeps_a_secret_only_when_it_is_frequent_enough_and_then_it_is_a_finding():
    once = [*ORDINARY, f"token {GITHUB_TOKEN}"]
    twice = [*once, f"again the token {GITHUB_TOKEN}"]
    for texts, expected in ((once, []), (twice, ["secret/github-pat"])):
        tokenizer = WordTokenizer(max_tokens=500, sequence_length=8, min_frequency=2).fit(texts)
        findings = keras_text.vocabulary_findings(tokenizer, texts, "train/tokenizer.json", "tickets.csv column 'text'")
        assert [f.rule for f in findings] == expected
        assert all(f.location.path == "train/tokenizer.json" for f in findings)


@pytest.mark.e2e
@pytest.mark.timeout(600)
def test_a_waived_dataset_secret_that_training_kept_fails_the_model_gate(tmp_path):
    """The user's trial: the dataset's secret finding waived at the security gate, an sklearn text model
    trained on it; train records the secret its TF-IDF vocabulary kept, and the model gate fails on it."""
    from mlsecops import demo
    from train_support import Checkout

    checkout = Checkout(tmp_path / "c")
    demo.materialize("default", checkout.project)
    tickets = checkout.project / "data" / "tickets.csv"
    with tickets.open("a", encoding="utf-8") as handle:
        handle.write(f'"my token is {GITHUB_TOKEN} please refund",refund\n' * 2)
    checkout.edit_config(train={"kind": "sklearn", "folds": 2,
                                "sklearn": {"estimator": "LogisticRegression", "text_columns": ["text"]}})
    assert checkout.stage("lock").exit_code == 0
    assert checkout.stage("load").exit_code == 0
    assert checkout.stage("scan").exit_code == 0
    waived = [f["id"] for f in checkout.result("scan")["findings"] if f["category"] == "secret"]
    assert waived, "the dataset scan finds the token"
    (checkout.project / "policy.yaml").write_text(yaml.safe_dump({"version": 1, "waivers": [
        {"id": finding_id, "reason": "test data, rotated", "expires": "2999-01-01"} for finding_id in waived]}))
    config = yaml.safe_load(checkout.config.read_text())
    checkout.config.write_text(yaml.safe_dump({**config, "policy": "policy.yaml"}, sort_keys=False))
    gated = checkout.stage("gate", "--stage", "security")
    assert gated.exit_code == 0, gated.output[-2000:]

    trained = checkout.stage("train")
    assert trained.exit_code == 0, trained.output[-2000:]
    assert "kept in the TF-IDF vocabulary" in trained.stdout
    (kept,) = checkout.result("train")["findings"]
    assert (kept["rule"], kept["location"]["path"]) == ("secret/github-pat", "train/model/model.skops")
    assert kept["id"] not in waived
    assert GITHUB_TOKEN not in (checkout.workspace / "train" / "result.json").read_text()
    gate = checkout.stage("gate", "--stage", "model")
    assert gate.exit_code == 1
    assert kept["id"] in json.dumps(checkout.result("gate-model")), "the model gate names the kept secret"
