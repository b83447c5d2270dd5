"""The reports over a workspace the real stages wrote: the insecure demo up to its security gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_cli
from mlsecops.demo import planted_values
from reports_support import (
    cyclonedx_problem,
    defectdojo_accepted,
    junit_problems,
    read_json,
    sarif_validator,
)

pytestmark = pytest.mark.timeout(600)

PLANTED = {"secret", "data-pii", "model-file"}  # a leaked key, PII rows, a trojan tokenizer.pickle


@pytest.fixture(scope="module")
def insecure_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real insecure run for the tests here, which only read its reports."""
    root = tmp_path_factory.mktemp("insecure-run")
    for args, expected in ((("load",), 0), (("scan",), 0), (("gate", "--stage", "security"), 1)):
        result = run_cli("--demo", "insecure", *args, cwd=root)
        assert result.exit_code == expected, (args, result.output[-2000:])
    return root / ".mlsecops" / "reports"


def test_reports_of_a_real_insecure_run_are_valid_and_name_the_planted_problems(insecure_reports: Path) -> None:
    sarif = read_json(insecure_reports / "findings.sarif")
    sarif_validator().validate(sarif)
    categories = {r["properties"]["category"] for run in sarif["runs"] for r in run["results"]}
    assert categories >= PLANTED

    assert cyclonedx_problem((insecure_reports / "ml-bom.cdx.json").read_text(encoding="utf-8")) is None
    bom = read_json(insecure_reports / "ml-bom.cdx.json")
    affected = {a["ref"] for v in bom["vulnerabilities"] for a in v["affects"]}
    assert "model:pretrained-tokenizer" in affected  # the trojan pickle, as a vulnerability of that model

    allowed, required, severities = defectdojo_accepted()
    findings = read_json(insecure_reports / "defectdojo.json")["findings"]
    assert findings and all(required <= set(f) <= allowed and f["severity"] in severities for f in findings)

    assert junit_problems(insecure_reports / "junit.xml") == []
    root = ET.parse(insecure_reports / "junit.xml").getroot()
    security = next(s for s in root.iter("testsuite") if s.get("name") == "gate.security")
    failed = {c.get("name") for c in security.iter("testcase") if c.find("failure") is not None}
    assert {f"category:{category}" for category in PLANTED} <= failed

    document = read_json(insecure_reports / "findings.json")
    assert document["run"]["verdict"] == "failed" and document["gates"]["security"]["status"] == "failed"
    assert "<h1>FAILED</h1>" in (insecure_reports / "summary.html").read_text(encoding="utf-8")


def test_no_planted_secret_or_pii_value_reaches_a_report(insecure_reports: Path) -> None:
    values = planted_values("insecure")
    assert values
    for path in insecure_reports.iterdir():
        text = path.read_text(encoding="utf-8")
        for value in values:
            assert value not in text, f"{value[:4]}… leaked into {path.name}"
        if path.suffix == ".json" or path.suffix == ".sarif":
            json.loads(text)  # every JSON report parses
