"""DefectDojo: import-scan the first time, reimport-scan after so that fixed findings close."""

from __future__ import annotations

import json

import pytest
from notify_support.defectdojo_fake import DefectDojoFake
from notify_support.harness import notify_run
from notify_support.receiver import Reply
from notify_support.workspace import failed_model_gate, passing_run

pytestmark = pytest.mark.timeout(60)
API_KEY = "dd0123456789abcdef0123456789abcdef012345"


@pytest.fixture
def dojo(monkeypatch):
    fake = DefectDojoFake(API_KEY).start()
    monkeypatch.setenv("DEFECTDOJO_API_KEY", API_KEY)
    yield fake
    fake.stop()


def sink(fake: DefectDojoFake, **extra) -> dict:
    return {"type": "defectdojo", "url": fake.url, "api_key": "${secret:env://DEFECTDOJO_API_KEY}", **extra}


def posts(fake: DefectDojoFake) -> list:
    return [r for r in fake.receiver.requests if r.method == "POST"]


def test_the_first_run_imports_our_generic_findings_report_into_the_named_engagement(tmp_path, dojo, monkeypatch):
    monkeypatch.setenv("BRANCH_NAME", "main")
    monkeypatch.setenv("GIT_COMMIT", "4f2a9c0d1e2b3a4c5d6e7f8091a2b3c4d5e6f708")
    dojo.add_product("fraud-detector", engagement="mlsecops")
    workspace = failed_model_gate(tmp_path / ".mlsecops")
    run = notify_run(workspace, [sink(dojo)], event="gate-failed")
    outcome = run.sink("defectdojo")
    assert outcome["status"] == "sent", outcome
    assert outcome["details"]["action"] == "import" and outcome["details"]["scan_type"] == "Generic Findings Import"
    [upload] = posts(dojo)
    assert upload.path == "/api/v2/import-scan/"
    assert upload.headers["authorization"] == f"Token {API_KEY}"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    form = upload.form()
    assert form["scan_type"] == (None, b"Generic Findings Import")
    assert form["engagement"] == (None, b"2") and form["test_title"] == (None, b"mlsecops")
    assert form["branch_tag"] == (None, b"main") and form["commit_hash"][1].startswith(b"4f2a9c0d")
    filename, content = form["file"]
    assert filename == "defectdojo.json"
    uploaded = json.loads(content)
    assert (workspace.root / "reports" / "defectdojo.json").is_file()  # written by the reports module
    test = outcome["details"]["test"]
    assert len(dojo.findings[test]) == len(uploaded["findings"]) == 5
    assert "Unsafe operator in tokenizer.pickle" in dojo.active_titles(test)


def test_the_next_run_reimports_into_the_same_test_and_closes_what_was_fixed(tmp_path, dojo):
    dojo.add_product("fraud-detector", engagement="mlsecops")
    first = notify_run(failed_model_gate(tmp_path / "build1"), [sink(dojo)], event="gate-failed")
    test = first.sink("defectdojo")["details"]["test"]
    second = notify_run(passing_run(tmp_path / "build2"), [sink(dojo)], event="succeeded")
    outcome = second.sink("defectdojo")
    assert outcome["status"] == "sent", outcome
    assert outcome["details"] == {"action": "reimport", "test": test, "engagement": 2,
                                  "scan_type": "Generic Findings Import"}
    reimport = posts(dojo)[-1]
    assert reimport.path == "/api/v2/reimport-scan/"
    assert reimport.form()["test"] == (None, str(test).encode())
    assert reimport.form()["close_old_findings"] == (None, b"true")
    assert dojo.active_titles(test) == set()
    assert len(dojo.tests) == 1


def test_an_import_that_timed_out_but_was_done_is_followed_by_a_reimport_not_a_second_test(tmp_path, dojo):
    dojo.add_product("fraud-detector", engagement="mlsecops")
    dojo.slow_imports, dojo.slow_seconds = 1, 1.5
    run = notify_run(failed_model_gate(tmp_path), [sink(dojo, timeout=0.5, retries=2)], event="gate-failed")
    outcome = run.sink("defectdojo")
    assert outcome["status"] == "sent", outcome
    assert outcome["details"]["action"] == "reimport"
    assert [r.path for r in posts(dojo)] == ["/api/v2/import-scan/", "/api/v2/reimport-scan/"]
    assert len(dojo.tests) == 1


def test_an_import_the_server_refuses_is_not_tried_again(tmp_path, dojo):
    dojo.add_product("fraud-detector", engagement="mlsecops")
    dojo.receiver.route("POST", "/api/v2/import-scan/", lambda recorded: Reply(400, {"file": ["not valid"]}))
    run = notify_run(failed_model_gate(tmp_path), [sink(dojo, retries=3)], event="gate-failed")
    assert run.sink("defectdojo")["status"] != "sent"
    assert [r.path for r in posts(dojo)] == ["/api/v2/import-scan/"]


def test_a_missing_product_is_a_warning_unless_auto_create(tmp_path, dojo):
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(dojo)], event="gate-failed")
    outcome = run.sink("defectdojo")
    assert outcome["status"] == "failed"
    assert outcome["reason"] == "defectdojo: product 'fraud-detector' not found in DefectDojo (set auto_create: true)"
    assert posts(dojo) == []


def test_auto_create_makes_the_product_and_engagement_on_import(tmp_path, dojo):
    config = sink(dojo, auto_create=True, product="Fraud ML", engagement="CI", product_type="ML Models")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [config], event="gate-failed")
    assert run.sink("defectdojo")["status"] == "sent", run.sink("defectdojo")
    form = posts(dojo)[0].form()
    assert form["auto_create_context"] == (None, b"true")
    assert form["product_name"] == (None, b"Fraud ML") and form["product_type_name"] == (None, b"ML Models")
    assert [p["name"] for p in dojo.products.values()] == ["Fraud ML"]
    assert [e["name"] for e in dojo.engagements.values()] == ["CI"]


def test_a_bad_api_key_is_a_warning_that_does_not_show_the_key(tmp_path, dojo, monkeypatch):
    monkeypatch.setenv("DEFECTDOJO_API_KEY", "ffffffffffffffffffffffffffffffffffffffff")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(dojo)], event="gate-failed")
    outcome = run.sink("defectdojo")
    assert outcome["status"] == "failed" and outcome["reason"].startswith("defectdojo: HTTP 401")
    assert "ffffffffffff" not in run.text + str(run.result)


def test_sarif_can_be_imported_instead_of_the_generic_format(tmp_path, dojo):
    dojo.add_product("fraud-detector", engagement="mlsecops")
    run = notify_run(failed_model_gate(tmp_path / ".mlsecops"), [sink(dojo, format="sarif")], event="gate-failed")
    outcome = run.sink("defectdojo")
    assert outcome["status"] == "sent", outcome
    form = posts(dojo)[0].form()
    assert form["scan_type"] == (None, b"SARIF") and form["file"][0] == "findings.sarif"
    assert len(dojo.findings[outcome["details"]["test"]]) == 5
