"""junit.xml: one testsuite per gate (one testcase per rule), one per other stage, for Jenkins' `junit` step.

Jenkins reads `testsuites/testsuite/testcase` with `failure`, `error` and `skipped` children and
the `classname`/`name`/`time` attributes; the counts on the suites are what its summary shows.
The file is valid against junit-10.xsd, the JUnit schema of Jenkins' xUnit plugin (tests check it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - builds XML, never parses untrusted input
from dataclasses import dataclass, field

from mlsecops.reports.model import GateView, ReportData
from mlsecops.reports.text import finding_text, one_line, xml_safe
from mlsecops.workspace import StageResult

MAX_LISTED = 50  # findings named in one failure body; the rest are counted


@dataclass
class Case:
    classname: str
    name: str
    time: float = 0.0
    outcome: str = "passed"  # passed | failure | error | skipped
    message: str = ""
    body: str = ""


@dataclass
class Suite:
    name: str
    timestamp: str
    time: float
    cases: list[Case] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)


def _named_findings(data: ReportData, ids: list[str]) -> list[str]:
    lines = []
    for finding_id in ids[:MAX_LISTED]:
        finding = data.finding(finding_id)
        if finding is None:
            lines.append(f"- {finding_id}")
            continue
        lines.append(
            f"- [{finding.severity.value}] {finding.rule} at {finding.location.display()} "
            f"({finding.tool}, id {finding.id}): {finding_text(finding, 400)}"
        )
    if len(ids) > MAX_LISTED:
        lines.append(f"- ... and {len(ids) - MAX_LISTED} more (see findings.json)")
    return lines


def _gate_case(data: ReportData, gate: GateView, check: dict) -> Case:
    rule = str(check.get("rule") or check.get("name") or "check")
    case = Case(classname=f"mlsecops.gate.{gate.name}", name=rule)
    ids = [str(i) for i in check.get("finding_ids", [])]
    waived_here = [w for w in gate.waived if _covers(data, w, rule)]
    if not check.get("passed", False):
        case.outcome = "failure"
        named = [data.finding(i) for i in ids[:5]]
        places = ", ".join(f"{f.rule} at {f.location.display()}" for f in named if f is not None)
        summary = str(check.get("message") or check.get("name") or rule)
        case.message = one_line(f"{summary}: {places}" if places else summary, 500)
        body = [str(check.get("name") or rule), *_named_findings(data, ids)]
        if waived_here:
            body.append(f"waived under this rule: {', '.join(str(w['id']) for w in waived_here)}")
        case.body = "\n".join(body)
    elif waived_here:
        case.outcome = "skipped"
        reasons = "; ".join(
            f"{w['id']}: {w.get('reason') or 'waived'}" + (f" (expires {w['expires']})" if w.get("expires") else "")
            for w in waived_here
        )
        case.message = one_line(f"passed only because of waivers: {reasons}", 1000)
    return case


def _covers(data: ReportData, waived: dict, rule: str) -> bool:
    """Whether a waived finding belongs to this check (category checks are `category:<name>`)."""
    finding = data.finding(str(waived.get("id")))
    return finding is not None and rule == f"category:{finding.category}"


def _gate_suite(data: ReportData, gate: GateView) -> Suite:
    result = data.result(gate.stage)
    suite = Suite(
        name=f"gate.{gate.name}",
        timestamp=result.started if result else data.generated,
        time=result.duration_seconds if result else 0.0,
        properties={"verdict": gate.status, "reason": gate.reason},
    )
    suite.cases = [_gate_case(data, gate, check) for check in gate.checks]
    if not suite.cases:  # a gate with nothing recorded must still show its verdict: fail closed
        case = Case(classname=f"mlsecops.gate.{gate.name}", name="verdict")
        if not gate.passed:
            case.outcome, case.message = "failure", one_line(gate.reason or f"gate {gate.status}", 500)
        suite.cases.append(case)
    return suite


def _stage_suite(result: StageResult) -> Suite:
    stage = result.stage
    suite = Suite(name=f"stage.{stage}", timestamp=result.started, time=result.duration_seconds,
                  properties={"status": result.status})
    case = Case(classname="mlsecops.stage", name=stage, time=result.duration_seconds)
    if result.status == "failed":
        case.outcome, case.message = "failure", one_line(result.reason or "stage failed", 500)
    elif result.status == "error":
        case.outcome, case.message = "error", one_line(result.reason or "stage error", 500)
    if result.warnings:
        case.body = "\n".join(f"warning: {w}" for w in result.warnings)
    suite.cases.append(case)
    for scanner in result.scanners:
        name = str(scanner.get("scanner") or "scanner")
        status = str(scanner.get("status") or "unknown")
        scanner_case = Case(classname=f"mlsecops.stage.{stage}", name=f"scanner {name}")
        detail = one_line(f"{name} {status}: {scanner.get('message') or ''}", 500)
        if status == "error":
            scanner_case.outcome, scanner_case.message = "error", detail
        elif status != "ran":
            # Never shown as a pass; whether it may be missing is the policy's call, so the gate
            # suites fail on a required scanner while an optional one stays visible here as skipped.
            scanner_case.outcome, scanner_case.message = "skipped", detail
        suite.cases.append(scanner_case)
    return suite


def _element(suite: Suite) -> ET.Element:
    element = ET.Element(
        "testsuite",
        {
            "name": suite.name,
            "tests": str(len(suite.cases)),
            "failures": str(suite.count("failure")),
            "errors": str(suite.count("error")),
            "skipped": str(suite.count("skipped")),
            "time": f"{suite.time:.3f}",
            "timestamp": suite.timestamp.replace("+00:00", ""),
        },
    )
    if suite.properties:
        properties = ET.SubElement(element, "properties")
        for key, value in suite.properties.items():
            ET.SubElement(properties, "property", {"name": key, "value": xml_safe(one_line(value, 1000))})
    for case in suite.cases:
        node = ET.SubElement(
            element, "testcase", {"classname": case.classname, "name": xml_safe(case.name), "time": f"{case.time:.3f}"}
        )
        if case.outcome in ("failure", "error", "skipped"):
            child = ET.SubElement(node, case.outcome, {"message": xml_safe(case.message)})
            if case.outcome != "skipped":
                child.set("type", case.outcome)
                child.text = xml_safe(case.body or case.message)
        elif case.body:
            ET.SubElement(node, "system-out").text = xml_safe(case.body)
    return element


def render(data: ReportData) -> str:
    suites = [_gate_suite(data, gate) for gate in data.gates]
    suites += [_stage_suite(r) for r in data.stage_results()]
    root = ET.Element(
        "testsuites",
        {
            "name": f"mlsecops {xml_safe(data.project)} {xml_safe(data.version)}",
            "tests": str(sum(len(s.cases) for s in suites)),
            "failures": str(sum(s.count("failure") for s in suites)),
            "errors": str(sum(s.count("error") for s in suites)),
            # no `skipped` here: the JUnit schema Jenkins' xUnit plugin validates with has none on the root
            "time": f"{sum(s.time for s in suites):.3f}",
        },
    )
    root.extend(_element(suite) for suite in suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
