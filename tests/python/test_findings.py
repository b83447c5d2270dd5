"""Findings: stable ids across runs and tools, the OWASP crosswalk, and redaction."""

from __future__ import annotations

import pytest
from mlsecops.findings import (
    Finding,
    Location,
    Severity,
    make_finding,
    owasp_2025_from_2023,
    scanner_did_not_run,
    value_digest,
)
from mlsecops.redact import redact, register_secret, scrub, scrub_url


def finding(tool="detect-secrets", line=3, identity="a"):
    return make_finding(rule="aws-key", title="AWS key", severity="high", category="secret", tool=tool,
                        location=Location(path="app/settings.py", line=line), identity=identity)


def test_id_is_stable_across_runs_and_tools():
    assert finding().id == finding().id
    assert finding(tool="gitleaks").id == finding().id


def test_id_changes_with_place_and_identity():
    assert finding(line=4).id != finding().id
    assert finding(identity=value_digest("other")).id != finding().id


def test_round_trip_through_dict():
    original = finding()
    assert Finding.from_dict(original.to_dict()) == original


def test_unknown_category_is_a_programming_error():
    with pytest.raises(ValueError):
        make_finding(rule="r", title="t", severity="low", category="nonsense", tool="x")


def test_category_gets_its_owasp_llm_2025_tag():
    poisoning = make_finding(rule="trigger", title="t", severity="high", category="data-poisoning", tool="x")
    assert poisoning.owasp_llm == ["LLM04:2025"]


@pytest.mark.parametrize(("old", "new"), [("LLM01", "LLM01"), ("LLM06", "LLM02"), ("LLM03", "LLM04"),
                                          ("LLM02", "LLM05"), ("LLM05", "LLM03")])
def test_garak_2023_ids_translate_to_2025(old, new):
    assert owasp_2025_from_2023(old) == new


def test_severity_order():
    assert Severity.CRITICAL.at_least(Severity.HIGH)
    assert not Severity.LOW.at_least(Severity.MEDIUM)


def test_scanner_that_did_not_run_is_a_high_finding():
    missing = scanner_did_not_run("modelscan", "model.keras", "needs tensorflow")
    assert missing.severity is Severity.HIGH
    assert missing.properties["not_run"] is True


def test_redact_shows_the_shape_and_a_length_class_only():
    secret = "AKIAABCDEFGHIJKLMNOP"
    shown = redact(secret)
    assert secret not in shown and "AKIA" not in shown
    assert shown == "****[aws-key-id, 16-31 chars]"
    assert "abc" not in redact("abc")


def test_scrub_removes_registered_secrets_and_url_credentials():
    register_secret("very-secret-token-42")
    assert "very-secret-token-42" not in scrub("header: very-secret-token-42 end")
    assert scrub_url("https://user:pw@nexus.example/repo") == "https://****@nexus.example/repo"
