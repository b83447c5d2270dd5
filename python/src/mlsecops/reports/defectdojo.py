"""defectdojo.json: DefectDojo's "Generic Findings Import" JSON.

The importer (dojo/tools/generic/json_parser.py) rejects a finding carrying any key outside its
allowed list, so only keys every recent DefectDojo accepts are written; `unique_id_from_tool` is the
finding id, which lets DefectDojo de-duplicate across runs.
"""

from __future__ import annotations

from typing import Any

from mlsecops.findings import Finding, Severity
from mlsecops.reports.model import DYNAMIC_CATEGORIES, ReportData
from mlsecops.reports.text import cwe_numbers, dump_json, one_line

SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
TITLE_LIMIT = 500  # DefectDojo's title column holds 511 characters
MITIGATION = {
    "secret": "Revoke and rotate the credential, remove it from the repository history, and load it from a "
              "secret store at run time.",
    "data-pii": "Remove or pseudonymise the personal data before training, or document a lawful basis and "
                "restrict access to the dataset.",
    "model-file": "Do not load this model file; obtain the model in a safe format (safetensors, .keras without "
                  "Lambda layers) from a trusted source and pin its digest.",
    "provenance": "Pin the artifact's digest in the lock file and fetch it only from an allow-listed source.",
    "dependency": "Upgrade the dependency to a fixed version.",
    "code": "Fix the flagged code; see the rule's reference.",
    "notebook": "Clear outputs and remove the flagged content from the notebook.",
    "llm-probe": "Harden the system prompt and add input/output guards; re-run the probe.",
    "disclosure": "Filter model outputs for sensitive data and remove it from training data.",
    "data-poisoning": "Audit and clean the training data; retrain from a trusted snapshot.",
    "metric": "Improve the model or revisit the threshold with the model owner.",
    "scanner": "Install or configure the scanner so that it runs; a check that did not run is not a pass.",
}


def _description(data: ReportData, finding: Finding) -> str:
    lines = [
        finding.message or finding.title,
        "",
        f"**Rule:** {finding.rule}",
        f"**Category:** {finding.category}",
        f"**Tool:** {finding.tool}",
        f"**Stage:** {data.finding_stage.get(finding.id, '-')}",
        f"**Location:** {finding.location.display()}",
    ]
    if finding.evidence:
        evidence = finding.evidence.replace("`", "'")
        lines.append(f"**Evidence (redacted):** `{evidence}`")
    if finding.owasp_llm:
        lines.append(f"**OWASP LLM Top 10:** {', '.join(finding.owasp_llm)}")
    waiver = data.waivers.get(finding.id)
    if waiver is not None:
        lines.append(f"**Waived:** {waiver.describe()}")
    lines.append(f"**mlsecops id:** {finding.id}")
    return "\n".join(lines)


def _finding(data: ReportData, finding: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {
        "title": one_line(finding.title, TITLE_LIMIT),
        "description": _description(data, finding),
        "severity": SEVERITY[finding.severity],
        "date": data.generated[:10],
        "unique_id_from_tool": finding.id,
        "vuln_id_from_tool": finding.rule,
        "mitigation": MITIGATION.get(finding.category, "See the rule's references."),
        "impact": f"{SEVERITY[finding.severity]} {finding.category} finding in {data.project} {data.version}.",
        "static_finding": finding.category not in DYNAMIC_CATEGORIES,
        "dynamic_finding": finding.category in DYNAMIC_CATEGORIES,
        "tags": _tags(data, finding),
    }
    numbers = cwe_numbers(finding)
    if numbers:
        item["cwe"] = numbers[0]
    uri = data.location_uri(finding)
    if uri:
        item["file_path"] = uri
        if finding.location.line is not None:
            item["line"] = int(finding.location.line)
    if finding.location.artifact:
        item["component_name"] = finding.location.artifact
    if finding.location.column:
        item["param"] = finding.location.column
    if finding.references:
        item["references"] = "\n".join(finding.references)
    return item


def _tags(data: ReportData, finding: Finding) -> list[str]:
    tags = ["mlsecops", finding.category, finding.tool, *finding.owasp_llm]
    if finding.id in data.waivers:
        tags.append("waived")
    return [tag for index, tag in enumerate(tags) if tag and tag not in tags[:index]]


def render(data: ReportData) -> str:
    document = {
        "name": f"mlsecops {data.project} {data.version}",
        "version": data.mlsecops_version,
        "findings": [_finding(data, finding) for finding in data.findings],
    }
    return dump_json(document)
