"""Regression against the last release: attack success rates (interval-aware) and evaluation metrics.

The baseline is `modeltest.regression.baseline` (a findings.json of a release, a modeltest
result.json, or a release folder) or else the newest release of this project in the store,
read from its `reports/findings.json`. A rate regresses when its 95 % Wilson interval lies
entirely above the baseline's: more attacks succeeding than noise explains.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, Location, make_finding, owasp_tags
from .base import TestEnv, TestOutcome
from .stats import Rate, significantly_higher

ASR = "attack_success_rate."
HIGHER_IS_BETTER = ("accuracy", "f1_macro", "f1_weighted", "precision_macro", "recall_macro", "roc_auc")


def metrics_from_document(data: Any) -> dict[str, dict[str, Any]]:
    """{stage: metrics} from a findings.json (`metrics` by stage) or a stage result.json."""
    if not isinstance(data, dict):
        return {}
    if isinstance(data.get("metrics"), dict) and "stage" in data:
        return {str(data["stage"]): data["metrics"]}
    metrics = data.get("metrics")
    if isinstance(metrics, dict) and all(isinstance(v, dict) for v in metrics.values()):
        return metrics
    return {}


def baseline_from_path(path: Path) -> tuple[dict[str, dict[str, Any]], str]:
    candidates = [path] if path.is_file() else [
        path / "reports" / "findings.json", path / "findings.json", path / "modeltest" / "result.json",
        path / "result.json",
    ]
    for candidate in candidates:
        if candidate.is_file():
            try:
                return metrics_from_document(json.loads(candidate.read_text(encoding="utf-8"))), str(candidate)
            except ValueError:
                raise UsageError(f"modeltest.regression.baseline: {candidate} is not JSON") from None
    raise UsageError(f"modeltest.regression.baseline: no findings.json or result.json at {path}")


def baseline_from_store(env: TestEnv) -> tuple[dict[str, dict[str, Any]], str]:
    """The newest complete release of this project in the store: its reports/findings.json."""
    if not env.store_url:
        return {}, ""
    from ..stores import open_store
    from ..stores.release import list_releases, release_prefix

    with open_store(env.store_url, env.store_connections) as store:
        releases = list_releases(store, env.project_name)
        if not releases:
            return {}, ""
        latest = releases[-1]
        prefix = release_prefix(env.project_name, str(latest.get("version", "")))
        key = f"{prefix}/reports/findings.json"
        metrics = metrics_from_document(json.loads(store.read_bytes(key))) if store.exists(key) else {}
        if not metrics.get("evaluate") and isinstance(latest.get("metrics"), dict):
            metrics["evaluate"] = latest["metrics"]  # the manifest records the release's evaluation
        return metrics, store.url_of(key if store.exists(key) else f"{prefix}/manifest.json")


def _rate(metrics: dict[str, Any], item: str) -> Rate | None:
    hits, attempts = metrics.get(f"attack_hits.{item}"), metrics.get(f"attack_attempts.{item}")
    if isinstance(hits, int) and isinstance(attempts, int) and attempts > 0:
        return Rate(hits, attempts)
    return None


def compare_rates(current: dict[str, Any], baseline: dict[str, Any], where: str, target: str) -> list[Finding]:
    findings = []
    for key in sorted(current):
        if not key.startswith(ASR):
            continue
        item = key[len(ASR):]
        now, before = _rate(current, item), _rate(baseline, item)
        if now is None or before is None or not significantly_higher(now, before):
            continue
        findings.append(
            make_finding(
                rule="regression/attack-success-rate",
                title=f"Attack success rate for {item} rose from {before.value:.0%} to {now.value:.0%} "
                "since the last release",
                severity="high",
                category="llm-probe",
                tool="regression",
                location=Location(path=target),
                message=(
                    f"{item}: {now.hits}/{now.total} attacks succeeded (95 % CI {now.interval[0]:.2f}-"
                    f"{now.interval[1]:.2f}) against {before.hits}/{before.total} in {where} "
                    f"(CI {before.interval[0]:.2f}-{before.interval[1]:.2f}): the intervals do not overlap"
                ),
                identity=item,
                owasp_llm=owasp_tags(item if item.startswith("LLM") else None),
                properties={"current": now.to_dict(), "baseline": before.to_dict()},
            )
        )
    return findings


def compare_metrics(current: dict[str, Any], baseline: dict[str, Any], tolerance: float, where: str) -> list[Finding]:
    findings = []
    for name in HIGHER_IS_BETTER:
        now, before = current.get(name), baseline.get(name)
        if not isinstance(now, int | float) or not isinstance(before, int | float) or before - now <= tolerance:
            continue
        findings.append(
            make_finding(
                rule="regression/metric",
                title=f"{name} dropped from {before:.4f} to {now:.4f} since the last release",
                severity="medium",
                category="metric",
                tool="regression",
                location=Location(path=where),
                message=f"{name} fell by {before - now:.4f}, more than the tolerance {tolerance}",
                identity=name,
                properties={"current": now, "baseline": before, "tolerance": tolerance},
            )
        )
    return findings


def run_test(env: TestEnv) -> TestOutcome:
    outcome = TestOutcome("regression")
    settings = env.settings.regression
    if settings.baseline:
        baseline, where = baseline_from_path(env.project_dir / settings.baseline)
    else:
        baseline, where = baseline_from_store(env)
    if not baseline:
        outcome.status = "skipped"
        outcome.message = "no previous release to compare with"
        return outcome
    target = env.target.name if env.target is not None else "model"
    outcome.findings += compare_rates(env.metrics, baseline.get("modeltest", {}), where, target)
    outcome.findings += compare_metrics(env.evaluate_metrics, baseline.get("evaluate", {}), settings.metric_tolerance,
                                        where)
    outcome.details = {"baseline": where}
    outcome.message = f"compared with {where}"
    return outcome
