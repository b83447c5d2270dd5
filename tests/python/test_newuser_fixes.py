"""What a new user following the README ran into: each mistake refused up front, in one plain line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from mlsecops.errors import GateFailed, UsageError
from mlsecops.findings import Location, make_finding
from mlsecops.ml.trainers.command import run_program
from mlsecops.policy import evaluate_gate, load_policy
from mlsecops.workspace import StageResult
from stores_support import passed_pipeline, run_cli, write_config

TODAY = date(2026, 11, 26)


def secret_finding():
    return make_finding(rule="aws-access-key", title="AWS key", severity="high", category="secret",
                        tool="secrets", location=Location(path="app/settings.py", line=3), identity="k1")


def scan_result(*findings) -> StageResult:
    result = StageResult(stage="scan", findings=list(findings))
    result.scanners = [{"scanner": name, "status": "ran"} for name in ("secrets", "dataset", "models")]
    return result


def one_line_error(capsys, *args: str) -> str:
    code, _, err = run_cli(capsys, *args)
    assert code == 2, err
    assert err.strip().count("\n") == 0, err
    return err


def dataset_project(folder: Path, **extra) -> None:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data/reviews.csv").write_text("text,label\ngood,1\nbad,0\n")
    write_config(folder, {
        "load": {"sources": [{"name": "reviews", "url": "file://data/reviews.csv", "kind": "dataset"}],
                 "allowlist": ["file://"]},
        **extra,
    })


# ---------------------------------------------------------------- 2: verify --public-key naming a missing file


def test_a_missing_public_key_passed_by_the_user_is_named_with_where_a_public_key_comes_from(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"project": {"name": "demo", "version": "2.1"}})
    passed_pipeline(tmp_path / ".mlsecops")
    assert run_cli(capsys, "sign")[0] == 0
    assert run_cli(capsys, "store")[0] == 0
    absent = ".mlsecops/sign/local-key/public-key.pem"
    err = one_line_error(capsys, "verify", ".mlsecops/store/demo/2.1", "--public-key", absent)
    assert f"--public-key {absent}: file not found" in err
    assert "pass --public-key" not in err  # it was passed
    assert "openssl ec -in .mlsecops/sign/local-key/private-key.pem -pubout" in err


# ---------------------------------------------------------------- 3: config validate sees what fails later


def test_a_train_dataset_naming_no_load_source_is_refused_by_validate(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    dataset_project(tmp_path, train={"dataset": "reviewz"})
    err = one_line_error(capsys, "config", "validate")
    assert "train.dataset: 'reviewz' names no load source (load.sources: reviews)" in err


def test_a_scan_only_project_without_sources_keeps_the_default_train_dataset(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"scan": {"scanners": ["secrets"]}})
    assert run_cli(capsys, "config", "validate")[0] == 0


@pytest.mark.parametrize("version", ["../../../escaped", "/abs", "1.0/../..", ""])
def test_a_project_version_that_cannot_name_a_release_is_refused_before_any_stage(
        tmp_path, monkeypatch, capsys, version):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, {"project": {"name": "demo", "version": version}})
    err = one_line_error(capsys, "config", "validate")
    assert "project.version:" in err and "cannot name a release in the store" in err


def test_run_refuses_a_bad_waiver_before_load_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text("waivers:\n  - {id: abc123, expires: 2030-01-31}\n")
    dataset_project(tmp_path, policy="policy.yaml", train={"dataset": "reviews"})
    err = one_line_error(capsys, "run")
    assert "waivers.0.reason: required" in err
    assert not (tmp_path / ".mlsecops/load/result.json").exists()


# ---------------------------------------------------------------- 4: waivers


def test_an_unquoted_all_digit_waiver_id_is_read_as_text(tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("waivers:\n  - id: 123456\n    reason: accepted risk\n    expires: 2030-01-31\n")
    assert load_policy(policy_file).waivers[0].id == "123456"


def test_a_waiver_matching_no_finding_is_warned_about_in_one_line(tmp_path):
    finding = secret_finding()
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("waivers:\n  - {id: 3f2c9a1b7d4e5f6a7b8c9d0e, reason: mistyped id, expires: 2030-01-31}\n"
                           f"  - {{id: {finding.id}, reason: fixture key, expires: 2030-01-31}}\n")
    verdict = evaluate_gate("security", load_policy(policy_file), {"scan": scan_result(finding)}, TODAY)
    assert verdict.passed  # the matching waiver still applies
    unmatched = [w for w in verdict.warnings if "matches no finding" in w]
    assert len(unmatched) == 1 and "3f2c9a1b7d4e5f6a7b8c9d0e" in unmatched[0] and "\n" not in unmatched[0]


def test_a_waiver_of_another_stages_finding_is_not_called_unmatched(tmp_path):
    finding = secret_finding()
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(f"waivers:\n  - {{id: {finding.id}, reason: fixture key, expires: 2030-01-31}}\n")
    verdict = evaluate_gate("security", load_policy(policy_file), {"scan": scan_result()}, TODAY,
                            other_finding_ids={finding.id})
    assert not [w for w in verdict.warnings if "matches no finding" in w]


# ---------------------------------------------------------------- 5: a train.command script that does not exist


def test_a_missing_training_script_is_bad_config_not_a_failed_program(tmp_path):
    with pytest.raises(UsageError, match=r"train.command\[1\]: 'nope.py' not found") as raised:
        run_program(["python", "nope.py"], tmp_path, {}, 30, lambda line: None)
    assert not isinstance(raised.value, GateFailed)


def test_a_shell_line_or_an_option_is_not_taken_for_a_script(tmp_path):
    (tmp_path / "out.txt").write_text("")
    run_program(["sh", "-c", "echo python train.py", "--out=x.py"], tmp_path, {"PATH": "/usr/bin:/bin"}, 30,
                lambda line: None)


def test_config_validate_names_a_missing_training_script(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    dataset_project(tmp_path, train={"kind": "command", "dataset": "reviews", "command": ["python", "nope.py"]})
    err = one_line_error(capsys, "config", "validate")
    assert "train.command[1]: 'nope.py' not found" in err


# ---------------------------------------------------------------- 6: plain wording


@pytest.mark.parametrize(("text", "expected"), [
    ("project: demo\n", "project: expected a mapping"),
    ("scan: {paths: .}\n", "scan.paths: expected a list"),
    ("train: {folds: many}\n", "train.folds: expected a whole number"),
])
def test_config_errors_are_worded_for_a_yaml_author(tmp_path, monkeypatch, capsys, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlsecops.yaml").write_text(text)
    err = one_line_error(capsys, "config", "validate")
    assert expected in err
    assert "Input should be" not in err and "instance of" not in err


def test_a_policy_error_is_worded_plainly(tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("waivers:\n  - {id: abc123, expires: 2030-01-31}\n")
    with pytest.raises(UsageError, match=r"waivers\.0\.reason: required$"):
        load_policy(policy_file)


def test_an_unknown_redact_entity_lists_the_valid_types(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("text\nhello\n")
    err = one_line_error(capsys, "redact", "--entities", "FOO", str(source), str(tmp_path / "out.csv"))
    assert "FOO" in err and "valid: " in err and "EMAIL_ADDRESS" in err


def test_gate_without_stage_says_so_in_one_line(capsys):
    err = one_line_error(capsys, "gate")
    assert "--stage security or --stage model" in err


def test_redact_refuses_an_output_name_of_another_format(tmp_path: Path, capsys) -> None:
    source = tmp_path / "people.csv"
    source.write_text("name,email\nAda,ada@example.org\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "redact", str(source), str(tmp_path / "clean.parquet"))
    assert code == 2
    assert "must have the format of IN (.csv)" in out + err
    assert not (tmp_path / "clean.parquet").exists()


def test_guard_check_refuses_a_binary_file(tmp_path: Path, capsys) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(b"\x80\x04\x95\x00cos\nsystem\n\x00\x00")
    code, out, err = run_cli(capsys, "guard", "check", "--file", str(model))
    assert code == 2
    assert "binary content, not text" in out + err
