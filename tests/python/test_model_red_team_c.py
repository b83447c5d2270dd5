"""Red-team set C (issue 12): pickles carried in HDF5 object arrays, loader configs that run repository code
or an arbitrary callable, ONNX data behind a URI, tokenizer regexes that hang the loader, TorchScript code
that reads host files, a Pipeline that caches to a chosen path. Every payload is inert: nothing is
unpickled, imported, instantiated, compiled or fitted."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlsecops.engines.models.loaders import catastrophic, yaml_document
from mlsecops.engines.models.onnx_files import location_problems
from mlsecops.engines.models.torch_files import torchscript_code_problems
from mlsecops.findings import Severity
from model_support import (
    GATE_FAILING,
    OURS_ONLY,
    corpus_generator,
    failing_under,
    scan_tree,
    write_sample,
)


@pytest.fixture(scope="module")
def gen():
    return corpus_generator()


@pytest.mark.parametrize("name", sorted(corpus_generator().red_team_c_files()))
def test_each_set_c_class_fails_the_gate_on_our_own_checks_alone(gen, tmp_path: Path, name: str):
    write_sample(tmp_path, name, gen.red_team_c_files()[name])
    outcome = scan_tree(tmp_path, OURS_ONLY)
    assert failing_under(outcome, name), [(f.location.path, f.severity, f.title) for f in outcome.findings]


@pytest.fixture(scope="module")
def benign_c(gen, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("benign-c")
    for name, content in gen.benign_c_files().items():
        write_sample(root, name, content)
    return scan_tree(root)


@pytest.mark.parametrize("name", sorted(corpus_generator().benign_c_files()))
def test_set_c_benign_twins_pass_the_gate_with_every_scanner(benign_c, name: str):
    assert benign_c.status == "ran"
    assert failing_under(benign_c, name) == []


# ---------------------------------------------------------------- what each finding says


def test_pickled_rows_of_a_pytables_object_array_are_walked_through_the_hdf5_filters(gen, tmp_path: Path):
    for name in ("pytables_object.h5", "pytables_object_gzip.hdf5", "store_lzf.h5"):
        write_sample(tmp_path, name, gen.red_team_c_files()[name])
    outcome = scan_tree(tmp_path, OURS_ONLY)
    for name in ("pytables_object.h5", "pytables_object_gzip.hdf5", "store_lzf.h5"):
        rules = {(f.rule, f.severity) for f in failing_under(outcome, name)}
        assert ("model-file/unsafe-global", Severity.CRITICAL) in rules, (name, rules)


def test_loader_configs_name_what_they_would_import_or_call(gen, tmp_path: Path):
    for name in ("diffusers_custom_component", "st_custom_module", "hydra_config_model", "mlflow_loader_module",
                 "custom_generate_model", "nemo_target.nemo"):
        write_sample(tmp_path, name, gen.red_team_c_files()[name])
    outcome = scan_tree(tmp_path, OURS_ONLY)
    titles = " | ".join(f.title for f in outcome.findings)
    for expected in ("'my_unet'", "'custom_st.Pooler'", "_target_: subprocess.getoutput", "'c_loader'",
                     "custom_generate", "_target_: builtins.exec"):
        assert expected in titles, titles


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w+\s?)*$", "(a|a)*", "(.*)*", "(a|aa)+", r"(?:\p{L}+)*x"])
def test_nested_or_ambiguous_unbounded_quantifiers_are_catastrophic(pattern: str):
    assert catastrophic(pattern)


@pytest.mark.parametrize("pattern", [
    corpus_generator().LLAMA3_SPLIT, corpus_generator().GPT2_SPLIT, r"\p{N}{1,3}", r" {2,}", r"\s+(?!\S)",
    r"(ab|ac)*", r"(?:[a-z]|[0-9])*", r"\d{1,3}(?=(\d{3})+(?!\d))", r"[\p{P}\p{S}]",
])
def test_the_regexes_real_tokenizers_ship_are_not_flagged(pattern: str):
    assert catastrophic(pattern) is None


@pytest.mark.parametrize("location", ["file:///etc/passwd", "https://example.invalid/w.bin", "/etc/passwd",
                                      "../w.bin", "..\\w.bin", "C:\\w.bin", "~/w.bin"])
def test_onnx_external_data_outside_the_folder_or_behind_a_uri_is_high(location: str):
    assert [p.severity for p in location_problems([location], "m.onnx")] == [Severity.HIGH]


def test_onnx_external_data_beside_the_model_is_fine():
    assert location_problems(["weights.bin", "data/w.bin"], "m.onnx") == []


@pytest.mark.parametrize("call", ["torch.from_file('/etc/hostname', False, 4)", "torch.load('/tmp/x')",
                                  "torch.jit.load('/tmp/x')", "torch.save(x, '/tmp/x')",
                                  "torch.ops.load_library('/tmp/x.so')"])
def test_torchscript_code_that_reaches_host_files_is_high(call: str):
    source = f"def forward(self, x: Tensor) -> Tensor:\n    _0 = {call}\n    return x\n".encode()
    assert any(p.severity in GATE_FAILING for p in torchscript_code_problems(source, "code/m.py"))


def test_yaml_aliases_are_shared_not_expanded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    with pytest.raises(ValueError):
        yaml_document(bomb)  # the expanded tree would have ~600k nodes: refused within the review budget
    assert yaml_document("m: &m {_target_: x}\nn: *m\n") == {"m": {"_target_": "x"}, "n": {"_target_": "x"}}
