"""findings.sarif: SARIF 2.1.0, one run per tool, for GitHub code scanning and Jenkins warnings-ng.

What the consumers need, and where it is set here:
- GitHub code scanning: `tool.driver.name`; `rules[].id` equal to `results[].ruleId` and stable across
  runs; `properties.security-severity` (a number as a string, 0.0-10.0) and a `security` tag so
  results show as security alerts with Critical/High/Medium/Low; at least one location per result
  with a relative `artifactLocation.uri`; `partialFingerprints` to keep alerts from duplicating;
  at most 20 tags per rule.
- Jenkins warnings-ng (`recordIssues(tools: [sarif(...)])`): `ruleId` (issue type), `level`
  (error/warning/note -> high/normal/low), `message.text`,
  `physicalLocation.artifactLocation.uri` and `region.startLine`.
Findings that are not in a file (a model probe, a loaded artifact) get a `logicalLocation` naming
what they are about, anchored physically to the project config file (`mlsecops.yaml` unless `-c` named another),
which declares it:
GitHub rejects an upload in which any result lacks a location ("locationFromSarifResult: expected
at least one location") and can only show files that are in the repository.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mlsecops.errors import MlsecopsError
from mlsecops.findings import Finding, Severity
from mlsecops.reports.model import DYNAMIC_CATEGORIES, ReportData
from mlsecops.reports.text import cwe_numbers, dump_json, finding_text, one_line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "mlsecops/v1"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub reads >= 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
MAX_RULE_TAGS = 20
MAX_RESULTS_PER_RUN = 25_000  # GitHub rejects a run with more; the rest stay in findings.json


def _tags(finding: Finding) -> list[str]:
    tags = ["security", finding.category]
    for number in cwe_numbers(finding):
        tags += [f"CWE-{number}", f"external/cwe/cwe-{number}"]
    for item in finding.owasp_llm:
        tags.append(f"OWASP-{item}")
    tags.append("dynamic" if finding.category in DYNAMIC_CATEGORIES else "static")
    unique: list[str] = []
    for tag in tags:
        if tag not in unique:
            unique.append(tag)
    return unique[:MAX_RULE_TAGS]


def _rule(findings: list[Finding]) -> dict[str, Any]:
    first = findings[0]
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    rule: dict[str, Any] = {
        "id": first.rule,
        "name": first.rule,
        "shortDescription": {"text": one_line(first.title, 120)},
        "fullDescription": {
            "text": one_line(
                f"{first.title}. Category: {first.category}."
                + (f" CWE: {', '.join(f'CWE-{n}' for n in cwe_numbers(first))}." if first.cwe else "")
                + (f" OWASP LLM: {', '.join(first.owasp_llm)}." if first.owasp_llm else ""),
                1000,
            )
        },
        "defaultConfiguration": {"level": LEVEL[worst]},
        "properties": {
            "tags": _tags(first),
            "security-severity": SECURITY_SEVERITY[worst],
            "category": first.category,
            "cwe": [f"CWE-{n}" for n in cwe_numbers(first)],
            "owasp_llm": list(first.owasp_llm),
        },
    }
    help_uri = next((r for r in first.references if r.startswith(("https://", "http://"))), None)
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def _loaded_source_uri(data: ReportData, finding: Finding) -> str | None:
    """A finding in a loaded artifact whose source is a file of the repository (`file://data/reviews.csv`,
    loaded as `reviews.csv`): the URI of that file, relative to the repository root, so code scanning
    and warnings-ng can link it. None for artifacts from elsewhere (S3, an extracted archive)."""
    artifact, load = finding.location.artifact, data.result("load")
    if not artifact or load is None:
        return None
    record = next((r for r in load.details.get("sources", []) if isinstance(r, dict) and r.get("name") == artifact),
                  None)
    url = str((record or {}).get("url", ""))
    if not url.lower().startswith("file://"):
        return None
    from mlsecops.stores import absolute_file_url
    from mlsecops.stores.file import path_of_file_url

    try:
        source = path_of_file_url(absolute_file_url(url, data.project_root)).resolve()
        relative = source.relative_to(data.project_root.resolve())
    except (ValueError, OSError, MlsecopsError):
        return None
    path = finding.location.path
    if source.is_dir() and path.startswith(f"{artifact}/"):  # a folder artifact: files named under it
        relative = relative / path[len(artifact) + 1 :]
    elif path != source.name:
        return None
    return quote(relative.as_posix(), safe="/._-~+@")


def _locations(data: ReportData, finding: Finding) -> list[dict[str, Any]]:
    uri = _loaded_source_uri(data, finding) or data.location_uri(finding)
    # GitHub rejects a result without a location and wants a committed file: a finding about a
    # model or a loaded artifact is anchored to the config that declares it, and named logically.
    anchor = uri or quote(data.config_file, safe="/._-~+@")
    physical: dict[str, Any] = {"artifactLocation": {"uri": anchor}}
    if uri and finding.location.line is not None and finding.location.line >= 1:
        physical["region"] = {"startLine": int(finding.location.line)}
    location: dict[str, Any] = {"physicalLocation": physical}
    column = finding.location.column
    if not uri or column:
        subject = finding.location.artifact or finding.location.path or finding.tool
        location["logicalLocations"] = [
            {
                "name": column or subject,
                "fullyQualifiedName": f"{subject}[{column}]" if column else subject,
                "kind": "resource",
            }
        ]
    return [location]


def _result(data: ReportData, finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding_text(finding)},
        "locations": _locations(data, finding),
        "partialFingerprints": {FINGERPRINT_KEY: finding.id},
        "properties": {
            "severity": finding.severity.value,
            "category": finding.category,
            "stage": data.finding_stage.get(finding.id, ""),
            "evidence": finding.evidence,
            "owasp_llm": list(finding.owasp_llm),
            "violation": finding.id in data.violations,
        },
    }
    waiver = data.waivers.get(finding.id)
    if waiver is not None:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": one_line(waiver.describe(), 1000)}
        ]
    return result


def _run(data: ReportData, tool: str, findings: list[Finding]) -> dict[str, Any]:
    left_out = len(findings) - MAX_RESULTS_PER_RUN
    findings = findings[:MAX_RESULTS_PER_RUN]  # most severe first: what is cut is the least severe
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule_id, members in by_rule.items():
        rule_index[rule_id] = len(rules)
        rules.append(_rule(members))
    not_run = [f for f in findings if f.properties.get("not_run")]
    driver: dict[str, Any] = {"name": tool, "rules": rules}
    version = data.tools.get(tool)
    if version:
        driver["version"] = version
    invocation: dict[str, Any] = {"executionSuccessful": not not_run}
    notifications = [{"level": "error", "message": {"text": finding_text(f, 500)}} for f in not_run]
    if left_out > 0:
        notifications.append({"level": "warning", "message": {
            "text": f"{left_out} less severe results left out (SARIF consumers cap a run); see findings.json"}})
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"mlsecops/{tool}/"},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [_result(data, f, rule_index[f.rule]) for f in findings],
        "properties": {"project": data.project, "version": data.version, "generated": data.generated},
    }


def render(data: ReportData) -> str:
    by_tool: dict[str, list[Finding]] = {}
    for finding in data.findings:
        by_tool.setdefault(finding.tool or "mlsecops", []).append(finding)
    if not by_tool:  # a clean run is still a run: it closes the alerts of earlier runs
        by_tool["mlsecops"] = []
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [_run(data, tool, findings) for tool, findings in sorted(by_tool.items())],
    }
    return dump_json(document)
