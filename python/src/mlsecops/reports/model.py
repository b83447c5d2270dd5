"""What every report format shows, read once from the workspace.

Findings are de-duplicated by id, every text is passed through `redact.scrub` (registered
secrets) before any format sees it, and the gates' verdicts and waivers are resolved here,
so each format module only lays the same facts out in its own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mlsecops import __version__
from mlsecops.config import Config
from mlsecops.errors import MlsecopsError, UsageError
from mlsecops.findings import Finding, Severity
from mlsecops.redact import map_strings, scrub, scrub_url
from mlsecops.reports.text import finite
from mlsecops.workspace import STAGES, StageResult, Workspace

GATE_STAGES = {"gate-security": "security", "gate-model": "model"}
SEVERITY_ORDER = sorted(Severity, key=lambda s: s.rank, reverse=True)
# Evaluation metrics shown against their thresholds, with the names a person reads.
CHART_METRICS = {
    "accuracy": "Accuracy",
    "precision_macro": "Precision (macro)",
    "recall_macro": "Recall (macro)",
    "f1_macro": "F1 (macro)",
    "roc_auc": "ROC-AUC",
}
ASR_PREFIX = "attack_success_rate."
# Categories measured by exercising the model rather than reading files.
DYNAMIC_CATEGORIES = frozenset({"llm-probe", "disclosure", "data-poisoning", "metric"})


def _scrub_text(text: str) -> str:
    text = scrub(text)
    return scrub_url(text) if "://" in text else text


def scrub_tree(node: Any) -> Any:
    """Every string inside `node` with registered secrets and URL credentials removed."""
    return map_strings(node, _scrub_text)


@dataclass
class GateView:
    name: str  # security | model
    stage: str  # gate-security | gate-model
    status: str
    reason: str
    checks: list[dict[str, Any]]
    violations: list[str]
    waived: list[dict[str, Any]]

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Waiver:
    reason: str
    expires: str | None
    gate: str

    def describe(self) -> str:
        until = f" (expires {self.expires})" if self.expires else ""
        return f"waived by the {self.gate} gate: {self.reason}{until}"


@dataclass
class ReportData:
    project: str
    version: str
    generated: str  # ISO 8601 UTC, seconds
    workspace: Workspace
    project_root: Path
    config_file: str  # the config file's name, relative to the project root
    results: list[StageResult]
    findings: list[Finding]  # unique by id, scrubbed, most severe first
    finding_stage: dict[str, str]
    gates: list[GateView]
    waivers: dict[str, Waiver]
    violations: set[str]
    tools: dict[str, str]
    thresholds: dict[str, float] = field(default_factory=dict)
    train_settings: dict[str, Any] = field(default_factory=dict)  # the training config the model card cites
    asr_limits: dict[str, float] = field(default_factory=dict)  # the model gate's limits, `default` for the rest
    mlsecops_version: str = __version__
    _by_id: dict[str, Finding] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {finding.id: finding for finding in self.findings}

    # ---------------------------------------------------------------- lookups

    def result(self, stage: str) -> StageResult | None:
        return next((r for r in self.results if r.stage == stage), None)

    def gate(self, name: str) -> GateView | None:
        return next((g for g in self.gates if g.name == name), None)

    def finding(self, finding_id: str) -> Finding | None:
        return self._by_id.get(finding_id)

    def is_waived(self, finding: Finding) -> bool:
        return finding.id in self.waivers

    def stage_results(self) -> list[StageResult]:
        """The results that are not gates, in pipeline order."""
        return [r for r in self.results if r.stage not in GATE_STAGES]

    # ---------------------------------------------------------------- verdict

    @property
    def verdict(self) -> str:
        """passed only when every stage passed and both gates ran: anything less is not a pass."""
        if any(r.status in ("failed", "error") for r in self.results):
            return "failed"
        if {g.name for g in self.gates} >= {"security", "model"} and all(g.passed for g in self.gates):
            return "passed"
        return "incomplete"

    def verdict_reasons(self) -> list[str]:
        reasons = [f"{r.stage}: {r.reason or r.status}" for r in self.results if r.status in ("failed", "error")]
        missing = [name for name in ("security", "model") if self.gate(name) is None]
        if missing and not reasons:
            reasons.append(f"gate{'s' if len(missing) > 1 else ''} not run yet: {', '.join(missing)}")
        if not reasons:
            reasons = [g.reason for g in self.gates if g.reason]
        return reasons

    # ---------------------------------------------------------------- metrics

    def metrics(self, stage: str) -> dict[str, Any]:
        result = self.result(stage)
        return result.metrics if result else {}

    def evaluation_metrics(self) -> list[tuple[str, str, float, float | None]]:
        """(key, label, value, threshold) of the evaluate stage, in chart order."""
        measured = self.metrics("evaluate")
        rows = []
        for key, label in CHART_METRICS.items():
            value = measured.get(key)
            if finite(value):
                rows.append((key, label, float(value), self.thresholds.get(key)))
        return rows

    def confusion_matrix(self) -> tuple[list[str], list[list[int]]] | None:
        result = self.result("evaluate")
        matrix = (result.details.get("confusion_matrix") or {}) if result else {}
        labels, rows = matrix.get("labels"), matrix.get("matrix")
        if not isinstance(labels, list) or not isinstance(rows, list) or not labels or len(rows) != len(labels):
            return None
        if not all(isinstance(row, list) and len(row) == len(labels) and all(map(finite, row)) for row in rows):
            return None  # a matrix that does not add up is left out rather than drawn wrong
        return [str(label) for label in labels], [[int(cell) for cell in row] for row in rows]

    def cross_validation(self) -> list[tuple[str, float, float]]:
        """(metric, mean, std) from the train stage's `cv_<metric>_mean` / `cv_<metric>_std`."""
        measured = self.metrics("train")
        rows = []
        for key, mean in measured.items():
            match = re.fullmatch(r"cv_(.+)_mean", key)
            std = measured.get(f"cv_{match.group(1)}_std") if match else None
            if match and finite(mean) and finite(std):
                rows.append((match.group(1), float(mean), float(std)))
        return rows

    def attack_success_rates(self) -> list[tuple[str, float]]:
        measured = self.metrics("modeltest")
        return sorted(
            (key[len(ASR_PREFIX):], float(value))
            for key, value in measured.items()
            if key.startswith(ASR_PREFIX) and finite(value)
        )

    def attack_counts(self, item: str) -> tuple[int, int] | None:
        """(hits, attempts) behind an OWASP item's rate, when modeltest recorded them."""
        measured = self.metrics("modeltest")
        hits, attempts = measured.get(f"attack_hits.{item}"), measured.get(f"attack_attempts.{item}")
        return (int(hits), int(attempts)) if finite(hits) and finite(attempts) else None

    def asr_limit(self, item: str) -> float | None:
        return self.asr_limits.get(item, self.asr_limits.get("default"))

    def probes(self) -> list[dict[str, Any]]:
        """Per-probe rates: `details.probes`, or `details.<test>.probes` as the modeltest stage files them."""
        result = self.result("modeltest")
        if result is None:
            return []
        candidates = [result.details.get("probes")]
        candidates += [value.get("probes") for value in result.details.values() if isinstance(value, dict)]
        return [p for found in candidates if isinstance(found, list) for p in found if isinstance(p, dict)]

    def folds(self) -> list[dict[str, Any]]:
        """Per-fold metrics the train stage recorded."""
        result = self.result("train")
        folds = result.details.get("folds") if result else None
        return [f for f in folds if isinstance(f, dict)] if isinstance(folds, list) else []

    # ---------------------------------------------------------------- locations

    def location_uri(self, finding: Finding) -> str | None:
        """The finding's file as a URI relative to the project root; None when it is not a file."""
        path = finding.location.path
        if not path:
            return None
        if "://" in path:
            return scrub_url(path)
        candidate = Path(path)
        if candidate.is_absolute():
            for base in (self.project_root, self.workspace.root.parent):
                try:
                    candidate = candidate.resolve().relative_to(base.resolve())
                    break
                except ValueError:
                    continue
            else:
                return candidate.as_uri()
        return quote(candidate.as_posix(), safe="/._-~+@")

    def severity_counts(self, include_waived: bool = False) -> dict[str, int]:
        counts = {s.value: 0 for s in SEVERITY_ORDER}
        for finding in self.findings:
            if include_waived or not self.is_waived(finding):
                counts[finding.severity.value] += 1
        return counts


def _scrubbed_finding(finding: Finding) -> Finding:
    return Finding.from_dict(scrub_tree(finding.to_dict()))


def _gate_view(result: StageResult) -> GateView:
    details = result.details or {}
    return GateView(
        name=str(details.get("gate") or GATE_STAGES[result.stage]),
        stage=result.stage,
        status=result.status,
        reason=result.reason,
        checks=[c for c in details.get("checks", []) if isinstance(c, dict)],
        violations=[str(v) for v in details.get("violations", [])],
        waived=[w for w in details.get("waived", []) if isinstance(w, dict) and w.get("id")],
    )


def _scrubbed_result(result: StageResult) -> StageResult:
    data = scrub_tree(result.to_dict())
    return StageResult.from_dict(data)


def _readable_results(workspace: Workspace) -> list[StageResult]:
    """Every stage result; one that cannot be read is an error of that stage, never a silent gap."""
    results = []
    for stage in STAGES:
        if not workspace.has_result(stage):
            continue
        try:
            results.append(workspace.read_result(stage))
        except UsageError as exc:
            results.append(StageResult(stage=stage, status="error", started="", reason=str(exc)))
    return results


def build_report_data(workspace: Workspace, config: Config, now: datetime | None = None) -> ReportData:
    results = [_scrubbed_result(r) for r in _readable_results(workspace)]
    findings: list[Finding] = []
    finding_stage: dict[str, str] = {}
    for result in results:
        for finding in result.findings:
            if finding.id not in finding_stage:
                finding_stage[finding.id] = result.stage
                findings.append(finding)
    findings.sort(key=lambda f: (-f.severity.rank, f.category, f.rule, f.location.display(), f.id))

    gates = [_gate_view(r) for r in results if r.stage in GATE_STAGES]
    waivers: dict[str, Waiver] = {}
    violations: set[str] = set()
    for gate in gates:
        violations.update(gate.violations)
        for entry in gate.waived:
            waivers.setdefault(
                str(entry["id"]), Waiver(str(entry.get("reason") or ""), entry.get("expires"), gate.name)
            )
    # A finding some gate counts as a violation is not waived, whatever another gate said.
    for finding_id in violations:
        waivers.pop(finding_id, None)

    tools: dict[str, str] = {}
    for result in results:
        for name, version in result.tools.items():
            tools.setdefault(str(name), str(version))
    evaluate = next((r for r in results if r.stage == "evaluate"), None)
    thresholds = dict(config.evaluate.thresholds)
    if evaluate and isinstance(evaluate.details.get("thresholds"), dict):
        thresholds.update(evaluate.details["thresholds"])
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return ReportData(
        project=scrub(config.project.name),
        version=scrub(config.project.version),
        generated=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        workspace=workspace,
        project_root=Path(config.base_dir),
        config_file=config.config_file,
        results=results,
        findings=findings,
        finding_stage=finding_stage,
        gates=gates,
        waivers=waivers,
        violations=violations,
        tools=tools,
        thresholds={k: float(v) for k, v in thresholds.items() if finite(v)},
        train_settings=_train_settings(results, config),
        asr_limits=_asr_limits(config),
    )


def _train_settings(results: list[StageResult], config: Config) -> dict[str, Any]:
    """The settings the model was trained with, as train recorded them; the config's when it did not."""
    train = next((r for r in results if r.stage == "train"), None)
    recorded = train.details.get("settings") if train else None
    return recorded if isinstance(recorded, dict) else scrub_tree(config.train.model_dump(mode="json"))


def _asr_limits(config: Config) -> dict[str, float]:
    """The attack-success-rate limits of the policy's model gate; none when the policy cannot be read."""
    from mlsecops.policy import load_policy

    try:
        policy = load_policy(config.resolve_path(config.policy) if config.policy else None)
    except MlsecopsError:  # the gate stage reports a bad policy; the reports still show what was measured
        return {}
    gate = policy.gates.get("model")
    return {k: float(v) for k, v in gate.attack_success_rate.items()} if gate else {}
