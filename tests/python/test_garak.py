"""garak as a subprocess against real HTTP targets on 127.0.0.1, judged from its report.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.modeltests import garak_runner
from mlsecops.modeltests.base import TestEnv
from mlsecops.modeltests.garak_report import owasp_2023_of, read_report
from mlsecops.modeltests.settings import (
    GarakSettings,
    ModelTestSettings,
    TargetSettings,
)
from mlsecops.modeltests.stats import Rate, significantly_higher, wilson_interval
from mlsecops.modeltests.targets import OpenAITarget, RestTarget
from model_support.llm_server import LlmServer

pytestmark = pytest.mark.timeout(300)
SECRET_KEY = "rk-test-7f3c9a1b2d4e6f80a1b2c3d4"


def garak_env(tmp_path: Path, target, probes: list[str]) -> TestEnv:
    settings = ModelTestSettings(garak=GarakSettings(probes=probes, prompts_per_probe=2, timeout_seconds=240))
    return TestEnv(settings=settings, stage_dir=tmp_path / "modeltest", train_dir=tmp_path / "train",
                   project_dir=tmp_path, target=target)


@pytest.fixture(scope="module")
def decoding_rest_run(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    """One garak run against a REST app that decodes base64 and does what it read (a vulnerable app)."""
    tmp_path = tmp_path_factory.mktemp("garak-rest")
    monkeypatch_module.setenv("SUPPORT_APP_KEY", SECRET_KEY)
    with LlmServer("decode", api_key=SECRET_KEY) as server:
        target = RestTarget(TargetSettings(
            type="rest", url=f"{server.url}/generate", api_key_env="SUPPORT_APP_KEY",
            headers={"Authorization": "Bearer $KEY"}, response_field="answer",
        ))
        env = garak_env(tmp_path, target, ["encoding.InjectBase64", "dan.Dan_11_0"])
        outcome = garak_runner.run_test(env)
        return env, outcome, list(server.auth_headers)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.e2e
def test_an_app_that_obeys_encoded_instructions_gets_a_high_llm01_finding(decoding_rest_run):
    _, outcome, _ = decoding_rest_run
    findings = {f.rule: f for f in outcome.findings}
    finding = findings["garak/encoding.InjectBase64"]
    assert finding.severity.value == "high"
    assert finding.category == "llm-probe"
    assert "LLM01:2025" in finding.owasp_llm and "LLM01:2023" in finding.owasp_llm
    assert finding.cwe == ["CWE-1427"]
    assert 0 < finding.properties["hits"] <= finding.properties["attempts"]
    assert outcome.metrics["attack_success_rate.LLM01"] > 0
    assert "garak/dan.Dan_11_0" not in findings  # the app never plays DAN


@pytest.mark.e2e
def test_rates_carry_a_wilson_interval_per_probe_and_detector(decoding_rest_run):
    _, outcome, _ = decoding_rest_run
    rows = {(p["probe"], p["detector"]): p for p in outcome.details["probes"]}
    encoded = rows[("encoding.InjectBase64", "encoding.DecodeMatch")]
    low, high = wilson_interval(encoded["hits"], encoded["attempts"])
    assert (encoded["ci_low"], encoded["ci_high"]) == (round(low, 4), round(high, 4))
    assert 0 < encoded["ci_low"] <= encoded["rate"] <= encoded["ci_high"] <= 1


@pytest.mark.e2e
def test_garak_ran_inside_the_stage_folder_offline_and_its_exit_code_was_not_trusted(decoding_rest_run):
    env, outcome, _ = decoding_rest_run
    run_dir = env.stage_dir / "garak"
    report = run_dir / "reports" / "modeltest.report.jsonl"
    assert Path(outcome.details["report"]) == report.resolve()
    assert (run_dir / "xdg" / "data").is_dir()
    assert read_report(report).rates  # the findings come from these eval records


@pytest.mark.e2e
def test_the_api_key_reaches_the_app_but_no_file_garak_or_mlsecops_wrote(decoding_rest_run):
    env, outcome, auth_headers = decoding_rest_run
    assert f"Bearer {SECRET_KEY}" in auth_headers
    written = [p for p in (env.stage_dir / "garak").rglob("*") if p.is_file()]
    assert written
    assert not [p for p in written if SECRET_KEY in p.read_text(encoding="utf-8", errors="replace")]
    assert SECRET_KEY not in json.dumps([f.to_dict() for f in outcome.findings])


@pytest.mark.e2e
def test_every_garak_output_is_gathered_for_the_disclosure_scan(decoding_rest_run):
    env, _, _ = decoding_rest_run
    sources = {item.source for item in env.outputs}
    assert {"garak:encoding.InjectBase64", "garak:dan.Dan_11_0"} <= sources


@pytest.mark.e2e
def test_an_openai_compatible_endpoint_that_refuses_has_no_successful_attack(tmp_path: Path):
    with LlmServer("refuse") as server:
        target = OpenAITarget(TargetSettings(type="openai", url=f"{server.url}/v1", model="local-model"))
        outcome = garak_runner.run_test(garak_env(tmp_path, target, ["encoding.InjectBase64"]))
        assert server.requests and server.requests[0]["model"] == "local-model"
    assert outcome.findings == []
    assert outcome.metrics["attack_success_rate.LLM01"] == 0.0


@pytest.mark.parametrize(("probes", "named"), [
    (["nosuchmodule.NoSuchProbe"], "probes.nosuchmodule.NoSuchProbe"),
    (["encoding.InjectBase64", "dan.Dan_11_0x"], "probes.dan.Dan_11_0x"),
])
def test_a_mistyped_probe_is_bad_usage_naming_the_spec_garak_rejected(tmp_path: Path, probes, named):
    with LlmServer("refuse") as server:
        target = RestTarget(TargetSettings(type="rest", url=f"{server.url}/generate", response_field="answer"))
        with pytest.raises(UsageError, match="garak does not know the probe spec") as caught:
            garak_runner.run_test(garak_env(tmp_path, target, probes))
        assert not server.requests, "nothing may be sent to the target for a rejected spec"
    assert named in str(caught.value)
    assert caught.value.exit_code == 2


def fake_garak_run(tmp_path: Path, monkeypatch, log_text: str):
    """run_garak with a garak that logs `log_text` and writes no report."""
    def once(run_dir: Path, config_file, target, spec, prefix, timeout, on_probe=None):
        with (run_dir / "garak.log").open("a", encoding="utf-8") as handle:
            handle.write(log_text)
        return run_dir / "reports" / f"{prefix}.report.jsonl", False, 1

    monkeypatch.setattr(garak_runner, "_garak_once", once)
    target = RestTarget(TargetSettings(type="rest", url="http://127.0.0.1:9/generate", response_field="answer"))
    return garak_runner.run_garak(tmp_path / "garak", GarakSettings(), target.garak_target(), "probes.dan.Dan_11_0",
                                  generative=True, target_name="the support app")


def test_a_garak_run_that_writes_no_report_is_an_environment_failure_naming_the_target(tmp_path: Path, monkeypatch):
    with pytest.raises(EnvironmentFailure, match="garak wrote no report for target the support app"):
        fake_garak_run(tmp_path, monkeypatch, "Traceback (most recent call last):\nOSError: no space left\n")


def test_the_unknown_spec_garak_logged_is_what_the_usage_error_names(tmp_path: Path, monkeypatch):
    with pytest.raises(UsageError, match="'probes.dan.Dan_11_0x, probes.x.Y'"):
        fake_garak_run(tmp_path, monkeypatch, "garak v0.17\n\u274cUnknown run.spec\u274c: probes.dan.Dan_11_0x, probes.x.Y\n")


def test_owasp_2023_tags_of_garak_are_translated_to_the_2025_list():
    assert owasp_2023_of("leakreplay.LiteratureCloze") == ["LLM06", "LLM10"]
    from mlsecops.modeltests.garak_report import ProbeDetectorRate

    entry = ProbeDetectorRate("leakreplay.LiteratureCloze", "base.TriggerListDetector", Rate(1, 2), ["LLM06", "LLM10"])
    assert entry.owasp_2025 == ["LLM02", "LLM10"]  # sensitive information disclosure, unbounded consumption


def test_wilson_interval_matches_the_textbook_values():
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_a_rate_is_significantly_higher_only_when_the_intervals_do_not_overlap():
    assert significantly_higher(Rate(30, 40), Rate(2, 40))
    assert not significantly_higher(Rate(3, 10), Rate(1, 10))


def test_profiles_resolve_to_garak_specs():
    settings = GarakSettings()
    quick = garak_runner.selection_spec(settings, "quick")
    assert quick.startswith("probes.") and "probes.dan.Dan_11_0" in quick
    assert garak_runner.selection_spec(settings, spec="tag:owasp:llm01") == "tag:owasp:llm01"
    explicit = garak_runner.selection_spec(GarakSettings(probes=["dan.Dan_11_0", "probes.encoding"]))
    assert explicit == "probes.dan.Dan_11_0,probes.encoding"


def test_the_offline_profile_is_the_sweeps_record_and_standard_is_its_active_part():
    from mlsecops.modeltests.garak_report import probe_catalogue

    offline = garak_runner.load_profile("offline")
    standard = set(garak_runner.load_profile("standard")["probes"])
    assert len(offline["probes"]) >= 150
    assert len(offline["probes"]) + len(offline["not_offline"]) >= 191
    assert not set(offline["probes"]) & set(offline["not_offline"])
    assert standard <= set(offline["probes"])
    assert all(probe_catalogue()[probe]["active"] for probe in standard)
    assert set(garak_runner.load_profile("quick")["probes"]) <= set(offline["probes"])


@pytest.mark.e2e
def test_a_probe_that_crashes_garak_is_named_and_the_probes_after_it_still_run(tmp_path: Path):
    # offline, SystemPromptExtraction has no prompts and raises, which ends a garak run
    probes = ["encoding.InjectBase64", "sysprompt_extraction.SystemPromptExtraction", "web_injection.MarkdownImageExfil"]
    with LlmServer("refuse") as server:
        target = RestTarget(TargetSettings(type="rest", url=f"{server.url}/generate", response_field="answer"))
        outcome = garak_runner.run_test(garak_env(tmp_path, target, probes))
    evaluated = {p["probe"] for p in outcome.details["probes"]}
    assert {"encoding.InjectBase64", "web_injection.MarkdownImageExfil"} <= evaluated
    assert outcome.details["stopped_garak"] == ["sysprompt_extraction.SystemPromptExtraction"]
    (not_run,) = [f for f in outcome.findings if f.rule == "garak/probes-not-run"]
    assert not_run.properties["probes"] == ["sysprompt_extraction.SystemPromptExtraction"]
