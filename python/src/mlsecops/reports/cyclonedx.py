"""ml-bom.cdx.json: a CycloneDX 1.6 ML-BOM of what went into the model and what came out.

The trained model is a `machine-learning-model` component with a model card (parameters, datasets,
performance metrics); its files (model.keras, model.h5, the tokenizer) are nested `file` components;
the datasets are `data` components and loaded pre-trained models are `machine-learning-model`
components, each with the sha256 the stages recorded. Tool versions go to `metadata.tools`.
Findings on a dataset or a loaded model are listed as `vulnerabilities` affecting that component.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from mlsecops import __version__
from mlsecops.findings import Finding
from mlsecops.reports.model import CHART_METRICS, ReportData
from mlsecops.reports.text import cwe_numbers, dump_json, one_line

SPEC_VERSION = "1.6"
# Files of the trained model, as the train stage names them.
MODEL_FILES = ("model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle")


def _hashes(sha256: str | None) -> list[dict[str, str]]:
    return [{"alg": "SHA-256", "content": sha256}] if sha256 and len(sha256) == 64 else []


def _properties(values: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": name, "value": str(value)} for name, value in values.items() if value not in (None, "")]


def _sources(data: ReportData) -> list[dict[str, Any]]:
    load = data.result("load")
    sources = load.details.get("sources", []) if load else []
    return [s for s in sources if isinstance(s, dict) and s.get("name")]


def _dataset_component(source: dict[str, Any]) -> dict[str, Any]:
    name = str(source["name"])
    dataset: dict[str, Any] = {"type": "dataset", "name": name}
    if source.get("url"):
        dataset["contents"] = {"url": str(source["url"])}
    component: dict[str, Any] = {
        "type": "data",
        "bom-ref": f"data:{name}",
        "name": name,
        "data": [dataset],
        "properties": _properties({"mlsecops:source-kind": source.get("kind"), "mlsecops:path": source.get("path")}),
    }
    if hashes := _hashes(source.get("sha256")):
        component["hashes"] = hashes
    return component


def _pretrained_component(source: dict[str, Any]) -> dict[str, Any]:
    name = str(source["name"])
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": f"model:{name}",
        "name": name,
        "description": "Pre-trained model loaded by the pipeline",
        "properties": _properties({"mlsecops:url": source.get("url"), "mlsecops:path": source.get("path")}),
    }
    if hashes := _hashes(source.get("sha256")):
        component["hashes"] = hashes
    return component


def _model_files(data: ReportData) -> list[dict[str, Any]]:
    train = data.result("train")
    # every train.kind names its model files (details.model_files); older keras-text results did not
    listed = train.details.get("model_files") if train else None
    files = []
    for artifact in train.artifacts if train else []:
        name = PurePosixPath(artifact.path).name
        if not (artifact.path in listed if isinstance(listed, list) else name in MODEL_FILES):
            continue
        files.append({
            "type": "file",
            "bom-ref": f"file:{artifact.path}",
            "name": name,
            "hashes": _hashes(artifact.sha256),
            "properties": _properties({"mlsecops:path": artifact.path, "mlsecops:size": artifact.size}),
        })
    return files


def _affected(finding: Finding, sources: list[dict[str, Any]], refs: dict[str, str]) -> str | None:
    """The component a finding is about: a loaded source named by the finding's artifact or path."""
    for source in sources:
        name, url = str(source["name"]), str(source.get("url", ""))
        path = finding.location.path
        if finding.location.artifact == name or (path and (url.endswith(path) or source.get("path") == path)):
            return refs.get(name)
    return None


def _vulnerabilities(data: ReportData, sources: list[dict[str, Any]], refs: dict[str, str]) -> list[dict[str, Any]]:
    """Findings on the datasets and loaded models, as CycloneDX vulnerabilities affecting those components."""
    entries = []
    for finding in data.findings:
        ref = _affected(finding, sources, refs)
        if ref is None:
            continue
        entry: dict[str, Any] = {
            "bom-ref": f"finding:{finding.id}",
            "id": finding.id,
            "source": {"name": finding.tool},
            "ratings": [{"severity": finding.severity.value, "method": "other"}],
            "description": one_line(f"{finding.title}: {finding.message}" if finding.message else finding.title, 1000),
            "affects": [{"ref": ref}],
            "properties": _properties({"mlsecops:rule": finding.rule, "mlsecops:category": finding.category,
                                       "mlsecops:waived": "true" if data.is_waived(finding) else "false"}),
        }
        if numbers := cwe_numbers(finding):
            entry["cwes"] = numbers
        entries.append(entry)
    return entries


def _architecture(details: dict[str, Any]) -> dict[str, Any]:
    """What train recorded of the model's architecture, by train kind; nothing it did not record."""
    kind = str(details.get("kind") or "keras-text")
    if kind == "keras-text":
        return {"architectureFamily": "neural network",
                "modelArchitecture": "Keras text classifier (embedding, pooling, dense)",
                "inputs": [{"format": "string"}]}
    if kind == "sklearn":
        estimator = str(details.get("estimator") or "scikit-learn estimator")
        features = details.get("features") if isinstance(details.get("features"), dict) else {}
        text_only = bool(features.get("text")) and not (features.get("numeric") or features.get("categorical"))
        family = estimator.split(".")[1].replace("_", " ") if estimator.count(".") >= 2 else "scikit-learn"
        return {"architectureFamily": family,
                "modelArchitecture": f"{estimator} in a scikit-learn preprocessing Pipeline",
                "inputs": [{"format": "string" if text_only else "tabular"}]}
    if kind == "none":
        return {"modelArchitecture": "LLM application behind an endpoint (no model of its own)",
                "inputs": [{"format": "string"}]}
    # command, pretrained: the team's own model; mlsecops does not know its architecture
    return {"modelArchitecture": f"the project's own model (train.kind: {kind})"}


def _model_card(data: ReportData, dataset_refs: list[str]) -> dict[str, Any]:
    train = data.result("train")
    details = train.details if train else {}
    parameters: dict[str, Any] = {
        "approach": {"type": "supervised"},
        "task": str(details.get("task") or "text-classification"),
        **_architecture(details),
        "outputs": [{"format": "string"}],
    }
    if dataset_refs:
        parameters["datasets"] = [{"ref": ref} for ref in dataset_refs]
    card: dict[str, Any] = {"bom-ref": "model-card", "modelParameters": parameters}
    metrics = [
        {"type": key, "value": f"{value:.4f}", "slice": "held-out test split"}
        for key, _, value, _ in data.evaluation_metrics()
    ]
    metrics += [
        {"type": f"cv_{name}", "value": f"{mean:.4f}",
         "slice": "stratified k-fold cross-validation (mean)",
         "confidenceInterval": {"lowerBound": f"{mean - std:.4f}", "upperBound": f"{mean + std:.4f}"}}
        for name, mean, std in data.cross_validation()
    ]
    if metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    training = {f"mlsecops:train.{name}": value for name, value in data.train_settings.items()
                if isinstance(value, str | int | float | bool)}
    facts = {f"mlsecops:{key}": details.get(key) for key in ("parameters", "vocabulary_size", "rows")}
    if isinstance(details.get("labels"), list):
        facts["mlsecops:labels"] = ", ".join(str(label) for label in details["labels"])
    thresholds = {f"mlsecops:threshold.{k}": v for k, v in data.thresholds.items() if k in CHART_METRICS}
    card["properties"] = _properties({**training, **facts, **thresholds})
    return card


def render(data: ReportData) -> str:
    sources = _sources(data)
    datasets = [_dataset_component(s) for s in sources if s.get("kind") == "dataset"]
    pretrained = [_pretrained_component(s) for s in sources if s.get("kind") == "model"]
    dataset_refs = [d["bom-ref"] for d in datasets]
    files = _model_files(data)
    model_ref = f"model:{data.project}@{data.version}"
    project_ref = f"project:{data.project}@{data.version}"
    keras_file = next((f for f in files if f["name"] == "model.keras"), None)
    model: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": model_ref,
        "name": data.project,
        "version": data.version,
        "description": f"Model trained and gated by mlsecops (verdict: {data.verdict})",
        "modelCard": _model_card(data, dataset_refs),
        "properties": _properties({
            "mlsecops:verdict": data.verdict,
            **{f"mlsecops:gate.{g.name}": g.status for g in data.gates},
        }),
    }
    if keras_file and keras_file["hashes"]:
        model["hashes"] = keras_file["hashes"]
    if files:
        model["components"] = files
    components = [model, *datasets, *pretrained]
    tools = [{"type": "application", "name": "mlsecops", "version": __version__}]
    tools += [{"type": "application", "name": name, "version": version}
              for name, version in sorted(data.tools.items()) if name != "mlsecops"]
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": data.generated,
            "tools": {"components": tools},
            # the project as the BOM's subject: what Dependency-Track and the like name the BOM after
            "component": {"type": "application", "bom-ref": project_ref, "name": data.project,
                          "version": data.version},
        },
        "components": components,
        "dependencies": [
            {"ref": project_ref, "dependsOn": [model_ref]},
            {"ref": model_ref, "dependsOn": [*dataset_refs, *(p["bom-ref"] for p in pretrained)]},
            *({"ref": ref} for ref in [*dataset_refs, *(p["bom-ref"] for p in pretrained)]),
        ],
    }
    refs = {str(c["name"]): c["bom-ref"] for c in [*datasets, *pretrained]}
    vulnerabilities = _vulnerabilities(data, sources, refs)
    if vulnerabilities:
        document["vulnerabilities"] = vulnerabilities
    return dump_json(document)
