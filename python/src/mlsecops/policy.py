"""Gates and waivers: judge findings, scanner coverage and metrics against a YAML policy.

A gate with nothing to judge fails (fail closed): a missing stage result, a required
scanner that did not run, or a metric that was never measured are all violations.

The policy is the only judge of model metrics: evaluate records metrics and their deltas
against the last release, and the model gate holds them to `gates.model.metrics` and
`gates.model.regression_tolerance`. The metric settings a project may keep in mlsecops.yaml
(`evaluate.thresholds`, ...) are translated into those two keys by `config_overrides`.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlsecops.config import describe_problem, parse_yaml
from mlsecops.errors import UsageError
from mlsecops.findings import CATEGORIES, Finding, Severity
from mlsecops.ml.metrics import CLASSIFICATION_METRICS, LOWER_IS_BETTER, METRIC_NAMES, REGRESSION_METRICS, worse
from mlsecops.workspace import StageResult


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bound(_Strict):
    min: float | None = None
    max: float | None = None


class GatePolicy(_Strict):
    judge: list[str] = Field(default_factory=list)
    fail_on: dict[str, Severity] = Field(default_factory=dict)
    required_stages: list[str] = Field(default_factory=list)
    required_scanners: list[str] = Field(default_factory=list)
    optional_scanners: list[str] = Field(default_factory=list)
    metrics: dict[str, Bound] = Field(default_factory=dict)
    # the largest drop of a metric against the last release (a rise, for mae/rmse/log_loss); unset: not judged
    regression_tolerance: float | None = Field(default=None, ge=0)
    attack_success_rate: dict[str, float] = Field(default_factory=dict)


class Waiver(_Strict):
    id: str
    reason: str = Field(min_length=3)
    expires: date

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        # an all-digit id written unquoted is read by YAML as a number: it still names the finding
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    def active(self, today: date) -> bool:
        return today <= self.expires


class Policy(_Strict):
    version: int = 1
    gates: dict[str, GatePolicy]
    waivers: list[Waiver] = Field(default_factory=list)


def _default_policy_data() -> dict[str, Any]:
    text = resources.files("mlsecops").joinpath("data/policy.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# A project's own value of these keys replaces the default's instead of merging into it: a project
# judged on other metrics than accuracy/f1_macro/roc_auc (a regression, an endpoint-only app) must be
# able to drop the default bounds, and `metrics: {}` must mean "no metric bounds".
REPLACED_KEYS = frozenset({"metrics"})


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if key in REPLACED_KEYS:
            merged[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


MODEL_GATE = "model"
TASK_METRICS = {"classification": CLASSIFICATION_METRICS, "regression": REGRESSION_METRICS}


@dataclass(frozen=True)
class ConfigOverrides:
    """What mlsecops.yaml says about judging metrics, as policy values (None: the policy's own)."""

    metrics: dict[str, dict[str, float]] | None = None
    regression_tolerance: float | None = None
    warnings: tuple[str, ...] = ()


def threshold_bounds(thresholds: dict[str, float], task: str) -> dict[str, dict[str, float]]:
    """`evaluate.thresholds` (or `regression_thresholds`) as policy bounds: minimums, maximums for mae/rmse/log_loss."""
    key = "evaluate.thresholds" if task == "classification" else "evaluate.regression_thresholds"
    known = TASK_METRICS.get(task, METRIC_NAMES)
    if not thresholds:
        raise UsageError(f"{key} is empty: set at least one metric threshold (nothing to judge fails)")
    for name in thresholds:
        if name not in known:
            raise UsageError(f"{key}.{name}: unknown metric for {task} (known: {', '.join(known)})")
    return {name: {"max" if name in LOWER_IS_BETTER else "min": float(value)} for name, value in thresholds.items()}


# mlsecops.yaml keys read as the policy's gates.model.regression_tolerance (the policy is where it belongs)
_TOLERANCE_KEYS = (("evaluate", "regression_tolerance"), ("modeltest.regression", "metric_tolerance"))


def config_overrides(config: Any, task: str) -> ConfigOverrides:
    """The one translation of mlsecops.yaml's metric settings into the model gate's policy, for `task`.

    `evaluate.thresholds` / `regression_thresholds`, when the project sets either, are its metric
    bounds: the one for the task evaluate measured replaces the default policy's bounds (a project
    judged at accuracy 0.7 is not failed by a default 0.85 it never set). A tolerance under its
    old keys is still read, with a warning saying where it belongs now.
    """
    evaluate = config.evaluate
    metrics = None
    if task in TASK_METRICS and {"thresholds", "regression_thresholds"} & evaluate.model_fields_set:
        chosen = evaluate.regression_thresholds if task == "regression" else evaluate.thresholds
        metrics = threshold_bounds(dict(chosen), task)
    tolerances, warnings = [], []
    for section_path, key in _TOLERANCE_KEYS:
        section = config
        for part in section_path.split("."):
            section = getattr(section, part)
        if key in section.model_fields_set:
            tolerances.append(float(getattr(section, key)))
            warnings.append(f"{section_path}.{key} is read as the policy's gates.model.regression_tolerance: "
                            "move it to the policy file")
    return ConfigOverrides(metrics=metrics, regression_tolerance=min(tolerances) if tolerances else None,
                           warnings=tuple(warnings))


def _stricter(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Both sets of bounds at once: per metric the higher minimum and the lower maximum."""
    combined = copy.deepcopy(first)
    for name, bound in second.items():
        if not isinstance(bound, dict) or not isinstance(combined.get(name), dict):
            combined[name] = copy.deepcopy(bound)
            continue
        for side, pick in (("min", max), ("max", min)):
            values = [b[side] for b in (combined[name], bound) if b.get(side) is not None]
            if values:
                combined[name][side] = pick(values)
    return combined


def _apply_overrides(data: dict[str, Any], overrides: ConfigOverrides | None) -> None:
    model = data["gates"].get(MODEL_GATE)
    if overrides is None or not isinstance(model, dict):
        return
    if overrides.metrics is not None:
        model["metrics"] = copy.deepcopy(overrides.metrics)
    if overrides.regression_tolerance is not None:
        model["regression_tolerance"] = overrides.regression_tolerance


def _project_metrics(project: dict[str, Any]) -> Any:
    gates = project.get("gates")
    model = gates.get(MODEL_GATE) if isinstance(gates, dict) else None
    return model.get("metrics") if isinstance(model, dict) else None


def load_policy(path: Path | None = None, *, overrides: ConfigOverrides | None = None) -> Policy:
    """The default policy, mlsecops.yaml's metric settings over it, then the project's policy file (if any).

    A project policy's own `gates.model.metrics` replaces the default bounds; when mlsecops.yaml
    set thresholds too, both apply (each metric held to the stricter bound).
    """
    data = _default_policy_data()
    _apply_overrides(data, overrides)
    source = "default policy"
    if path is not None:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{path}: policy file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read policy ({exc.__class__.__name__})") from None
        project = parse_yaml(text, str(path)) or {}
        if not isinstance(project, dict):
            raise UsageError(f"{path}: a policy must be a mapping")
        data["waivers"] = []
        data = _merge(data, project)
        own = _project_metrics(project)
        if overrides is not None and overrides.metrics is not None and isinstance(own, dict):
            data["gates"][MODEL_GATE]["metrics"] = _stricter(overrides.metrics, own)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{source}: {where}: {describe_problem(first)}") from None
    for gate in policy.gates.values():
        unknown = sorted(set(gate.fail_on) - set(CATEGORIES))
        if unknown:
            raise UsageError(f"{source}: fail_on: unknown category '{unknown[0]}'")
    _check_scanner_names(policy, source)
    return policy


def known_scanner_names() -> set[str]:
    """What a gate can see run or not run: the registered scanners, the model tests, and the tools
    inside the models scanner that report their own "did not run"."""
    from mlsecops.modeltests.suite import TESTS
    from mlsecops.scanners import SCANNERS

    return {*SCANNERS, *(name for name, _, _ in TESTS), "modelscan", "fickling"}


def _check_scanner_names(policy: Policy, source: str) -> None:
    # A misspelt name would never match: a required one fails every run, an optional one waives nothing.
    known = known_scanner_names()
    for gate_name, gate in policy.gates.items():
        for key in ("required_scanners", "optional_scanners"):
            unknown = [name for name in getattr(gate, key) if name not in known]
            if unknown:
                raise UsageError(f"{source}: gates.{gate_name}.{key}: unknown scanner '{unknown[0]}' "
                                 f"(known: {', '.join(sorted(known))})")


@dataclass
class Check:
    """One rule of one gate: the unit that becomes a JUnit testcase."""

    rule: str
    name: str
    passed: bool
    message: str = ""
    finding_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "finding_ids": self.finding_ids,
        }


@dataclass
class Verdict:
    gate: str
    checks: list[Check]
    violations: list[Finding]
    waived: list[dict[str, Any]]
    warnings: list[str]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def reason(self) -> str:
        failed = [check.message for check in self.checks if not check.passed]
        if not failed:
            return f"{self.gate} gate passed ({len(self.checks)} checks)"
        shown = "; ".join(failed[:4])
        more = f"; and {len(failed) - 4} more" if len(failed) > 4 else ""
        return f"{self.gate} gate failed: {shown}{more}"


def _metric_value(metrics: dict[str, Any], name: str) -> float | None:
    value = metrics.get(name)
    return float(value) if isinstance(value, int | float) else None


def _bound_checks(bounds: dict[str, Bound], metrics: dict[str, Any]) -> list[Check]:
    checks = []
    for name, bound in bounds.items():
        value = _metric_value(metrics, name)
        if value is None:
            checks.append(Check(rule=f"metric:{name}", name=f"metric {name} within bounds", passed=False,
                                message=f"metric {name} was not measured"))
            continue
        low_ok = bound.min is None or value >= bound.min
        high_ok = bound.max is None or value <= bound.max
        message = ""
        if not low_ok:
            message = f"{name} {value:.4f} < {bound.min}"
        elif not high_ok:
            message = f"{name} {value:.4f} > {bound.max}"
        checks.append(Check(rule=f"metric:{name}", name=f"metric {name} within bounds",
                            passed=low_ok and high_ok, message=message))
    return checks


def _regression_checks(result: StageResult, tolerance: float) -> list[Check]:
    """The stage's metrics against the baseline it recorded (`details.baseline`: source and metrics)."""
    baseline = result.details.get("baseline")
    previous = baseline.get("metrics") if isinstance(baseline, dict) else None
    if not isinstance(previous, dict):
        return []  # no earlier release: the stage said so in its warnings
    checks = []
    for name, before in previous.items():
        now = _metric_value(result.metrics, name)
        if now is None or not isinstance(before, int | float) or isinstance(before, bool):
            continue  # the baseline was another task (or an older mlsecops): nothing to compare
        allowed = before + tolerance if name in LOWER_IS_BETTER else before - tolerance
        regressed = worse(name, now, allowed)
        checks.append(Check(
            rule=f"regression:{name}", name=f"metric {name} within {tolerance} of the last release",
            passed=not regressed,
            message=f"{name} {now:.4f} regressed from {before:.4f} (tolerance {tolerance})" if regressed else "",
        ))
    return checks


def evaluate_gate(
    gate_name: str, policy: Policy, results: dict[str, StageResult], today: date | None = None,
    other_finding_ids: Collection[str] = (),
) -> Verdict:
    """Judge `results` (stage name -> result) against the policy's gate `gate_name`.

    `other_finding_ids`: the findings of the run's other stages, which a waiver may name too; an
    active waiver naming none of them nor a judged finding is said in a warning (a mistyped id
    would otherwise just fail the gate with the finding it meant to waive).
    """
    if gate_name not in policy.gates:
        raise UsageError(f"policy has no gate '{gate_name}' (gates: {', '.join(sorted(policy.gates))})")
    gate = policy.gates[gate_name]
    today = today or date.today()
    checks: list[Check] = []
    warnings: list[str] = []

    judged = [results[name] for name in gate.judge if name in results]
    required_stages = gate.required_stages or (["scan"] if "scan" in gate.judge else [])
    for stage in required_stages:
        present = stage in results
        checks.append(
            Check(
                rule=f"stage:{stage}",
                name=f"stage '{stage}' has a result",
                passed=present,
                message="" if present else f"nothing to judge: stage '{stage}' has no result",
            )
        )
    if not judged:
        checks.append(Check(rule="judged", name="there is something to judge", passed=False,
                            message="nothing to judge: no stage result in the workspace"))

    # Scanner coverage: fail closed on every required scanner that did not run.
    ran = {s.get("scanner"): s.get("status") for r in judged for s in r.scanners}
    for scanner in gate.required_scanners:
        status = ran.get(scanner)
        checks.append(
            Check(
                rule=f"scanner:{scanner}",
                name=f"required scanner '{scanner}' ran",
                passed=status == "ran",
                message="" if status == "ran" else (
                    f"required scanner '{scanner}' did not run" + (f" ({status})" if status else "")
                ),
            )
        )

    # Findings at or above the category's failing severity, unless waived.
    waivers = {w.id: w for w in policy.waivers}
    for waiver in policy.waivers:
        if not waiver.active(today):
            warnings.append(f"waiver {waiver.id} expired on {waiver.expires.isoformat()}: not applied")
    optional = set(gate.optional_scanners)
    seen: set[str] = set()
    failing: dict[str, list[Finding]] = {category: [] for category in gate.fail_on}
    waived: list[dict[str, Any]] = []
    for result in judged:
        for finding in result.findings:
            if finding.id in seen:
                continue
            seen.add(finding.id)
            threshold = gate.fail_on.get(finding.category)
            if threshold is None or not finding.severity.at_least(threshold):
                continue
            waiver = waivers.get(finding.id)
            if waiver and waiver.active(today):
                waived.append({"id": finding.id, "reason": waiver.reason, "expires": waiver.expires.isoformat()})
                continue
            if finding.properties.get("not_run") and finding.tool in optional:
                waived.append({"id": finding.id, "reason": f"scanner '{finding.tool}' is optional by policy",
                               "expires": None})
                continue
            failing[finding.category].append(finding)
    for waiver in policy.waivers:
        if waiver.active(today) and waiver.id not in seen and waiver.id not in other_finding_ids:
            warnings.append(f"waiver {waiver.id} matches no finding of this run so far: check its id "
                            "(a later stage's finding is judged at that stage's gate)")
    violations: list[Finding] = []
    for category, threshold in gate.fail_on.items():
        found = failing[category]
        violations.extend(found)
        by_severity: dict[str, int] = {}
        for finding in found:
            by_severity[finding.severity.value] = by_severity.get(finding.severity.value, 0) + 1
        counts = ", ".join(f"{n} {sev}" for sev, n in by_severity.items())
        checks.append(
            Check(
                rule=f"category:{category}",
                name=f"no '{category}' finding at or above {threshold.value}",
                passed=not found,
                message="" if not found else f"{category}: {counts}",
                finding_ids=[f.id for f in found],
            )
        )

    metrics: dict[str, Any] = {}
    for result in judged:
        metrics.update(result.metrics)
    bounds = gate.metrics
    train = results.get("train")
    if bounds and train is not None and train.details.get("kind") == "none":
        # an endpoint-only project has no model of its own to measure: its tests are what is judged
        checks.append(Check(rule="metrics", name="metric bounds not applicable (train.kind none)", passed=True))
        bounds = {}
    checks.extend(_bound_checks(bounds, metrics))
    if gate.regression_tolerance is not None:
        for result in judged:
            checks.extend(_regression_checks(result, gate.regression_tolerance))

    if gate.attack_success_rate:
        prefix = "attack_success_rate."
        for key, value in sorted(metrics.items()):
            if not key.startswith(prefix) or not isinstance(value, int | float):
                continue
            item = key[len(prefix):]
            limit = gate.attack_success_rate.get(item, gate.attack_success_rate.get("default"))
            if limit is None:
                continue
            ok = value <= limit
            checks.append(Check(rule=f"asr:{item}", name=f"attack success rate {item} <= {limit}", passed=ok,
                                message="" if ok else f"attack success rate {item} {value:.3f} > {limit}"))

    return Verdict(gate=gate_name, checks=checks, violations=violations, waived=waived, warnings=warnings)
