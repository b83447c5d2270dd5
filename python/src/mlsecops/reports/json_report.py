"""findings.json: every finding once, with gate verdicts, waivers, metrics, tools and run metadata."""

from __future__ import annotations

from typing import Any

from mlsecops.reports.model import ReportData
from mlsecops.reports.text import dump_json

SCHEMA_ID = "mlsecops/findings/v1"


def _gate(data: ReportData, name: str) -> dict[str, Any] | None:
    gate = data.gate(name)
    if gate is None:
        return None
    return {
        "stage": gate.stage,
        "status": gate.status,
        "reason": gate.reason,
        "checks": gate.checks,
        "violations": gate.violations,
        "waived": gate.waived,
    }


def render(data: ReportData) -> str:
    findings = []
    for finding in data.findings:
        waiver = data.waivers.get(finding.id)
        findings.append(
            {
                **finding.to_dict(),
                "stage": data.finding_stage.get(finding.id),
                "violation": finding.id in data.violations,
                "waived": waiver is not None,
                "waiver": None if waiver is None else {
                    "reason": waiver.reason, "expires": waiver.expires, "gate": waiver.gate,
                },
            }
        )
    by_category: dict[str, int] = {}
    for finding in data.findings:
        by_category[finding.category] = by_category.get(finding.category, 0) + 1
    document = {
        "schema": SCHEMA_ID,
        "run": {
            "project": data.project,
            "version": data.version,
            "generated": data.generated,
            "mlsecops_version": data.mlsecops_version,
            "verdict": data.verdict,
            "verdict_reasons": data.verdict_reasons(),
            "stages": [
                {
                    "stage": r.stage,
                    "status": r.status,
                    "started": r.started,
                    "finished": r.finished,
                    "duration_seconds": r.duration_seconds,
                    "reason": r.reason,
                    "warnings": r.warnings,
                    "scanners": r.scanners,
                }
                for r in data.results
            ],
        },
        "gates": {name: _gate(data, name) for name in ("security", "model")},
        "summary": {
            "total": len(data.findings),
            "violations": len(data.violations),
            "waived": len(data.waivers),
            "by_severity": data.severity_counts(include_waived=True),
            "by_severity_not_waived": data.severity_counts(),
            "by_category": dict(sorted(by_category.items())),
        },
        "findings": findings,
        "metrics": {r.stage: r.metrics for r in data.results if r.metrics},
        "thresholds": data.thresholds,
        "tools": dict(sorted(data.tools.items())),
        "artifacts": [
            {"stage": r.stage, **artifact.to_dict()} for r in data.results for artifact in r.artifacts
        ],
    }
    return dump_json(document)
