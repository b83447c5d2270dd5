"""Regression against the last release: attack success rates, interval-aware.

The baseline is `modeltest.regression.baseline` (any form `stores/last_release.py` reads: a
release folder, its findings.json, a modeltest result.json) or else the newest release of this
project in the store. A rate regresses when its 95 % Wilson interval lies entirely above the
baseline's: more attacks succeeding than noise explains. Evaluation metrics are not compared
here: evaluate records their deltas against the same last release, and the model gate judges
them with the policy's regression tolerance.
"""

from __future__ import annotations

from typing import Any

from mlsecops.findings import Finding, Location, make_finding, owasp_tags
from mlsecops.modeltests.base import TestEnv, TestOutcome
from mlsecops.modeltests.stats import Rate, significantly_higher
from mlsecops.stores.last_release import Release, last_release, read_baseline

ASR = "attack_success_rate."


def baseline_release(env: TestEnv) -> Release | None:
    """The release this run's rates are compared with; None before the first release."""
    setting = env.settings.regression.baseline
    if setting:
        return read_baseline(env.project_dir / setting, "modeltest.regression.baseline")
    return last_release(env.store_url, env.store_connections, env.project_name)


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


def run_test(env: TestEnv) -> TestOutcome:
    outcome = TestOutcome("regression")
    release = baseline_release(env)
    if release is None:
        outcome.status = "skipped"
        outcome.message = "no previous release to compare with"
        return outcome
    target = env.target.name if env.target is not None else "model"
    outcome.findings += compare_rates(env.metrics, release.stage("modeltest"), release.source, target)
    outcome.details = {"baseline": release.source}
    outcome.message = f"compared with {release.source}"
    return outcome
