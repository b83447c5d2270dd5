"""The red-team classes of model files (issue 12) and the scanner's behaviour around them: one file that
breaks a checker, consensus with outside tools, the project's own options, and names shared by the
standalone command and the pipeline. Every payload is inert and is never loaded."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from mlsecops.engines.models.pickle_inspect import classify_global, walk_pickle
from mlsecops.engines.models.problems import CLEAN, UNSAFE, FileVerdict, Problem
from mlsecops.findings import Severity
from mlsecops.scanners.model_files import FileReport, consensus_findings
from model_support import (
    GATE_FAILING,
    corpus_generator,
    findings_by_file,
    scan_files,
    scan_tree,
)


@pytest.fixture(scope="module")
def gen():
    return corpus_generator()


@pytest.fixture(scope="module")
def red_team(gen, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("red-team")
    paths = []
    for name, content in gen.red_team_files().items():
        path = root / name
        content(path) if callable(content) else path.write_bytes(content)
        paths.append(path)
    outcome = scan_files(paths, {"modelscan": False, "fickling": False}, root=root)
    return [p.name for p in paths], findings_by_file(outcome), outcome


@pytest.mark.parametrize("name", sorted(corpus_generator().red_team_files()))
def test_each_red_team_class_fails_the_gate_on_our_own_checks_alone(red_team, name: str):
    _, by_file, outcome = red_team
    assert outcome.status == "ran"
    assert any(f.severity in GATE_FAILING for f in by_file.get(name, [])), by_file.get(name)


def test_a_legacy_torch_file_is_walked_to_its_fourth_pickle_whatever_its_protocol(gen):
    walk_first = walk_pickle(gen.torch_legacy(gen.call("os", "system", "id", 0)))
    assert walk_first.value == gen.TORCH_LEGACY_MAGIC and walk_first.problems == []
    (finding, *_) = [f for f in scan_files_bytes(gen, "legacy.pt", gen.torch_legacy(gen.call("os", "system", "id", 0)))
                     if f.severity is Severity.CRITICAL]
    assert "torch legacy" in finding.evidence


def scan_files_bytes(gen, name: str, data: bytes, tmp: Path | None = None):
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / name).write_bytes(data)
    return scan_files([folder / name], {"modelscan": False, "fickling": False}).findings


def test_a_joblib_array_is_stepped_over_as_joblib_reads_it_not_as_a_pattern(gen):
    # the fake STOPs in the padding and in the data end a walk that does not know joblib's layout
    data = gen.joblib_inline_array("f8", (2,), b"." * 16, gen.call("os", "system", "id", 2))
    walk = walk_pickle(data)
    assert walk.joblib_arrays == 1 and walk.error is None
    assert [p.key for p in walk.problems] == ["unsafe-global:os.system"]


def test_trust_is_by_full_name_never_by_namespace_or_case():
    assert classify_global("sklearn.linear_model._logistic", "LogisticRegression") is None
    assert classify_global("numpy._core.multiarray", "_reconstruct") is None
    assert classify_global("sklearn.linear_model._logistic", "Unlisted").severity is Severity.HIGH
    assert classify_global("scipy.io", "FortranFile").severity is Severity.CRITICAL
    assert classify_global("numpy", "lib.format.io.FileIO").severity is Severity.CRITICAL
    assert classify_global("mypackage", "helper").severity is Severity.HIGH
    assert classify_global("mypackage", "helper", frozenset({("mypackage", "helper")})) is None


def test_python2_names_are_judged_as_fix_imports_maps_them(gen):
    walk = walk_pickle(gen.gadget_call("BaseHTTPServer", "HTTPServer", ("0.0.0.0", 8000), "x"))
    assert [p.key for p in walk.problems] == ["unsafe-global:http.server.HTTPServer"]


def test_a_file_that_breaks_a_checker_is_a_finding_and_the_rest_of_the_folder_is_judged(
    gen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from mlsecops.scanners import model_files

    (tmp_path / "weight_is_number.safetensors").write_bytes(gen.safetensors_bytes({"weight": 5}))
    (tmp_path / "trojan.pkl").write_bytes(gen.call("os", "system", "id", 2))
    (tmp_path / "crash.pkl").write_bytes(pickle.dumps([1, 2]))
    (tmp_path / "fine.pkl").write_bytes(pickle.dumps({"a": 1}))
    real = model_files.inspect_file

    def breaks_on_one(path: Path, trusted):
        if path.name == "crash.pkl":
            raise RuntimeError("checker bug")
        return real(path, trusted)

    monkeypatch.setattr(model_files, "inspect_file", breaks_on_one)
    outcome = scan_tree(tmp_path, {"modelscan": False, "fickling": False})
    by_file = findings_by_file(outcome)
    assert outcome.status == "ran" and outcome.scanned == 4
    assert by_file["weight_is_number.safetensors"][0].rule == "model-file/unreadable"
    assert by_file["crash.pkl"][0].severity is Severity.HIGH
    assert by_file["trojan.pkl"][0].severity is Severity.CRITICAL
    assert "fine.pkl" not in by_file


def report_with(fickling_problem: Problem, ours: FileVerdict) -> FileReport:
    fickling = FileVerdict("fickling", UNSAFE, [fickling_problem], note="LIKELY_OVERTLY_MALICIOUS")
    return FileReport(path=Path("m.joblib"), display="model/m.joblib", format="joblib", verdicts=[ours, fickling])


def test_one_outside_tools_word_our_walk_explains_is_kept_but_does_not_fail_the_gate():
    problem = Problem("unknown-global:_var0.dtype", "model-file/unknown-global", Severity.HIGH, "Pickle imports _var0")
    (finding,) = consensus_findings(report_with(problem, FileVerdict("mlsecops", CLEAN)))
    assert finding.severity is Severity.INFO
    assert finding.properties["flagged_by"] == ["fickling"]
    assert finding.properties["verdicts"]["fickling"].startswith("unsafe")


def test_an_outside_tools_word_on_an_import_our_walk_did_not_trust_still_fails_the_gate():
    problem = Problem("unknown-global:evil.thing", "model-file/unknown-global", Severity.HIGH, "Pickle imports evil")
    (finding,) = consensus_findings(report_with(problem, FileVerdict("mlsecops", CLEAN)))
    assert finding.severity is Severity.HIGH


def test_alone_the_command_uses_the_projects_options_and_names_files_as_the_pipeline_does(tmp_path: Path, cli,
                                                                                          monkeypatch):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.pkl").write_bytes(b"\x80\x02cmyproject.models\nTicketModel\n)\x81}b.")
    monkeypatch.chdir(tmp_path)
    untrusted = cli("scan", "models", "model", "--format", "json")
    assert untrusted.exit_code == 1
    (finding,) = json.loads(untrusted.stdout)["findings"]
    assert finding["location"]["path"] == "model/model.pkl"
    pipeline = scan_tree(tmp_path, {"modelscan": False, "fickling": False})
    assert pipeline.findings[0].location.path == "model/model.pkl"
    assert pipeline.findings[0].id == finding["id"]
    (tmp_path / "mlsecops.yaml").write_text(
        "scan:\n  options:\n    models:\n      trusted_globals: [myproject.models.TicketModel]\n", encoding="utf-8")
    trusted = cli("scan", "models", "model", "--format", "json")
    assert trusted.exit_code == 0, trusted.output
    assert json.loads(trusted.stdout)["findings"] == []


def test_raw_tensor_bytes_and_compressed_data_beside_a_model_are_not_findings(gen, tmp_path: Path):
    import gzip
    import random

    rng = random.Random(7)
    (tmp_path / "model.onnx").write_bytes(gen.onnx_with_external("weights.bin"))
    (tmp_path / "weights.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (tmp_path / "reviews.csv.gz").write_bytes(gzip.compress(b"text,label\nfine,ok\n"))
    (tmp_path / "tokenizer.model").write_bytes(gen.library_saver_files()["tokenizer.model"])
    outcome = scan_tree(tmp_path, {"modelscan": False, "fickling": False})
    assert outcome.scanned == 4
    assert outcome.findings == []


def test_a_raw_data_file_that_parses_into_an_import_is_still_judged_as_a_pickle(gen, tmp_path: Path):
    (tmp_path / "weights.bin").write_bytes(gen.call("posix", "system", "id", 0))
    (finding,) = scan_tree(tmp_path, {"modelscan": False, "fickling": False}).findings
    assert finding.severity is Severity.CRITICAL


def test_a_torch_tar_is_walked_through_every_storage_entry_to_the_views_pickle(gen):
    from mlsecops.engines.models.torch_files import walk_legacy_tar_member

    storages = gen.torch_tar(gen.call("os", "system", "id", 0))
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(storages)) as archive:
        data = archive.extractfile("storages").read()
    walk = walk_legacy_tar_member("storages", data, "storages", frozenset())
    assert walk.error is None
    assert [p.key for p in walk.problems] == ["unsafe-global:os.system"]


def test_a_model_loaded_from_the_project_has_the_same_location_and_id_as_a_standalone_scan(gen, tmp_path: Path):
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

    trojan = gen.call("os", "system", "id", 2)
    (tmp_path / "pretrained").mkdir()
    (tmp_path / "pretrained" / "tokenizer.pickle").write_bytes(trojan)
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "tokenizer.pickle").write_bytes(trojan)
    options = {"modelscan": False, "fickling": False}
    loaded = LoadedArtifact(name="pretrained-tokenizer", kind="model", path=tmp_path / "workspace" / "tokenizer.pickle",
                            url="file://pretrained/tokenizer.pickle")
    (in_pipeline,) = get_scanner("models").scan(ScanTargets(artifacts=[loaded], options=options)).findings
    alone = get_scanner("models").scan(ScanTargets(paths=[tmp_path / "pretrained"], options=options,
                                                   project_root=tmp_path))
    assert in_pipeline.location.path == alone.findings[0].location.path == "pretrained/tokenizer.pickle"
    assert in_pipeline.id == alone.findings[0].id
    assert in_pipeline.location.artifact == "pretrained-tokenizer"


def test_getattr_is_trusted_only_to_reach_a_trusted_classmethod_by_a_literal_name():
    zone = b"\x80\x02cbuiltins\ngetattr\nczoneinfo\nZoneInfo\nX\x09\x00\x00\x00_unpickle\x86RX\x0c\x00\x00\x00Europe/Paris\x85R."
    assert walk_pickle(zone).problems == []  # how pandas pickles a tz-aware index
    gadget = b"\x80\x02cbuiltins\ngetattr\ncposix\nsystem\nX\x08\x00\x00\x00__call__\x86R."
    assert {p.key for p in walk_pickle(gadget).problems} >= {"unsafe-global:builtins.getattr"}
    unspent = b"\x80\x02cbuiltins\ngetattr\n."
    assert [p.key for p in walk_pickle(unspent).problems] == ["unsafe-global:builtins.getattr"]


# ---------------------------------------------------------------- HDF5 weights that read other files


def scan_folder_file(folder: Path, name: str):
    return [f for f in scan_files([folder / name], {"modelscan": False, "fickling": False}, root=folder).findings
            if f.severity is not Severity.INFO]


@pytest.mark.parametrize(("how", "target", "severity"), [
    ("storage", "/etc/passwd", Severity.CRITICAL),
    ("storage", "../outside.bin", Severity.CRITICAL),
    ("storage", "weights.raw", Severity.HIGH),
    ("virtual", "shard.h5", Severity.HIGH),
    ("link", "/tmp/other.h5", Severity.CRITICAL),
])
def test_hdf5_data_or_links_in_another_file_are_findings_critical_when_outside_the_folder(
        gen, tmp_path: Path, how: str, target: str, severity: Severity):
    gen.h5_external(tmp_path / "model.weights.h5", how, target)
    (finding,) = scan_folder_file(tmp_path, "model.weights.h5")
    assert finding.rule == "model-file/hdf5-external"
    assert finding.severity is severity
    assert target in finding.title


def test_an_external_link_is_judged_not_followed(gen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the link's target exists and itself reads /etc/passwd: only the link is reported, the target never opened
    gen.h5_external(tmp_path / "other.h5", "storage", "/etc/passwd")
    gen.h5_external(tmp_path / "model.h5", "link", str(tmp_path / "other.h5"))
    (finding,) = scan_folder_file(tmp_path, "model.h5")
    assert "external link" in finding.title and "/model_weights" in finding.evidence


def test_hdf5_storage_inside_a_keras_archive_is_found_in_its_weights_member(gen, tmp_path: Path):
    (tmp_path / "model.keras").write_bytes(gen.keras_with_weights(gen.h5_external_bytes("storage")))
    (finding,) = scan_folder_file(tmp_path, "model.keras")
    assert finding.severity is Severity.CRITICAL and "model.weights.h5" in finding.evidence


# ---------------------------------------------------------------- Hugging Face remote code


def test_a_config_whose_auto_map_needs_remote_code_is_high_and_names_the_code_to_review(gen, tmp_path: Path):
    gen.hf_remote_code(tmp_path / "config.json", "modeling_custom", "import torch\n\n\nclass CustomModel:\n    pass\n")
    by_file = findings_by_file(scan_tree(tmp_path, {"modelscan": False, "fickling": False}))
    (finding,) = by_file.pop("config.json")
    assert finding.severity is Severity.HIGH and finding.rule == "model-file/hf-remote-code"
    assert "modeling_custom.py" in finding.title and "reviewed" in finding.title
    # the module itself is code the loader runs: a finding of its own file
    (module,) = by_file.pop("modeling_custom.py")
    assert module.severity is Severity.HIGH and module.rule == "model-file/loader-runs-code"
    assert by_file == {}


@pytest.mark.parametrize("source", [
    "import subprocess\n", "from os import system\n", "exec('x = 1')\n", "import urllib.request\n",
    "import socket\n", "def f():\n    return eval('1')\n",
])
def test_remote_code_reaching_the_shell_network_or_eval_makes_it_critical(gen, tmp_path: Path, source: str):
    gen.hf_remote_code(tmp_path / "config.json", "modeling_custom", source + "\n\nclass CustomModel:\n    pass\n")
    by_file = findings_by_file(scan_tree(tmp_path, {"modelscan": False, "fickling": False}))
    (finding,) = by_file["config.json"]
    assert finding.severity is Severity.CRITICAL and "modeling_custom.py" in finding.evidence
    assert [f.severity for f in by_file["modeling_custom.py"]] == [Severity.CRITICAL]


def test_code_from_another_repository_is_critical_and_a_plain_config_is_not_a_model_file(tmp_path: Path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}), encoding="utf-8")
    assert scan_tree(tmp_path, {"modelscan": False, "fickling": False}).scanned == 0
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(
        {"auto_map": {"AutoTokenizer": ["someone/repo--tokenization_x.Tok", None]}}), encoding="utf-8")
    outcome = scan_tree(tmp_path, {"modelscan": False, "fickling": False})
    assert outcome.scanned == 1
    assert outcome.findings[0].severity is Severity.CRITICAL and "another repository" in outcome.findings[0].evidence


# ---------------------------------------------------------------- GGUF headers


def test_a_gguf_header_is_judged_against_the_file_never_allocated_by(gen, tmp_path: Path):
    import struct

    name = b"blk.0.weight"
    tensor = struct.pack("<Q", len(name)) + name + struct.pack("<IQQIQ", 2, 4, 4, 0, 0)
    kv = struct.pack("<Q", 3) + b"key" + struct.pack("<I", 4) + struct.pack("<I", 7)
    (tmp_path / "ok.gguf").write_bytes(gen.gguf_header(1, 1, kv + tensor + b"\x00" * 64))
    assert scan_folder_file(tmp_path, "ok.gguf") == []
    (tmp_path / "dims.gguf").write_bytes(gen.gguf_header(1, 0, struct.pack("<Q", 1) + b"w"
                                                         + struct.pack("<I", 1 << 30) + b"\x00" * 64))
    (finding,) = scan_folder_file(tmp_path, "dims.gguf")
    assert finding.rule == "model-file/gguf-header" and finding.severity is Severity.HIGH


# ---------------------------------------------------------------- compressed pickles


def test_zstd_pickles_are_read_and_a_stream_that_cannot_be_decompressed_is_never_left_out(gen, tmp_path: Path):
    import pandas as pd

    pd.DataFrame({"a": [1, 2]}).to_pickle(tmp_path / "frame.pkl.zst")
    (tmp_path / "payload.pkl.zst").write_bytes(gen.zstd(gen.call("os", "system", "id", 4)))
    (tmp_path / "payload.7z").write_bytes(gen.red_team_files()["payload.7z"])
    outcome = scan_tree(tmp_path, {"modelscan": False, "fickling": False})
    by_file = findings_by_file(outcome)
    assert outcome.scanned == 3 and "frame.pkl.zst" not in by_file
    assert by_file["payload.pkl.zst"][0].severity is Severity.CRITICAL
    (not_scanned,) = by_file["payload.7z"]
    assert not_scanned.severity is Severity.HIGH and not_scanned.rule == "model-file/not-scanned"


# ---------------------------------------------------------------- torch objects pickled with pickle.dumps


def embedded(inner: bytes) -> bytes:
    """What `pickle.dumps(tensor)` writes: torch.storage._load_from_bytes(b"<a torch.save file>")."""
    head = b"\x80\x04\x8c\rtorch.storage\x94\x8c\x10_load_from_bytes\x94\x93\x94"
    return head + b"B" + len(inner).to_bytes(4, "little") + inner + b"\x85R."


def test_a_torch_file_embedded_as_literal_bytes_is_inspected_as_a_torch_file(gen, tmp_path: Path):
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(torch.ones(3), buffer, _use_new_zipfile_serialization=False)
    (tmp_path / "fine.pkl").write_bytes(embedded(buffer.getvalue()))
    (tmp_path / "trojan.pkl").write_bytes(embedded(gen.torch_legacy(gen.call("os", "system", "id", 2))))
    (tmp_path / "zip_trojan.pkl").write_bytes(embedded(gen.torch_zip(gen.call("os", "system", "id", 2))))
    (tmp_path / "not_torch.pkl").write_bytes(embedded(b"not a torch file"))
    by_file = findings_by_file(scan_tree(tmp_path, {"modelscan": False, "fickling": False}))
    assert "fine.pkl" not in by_file
    (finding,) = by_file["trojan.pkl"]
    assert finding.severity is Severity.CRITICAL and "embedded torch file" in finding.evidence
    # a zip inside a pickle is also found by its central directory (zip readers allow bytes before it)
    assert by_file["zip_trojan.pkl"][0].severity is Severity.CRITICAL
    assert by_file["not_torch.pkl"][0].severity is Severity.HIGH


def test_load_from_bytes_on_anything_but_literal_bytes_stays_critical():
    built = b"\x80\x04\x8c\rtorch.storage\x8c\x10_load_from_bytes\x93\x8c\x08builtins\x8c\x05bytes\x93)R\x85R."
    uncalled = b"\x80\x04\x8c\rtorch.storage\x8c\x10_load_from_bytes\x93."
    for data in (built, uncalled):
        walk = walk_pickle(data, embedded=True)
        assert walk.embedded == []
        assert "unsafe-global:torch.storage._load_from_bytes" in [p.key for p in walk.problems]


def test_a_long_protocol_2_embedded_torch_file_is_read_back_as_the_unpickler_encodes_it(gen, tmp_path: Path):
    import io

    import torch

    def protocol_2(inner: bytes) -> bytes:
        text = inner.decode("latin-1").encode("utf-8")  # how protocol 2 writes bytes: text, then _codecs.encode
        return (b"\x80\x02ctorch.storage\n_load_from_bytes\nc_codecs\nencode\nX" + len(text).to_bytes(4, "little")
                + text + b"X\x06\x00\x00\x00latin1\x86R\x85R.")

    (tmp_path / "tensor_p2.pkl").write_bytes(pickle.dumps(torch.zeros(40_000) + 0.5, protocol=2))
    buffer = io.BytesIO()
    torch.save(torch.ones(3), buffer, _use_new_zipfile_serialization=False)
    (tmp_path / "fine.pkl").write_bytes(protocol_2(buffer.getvalue() + b"\x00" * 70_000))
    (tmp_path / "trojan.pkl").write_bytes(protocol_2(gen.torch_legacy(gen.call("os", "system", "id", 2))
                                                     + b"\xff" * 70_000))
    by_file = findings_by_file(scan_tree(tmp_path, {"modelscan": False, "fickling": False}))
    assert list(by_file) == ["trojan.pkl"]
    (finding,) = by_file["trojan.pkl"]
    assert finding.severity is Severity.CRITICAL and "embedded torch file" in finding.evidence
