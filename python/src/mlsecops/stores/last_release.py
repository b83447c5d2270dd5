"""The release a run is compared with: the project's newest release in the store, or a file the user names.

One shape for every baseline, whatever it was read from: `Release(source, metrics)` with the
metrics by stage (`{"evaluate": {...}, "modeltest": {...}}`), as `reports/findings.json` holds
them. Evaluate compares its metrics with `metrics["evaluate"]`, modeltest its attack rates with
`metrics["modeltest"]`; neither judges: the model gate does, with the policy.

Accepted as a named baseline (`evaluate.baseline`, `modeltest.regression.baseline`): a release
folder (its `manifest.json` and `reports/findings.json`), a `findings.json`, a stage's
`result.json` or a release `manifest.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.redact import scrub_url

FINDINGS = "reports/findings.json"
# what a named folder may hold, in the order they are read (all that exist are combined)
FOLDER_FILES = ("manifest.json", FINDINGS, "findings.json", "evaluate/result.json", "modeltest/result.json",
                "result.json")


@dataclass(frozen=True)
class Release:
    source: str  # where it was read, for messages and reports (credentials scrubbed)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)  # stage -> metrics

    def stage(self, name: str) -> dict[str, Any]:
        return dict(self.metrics.get(name) or {})


def metrics_by_stage(data: Any) -> dict[str, dict[str, Any]]:
    """{stage: metrics} from a findings.json, a stage result.json or a release manifest."""
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict) or not metrics:
        return {}
    if "stage" in data:  # a stage's result.json
        return {str(data["stage"]): metrics}
    if all(isinstance(value, dict) for value in metrics.values()):  # findings.json: by stage
        return {str(stage): dict(values) for stage, values in metrics.items()}
    return {"evaluate": metrics}  # a release manifest records the release's evaluation


def _combine(parts: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    # the first document naming a stage wins: the manifest is the release's own record of its evaluation
    combined: dict[str, dict[str, Any]] = {}
    for part in parts:
        for stage, values in part.items():
            combined.setdefault(stage, values)
    return combined


def _read_json(path: Path, setting: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{setting}: {path} is not readable JSON ({exc.__class__.__name__})") from None


def read_baseline(path: Path, setting: str) -> Release:
    """A baseline the user named (`setting` is the config key, for the one-line error)."""
    if path.is_dir():
        files = [path / name for name in FOLDER_FILES if (path / name).is_file()]
        if not files:
            raise UsageError(f"{setting}: no manifest.json, findings.json or result.json in {path}")
    elif path.is_file():
        files = [path]
    else:
        raise UsageError(f"{path}: {setting} not found")
    metrics = _combine([metrics_by_stage(_read_json(file, setting)) for file in files])
    if not any(metrics.values()):
        raise UsageError(f"{setting}: {path} holds no metrics to compare with")
    return Release(source=str(path), metrics=metrics)


def last_release(url: str, connections: dict[str, Any], project: str) -> Release | None:
    """The newest complete release of `project` in the store at `url`; None before the first one."""
    from mlsecops.stores import open_store
    from mlsecops.stores.release import list_releases, release_prefix

    if not url:
        return None
    with open_store(url, connections) as store:
        releases = list_releases(store, project)
        if not releases:
            return None
        manifest = releases[-1]
        prefix = release_prefix(project, str(manifest.get("version", "")))
        source = f"{scrub_url(url).rstrip('/')}/{prefix}"
        parts = [metrics_by_stage(manifest)]
        key = f"{prefix}/{FINDINGS}"
        if store.exists(key):
            try:
                parts.append(metrics_by_stage(json.loads(store.read_bytes(key))))
            except (UnicodeDecodeError, ValueError):
                raise UsageError(f"{source}/{FINDINGS}: the last release's findings are not JSON") from None
    return Release(source=source, metrics=_combine(parts))
