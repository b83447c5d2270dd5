"""DefectDojo API v2: `import-scan` the first time, `reimport-scan` after, so fixed findings close.

The product and engagement are found by name; with `auto_create` DefectDojo creates them
on import (`auto_create_context`). The test is found by title inside the engagement: when it
exists the run re-imports into it (closing what is gone), otherwise it imports a new one.
A POST that times out is not repeated blindly: the test is looked up again first, so an import
the server did complete is followed by a reimport, not by a second test.
The report is ours: `.mlsecops/reports/defectdojo.json` (scan type "Generic Findings
Import") or `findings.sarif` ("SARIF"), written by `mlsecops.reports` when absent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin

from pydantic import Field

from mlsecops.config import SecretRef
from mlsecops.notify.errors import SinkError, TransientSinkError
from mlsecops.notify.http import pause_before_retry
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean_tree
from mlsecops.notify.settings import EventName, SinkSettings

REPORT_FORMATS = {
    "generic": ("defectdojo.json", "Generic Findings Import"),
    "sarif": ("findings.sarif", "SARIF"),
}


class DefectDojoSettings(SinkSettings):
    """`type: defectdojo` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("api_key",)
    events: list[EventName] = Field(default_factory=lambda: ["gate-failed", "succeeded", "finished"])
    url: str = Field(min_length=1)
    api_key: SecretRef
    product: str = ""  # default: the project name
    engagement: str = "mlsecops"
    product_type: str = "Research and Development"
    test_title: str = "mlsecops"
    auto_create: bool = False  # create the product and engagement when they do not exist
    format: Literal["generic", "sarif"] = "generic"
    minimum_severity: Literal["Info", "Low", "Medium", "High", "Critical"] = "Info"
    close_old_findings: bool = True
    verify_tls: bool = True
    timeout: float = Field(default=60.0, gt=0, le=600)


class DefectDojoSink(Sink):
    name = "defectdojo"
    settings_model = DefectDojoSettings
    settings: DefectDojoSettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        file_name, scan_type = REPORT_FORMATS[self.settings.format]
        report = self._report_bytes(file_name)
        self._headers = {"Authorization": f"Token {self.credential('api_key')}", "Accept": "application/json"}
        product_name = self.settings.product or event.project
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            # Looked up afresh before every attempt: an import that timed out may still have created
            # the test, and importing again would make a duplicate where a reimport updates it.
            engagement, test = self._locate(product_name)
            endpoint, action, fields = self._upload_fields(event, scan_type, product_name, engagement, test)
            try:
                response = self._call("POST", f"{endpoint}/", retries=0, data=fields,
                                      files={"file": (file_name, report, "application/json")})
            except TransientSinkError:
                if attempt == attempts:
                    raise
                pause_before_retry(attempt, self.deadline)
                continue
            answer = _json(response, self.settings.label)
            return {"action": action, "test": answer.get("test") or answer.get("test_id"),
                    "engagement": answer.get("engagement_id", engagement), "scan_type": scan_type}
        raise SinkError(f"{self.settings.label}: no attempt made")  # unreachable: attempts >= 1

    def _locate(self, product_name: str) -> tuple[int | None, int | None]:
        """(engagement id, test id), each None when DefectDojo has no such object yet."""
        product = self._find("products", {"name": product_name}, "name", product_name)
        engagement = (
            self._find("engagements", {"product": product, "name": self.settings.engagement}, "name",
                       self.settings.engagement)
            if product is not None else None
        )
        test = (
            self._find("tests", {"engagement": engagement, "title": self.settings.test_title}, "title",
                       self.settings.test_title)
            if engagement is not None else None
        )
        if engagement is None and not self.settings.auto_create:
            missing = f"product '{product_name}'" if product is None else f"engagement '{self.settings.engagement}'"
            raise SinkError(f"{self.settings.label}: {missing} not found in DefectDojo (set auto_create: true)")
        return engagement, test

    def _upload_fields(self, event: RunEvent, scan_type: str, product_name: str, engagement: int | None,
                       test: int | None) -> tuple[str, str, dict[str, str]]:
        fields = self._scan_fields(event, scan_type)
        if test is not None:
            fields.update(test=str(test), close_old_findings=_flag(self.settings.close_old_findings),
                          do_not_reactivate="false")
            return "reimport-scan", "reimport", fields
        fields.update(product_name=product_name, engagement_name=self.settings.engagement,
                      product_type_name=self.settings.product_type,
                      auto_create_context=_flag(self.settings.auto_create), close_old_findings="false")
        if engagement is not None:
            fields["engagement"] = str(engagement)
        return "import-scan", "import", fields

    def _report_bytes(self, file_name: str) -> bytes:
        path = self.context.workspace.root / "reports" / file_name
        if not path.is_file():
            self._write_reports()
        if not path.is_file():
            raise SinkError(f"{self.settings.label}: no report {path} to import")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SinkError(f"{self.settings.label}: unreadable report {path} ({exc.__class__.__name__})") from None
        return json.dumps(clean_tree(data)).encode("utf-8")

    def _write_reports(self) -> None:
        try:
            from mlsecops.reports import write_reports
        except ImportError:
            raise SinkError(f"{self.settings.label}: the reports module is not available to write the report") from None
        try:
            write_reports(self.context.workspace, self.context.config)
        except Exception as exc:  # a report problem is this sink's warning, never the build's failure
            raise SinkError(f"{self.settings.label}: reports could not be written ({exc.__class__.__name__})") from None

    def _scan_fields(self, event: RunEvent, scan_type: str) -> dict[str, str]:
        fields = {
            "scan_type": scan_type,
            "test_title": self.settings.test_title,
            "minimum_severity": self.settings.minimum_severity,
            "active": "true",
            "verified": "false",
            "scan_date": datetime.now(UTC).date().isoformat(),
            "version": event.version,
        }
        for name, value in (("branch_tag", event.branch), ("commit_hash", event.commit),
                            ("build_id", event.run_id)):
            if value:
                fields[name] = value
        return clean_tree(fields)

    def _find(self, kind: str, filters: dict[str, Any], key: str, wanted: str) -> int | None:
        """The id of the object whose `key` is exactly `wanted` (DefectDojo's filters may match partially)."""
        response = self._call("GET", f"{kind}/", params={**filters, "limit": 100})
        answer = _json(response, self.settings.label)
        for item in answer.get("results", []):
            if item.get(key) == wanted:
                return int(item["id"])
        return None

    def _call(self, method: str, path: str, **kwargs: Any):
        url = urljoin(self.settings.url.rstrip("/") + "/", f"api/v2/{path}")
        return self.http(method, url, headers=self._headers, verify=self.settings.verify_tls, **kwargs)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _json(response: Any, label: str) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise SinkError(f"{label}: DefectDojo answered with something that is not JSON") from None
    if not isinstance(answer, dict):
        raise SinkError(f"{label}: unexpected DefectDojo answer")
    return answer

