"""The optional redact stage (`redact.enabled`): between the security gate and train it writes the
training dataset with its PII replaced, and train reads that copy, never silently the raw file."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from mlsecops.config import load_config
from mlsecops.stage_manifest import manifest
from mlsecops.stages.base import StageContext
from mlsecops.stages.order import cleaned_inputs
from mlsecops.workspace import StageResult, Workspace
from train_support import FAST_TRAIN, one_line_error, prepare

pytestmark = pytest.mark.timeout(600)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
ROWS = [("contact me at anna.berg@example.org about my refund", "billing"),
        ("my order never arrived, call 415-555-0137", "shipping"),
        ("thanks, all good now", "other"),
        ("please update the mail to j.doe@example.com", "account")]


class Project:
    def __init__(self, root: Path, redact: dict | None) -> None:
        self.root = root
        self.config = root / "project" / "mlsecops.yaml"
        self.workspace = root / ".mlsecops"
        data = root / "project" / "data" / "people.csv"
        data.parent.mkdir(parents=True)
        with open(data, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([("text", "label"), *ROWS])
        self.data = data
        config = {"project": {"name": "demo"},
                  "load": {"sources": [{"name": "people", "url": "file://data/people.csv", "kind": "dataset"}],
                           "allowlist": ["file://data/"]},
                  "train": {"dataset": "people"}}
        if redact is not None:
            config["redact"] = redact
        self.config.write_text(yaml.safe_dump(config), encoding="utf-8")

    def stage(self, *args: str):
        return run_cli("--config", str(self.config), "--workspace", str(self.workspace), *args, cwd=self.root)

    def load_and_pass_gate(self) -> None:
        """A real lock and load; the security gate's verdict recorded as the gate records it: passed,
        on exactly the inputs load holds (the gate itself is specified in test_gate.py)."""
        assert self.stage("lock").exit_code == 0
        loaded = self.stage("load")
        assert loaded.exit_code == 0, loaded.output[-2000:]
        sources = json.loads((self.workspace / "load" / "result.json").read_text())["details"]["sources"]
        gate = StageResult(stage="gate-security", details={"inputs": {s["name"]: s["sha256"] for s in sources}})
        Workspace(self.workspace).write_result(gate.finish("passed"))

    def context(self) -> StageContext:
        return StageContext(load_config(self.config), Workspace(self.workspace))


def test_the_stage_writes_the_dataset_with_every_entity_replaced_by_its_types_method(tmp_path):
    project = Project(tmp_path, {"enabled": True, "methods": {"EMAIL_ADDRESS": "hash"}, "salt": "pepper"})
    project.load_and_pass_gate()
    outcome = project.stage("redact-dataset")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    copy = project.workspace / "redact" / "people.csv"
    rows = list(csv.reader(copy.open(encoding="utf-8")))
    assert rows[0] == ["text", "label"] and len(rows) == len(ROWS) + 1
    assert [row[1] for row in rows[1:]] == [label for _, label in ROWS]
    assert not EMAIL.search(copy.read_text()) and "415-555-0137" not in copy.read_text()
    assert re.search(r"<EMAIL_ADDRESS:[0-9a-f]{16}>", rows[1][0]) and "<PHONE_NUMBER>" in rows[2][0]
    assert rows[3][0] == ROWS[2][0]
    result = json.loads((project.workspace / "redact" / "result.json").read_text())
    assert result["status"] == "passed"
    assert result["metrics"]["entities.EMAIL_ADDRESS"] == 2 and result["metrics"]["rows"] == len(ROWS)
    assert result["details"]["file"] == "redact/people.csv"
    assert "anna.berg" not in json.dumps(result)  # the record names counts, never a value


def test_train_reads_the_cleaned_copy_cleaned_from_exactly_what_load_holds(tmp_path):
    project = Project(tmp_path, {"enabled": True})
    project.load_and_pass_gate()
    assert project.stage("redact-dataset").exit_code == 0
    ctx = project.context()
    people = next(a for a in cleaned_inputs(ctx, ctx.loaded_artifacts()) if a.name == "people")
    assert people.path == project.workspace / "redact" / "people.csv"
    assert people.sha256 == json.loads((project.workspace / "redact" / "result.json").read_text())["details"]["sha256"]
    # a newer load (other rows) after redact: its copy is of other inputs and is refused
    project.data.write_text(project.data.read_text() + "another row,other\n")
    project.load_and_pass_gate()
    refused = project.stage("train")
    assert refused.exit_code == 1
    assert "cleaned other inputs" in one_line_error(refused)


def test_with_redact_enabled_train_never_falls_back_to_the_raw_dataset(tmp_path):
    project = Project(tmp_path, {"enabled": True})
    project.load_and_pass_gate()
    outcome = project.stage("train")
    assert outcome.exit_code == 2
    assert "redact stage has not run" in one_line_error(outcome)


def test_the_stage_refuses_when_disabled_or_before_a_passed_security_gate(tmp_path):
    disabled = Project(tmp_path / "a", None)
    disabled.load_and_pass_gate()
    outcome = disabled.stage("redact-dataset")
    assert outcome.exit_code == 2 and "redact.enabled is false" in one_line_error(outcome)
    ungated = Project(tmp_path / "b", {"enabled": True})
    assert ungated.stage("lock").exit_code == 0 and ungated.stage("load").exit_code == 0
    outcome = ungated.stage("redact-dataset")
    assert outcome.exit_code == 1 and "security gate has not run" in one_line_error(outcome)
    assert not (ungated.workspace / "redact" / "people.csv").exists()


def test_the_manifest_makes_the_stage_optional_between_the_security_gate_and_train(tmp_path):
    order = [entry.name for entry in manifest().stages]
    assert order.index("gate-security") < order.index("redact") < order.index("train")
    entry = manifest().stage("redact")
    assert entry.reads == ("load", "gate-security") and "redact" in manifest().stage("train").optional_reads
    assert not entry.enabled(Project(tmp_path / "off", None).context().config)
    assert entry.enabled(Project(tmp_path / "on", {"enabled": True}).context().config)


@pytest.mark.e2e
def test_a_real_training_run_reads_the_redacted_copy(tmp_path):
    checkout = prepare(tmp_path / "checkout", redact={"enabled": True}, train=FAST_TRAIN)
    assert checkout.stage("redact-dataset").exit_code == 0
    trained = checkout.stage("train")
    assert trained.exit_code == 0, trained.output[-2000:]
    assert "reading the redacted copy redact/tickets.csv" in trained.stdout
    split = json.loads((checkout.workspace / "train" / "split.json").read_text())
    assert split["dataset"]["file"].endswith("/redact/tickets.csv")
    # evaluate reads the held-out labels from the same cleaned copy train split
    evaluated = checkout.stage("evaluate")
    assert evaluated.exit_code == 0, evaluated.output[-2000:]
    assert "evaluate: reading the redacted copy redact/tickets.csv" in evaluated.stdout
