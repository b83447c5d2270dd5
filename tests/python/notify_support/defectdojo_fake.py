"""Stands in for DefectDojo API v2; implements only what the sink uses, with DefectDojo's behaviour:

GET products/, engagements/, tests/ (filters, paginated shape), POST import-scan/ (with
auto_create_context) and reimport-scan/ (findings matched by unique_id_from_tool, the ones
gone mitigated when close_old_findings). Token authentication as DefectDojo does it.
`slow_imports` makes the next N import-scans do their work, then answer only after `slow_seconds`,
as an overloaded DefectDojo does when the client's timeout fires first.
"""

from __future__ import annotations

import itertools
import json
import time

from .receiver import FakeService, Recorded, Reply

SEVERITIES = {"Info", "Low", "Medium", "High", "Critical"}
API = "/api/v2/"
UNAUTHORIZED = Reply(401, {"detail": "Authentication credentials were not provided."})


class DefectDojoFake(FakeService):
    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.ids = itertools.count(1)
        self.products: dict[int, dict] = {}
        self.engagements: dict[int, dict] = {}
        self.tests: dict[int, dict] = {}
        self.findings: dict[int, dict[str, dict]] = {}  # test id -> unique id -> finding
        self.slow_imports = 0
        self.slow_seconds = 0.0
        for name in ("products", "engagements", "tests"):
            self.receiver.route("GET", f"{API}{name}/", self._lister(name))
        self.receiver.route("POST", f"{API}import-scan/", self.import_scan)
        self.receiver.route("POST", f"{API}reimport-scan/", self.reimport_scan)

    def add_product(self, name: str, engagement: str | None = None) -> int:
        product = next(self.ids)
        self.products[product] = {"id": product, "name": name, "prod_type": 1}
        if engagement:
            engagement_id = next(self.ids)
            self.engagements[engagement_id] = {"id": engagement_id, "name": engagement, "product": product}
        return product

    def active_titles(self, test: int) -> set[str]:
        return {f["title"] for f in self.findings[test].values() if f["active"]}

    def _authorized(self, recorded: Recorded) -> bool:
        return recorded.headers.get("authorization") == f"Token {self.api_key}"

    def _lister(self, name: str):
        table = {"products": self.products, "engagements": self.engagements, "tests": self.tests}[name]
        filters = {"products": {"name": "name"}, "engagements": {"product": "product", "name": "name"},
                   "tests": {"engagement": "engagement", "title": "title"}}[name]

        def handle(recorded: Recorded) -> Reply:
            if not self._authorized(recorded):
                return UNAUTHORIZED
            rows = [row for row in table.values()
                    if all(str(row[field]) == recorded.query[param] for param, field in filters.items()
                           if param in recorded.query)]
            return Reply(200, {"count": len(rows), "next": None, "previous": None, "results": rows})

        return handle

    def _upload(self, recorded: Recorded) -> tuple[Reply | None, dict[str, str], list[dict]]:
        """(refusal, form fields, findings of the uploaded report as DefectDojo's parser reads them)."""
        if not self._authorized(recorded):
            return UNAUTHORIZED, {}, []
        form = recorded.form()
        fields = {name: value.decode() for name, (filename, value) in form.items() if filename is None}
        parser = PARSERS.get(fields.get("scan_type", ""))
        if parser is None or "file" not in form:
            return Reply(400, {"scan_type": ["unsupported in this fake"], "file": ["required"]}), fields, []
        try:
            findings = parser(json.loads(form["file"][1]))
        except (ValueError, KeyError, TypeError, IndexError):
            return Reply(400, {"message": f"Not a valid {fields['scan_type']} file"}), fields, []
        return None, fields, findings

    def import_scan(self, recorded: Recorded) -> Reply:
        refused, fields, findings = self._upload(recorded)
        if refused:
            return refused
        auto = fields.get("auto_create_context") == "true"
        product = next((p for p in self.products.values() if p["name"] == fields.get("product_name")), None)
        if product is None:
            if not auto:
                return Reply(400, {"message": f"Product '{fields.get('product_name')}' doesn't exist"})
            product = self.products[self.add_product(fields["product_name"])]
        engagement = next((e for e in self.engagements.values()
                           if e["product"] == product["id"] and e["name"] == fields.get("engagement_name")), None)
        if engagement is None:
            if not auto:
                return Reply(400, {"message": f"Engagement '{fields.get('engagement_name')}' doesn't exist"})
            engagement_id = next(self.ids)
            engagement = self.engagements[engagement_id] = {
                "id": engagement_id, "name": fields["engagement_name"], "product": product["id"]}
        test = next(self.ids)
        self.tests[test] = {"id": test, "title": fields.get("test_title", ""), "engagement": engagement["id"],
                            "scan_type": fields["scan_type"]}
        self.findings[test] = {_unique(f): {**f, "active": True} for f in findings}
        if self.slow_imports:
            self.slow_imports -= 1
            time.sleep(self.slow_seconds)  # done, but the answer comes after the client gave up
        return Reply(201, {"test": test, "test_id": test, "engagement_id": engagement["id"],
                           "product_id": product["id"], "scan_type": fields["scan_type"],
                           "statistics": {"after": {"total": len(findings)}}})

    def reimport_scan(self, recorded: Recorded) -> Reply:
        refused, fields, findings = self._upload(recorded)
        if refused:
            return refused
        test = int(fields.get("test", 0))
        if test not in self.tests:
            return Reply(400, {"test": [f'Invalid pk "{test}" - object does not exist.']})
        current = self.findings[test]
        incoming = {_unique(f): f for f in findings}
        closed = 0
        if fields.get("close_old_findings", "true") == "true":
            for key, finding in current.items():
                if key not in incoming and finding["active"]:
                    finding["active"] = False
                    closed += 1
        for key, finding in incoming.items():
            current[key] = {**finding, "active": True}
        return Reply(201, {"test": test, "test_id": test, "engagement_id": self.tests[test]["engagement"],
                           "statistics": {"delta": {"closed": closed}}})


def _unique(finding: dict) -> str:
    return finding.get("unique_id_from_tool") or f"{finding['title']}|{finding['severity']}"


def _generic_findings(report: dict) -> list[dict]:
    findings = report["findings"]
    for finding in findings:
        if not finding.get("title") or finding.get("severity") not in SEVERITIES:
            raise ValueError(finding)
    return findings


_SARIF_LEVELS = {"error": "High", "warning": "Medium", "note": "Low", "none": "Info"}


def _sarif_findings(report: dict) -> list[dict]:
    if report["version"] != "2.1.0":
        raise ValueError("not SARIF 2.1.0")
    findings = []
    for run in report["runs"]:
        for result in run.get("results", []):
            prints = result.get("partialFingerprints") or result.get("fingerprints") or {}
            where = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] if result.get(
                "locations") else ""
            findings.append({"title": result["message"]["text"][:500],
                             "severity": _SARIF_LEVELS[result.get("level", "warning")],
                             "unique_id_from_tool": next(iter(prints.values()), f"{result['ruleId']}|{where}")})
    return findings


PARSERS = {"Generic Findings Import": _generic_findings, "SARIF": _sarif_findings}
