"""Red-team set D (issue 12): YAML python tags, torch.hub's hubconf.py, unzipped `.keras` folders, pickles in
PyTables attributes, pickle-backed SQLite stores and dbm.dumb shelves, Arrow's pickled extension type, a
TorchScript shared file mapping. Every payload is inert: nothing is unpickled, imported, constructed or run."""

from __future__ import annotations

import pytest
from mlsecops.engines.models.loaders import python_tag_problems
from mlsecops.engines.models.torch_files import torchscript_code_problems
from mlsecops.findings import Severity
from model_support import (
    OURS_ONLY,
    corpus_generator,
    failing_under,
    scan_tree,
    write_sample,
)


@pytest.fixture(scope="module")
def gen():
    return corpus_generator()


@pytest.fixture(scope="module")
def malicious_d(gen, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("malicious-d")
    for name, content in gen.red_team_d_files().items():
        write_sample(root, name, content)
    return scan_tree(root, OURS_ONLY)


@pytest.mark.parametrize("name", sorted(corpus_generator().red_team_d_files()))
def test_each_set_d_class_fails_the_gate_on_our_own_checks_alone(malicious_d, name: str):
    assert failing_under(malicious_d, name), [(f.location.path, f.severity, f.title) for f in malicious_d.findings]


@pytest.fixture(scope="module")
def benign_d(gen, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("benign-d")
    for name, content in gen.benign_d_files().items():
        write_sample(root, name, content)
    return scan_tree(root)


@pytest.mark.parametrize("name", sorted(corpus_generator().benign_d_files()))
def test_set_d_benign_twins_pass_the_gate_with_every_scanner(benign_d, name: str):
    assert benign_d.status == "ran"
    assert failing_under(benign_d, name) == []


# ---------------------------------------------------------------- what each finding says


def _titles(outcome, name: str) -> str:
    return " | ".join(f.title for f in failing_under(outcome, name))


def test_yaml_tags_that_call_or_build_objects_are_critical_and_resolved_through_tag_directives():
    text = "%TAG !p! tag:yaml.org,2002:python/\n---\na: !p!object/apply:os.system [id]\nb: !!python/name:os.system\n"
    problems = python_tag_problems(text, "hp.yaml")
    assert {p.severity for p in problems} == {Severity.CRITICAL}
    assert any("object/apply:os.system" in p.title for p in problems)
    assert any("name:os.system" in p.title for p in problems)


def test_yaml_standard_tags_are_no_finding():
    assert python_tag_problems("a: !!int 3\nb: !!str x\nc: !!binary aGk=\n", "hp.yaml") == []


def test_hubconf_reaching_a_process_is_critical_and_a_plain_one_is_still_high(malicious_d):
    reaching = failing_under(malicious_d, "hub_import")
    plain = failing_under(malicious_d, "hub_plain")
    assert [f.severity for f in reaching] == [Severity.CRITICAL]
    assert "__import__" in reaching[0].title
    assert [f.severity for f in plain] == [Severity.HIGH]
    assert "torch.hub.load" in plain[0].title


def test_keras_folder_gets_the_archive_config_checks(malicious_d):
    assert "Lambda" in _titles(malicious_d, "keras_dir_lambda") or "lambda" in _titles(malicious_d, "keras_dir_lambda")
    assert any(f.severity == Severity.CRITICAL for f in failing_under(malicious_d, "keras_dir_loss"))


@pytest.mark.parametrize("name", ["root_attr.h5", "group_attr.hdf5", "proto0_attr.h5"])
def test_pickled_pytables_attributes_are_walked_and_their_globals_judged(malicious_d, name: str):
    findings = failing_under(malicious_d, name)
    assert any(f.severity == Severity.CRITICAL for f in findings), _titles(malicious_d, name)


@pytest.mark.parametrize("name", ["features.sqlite", "embeddings.db", "shelf_indexed", "shelf_no_index"])
def test_pickle_backed_stores_have_every_value_walked(malicious_d, name: str):
    assert any(f.severity == Severity.CRITICAL for f in failing_under(malicious_d, name)), _titles(malicious_d, name)


@pytest.mark.parametrize("name", ["features.parquet", "features.feather", "vectors.arrows"])
def test_arrow_py_extension_type_is_high_and_its_pickle_walked(malicious_d, name: str):
    findings = failing_under(malicious_d, name)
    assert any("CVE-2023-47248" in f.title and f.severity == Severity.HIGH for f in findings)
    assert any(f.severity == Severity.CRITICAL for f in findings)


def test_torchscript_shared_mapping_of_a_file_is_critical_and_a_read_only_one_high():
    shared = torchscript_code_problems(b'_0 = torch.from_file("/tmp/f", True, 4)\n', "code/m.py")
    keyword = torchscript_code_problems(b'_0 = torch.from_file("/tmp/f", shared=True, size=4)\n', "code/m.py")
    read_only = torchscript_code_problems(b'_0 = torch.from_file("/tmp/f", False, 4)\n', "code/m.py")
    assert Severity.CRITICAL in {p.severity for p in shared}
    assert Severity.CRITICAL in {p.severity for p in keyword}
    assert {p.severity for p in read_only} == {Severity.HIGH}
