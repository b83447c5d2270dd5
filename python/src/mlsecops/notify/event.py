"""Build the `RunEvent` every sink receives from the workspace, and the summaries sinks share."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from mlsecops.errors import UsageError
from mlsecops.findings import Finding, Severity
from mlsecops.notify.interface import RunEvent
from mlsecops.notify.sanitize import clean
from mlsecops.workspace import STAGES, StageResult, Workspace

# stages whose failure stops the build, shown as the run's gates (evaluate holds the metric thresholds)
GATE_STAGES = {"gate-security": "security", "gate-model": "model"}  # the policy judges; evaluate only records
SEVERITIES = [severity.value for severity in sorted(Severity, key=lambda s: s.rank, reverse=True)]
_RUN_ID_FILE = "run-id"


def build_event(event: str, workspace: Workspace, project: str, version: str, reports_url: str = "") -> RunEvent:
    """The state of the run as the workspace records it; the notify stage's own result is left out."""
    results, problems = _readable_results(workspace)
    build_url = os.environ.get("BUILD_URL", "")
    return RunEvent(
        event=event,
        project=project,
        version=version,
        branch=_branch(),
        build_url=build_url,
        results=results,
        findings=_unique_findings(results),
        gates={GATE_STAGES[r.stage]: r.status for r in results if r.stage in GATE_STAGES},
        metrics=_numeric_metrics(results),
        verdict=run_verdict(event, results),
        run_id=_run_id(workspace, fresh=event == "started"),
        commit=os.environ.get("GIT_COMMIT", ""),
        reports_url=reports_url or _jenkins_reports_url(build_url, workspace),
        timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
        job=os.environ.get("JOB_NAME", ""),
        problems=problems,
    )


def _readable_results(workspace: Workspace) -> tuple[list[StageResult], list[str]]:
    """Every stage result but notify's own; an unreadable one is a problem to report, not a reason to stay silent."""
    results: list[StageResult] = []
    problems: list[str] = []
    for stage in STAGES:
        if stage == "notify" or not workspace.has_result(stage):
            continue
        try:
            results.append(workspace.read_result(stage))
        except UsageError as exc:
            problems.append(clean(str(exc)))
    return results, problems


def _branch() -> str:
    # multibranch pipelines set BRANCH_NAME; the Git plugin sets GIT_BRANCH as origin/<branch>
    branch = os.environ.get("BRANCH_NAME") or os.environ.get("GIT_BRANCH", "")
    return branch.removeprefix("origin/")


def _run_id(workspace: Workspace, fresh: bool) -> str:
    """One id per build, so that every event and document of a run can be joined.

    Jenkins names the build (BUILD_TAG); a local run gets a new id when it starts, kept in the
    workspace for its later events.
    """
    if os.environ.get("BUILD_TAG"):
        return os.environ["BUILD_TAG"]
    path = workspace.stage_dir("notify") / _RUN_ID_FILE
    if path.is_file() and not fresh:
        return path.read_text(encoding="utf-8").strip()
    run_id = f"local-{uuid.uuid4().hex[:12]}"
    path.write_text(run_id, encoding="utf-8")
    return run_id


def _jenkins_reports_url(build_url: str, workspace: Workspace) -> str:
    if not build_url:
        return ""
    root = workspace.root.as_posix().strip("/") if not workspace.root.is_absolute() else ".mlsecops"
    return f"{build_url.rstrip('/')}/artifact/{root}/reports/"


def _unique_findings(results: list[StageResult]) -> list[Finding]:
    seen: set[str] = set()
    findings: list[Finding] = []
    for result in results:
        for finding in result.findings:
            if finding.id not in seen:
                seen.add(finding.id)
                findings.append(finding)
    return findings


def _numeric_metrics(results: list[StageResult]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for result in results:
        for name, value in _flatten(result.metrics):
            metrics[f"{result.stage}.{name}"] = value
    return metrics


def _flatten(node: dict[str, Any], prefix: str = "") -> list[tuple[str, float]]:
    pairs: list[tuple[str, float]] = []
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            pairs.append((name, float(value)))
        elif isinstance(value, dict):
            pairs.extend(_flatten(value, f"{name}."))
    return pairs


def run_verdict(event: str, results: list[StageResult]) -> str:
    if event == "started":  # results in the workspace now are a previous run's
        return "running"
    statuses = {result.status for result in results}
    if event == "error" or "error" in statuses:
        return "error"
    if event == "gate-failed" or "failed" in statuses:
        return "failed"
    return "passed" if results else "unknown"  # nothing recorded is nothing passed: fail closed


def gate_states(event: RunEvent) -> list[tuple[str, str | None]]:
    """Every gate of the pipeline in order with its status, None for a gate that has not run."""
    return [(name, event.gates.get(name)) for name in GATE_STAGES.values()]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity.value] += 1
    return counts


def top_findings(findings: list[Finding], limit: int) -> list[Finding]:
    ranked = sorted(findings, key=lambda f: (-f.severity.rank, f.category, f.rule, f.location.display()))
    return ranked[:limit]


def model_metrics(event: RunEvent) -> dict[str, float]:
    """The evaluate stage's own metrics (accuracy, f1_macro, ...); nested ones (per class, deltas) are left out."""
    prefix = "evaluate."
    return {name[len(prefix):]: value for name, value in event.metrics.items()
            if name.startswith(prefix) and "." not in name[len(prefix):]}


# an OWASP item (LLM01...) or a bucket such as "untagged"; `.rate` when a test recorded a rate with its interval
_ASR = re.compile(r"modeltest\.attack_success_rate\.([A-Za-z0-9_-]+)(?:\.rate)?")


def attack_success_rates(event: RunEvent) -> dict[str, float]:
    """OWASP LLM item -> attack success rate, whether a test recorded a number or a rate with its interval."""
    rates: dict[str, float] = {}
    for name, value in event.metrics.items():
        match = _ASR.fullmatch(name)
        if match:
            rates[match.group(1)] = value
    return dict(sorted(rates.items()))


def key_metrics(event: RunEvent) -> dict[str, float]:
    """Model quality and attack success rates, labelled for a reader: what a summary shows besides findings."""
    return {**model_metrics(event), **{f"asr {item}": rate for item, rate in attack_success_rates(event).items()}}


def finding_line(finding: Finding) -> str:
    """One line per finding, identical in every channel; the text is cleaned here once."""
    where = finding.location.display()
    owasp = f" [{', '.join(finding.owasp_llm)}]" if finding.owasp_llm else ""
    return clean(f"{finding.severity.value.upper()} {finding.category} {finding.title} @ {where}{owasp}")


def headline(event: RunEvent) -> str:
    where = f" ({event.branch})" if event.branch else ""
    return clean(f"mlsecops {event.project} {event.version}{where}: {event.event} - {event.verdict.upper()}")
