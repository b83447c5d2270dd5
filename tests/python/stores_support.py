"""Helpers for the load/lock/sign/verify/store tests: a small project, a trained-model stand-in, gate results."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from mlsecops.workspace import StageResult, Workspace

MODEL_FILES = {
    "model.keras": b"PK\x03\x04 stand-in for a keras archive " + os.urandom(64),
    "model.h5": b"\x89HDF\r\n\x1a\n stand-in " + os.urandom(64),
    "tokenizer.json": b'{"vocab": {"hello": 1, "world": 2}}',
    "tokenizer.pickle": b"\x80\x04stand-in bytes, never unpickled by the tests",
    "labels.json": b'["ham", "spam"]',
}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run `mlsecops ARGS` in this process; return the exit code, stdout and stderr."""
    from mlsecops.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_config(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mlsecops.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_train_output(workspace: Path) -> dict[str, str]:
    """What the train stage leaves: the five model files and a result.json naming their digests."""
    ws = Workspace(workspace)
    train = ws.stage_dir("train")
    result = StageResult(stage="train")
    for name, data in MODEL_FILES.items():
        (train / name).write_bytes(data)
        result.artifacts.append(ws.artifact(train / name))
    ws.write_result(result.finish())
    return {a.path: a.sha256 for a in result.artifacts}


def write_gate(workspace: Path, gate: str, status: str) -> None:
    Workspace(workspace).write_result(StageResult(stage=gate).finish(status))


def write_evaluate(workspace: Path, metrics: dict[str, float]) -> None:
    result = StageResult(stage="evaluate", metrics=metrics)
    Workspace(workspace).write_result(result.finish())


def write_reports(workspace: Path) -> None:
    reports = Workspace(workspace).reports_dir
    (reports / "findings.json").write_text(json.dumps({"findings": []}), encoding="utf-8")
    (reports / "ml-bom.cdx.json").write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6"}))


def write_model_gate(workspace: Path, status: str = "passed") -> None:
    """The model gate's result as `mlsecops gate --stage model` writes it: with the model files it judged."""
    from mlsecops.config import Config, load_config
    from mlsecops.stages.base import StageContext
    from mlsecops.stages.gate import judged_model
    from mlsecops.stages.order import JUDGED_MODEL

    ws = Workspace(workspace)
    config_file = workspace.parent / "mlsecops.yaml"
    config = load_config(config_file, secrets=()) if config_file.is_file() else Config(base_dir=workspace.parent)
    context = StageContext(config, ws)
    result = StageResult(stage="gate-model", details={"gate": "model", JUDGED_MODEL: judged_model(context)})
    ws.write_result(result.finish(status))


def passed_pipeline(workspace: Path) -> None:
    """A workspace where train ran, both gates passed and evaluate recorded metrics."""
    write_train_output(workspace)
    write_gate(workspace, "gate-security", "passed")
    write_model_gate(workspace)
    write_evaluate(workspace, {"accuracy": 0.93, "f1_macro": 0.92})
    write_reports(workspace)


def result_json(workspace: Path, stage: str) -> dict:
    return json.loads((workspace / stage / "result.json").read_text(encoding="utf-8"))
