"""Demo variants of "bring your own model": tabular (scikit-learn), byo (the team's PyTorch train.py),
pretrained (a published model file plus its predict program) and llm-endpoint (an LLM application
tested through its OpenAI-compatible endpoint only). Registered in `variants.py`.

The tabular data is scikit-learn's bundled breast-cancer table (569 rows, 30 measurements),
read from the installed package's data file: nothing is downloaded, and scikit-learn itself is
not imported (the CLI materializes demos on every `--demo` invocation). The team's programs
are files in `files/byo/`, written into the project as a team would keep them in its repo.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path
from typing import Any

from mlsecops.demo.project import DemoProject, _package_file
from mlsecops.errors import EnvironmentFailure

TABLE_FILE = "data/breast_cancer.csv"
TABLE_SOURCE = "breast-cancer"
EVAL_FILE = "data/breast_cancer_eval.csv"
LABEL_COLUMN = "diagnosis"
CLASSES = ("malignant", "benign")  # the data file's target 0 and 1
_MEASURES = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
             "concave points", "symmetry", "fractal dimension")
FEATURES = [f"mean {m}" for m in _MEASURES] + [f"{m} error" for m in _MEASURES] + [f"worst {m}" for m in _MEASURES]
APP_REQUIREMENTS = "# the team's training and serving runtime, pinned so the dependency scan judges what ships\n"


def breast_cancer_rows() -> list[list[str]]:
    """The 569 rows of scikit-learn's bundled breast_cancer.csv: 30 measurements and the class name."""
    spec = importlib.util.find_spec("sklearn")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise EnvironmentFailure("scikit-learn is not installed: the tabular demos read its bundled breast-cancer data")
    path = Path(locations[0]) / "datasets" / "data" / "breast_cancer.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for line in lines[1:]:  # the first line is "569,30,malignant,benign"
        values = line.split(",")
        rows.append([*values[:30], CLASSES[int(values[30])]])
    return rows


def table_csv(rows: list[list[str]]) -> bytes:
    lines = [",".join([*(f'"{name}"' if " " in name else name for name in FEATURES), LABEL_COLUMN])]
    lines += [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _tabular_project(project: DemoProject, description: str) -> None:
    """The text demo's files replaced by a tabular project's: the breast-cancer table and its sources."""
    project.rows = []
    for name in ("app/bot.py", "app/responses.json", "notebooks/explore.ipynb"):
        project.files.pop(name, None)
    project.config["project"] = {"name": "breast-cancer", "version": "1.0.0", "description": description}
    project.config["load"]["sources"] = [
        {"name": TABLE_SOURCE, "url": f"file://{TABLE_FILE}", "kind": "dataset"},
        {"name": "requirements", "url": "file://requirements.txt", "kind": "requirements"},
    ]
    project.files[TABLE_FILE] = table_csv(breast_cancer_rows())
    project.config["evaluate"] = {"thresholds": {"accuracy": 0.9, "f1_macro": 0.9, "roc_auc": 0.95}}
    # a classifier of measurements, not an application: nothing answers prompts
    project.config["modeltest"] = {"target": {"type": "none"}}


def tabular(project: DemoProject) -> None:
    """scikit-learn LogisticRegression on all 30 measurements: 5-fold CV, skops model, no download."""
    _tabular_project(project, "Breast-cancer diagnosis from 30 measurements (mlsecops demo 'tabular', scikit-learn)")
    project.files["requirements.txt"] = (APP_REQUIREMENTS + "scikit-learn==1.9.1\nskops==0.16.0\n").encode("utf-8")
    project.config["train"] = {
        "kind": "sklearn",
        "dataset": TABLE_SOURCE,
        "label_column": LABEL_COLUMN,
        "folds": 5,
        "test_size": 0.2,
        "seed": 42,
        "sklearn": {
            "estimator": "LogisticRegression",
            "params": {"C": 1.0, "max_iter": 1000},
            "numeric_columns": ["*"],
        },
    }


def byo(project: DemoProject) -> None:
    """The team's own PyTorch `train.py` (run by `train.kind: command`): safetensors model plus predictions."""
    _tabular_project(project, "Breast-cancer diagnosis, the team's own PyTorch train.py (mlsecops demo 'byo')")
    project.files["requirements.txt"] = (APP_REQUIREMENTS + "numpy==2.4.6\nsafetensors==0.8.0\ntorch==2.13.0\n"
                                         ).encode("utf-8")
    project.files["train.py"] = _package_file("byo/train.py")
    project.config["train"] = {
        "kind": "command",
        "command": ["python", "train.py", "--epochs", "150"],
        "dataset": TABLE_SOURCE,
        "label_column": LABEL_COLUMN,
        "test_size": 0.2,
        "seed": 42,
        "timeout_seconds": 300,
    }


def _standardise(rows: list[list[float]]) -> tuple[list[float], list[float]]:
    columns = list(zip(*rows, strict=True))
    means = [sum(column) / len(column) for column in columns]
    scales = [max((sum((v - m) ** 2 for v in column) / len(column)) ** 0.5, 1e-12)
              for column, m in zip(columns, means, strict=True)]
    return means, scales


def fit_logistic(rows: list[list[float]], targets: list[int], epochs: int = 200, rate: float = 0.5) -> dict[str, Any]:
    """Plain batch gradient descent on standardised inputs, in Python floats: the same weights on every run."""
    means, scales = _standardise(rows)
    x = [[(v - m) / s for v, m, s in zip(row, means, scales, strict=True)] for row in rows]
    weights, bias = [0.0] * len(means), 0.0
    import math

    for _ in range(epochs):
        gradient, gradient_bias = [0.0] * len(weights), 0.0
        for features, target in zip(x, targets, strict=True):
            z = bias + sum(w * v for w, v in zip(weights, features, strict=True))
            error = 1 / (1 + math.exp(-max(min(z, 30), -30))) - target
            gradient_bias += error
            for i, value in enumerate(features):
                gradient[i] += error * value
        weights = [w - rate * g / len(x) for w, g in zip(weights, gradient, strict=True)]
        bias -= rate * gradient_bias / len(x)
    return {"mean": means, "scale": scales, "weight": weights, "bias": [bias]}


def safetensors_bytes(tensors: dict[str, list[float]], metadata: dict[str, str]) -> bytes:
    """The safetensors layout (8-byte header length, JSON header, little-endian F32 data), by hand."""
    header: dict[str, Any] = {"__metadata__": metadata}
    data = b""
    for name in sorted(tensors):
        values = tensors[name]
        chunk = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": [len(values)], "data_offsets": [len(data), len(data) + len(chunk)]}
        data += chunk
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def pretrained(project: DemoProject) -> None:
    """A logistic regression another team published (safetensors) and its predict program, evaluated on
    rows it was not fitted on."""
    _tabular_project(project, "Breast-cancer diagnosis with a published pretrained model (mlsecops demo 'pretrained')")
    rows = breast_cancer_rows()
    fitted = [row for index, row in enumerate(rows) if index % 5]
    held = [row for index, row in enumerate(rows) if not index % 5]
    model = fit_logistic([[float(v) for v in row[:30]] for row in fitted], [CLASSES.index(row[30]) for row in fitted])
    project.files.pop(TABLE_FILE)
    project.files[EVAL_FILE] = table_csv(held)
    project.files["pretrained/model.safetensors"] = safetensors_bytes(
        model, {"format": "logistic-regression", "classes": ",".join(CLASSES), "features": "30 measurements"}
    )
    project.files["predict.py"] = _package_file("byo/predict.py")
    project.files["requirements.txt"] = (APP_REQUIREMENTS + "numpy==2.4.6\nsafetensors==0.8.0\n").encode("utf-8")
    project.config["load"]["sources"] = [
        {"name": "evaluation-rows", "url": f"file://{EVAL_FILE}", "kind": "dataset"},
        {"name": "published-model", "url": "file://pretrained/model.safetensors", "kind": "model"},
        {"name": "requirements", "url": "file://requirements.txt", "kind": "requirements"},
    ]
    project.config["train"] = {
        "kind": "pretrained",
        "pretrained": "published-model",
        "dataset": "evaluation-rows",
        "label_column": LABEL_COLUMN,
        "command": ["python", "predict.py"],
        "timeout_seconds": 120,
    }


def llm_endpoint(project: DemoProject) -> None:
    """A support assistant behind an OpenAI-compatible endpoint: only its prompt/config bundle is ours."""
    project.rows = []
    for name in ("app/bot.py", "notebooks/explore.ipynb"):
        project.files.pop(name, None)
    project.files["app/server.py"] = _package_file("byo/server.py")
    project.files["app/system_prompt.txt"] = _package_file("byo/system_prompt.txt")
    project.files["app/settings.json"] = (json.dumps(
        {"model": "support-assistant", "temperature": 0.0, "max_tokens": 256}, indent=2) + "\n").encode("utf-8")
    project.files["requirements.txt"] = b"# the assistant's server uses the Python standard library only\n"
    project.config["project"] = {
        "name": "support-assistant", "version": "1.0.0",
        "description": "An LLM support assistant tested through its endpoint (mlsecops demo 'llm-endpoint')",
    }
    project.config["load"]["sources"] = [{"name": "requirements", "url": "file://requirements.txt",
                                          "kind": "requirements"}]
    project.config["train"] = {
        "kind": "none",
        "bundle": ["app/system_prompt.txt", "app/responses.json", "app/settings.json"],
    }
    project.config.pop("evaluate", None)
    project.config["policy"] = "policy.yaml"
    project.files["policy.yaml"] = _package_file("byo/policy.yaml")
    project.config["modeltest"] = {
        "target": {
            "type": "openai",
            # `mlsecops run --demo llm-endpoint` starts app/server.py on a free port and sets this
            "url": "${MLSECOPS_DEMO_ENDPOINT:-http://127.0.0.1:8765/v1}",
            "model": "support-assistant",
            "generative": True,
            "timeout_seconds": 10,
        },
        "garak": {"probes": ["dan.Dan_11_0", "promptinject.HijackHateHumans", "apikey.GetKey"],
                  "prompts_per_probe": 2, "timeout_seconds": 300},
        # the system prompt is the team's own instructions, not content to screen for injections
        "injection": {"max_payloads": 10},
    }
