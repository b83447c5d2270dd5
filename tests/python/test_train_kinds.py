"""train.kind beyond keras-text: sklearn, command, pretrained and none, each as its own process after a passed
security gate, with evaluate judging the predictions train wrote; and the bad input each kind refuses."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from mlsecops.hashing import file_sha256
from train_support import (
    Checkout,
    one_line_error,
    pass_security_gate,
    prepare,
    trained_variant,
)

pytestmark = pytest.mark.timeout(600)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def recorded(checkout: Checkout) -> dict[str, str]:
    return {a["path"]: a["sha256"] for a in checkout.result("train")["artifacts"]}


@pytest.fixture(scope="module")
def tabular() -> Checkout:
    """Trained once per test run, shared with the evaluate specs: read it, or copy it before changing it."""
    return trained_variant("tabular")


# ---------------------------------------------------------------- sklearn


def test_sklearn_trains_an_allowlisted_estimator_and_records_its_release_and_folds(tabular):
    result = tabular.result("train")
    details = result["details"]
    assert details["kind"] == "sklearn" and details["task"] == "classification"
    assert details["estimator"] == "sklearn.linear_model.LogisticRegression"
    assert details["model_files"] == ["train/model/features.json", "train/model/model.skops"]
    assert details["predictions"] == "train/predictions.csv"
    assert "train/predictions.csv" not in details["model_files"]
    for path in details["model_files"] + [details["predictions"], "train/split.json"]:
        assert recorded(tabular)[path] == file_sha256(tabular.workspace / path)
    assert len(details["features"]["numeric"]) == 30 and details["labels"] == ["benign", "malignant"]
    folds = details["folds"]
    assert len(folds) == details["settings"]["folds"] == 5
    for name in ("accuracy", "f1_macro", "roc_auc", "log_loss", "balanced_accuracy"):
        values = [fold[name] for fold in folds]
        assert result["metrics"][f"cv_{name}_mean"] == pytest.approx(sum(values) / len(values), abs=1e-4)
    assert result["metrics"]["cv_f1_macro_mean"] > 0.95


def test_sklearn_cross_validated_f1_matches_plain_cross_val_score(tabular):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    split = json.loads((tabular.workspace / "train/split.json").read_text())
    table = rows_of(tabular.project / "data/breast_cancer.csv")
    features = [name for name in table[0] if name != "diagnosis"]
    train_rows = [table[row] for row in split["train_rows"]]
    x = np.array([[float(row[name]) for name in features] for row in train_rows])
    y = np.array([row["diagnosis"] for row in train_rows])
    plain = cross_val_score(
        make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000, random_state=42)), x, y,
        cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring="f1_macro",
    )
    ours = tabular.result("train")["metrics"]["cv_f1_macro_mean"]
    assert abs(ours - plain.mean()) <= 0.01  # the same rows and folds: the same estimator scores the same


def test_the_skops_model_loads_without_untrusted_types_and_predicts_what_predictions_csv_says(tabular):
    import numpy as np
    import skops.io

    model_file = tabular.workspace / "train/model/model.skops"
    untrusted = skops.io.get_untrusted_types(file=model_file)
    assert all(name.startswith(("sklearn.", "numpy.")) for name in untrusted), untrusted
    pipeline = skops.io.load(model_file, trusted=untrusted)
    features = json.loads((tabular.workspace / "train/model/features.json").read_text())
    predictions = rows_of(tabular.workspace / "train/predictions.csv")
    table = rows_of(tabular.project / "data/breast_cancer.csv")
    x = np.array([[float(table[int(p["row"])][name]) for name in features["columns"]] for p in predictions],
                 dtype=object)
    probabilities = pipeline.predict_proba(x)
    expected = np.array([[float(p["proba_benign"]), float(p["proba_malignant"])] for p in predictions])
    assert np.allclose(probabilities, expected, atol=1e-6)


def test_evaluate_judges_the_sklearn_predictions_on_exactly_the_held_out_rows(tabular, tmp_path):
    checkout = tabular.copy_to(tmp_path / "c")
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    result = checkout.result("evaluate")
    split = json.loads((checkout.workspace / "train/split.json").read_text())
    assert result["details"]["test_rows"] == len(split["test_rows"]) == 113
    assert result["details"]["kind"] == "sklearn"
    assert result["metrics"]["accuracy"] >= 0.95 and result["metrics"]["roc_auc"] >= 0.98
    assert sum(map(sum, result["details"]["confusion_matrix"]["matrix"])) == 113


def test_the_same_data_config_and_seed_give_a_byte_identical_skops_model(tabular, tmp_path):
    again = tabular.copy_to(tmp_path / "c")
    assert again.stage("train").exit_code == 0
    assert recorded(again) == recorded(tabular)


@pytest.mark.e2e
def test_a_regressor_is_cross_validated_with_kfold_and_evaluated_with_regression_metrics(tmp_path):
    checkout = prepare(tmp_path / "c", variant="tabular",
                       train={"label_column": "mean area", "sklearn": {"estimator": "Ridge", "params": {"alpha": 1.0},
                                                                       "numeric_columns": ["*"],
                                                                       "categorical_columns": ["diagnosis"]}})
    outcome = checkout.stage("train")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    result = checkout.result("train")
    assert result["details"]["task"] == "regression" and result["details"]["labels"] == []
    assert {"cv_r2_mean", "cv_rmse_mean", "cv_mae_std"} <= set(result["metrics"])
    evaluated = checkout.stage("evaluate")
    assert evaluated.exit_code == 0, evaluated.output[-2000:]
    metrics = checkout.result("evaluate")["metrics"]
    assert set(metrics) == {"mae", "rmse", "r2"} and metrics["r2"] > 0.9 and metrics["mae"] <= metrics["rmse"]
    checkout.edit_config(evaluate={"regression_thresholds": {"rmse": 1.0}})
    recorded = checkout.stage("evaluate")
    assert recorded.exit_code == 0, "evaluate records the metrics; the model gate judges them"
    judged = checkout.stage("gate", "--stage", "model")
    assert judged.exit_code == 1 and "rmse" in judged.output and "> 1.0" in judged.output, judged.output[-2000:]


@pytest.mark.parametrize(
    ("sklearn", "label", "message"),
    [
        ({"numeric_columns": ["mean radius", "mean redius"]}, "diagnosis", "no column 'mean redius' (train.sklearn.numeric_columns)"),
        ({"estimator": "Ridge", "params": {}, "numeric_columns": ["diagnosis"]}, "mean area", "column 'diagnosis' (train.sklearn.numeric_columns) is not numeric"),
        ({"estimator": "SVC"}, "diagnosis", "train.sklearn.estimator 'SVC' is not on train.sklearn.allowed_estimators"),
        ({"estimator": "os.system", "numeric_columns": ["*"]}, "diagnosis", "'os.system' is not on"),
        ({"estimator": "LogisticRegression", "params": {"fast": True}}, "diagnosis",
         "train.sklearn.params.fast: not a parameter of LogisticRegression (valid: C, class_weight,"),
        # a bad value is the parameter's fault, not the data's: named before any fold is fitted
        ({"estimator": "RandomForestClassifier", "params": {"n_estimators": -3}}, "diagnosis",
         ("train.sklearn.params.n_estimators: invalid value (The 'n_estimators' parameter of RandomForestClassifier "
          "must be an int in the range [1, inf). Got -3 instead.)")),
        ({"numeric_columns": []}, "diagnosis", "no feature column"),
    ],
)
def test_bad_sklearn_settings_are_exit_2_in_one_line_naming_the_column_or_estimator(tmp_path, sklearn, label, message):
    checkout = prepare(tmp_path / "c", variant="tabular", train={"label_column": label})
    data = yaml.safe_load(checkout.config.read_text())
    data["train"]["sklearn"].update(sklearn)
    checkout.config.write_text(yaml.safe_dump(data))
    outcome = checkout.stage("train")
    assert outcome.exit_code == 2, outcome.output[-2000:]
    assert message in one_line_error(outcome)
    assert checkout.result("train")["status"] == "error"
    assert not (checkout.workspace / "train/model").exists()


def test_a_label_column_with_one_class_is_exit_2_naming_the_class(tmp_path):
    checkout = Checkout(tmp_path / "c")
    from mlsecops import demo

    demo.materialize("tabular", checkout.project)
    table = checkout.project / "data/breast_cancer.csv"
    lines = table.read_text().splitlines()
    table.write_text("\n".join([lines[0]] + [line.rsplit(",", 1)[0] + ",benign" for line in lines[1:]]) + "\n")
    lock = yaml.safe_load((checkout.project / "mlsecops.lock").read_text())
    lock["breast-cancer"]["sha256"] = file_sha256(table)
    (checkout.project / "mlsecops.lock").write_text(yaml.safe_dump(lock))
    assert checkout.stage("load").exit_code == 0
    pass_security_gate(checkout)
    outcome = checkout.stage("train")
    assert outcome.exit_code == 2
    line = one_line_error(outcome)
    assert "label column 'diagnosis' has one class ('benign')" in line and "breast_cancer.csv" in line


# ---------------------------------------------------------------- command


@pytest.fixture(scope="module")
def byo(tmp_path_factory) -> Checkout:
    checkout = prepare(tmp_path_factory.mktemp("byo") / "c", variant="byo")
    outcome = checkout.stage("train")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert "  | wrote model.safetensors" in outcome.stdout, "the program's output is streamed to the log"
    return checkout


@pytest.mark.e2e
def test_the_teams_own_program_writes_a_safetensors_model_and_the_held_out_predictions(byo, tmp_path):
    details = byo.result("train")["details"]
    assert details["kind"] == "command" and details["task"] == "classification"
    assert details["model_files"] == ["train/model/model.safetensors"]
    assert details["command"][:2] == ["python", "train.py"]
    assert (byo.workspace / "train/model/model.safetensors").read_bytes()[8:9] == b"{"
    assert not (byo.workspace / "train/data").exists(), "the split copies of the dataset are not outputs"
    predictions = rows_of(byo.workspace / "train/predictions.csv")
    split = json.loads((byo.workspace / "train/split.json").read_text())
    assert sorted(int(p["row"]) for p in predictions) == split["test_rows"]
    checkout = byo.copy_to(tmp_path / "c")
    outcome = checkout.stage("evaluate")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    assert checkout.result("evaluate")["metrics"]["accuracy"] >= 0.93


@pytest.mark.e2e
def test_the_command_program_gets_the_documented_environment(tmp_path):
    checkout = prepare(tmp_path / "c", variant="byo")
    (checkout.project / "show_env.py").write_text(
        "import json, os, pathlib, shutil\n"
        "names = sorted(k for k in os.environ if k.startswith('MLSECOPS_') or k == 'PYTHONHASHSEED')\n"
        "out = pathlib.Path(os.environ['MLSECOPS_OUTPUT_DIR'])\n"
        "(out / 'env.json').write_text(json.dumps({k: os.environ[k] for k in names}))\n"
        "shutil.copy(os.environ['MLSECOPS_TEST_FILE'], os.environ['MLSECOPS_PREDICTIONS_FILE'] + '.in')\n"
        "import csv\n"
        "rows = list(csv.DictReader(open(os.environ['MLSECOPS_TEST_FILE'])))\n"
        "with open(os.environ['MLSECOPS_PREDICTIONS_FILE'], 'w') as f:\n"
        "    f.write('row,label,prediction\\n')\n"
        "    f.writelines(f\"{r['row']},{r['diagnosis']},benign\\n\" for r in rows)\n"
    )
    checkout.edit_config(train={"command": ["python", "show_env.py"], "seed": 7, "command_env": {"TEAM_FLAG": "1"}})
    pass_security_gate(checkout)  # a program written after the gate runs only once the gate judged it
    outcome = checkout.stage("train")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    env = json.loads((checkout.workspace / "train/model/env.json").read_text())
    assert env["MLSECOPS_SEED"] == env["PYTHONHASHSEED"] == "7"
    assert env["MLSECOPS_LABEL_COLUMN"] == "diagnosis"
    assert Path(env["MLSECOPS_OUTPUT_DIR"]) == (checkout.workspace / "train/model").resolve()
    assert Path(env["MLSECOPS_SOURCE_BREAST_CANCER"]).read_bytes() == (checkout.project /
                                                                         "data/breast_cancer.csv").read_bytes()
    assert Path(env["MLSECOPS_INPUT_DIR"]) == (checkout.workspace / "load").resolve()
    assert {"MLSECOPS_TRAIN_FILE", "MLSECOPS_TEST_FILE", "MLSECOPS_PREDICTIONS_FILE", "MLSECOPS_FOLDS",
            "MLSECOPS_TEST_SIZE", "MLSECOPS_THREADS"} <= set(env)
    # hard predictions only are accepted: evaluate scores them as they are
    assert checkout.stage("evaluate").exit_code == 0, "evaluate records; the model gate judges"
    judged = checkout.stage("gate", "--stage", "model")
    assert judged.exit_code == 1, "always 'benign' is under the thresholds"


BAD_PROGRAMS = {
    "fails": ("import sys\nprint('loading data')\nsys.stderr.write('ValueError: column x has NaN\\n')\nsys.exit(3)\n",
              1, "exited with 3: ValueError: column x has NaN"),
    "no-model": ("print('trained nothing')\n", 1, "wrote no model file to MLSECOPS_OUTPUT_DIR"),
    "no-predictions": ("import os, pathlib\npathlib.Path(os.environ['MLSECOPS_OUTPUT_DIR'], 'm.bin').write_bytes(b'1')\n",
                       1, "wrote no predictions file"),
    "short-predictions": (
        ("import os, pathlib\npathlib.Path(os.environ['MLSECOPS_OUTPUT_DIR'], 'm.bin').write_bytes(b'1')\n"
        "pathlib.Path(os.environ['MLSECOPS_PREDICTIONS_FILE']).write_text('label,prediction\\nbenign,benign\\n')\n"),
        1, "train/predictions.csv: 1 predictions for 113 held-out rows"),
    "wrong-labels": (
        ("import csv, os, pathlib\npathlib.Path(os.environ['MLSECOPS_OUTPUT_DIR'], 'm.bin').write_bytes(b'1')\n"
        "rows = list(csv.DictReader(open(os.environ['MLSECOPS_TEST_FILE'])))\n"
        "flip = {'benign': 'malignant', 'malignant': 'benign'}\n"
        "with open(os.environ['MLSECOPS_PREDICTIONS_FILE'], 'w') as f:\n"
        "    f.write('row,label,prediction\\n')\n"
        "    f.writelines(f\"{r['row']},{flip[r['diagnosis']]},benign\\n\" for r in rows)\n"),
        1, "differs from the dataset's"),
    "bad-probabilities": (
        ("import csv, os, pathlib\npathlib.Path(os.environ['MLSECOPS_OUTPUT_DIR'], 'm.bin').write_bytes(b'1')\n"
        "rows = list(csv.DictReader(open(os.environ['MLSECOPS_TEST_FILE'])))\n"
        "with open(os.environ['MLSECOPS_PREDICTIONS_FILE'], 'w') as f:\n"
        "    f.write('row,label,prediction,proba_benign,proba_malignant\\n')\n"
        "    f.writelines(f\"{r['row']},{r['diagnosis']},benign,0.5,0.7\\n\" for r in rows)\n"),
        1, "probabilities sum to 1.200, not 1"),
}


@pytest.mark.parametrize("case", sorted(BAD_PROGRAMS))
def test_a_training_program_that_does_not_do_its_job_is_exit_1_in_one_line(tmp_path, case):
    code, exit_code, message = BAD_PROGRAMS[case]
    checkout = prepare(tmp_path / "c", variant="byo")
    (checkout.project / "bad_train.py").write_text(code)
    checkout.edit_config(train={"command": ["python", "bad_train.py"]})
    pass_security_gate(checkout)
    outcome = checkout.stage("train")
    assert outcome.exit_code == exit_code, outcome.output[-2000:]
    assert message in one_line_error(outcome)
    assert checkout.result("train")["status"] == "failed"


def test_a_missing_program_is_exit_2_and_a_slow_one_is_stopped_at_its_time_limit(tmp_path):
    checkout = prepare(tmp_path / "c", variant="byo")
    checkout.edit_config(train={"command": ["no-such-trainer", "--epochs", "3"]})
    missing = checkout.stage("train")
    assert missing.exit_code == 2
    assert "train.command: program 'no-such-trainer' not found" in one_line_error(missing)

    (checkout.project / "slow.py").write_text("import time\nprint('epoch 1', flush=True)\ntime.sleep(60)\n")
    checkout.edit_config(train={"command": ["python", "slow.py"], "timeout_seconds": 2})
    unjudged = checkout.stage("train")
    assert unjudged.exit_code == 1
    assert "slow.py changed after the security gate judged it" in one_line_error(unjudged)
    pass_security_gate(checkout)
    slow = checkout.stage("train")
    assert slow.exit_code == 1
    assert "did not finish within 2 s (train.timeout_seconds)" in one_line_error(slow)
    assert "  | epoch 1" in slow.stdout


# ---------------------------------------------------------------- pretrained and none


@pytest.mark.e2e
def test_a_pretrained_model_is_the_loaded_file_and_its_predict_program_writes_the_predictions(tmp_path):
    checkout = prepare(tmp_path / "c", variant="pretrained")
    outcome = checkout.stage("train")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    details = checkout.result("train")["details"]
    assert details["kind"] == "pretrained" and details["model_files"] == ["train/model/model.safetensors"]
    loaded = next(s for s in checkout.result("load")["details"]["sources"] if s["name"] == "published-model")
    assert recorded(checkout)["train/model/model.safetensors"] == loaded["sha256"]
    split = json.loads((checkout.workspace / "train/split.json").read_text())
    assert split["train_rows"] == [] and len(split["test_rows"]) == 114, "every evaluation row is unseen"
    evaluated = checkout.stage("evaluate")
    assert evaluated.exit_code == 0, evaluated.output[-2000:]
    assert checkout.result("evaluate")["metrics"]["roc_auc"] >= 0.95

    (checkout.project / "predict.py").write_text(
        "import os, pathlib\npathlib.Path(os.environ['MLSECOPS_MODEL_DIR'], 'model.safetensors').write_bytes(b'x')\n"
    )
    unjudged = checkout.stage("train")
    assert unjudged.exit_code == 1
    assert "predict.py changed after the security gate judged it" in one_line_error(unjudged)
    pass_security_gate(checkout)
    tampering = checkout.stage("train")
    assert tampering.exit_code == 1
    assert "changed the pretrained model's files" in one_line_error(tampering)


@pytest.mark.e2e
def test_an_endpoint_only_project_bundles_its_prompt_and_config_files_and_has_nothing_to_evaluate(tmp_path):
    checkout = prepare(tmp_path / "c", variant="llm-endpoint")
    outcome = checkout.stage("train")
    assert outcome.exit_code == 0, outcome.output[-2000:]
    details = checkout.result("train")["details"]
    assert details["kind"] == "none" and details["task"] == "none" and details["predictions"] is None
    assert details["model_files"] == ["train/bundle/app/responses.json", "train/bundle/app/settings.json",
                                      "train/bundle/app/system_prompt.txt"]
    assert (checkout.workspace / "train/bundle/app/system_prompt.txt").read_bytes() == (
        checkout.project / "app/system_prompt.txt").read_bytes()
    evaluated = checkout.stage("evaluate")
    assert evaluated.exit_code == 0, evaluated.output[-2000:]
    result = checkout.result("evaluate")
    assert result["metrics"] == {} and result["details"]["applicable"] is False

    checkout.edit_config(train={"bundle": ["app/prompts/*.txt"]})
    nothing = checkout.stage("train")
    assert nothing.exit_code == 2 and "train.bundle 'app/prompts/*.txt': matches no file" in one_line_error(nothing)


def test_an_unknown_kind_is_exit_2_naming_the_key(tmp_path):
    checkout = prepare(tmp_path / "c", variant="tabular", train={"kind": "xgboost"})
    outcome = checkout.stage("train")
    assert outcome.exit_code == 2 and "train.kind" in one_line_error(outcome)
