"""The reports tell the whole truth: tests that did not judge the run, waivers, small samples, readable HTML."""

from __future__ import annotations

import re
from pathlib import Path

from mlsecops.reports import write_reports
from mlsecops.reports.coverage import uncovered
from mlsecops.workspace import StageResult, Workspace
from notify_support.harness import notify_run
from reports_support import config, populated_workspace, waived_finding


def _modeltest(workspace: Workspace, scanners: list[dict], metrics: dict | None = None,
               probes: list[dict] | None = None) -> None:
    result = StageResult(stage="modeltest", scanners=scanners, metrics=metrics or {},
                         details={"garak": {"probes": probes or []}})
    workspace.write_result(result.finish())


SWITCHED_OFF_AND_NOT_APPLICABLE = [
    {"scanner": "poisoning", "status": "ran", "findings": 0},
    {"scanner": "garak", "status": "skipped", "message": "disabled in modeltest.garak"},
    {"scanner": "injection", "status": "skipped", "message": "no target (modeltest.target.type: none)"},
    {"scanner": "disclosure", "status": "not-applicable", "message": "the project has no endpoint"},
]


def _reports(workspace: Workspace, tmp_path: Path) -> tuple[str, str]:
    write_reports(workspace, config(tmp_path))
    reports = workspace.root / "reports"
    return (reports / "summary.md").read_text(encoding="utf-8"), (reports / "summary.html").read_text(encoding="utf-8")


def test_a_switched_off_test_is_off_and_one_without_a_target_is_not_applicable(tmp_path):
    workspace = Workspace(tmp_path / ".mlsecops")
    _modeltest(workspace, SWITCHED_OFF_AND_NOT_APPLICABLE)
    states = {u.test: (u.state, u.note) for u in uncovered([workspace.read_result("modeltest")])}
    assert states == {
        "garak": ("off", "modeltest.garak.enabled: false"),
        "injection": ("not applicable", "no target (modeltest.target.type: none)"),
        "disclosure": ("not applicable", "the project has no endpoint"),
    }


def test_summary_md_and_html_list_what_did_not_judge_the_run_even_when_every_gate_passed(tmp_path):
    workspace = Workspace(tmp_path / ".mlsecops")
    for gate in ("gate-security", "gate-model"):
        workspace.write_result(StageResult(stage=gate, details={"gate": gate[5:]}).finish())
    _modeltest(workspace, SWITCHED_OFF_AND_NOT_APPLICABLE)
    markdown, page = _reports(workspace, tmp_path)
    assert "PASSED" in markdown.splitlines()[0]
    assert "> not tested: garak (off), injection (not applicable), disclosure (not applicable)" in markdown
    section = markdown.split("## Not tested", 1)[1].split("## Stages", 1)[0]
    assert "| modeltest | garak | off | modeltest.garak.enabled: false |" in section
    assert "| modeltest | injection | not applicable |" in section
    assert "poisoning" not in section  # it ran
    assert "<h2>Not tested</h2>" in page and "not tested: garak (off)" in page


def test_the_console_lists_them_too_and_counts_waived_findings_apart(tmp_path):
    workspace = populated_workspace(tmp_path)  # one finding waived by both gates, one scanner waived as optional
    _modeltest(workspace, SWITCHED_OFF_AND_NOT_APPLICABLE)
    lines = notify_run(workspace, [], event="finished").output
    findings = next(line for line in lines if line.startswith("  findings"))
    # scan holds 5 findings: 2 of them waived (the high-entropy string, the optional gitleaks not run)
    assert findings.endswith("(3 open, 2 waived)"), findings
    assert "0 low" in findings  # the waived low finding is not counted as open
    assert not [line for line in lines if line.startswith("    ") and waived_finding().title in line]
    assert "  untested modeltest garak: off (modeltest.garak.enabled: false)" in lines
    assert "  untested modeltest injection: not applicable (no target (modeltest.target.type: none))" in lines


def test_a_rate_over_a_handful_of_attempts_is_shown_as_counts(tmp_path):
    workspace = populated_workspace(tmp_path)
    probes = [
        {"probe": "dan.Dan_11_0", "detector": "dan.DAN", "owasp_llm": "LLM01", "attempts": 2, "hits": 0,
         "rate": 0.0, "ci_low": 0.0, "ci_high": 0.66},
        {"probe": "promptinject.HijackHateHumans", "detector": "promptinject.AttackRogueString",
         "owasp_llm": "LLM01", "attempts": 40, "hits": 12, "rate": 0.3, "ci_low": 0.18, "ci_high": 0.45},
    ]
    metrics = {"attack_success_rate.LLM01": 0.0, "attack_attempts.LLM01": 2, "attack_hits.LLM01": 0,
               "attack_success_rate.LLM02": 0.25, "attack_attempts.LLM02": 40, "attack_hits.LLM02": 10}
    _modeltest(workspace, [{"scanner": "garak", "status": "ran"}], metrics, probes)
    markdown, page = _reports(workspace, tmp_path)
    assert "| LLM01 | 0 of 2 attempts |" in markdown
    assert "| LLM02 | 25.0% (10 of 40) |" in markdown
    assert "0 of 2 attempts" in page and ">0.0%</td>" not in page and ">30.0%</td>" in page
    assert ">0 of 2</text>" in page  # the bar's label, instead of "0.0%"
    metrics_line = next(line for line in notify_run(workspace, []).output if line.startswith("  metrics"))
    assert "asr LLM01 0 of 2 attempts" in metrics_line and "asr LLM02 0.250 (10 of 40)" in metrics_line


def test_html_locations_wrap_only_after_a_path_separator(tmp_path):
    workspace = populated_workspace(tmp_path)
    _, page = _reports(workspace, tmp_path)
    assert re.search(r'<td class="loc">data/<wbr>tickets\.csv:7', page)
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    loc_rule = re.search(r"\.loc\{[^}]*\}", css).group(0)
    assert "anywhere" not in loc_rule and "keep-all" in loc_rule


def test_empty_cells_of_the_confusion_matrix_are_not_tinted(tmp_path):
    workspace = populated_workspace(tmp_path)  # two zeros: bug predicted as refund, refund as billing
    _, page = _reports(workspace, tmp_path)
    matrix = page.split('<table class="heat">', 1)[1].split("</table>", 1)[0]
    zero_cells = re.findall(r"<td[^>]*>0</td>", matrix)
    assert len(zero_cells) == 2 and not [cell for cell in zero_cells if "background" in cell]
    assert all("background" in cell for cell in re.findall(r"<td[^>]*>[1-9]\d*</td>", matrix))


def test_the_ml_bom_lists_the_model_files_train_named_for_any_kind(tmp_path):
    import json

    workspace = Workspace(tmp_path / ".mlsecops")
    train = StageResult(stage="train", details={"kind": "sklearn", "model_files": ["train/model/model.skops"]})
    for rel, data in (("train/model/model.skops", b"PK\x03\x04 skops"), ("train/predictions.csv", b"row,y\n")):
        path = workspace.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        train.artifacts.append(workspace.artifact(path))
    workspace.write_result(train.finish())
    write_reports(workspace, config(tmp_path))
    bom = json.loads((workspace.root / "reports/ml-bom.cdx.json").read_text(encoding="utf-8"))
    refs = json.dumps(bom)
    assert "file:train/model/model.skops" in refs and "predictions.csv" not in refs
