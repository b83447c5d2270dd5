"""The `models` scanner: consensus of modelscan, fickling and our own checks, never loading a file."""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path

import pytest
from mlsecops.findings import Severity
from model_support import (
    GATE_FAILING,
    corpus_generator,
    findings_by_file,
    generated_corpus,
    scan_files,
    scan_tree,
)


def numeric_npy() -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.arange(100, dtype="float64"))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> tuple[Path, dict[str, str]]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    root = tmp_path_factory.mktemp("model-corpus")
    cache = getattr(pytestconfig, "cache", None)  # None with -p no:cacheprovider: then always generated
    manifest = generated_corpus(root, cache.mkdir("model-corpus") if cache else None, keras=True)
    return root, manifest


@pytest.fixture(scope="module")
def corpus_scan(corpus):
    root, manifest = corpus
    artifacts = [root / name for name in manifest]
    outcome = scan_files(artifacts, root=root)
    return manifest, outcome, findings_by_file(outcome)


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_every_malicious_file_of_the_corpus_gets_a_gate_failing_finding(corpus_scan):
    manifest, _, by_file = corpus_scan
    malicious = [name for name, label in manifest.items() if label == "malicious"]
    missed = [
        name for name in malicious
        if not any(f.severity in GATE_FAILING for f in by_file.get(name, []))
    ]
    assert len(malicious) >= 50
    assert missed == []


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_no_benign_file_of_the_corpus_gets_a_finding_above_info(corpus_scan):
    manifest, _, by_file = corpus_scan
    benign = [name for name, label in manifest.items() if label == "benign"]
    flagged = {name: [(f.rule, f.severity.value) for f in by_file[name] if f.severity is not Severity.INFO]
               for name in benign if name in by_file}
    assert len(benign) >= 100  # the libraries' own savers: sklearn, pandas, numpy, torch, TorchScript, skops...
    assert {name: rules for name, rules in flagged.items() if rules} == {}


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_an_info_finding_on_a_benign_file_is_an_outside_tools_word_our_walk_explains(corpus_scan):
    manifest, _, by_file = corpus_scan
    for name, label in manifest.items():
        for finding in by_file.get(name, []) if label == "benign" else []:
            assert finding.properties["explained_by"] == "mlsecops"
            assert "mlsecops" not in finding.properties["flagged_by"]
            assert set(finding.properties["verdicts"]) == {"mlsecops", "modelscan", "fickling"}


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_a_finding_lists_each_scanners_verdict_and_who_flagged_it(corpus_scan):
    _, outcome, by_file = corpus_scan
    (finding,) = by_file["malicious/os_system_p2.pkl"]
    assert finding.rule == "model-file/unsafe-global"
    assert finding.severity is Severity.CRITICAL
    assert set(finding.properties["verdicts"]) == {"mlsecops", "modelscan", "fickling"}
    assert finding.properties["flagged_by"] == ["fickling", "mlsecops", "modelscan"]
    assert "CWE-502" in finding.cwe
    assert "LLM03:2025" in finding.owasp_llm
    assert outcome.status == "ran"
    assert "modelscan" in outcome.tool_version and "fickling" in outcome.tool_version


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_what_modelscan_misses_is_still_flagged_by_our_own_checks(corpus_scan):
    _, _, by_file = corpus_scan
    for name in ("lambda.keras", "object_array.npy", "payload.joblib", "weights.bin", "nested.zip"):
        (finding, *_) = by_file[f"malicious/{name}"]
        assert "mlsecops" in finding.properties["flagged_by"]
        assert not finding.properties["verdicts"]["modelscan"].startswith("unsafe"), name


@pytest.mark.xdist_group("model-corpus")  # one worker builds and scans the corpus
def test_one_file_with_one_problem_seen_by_three_scanners_is_one_finding(corpus_scan):
    _, _, by_file = corpus_scan
    assert len(by_file["malicious/model.pt"]) == 1


def test_nothing_is_unpickled_while_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    marker = tmp_path / "payload-ran"
    gen = corpus_generator()
    (tmp_path / "trap.pkl").write_bytes(gen.call("os", "system", f"touch {marker}", 2))
    (tmp_path / "trap.pt").write_bytes(gen.torch_zip(gen.call("os", "system", f"touch {marker}", 4, True)))

    def refuse(*args, **kwargs):
        raise AssertionError("a scanner tried to unpickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    outcome = scan_files([tmp_path / "trap.pkl", tmp_path / "trap.pt"])
    assert not marker.exists()
    assert {f.location.path for f in outcome.findings} == {"trap.pkl", "trap.pt"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("truncated.pkl", pickle.dumps({"a": list(range(100))}, protocol=4)[:40]),
        ("empty.pkl", b""),
        ("garbage.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 40),
        ("garbage.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': "),
        ("cut.npy", numeric_npy()[:-300]),
    ],
)
def test_a_truncated_or_corrupt_model_file_is_a_high_finding_not_a_crash(tmp_path: Path, name: str, content: bytes):
    (tmp_path / name).write_bytes(content)
    outcome = scan_files([tmp_path / name])
    (finding, *_) = outcome.findings
    assert finding.severity is Severity.HIGH
    assert finding.rule in ("model-file/unreadable", "model-file/not-scanned")
    assert outcome.status == "ran"


def test_a_torch_archive_cut_in_half_is_a_finding(tmp_path: Path):
    gen = corpus_generator()
    whole = gen.torch_zip(pickle.dumps({"w": [1.0] * 200}, protocol=2))
    (tmp_path / "cut.pt").write_bytes(whole[: len(whole) // 2])
    (finding,) = scan_files([tmp_path / "cut.pt"]).findings
    assert finding.severity is Severity.HIGH


def test_a_file_no_scanner_can_read_is_reported_not_scanned(tmp_path: Path):
    (tmp_path / "model.tflite").write_bytes(b"\x01" + os.urandom(255))
    (finding,) = scan_files([tmp_path / "model.tflite"]).findings
    assert finding.rule == "model-file/not-scanned"
    assert finding.severity is Severity.HIGH
    assert finding.properties["not_scanned"] is True
    assert all(not v.startswith(("clean", "unsafe")) for v in finding.properties["verdicts"].values())


def test_in_a_source_tree_model_files_are_found_by_content_not_by_extension(tmp_path: Path):
    gen = corpus_generator()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print('hello')\n")
    (tmp_path / "README.md").write_text("# project\n")
    (tmp_path / "src" / "cache.txt").write_bytes(gen.call("subprocess", "Popen", "id", 4, True))
    (tmp_path / "data.json").write_text(json.dumps({"a": 1}))
    outcome = scan_tree(tmp_path)
    assert [f.location.path for f in outcome.findings] == ["src/cache.txt"]
    assert outcome.scanned == 1


def test_a_user_class_is_a_high_finding_until_the_project_trusts_it(tmp_path: Path):
    gen = corpus_generator()
    payload = b"\x80\x02" + b"cmyproject.models\nTicketModel\n)\x81}b."  # NEWOBJ of a user class, then BUILD
    (tmp_path / "custom.pkl").write_bytes(payload)
    (finding,) = scan_files([tmp_path / "custom.pkl"]).findings
    assert finding.rule == "model-file/unknown-global"
    assert finding.severity is Severity.HIGH  # its __setstate__ runs on load: code the project must vouch for
    trusted = scan_files([tmp_path / "custom.pkl"], {"trusted_globals": ["myproject.models.TicketModel"]})
    assert trusted.findings == []
    assert gen.COMMAND  # the generator module is the one the corpus used


def test_a_keras_archive_with_a_custom_object_from_a_user_package_is_high_until_trusted(tmp_path: Path):
    gen = corpus_generator()
    layer = {"module": "myproject.layers", "class_name": "Attention", "config": {"name": "att"},
             "registered_name": "Custom>Attention"}
    (tmp_path / "custom.keras").write_bytes(gen.keras_archive(gen.keras_config_with(layer)))
    (finding,) = scan_files([tmp_path / "custom.keras"]).findings
    assert finding.rule == "model-file/keras-custom-object"
    assert finding.severity is Severity.HIGH
    assert "layer att" in finding.evidence
    trusted = scan_files([tmp_path / "custom.keras"], {"trusted_globals": ["myproject.layers.Attention"]})
    assert trusted.findings == []


def test_a_zip_bomb_member_is_not_inflated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from mlsecops.engines.models import formats as model_formats

    monkeypatch.setattr(model_formats, "MAX_MEMBER_BYTES", 1 << 16)
    with zipfile.ZipFile(tmp_path / "bomb.pt", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02" + b"N" * (1 << 20) + b".")
    (finding,) = scan_files([tmp_path / "bomb.pt"]).findings
    assert finding.rule == "model-file/unreadable"
    assert "larger than" in finding.evidence


def test_when_modelscan_cannot_run_the_scan_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from mlsecops.scanners.modelscan_adapter import ModelscanRunner

    monkeypatch.setattr(ModelscanRunner, "unavailable_reason", lambda self: "modelscan is not installed")
    (tmp_path / "plain.pkl").write_bytes(pickle.dumps({"a": 1}))
    outcome = scan_files([tmp_path / "plain.pkl"])
    (finding,) = outcome.findings
    assert finding.rule == "modelscan/not-run"
    assert finding.severity is Severity.HIGH


def test_scan_models_command_prints_findings_as_json(tmp_path: Path, cli):
    gen = corpus_generator()
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tokenizer.pickle").write_bytes(gen.call_then_data("os", "system", "id", 2))
    (tmp_path / "models" / "ok.pkl").write_bytes(pickle.dumps([1, 2, 3]))
    result = cli("scan", "models", "models", "--format", "json")
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == "mlsecops: models: 1 finding(s) at or above low (critical: 1)"
    report = json.loads(result.stdout)
    # named relative to the project root (here the working directory), as the pipeline names it
    assert [f["location"]["path"] for f in report["findings"]] == ["models/tokenizer.pickle"]
    assert report["findings"][0]["severity"] == "critical"
    assert report["scanned"] == 2


def test_the_insecure_demos_pretrained_tokenizer_pickle_is_critical_and_the_clean_demo_has_no_model_finding(
    tmp_path: Path, cli
):
    assert cli("demo", "init", "insecure", "--variant", "insecure").exit_code == 0
    assert cli("demo", "init", "clean").exit_code == 0
    insecure = json.loads(cli("scan", "models", "insecure", "--format", "json").stdout)
    (finding,) = insecure["findings"]
    assert finding["location"]["path"] == "insecure/pretrained/tokenizer.pickle"
    assert finding["severity"] == "critical"
    assert finding["title"].startswith("Pickle imports os.system")
    clean = json.loads(cli("scan", "models", "clean", "--format", "json").stdout)
    assert clean["findings"] == []


def test_a_loaded_artifact_that_is_also_in_the_checkout_is_one_finding(tmp_path: Path):
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

    gen = corpus_generator()
    trojan = gen.call("os", "system", "id", 2)
    (tmp_path / "repo" / "pretrained").mkdir(parents=True)
    (tmp_path / "repo" / "pretrained" / "tokenizer.pickle").write_bytes(trojan)
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "tokenizer.pickle").write_bytes(trojan)
    artifact = LoadedArtifact(name="pretrained-tokenizer", kind="model", path=tmp_path / "workspace" / "tokenizer.pickle")
    outcome = get_scanner("models").scan(ScanTargets(paths=[tmp_path / "repo"], artifacts=[artifact]))
    assert [f.location.path for f in outcome.findings] == ["pretrained/tokenizer.pickle"]


# Parameters that keep every estimator's fit on 20 rows quick (iterations, ensemble sizes, CV folds).
_QUICK_PARAMS = {"max_iter": 5, "n_estimators": 3, "cv": 2, "n_init": 1, "n_iter": 1, "n_components": 2,
                 "n_subsamples": 5, "max_subpopulation": 50, "Cs": 2, "thresholds": 3, "n_features_to_select": 1,
                 "bandwidth": 0.5}


def _default_estimator(cls):
    """An estimator built with its defaults, meta-estimators around a LogisticRegression."""
    from sklearn.linear_model import LogisticRegression

    for arguments in ({}, {"estimator": LogisticRegression()},
                      {"estimators": [("a", LogisticRegression()), ("b", LogisticRegression())]},
                      {"steps": [("a", LogisticRegression())]}, {"transformer_list": [("a", LogisticRegression())]},
                      {"estimator": LogisticRegression(), "param_grid": {"C": [1.0]}},
                      {"estimator": LogisticRegression(), "param_distributions": {"C": [1.0]}},
                      {"transformers": []}):
        try:
            estimator = cls(**arguments)
        except TypeError:
            continue
        params = estimator.get_params(deep=False)
        estimator.set_params(**{k: v for k, v in _QUICK_PARAMS.items() if k in params})
        return estimator
    return None


def test_every_public_scikit_learn_estimator_and_what_its_fitted_pickle_holds_is_trusted():
    import warnings

    import numpy as np
    from mlsecops.engines.models.pickle_inspect import walk_pickle
    from mlsecops.engines.models.pickle_trusted import TRUSTED_GLOBALS
    from sklearn.utils import all_estimators

    warnings.filterwarnings("ignore")
    estimators = all_estimators()
    unlisted = [f"{cls.__module__}.{cls.__name__}" for _, cls in estimators
                if f"{cls.__module__}.{cls.__name__}" not in TRUSTED_GLOBALS]
    assert unlisted == []
    rng = np.random.default_rng(0)
    features = rng.random((20, 4))
    labels = (features[:, 0] > 0.5).astype(int)
    attempts = ((features, labels), (features,), (features, features[:, 1]), (features[:, 0], features[:, 1]),
                (["refund my order", "where is my parcel"] * 10, labels), ([{"a": 1.0}] * 20, labels))
    untrusted: dict[str, list[str]] = {}
    walked = 0
    for name, cls in estimators:
        estimator = _default_estimator(cls)
        if estimator is None:
            continue
        for arguments in attempts:
            try:
                estimator.fit(*arguments)
                break
            except Exception:  # noqa: BLE001, S112 - the next shape of data, or the unfitted estimator
                continue
        walk = walk_pickle(pickle.dumps(estimator, protocol=5))
        walked += 1
        for problem in walk.problems:
            untrusted.setdefault(problem.key, []).append(name)
    assert walked >= len(estimators) - 5
    assert untrusted == {}
