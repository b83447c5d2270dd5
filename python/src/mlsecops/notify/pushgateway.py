"""Prometheus Pushgateway: the run's metrics in the text exposition format, grouped by project and branch.

PUT (the default) replaces the whole group, so a finding fixed since the last run takes its
series with it. The metric names below are the contract with the Grafana dashboard shipped
in resources/org/mlsecops/grafana/ (a test holds them together).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field

from mlsecops.config import SecretRef
from mlsecops.findings import CATEGORIES
from mlsecops.notify.event import SEVERITIES, attack_success_rates, model_metrics
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean
from mlsecops.notify.settings import SinkSettings

# name -> HELP text; every name the sink can push, in the order it writes them
METRICS: dict[str, str] = {
    "mlsecops_run_info": "The last run: project version, event and verdict as labels (value always 1).",
    "mlsecops_run_success": "1 when the last run passed every gate it reached, else 0.",
    "mlsecops_run_timestamp_seconds": "When the last run's notification was built (Unix time).",
    "mlsecops_stage_duration_seconds": "Wall time of each stage in the last run.",
    "mlsecops_stage_success": "1 when the stage passed in the last run, 0 when it failed or errored.",
    "mlsecops_findings": "Findings of the last run by category and severity.",
    "mlsecops_gate_passed": "1 when the gate passed in the last run, 0 when it failed or errored.",
    "mlsecops_model_metric": "Evaluation metrics of the trained model on held-out data.",
    "mlsecops_attack_success_rate": "Attack success rate of model tests per OWASP LLM Top 10 (2025) item.",
}


@dataclass
class Exposition:
    """Samples grouped by metric, rendered with HELP and TYPE once per metric."""

    samples: dict[str, list[tuple[dict[str, str], float]]] = field(default_factory=dict)

    def add(self, name: str, value: float, **labels: str) -> None:
        if name not in METRICS:
            raise ValueError(f"metric {name} has no HELP text")
        self.samples.setdefault(name, []).append((labels, value))

    def render(self) -> str:
        lines: list[str] = []
        for name in METRICS:
            if name not in self.samples:
                continue
            lines.append(f"# HELP {name} {METRICS[name]}")
            lines.append(f"# TYPE {name} gauge")
            for labels, value in self.samples[name]:
                lines.append(f"{name}{_labels(labels)} {_number(value)}")
        return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{_label_value(value)}"' for key, value in labels.items())
    return "{" + inner + "}"


def _label_value(value: str) -> str:
    return clean(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def exposition(event: RunEvent) -> Exposition:
    out = Exposition()
    out.add("mlsecops_run_info", 1, version=event.version, event=event.event, verdict=event.verdict)
    out.add("mlsecops_run_success", 1 if event.verdict == "passed" else 0)
    if event.timestamp:
        out.add("mlsecops_run_timestamp_seconds", datetime.fromisoformat(event.timestamp).timestamp())
    for result in event.results:
        out.add("mlsecops_stage_duration_seconds", result.duration_seconds, stage=result.stage)
        out.add("mlsecops_stage_success", 1 if result.status == "passed" else 0, stage=result.stage)
    counts = {(category, severity): 0 for category in CATEGORIES for severity in SEVERITIES}
    for finding in event.findings:
        key = (finding.category, finding.severity.value)
        counts[key] = counts.get(key, 0) + 1
    for (category, severity), count in counts.items():
        out.add("mlsecops_findings", count, category=category, severity=severity)
    for gate, status in event.gates.items():
        out.add("mlsecops_gate_passed", 1 if status == "passed" else 0, gate=gate)
    for name, value in model_metrics(event).items():
        out.add("mlsecops_model_metric", value, metric=name)
    for item, rate in attack_success_rates(event).items():
        out.add("mlsecops_attack_success_rate", rate, owasp_llm=item)
    return out


def grouping_path(job: str, project: str, branch: str) -> str:
    """`/metrics/job/<job>/project/<p>/branch/<b>`; a value with '/' (feature/x) goes base64 as the API asks."""
    parts = []
    for key, value in (("job", job), ("project", project), ("branch", branch)):
        if "/" in value or not value:
            encoded = base64.urlsafe_b64encode(value.encode()).decode() or "="
            parts.append(f"{key}@base64/{encoded}")
        else:
            parts.append(f"{key}/{quote(value, safe='')}")
    return "/metrics/" + "/".join(parts)


class PushgatewaySettings(SinkSettings):
    """`type: pushgateway` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("password",)
    url: str = Field(min_length=1)
    job: str = Field(default="mlsecops", min_length=1)
    method: Literal["PUT", "POST"] = "PUT"  # PUT replaces the group, so a fixed finding's series disappears
    username: str | None = None
    password: SecretRef | None = None
    verify_tls: bool = True


class PushgatewaySink(Sink):
    name = "pushgateway"
    settings_model = PushgatewaySettings
    settings: PushgatewaySettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        body = exposition(event).render()
        path = grouping_path(self.settings.job, clean(event.project), clean(event.branch or "local"))
        auth = None
        if self.settings.username and self.settings.password:
            auth = (self.settings.username, self.credential("password"))
        self.http(
            self.settings.method, self.settings.url.rstrip("/") + path, data=body.encode("utf-8"),
            headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}, auth=auth,
            verify=self.settings.verify_tls,
        )
        return {"group": path, "series": body.count("\n") - 2 * body.count("# TYPE")}
