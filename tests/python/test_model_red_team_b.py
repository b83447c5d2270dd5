"""Red-team set B (issue 12): archive members that leave the folder, chat templates that reach Python,
pipelines as remote code; and benign files of transformers, torch and numpy that must pass the gate.
Every payload is inert: nothing is extracted, rendered, imported or unpickled."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pytest
from mlsecops.engines.models import templates as template_module
from mlsecops.engines.models.pickle_inspect import classify_global
from mlsecops.engines.models.problems import CLEAN, UNSAFE, FileVerdict, Problem
from mlsecops.engines.models.templates import _environment, template_problems
from mlsecops.findings import Severity
from mlsecops.scanners.model_files import FileReport, consensus_findings
from model_support import (
    GATE_FAILING,
    OURS_ONLY,
    corpus_generator,
    findings_by_file,
    generated_files,
    scan_files,
    scan_tree,
)


@pytest.fixture(scope="module")
def gen():
    return corpus_generator()


def _write(root: Path, files: dict) -> list[Path]:
    paths = []
    for name, content in files.items():
        path = root / name
        content(path) if callable(content) else path.write_bytes(content)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def benign_b(gen, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config):
    root = tmp_path_factory.mktemp("benign-b")
    cache = getattr(pytestconfig, "cache", None)  # None with -p no:cacheprovider: then always written
    names = generated_files(root, cache.mkdir("model-benign-b") if cache else None, "benign_b_files",
                            lambda: [path.name for path in _write(root, gen.benign_b_files())])
    paths = [root / name for name in names]
    return paths, scan_files(paths, {}, root=root)


@pytest.mark.parametrize("name", sorted(corpus_generator().red_team_b_files()))
def test_each_set_b_class_fails_the_gate_on_our_own_checks_alone(gen, tmp_path: Path, name: str):
    paths = _write(tmp_path, {name: gen.red_team_b_files()[name]})
    by_file = findings_by_file(scan_files(paths, OURS_ONLY, root=tmp_path))
    assert any(f.severity in GATE_FAILING for f in by_file.get(name, [])), by_file.get(name)


@pytest.mark.parametrize("name", sorted(corpus_generator().benign_b_files()))
def test_set_b_benign_files_from_the_libraries_savers_pass_the_gate_with_every_scanner(benign_b, name: str):
    _, outcome = benign_b
    assert outcome.status == "ran"
    failing = [f for f in findings_by_file(outcome).get(name, []) if f.severity in GATE_FAILING]
    assert failing == []


# ---------------------------------------------------------------- archive members, judged without extracting


def test_a_member_that_climbs_out_is_high_and_a_link_to_a_system_file_is_critical(gen, tmp_path: Path):
    files = {k: v for k, v in gen.red_team_b_files().items() if k.endswith((".tar", ".tar.gz", ".zip"))}
    by_file = findings_by_file(scan_files(_write(tmp_path, files), OURS_ONLY, root=tmp_path))
    (passwd,) = by_file["symlink_to_passwd.tar.gz"]
    assert passwd.severity is Severity.CRITICAL and passwd.rule == "model-file/archive-member"
    assert "/etc/passwd" in passwd.evidence
    assert "'..'" in by_file["traversal_member.zip"][0].evidence
    assert {f.severity for f in by_file["symlink_chain.tar"]} == {Severity.HIGH}
    assert "another link" in " ".join(f.evidence for f in by_file["symlink_chain.tar"])
    assert not (tmp_path / "canary.py").exists() and not (tmp_path.parent / "canary.py").exists()


def test_a_link_that_stays_inside_the_archive_is_not_a_finding(gen, tmp_path: Path):
    archive = gen.tar_with_links({"w/current.bin": "v1.bin", "w/up.bin": "../w/v1.bin"}, {"w/v1.bin": b"\0" * 8})
    (tmp_path / "weights.tar").write_bytes(archive)
    assert scan_tree(tmp_path, OURS_ONLY).findings == []


# ---------------------------------------------------------------- chat templates, judged by structure


@pytest.mark.parametrize("template", [
    "SSTI_GLOBALS_WALK", "SSTI_ATTR_CONCAT", "SSTI_HEX_ESCAPES", "SSTI_FORMAT_BUILT",
    "{{ self._TemplateReference__context.cycler }}",
    "{{ ('__ssalc__')[::-1] }}",
    "{{ [] | map('attr', '__class__') | list }}",
    "{{ request|attr(['_', '_class_', '_']|join) }}",
    "{{ lipsum['__glo' + 'bals__']['os'].popen('id') }}",
    "{{ x[('_' * 2) ~ 'class' ~ ('_' * 2)] }}",
])
def test_a_template_reaching_python_internals_is_critical_however_the_name_is_spelled(gen, template: str):
    text = getattr(gen, template) if template.isupper() else template
    (problem,) = template_problems(text, "tokenizer_config.json", "chat_template")
    assert problem.severity is Severity.CRITICAL and problem.rule == "model-file/template-injection"


def test_an_attribute_name_built_from_data_at_render_time_is_high():
    (problem,) = template_problems("{{ messages[0]|attr(messages[1]['content']) }}", "t.jinja", "t")
    assert problem.severity is Severity.HIGH


@pytest.mark.parametrize("template", [
    "BENIGN_CHAT_TEMPLATE",
    ("{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}{% endif %}"
     "{% endfor %}{{ raise_exception('Only user and assistant roles are supported!') if false }}"),
    "{{ bos_token }}{% for m in messages %}{{ m.role | upper }}: {{ m.content | replace('\\n', ' ') }}{% endfor %}",
    "{{ '____' }}{% for m in messages %}{{ m['content'] | replace('__', '') }}{% endfor %}",
])
def test_ordinary_chat_templates_are_not_findings(gen, template: str):
    text = getattr(gen, template) if template.isupper() else template
    assert template_problems(text, "tokenizer_config.json", "chat_template") == []


def test_without_jinja2_the_tokenizer_still_judges_templates(gen, monkeypatch: pytest.MonkeyPatch):
    real_import = builtins.__import__

    def no_jinja(name, *args, **kwargs):
        if name.startswith("jinja2"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jinja)
    _environment.cache_clear()
    monkeypatch.setattr(template_module, "_environment", _environment.__wrapped__)
    for evil in (gen.SSTI_GLOBALS_WALK, gen.SSTI_ATTR_CONCAT, gen.SSTI_HEX_ESCAPES):
        assert template_problems(evil, "t", "t")[0].severity is Severity.CRITICAL
    assert template_problems(gen.BENIGN_CHAT_TEMPLATE, "t", "t") == []


def test_templates_are_found_in_tokenizer_configs_template_lists_and_jinja_files(gen, tmp_path: Path):
    names = ("ssti_list_tokenizer_config.json", "chat_template.jinja", "chat_template.json")
    _write(tmp_path, {name: gen.red_team_b_files()[name] for name in names})
    gen.hf_file({"tokenizer_class": "BertTokenizer", "chat_template": gen.BENIGN_CHAT_TEMPLATE})(
        tmp_path / "tokenizer_config.json")
    outcome = scan_tree(tmp_path, OURS_ONLY)
    by_file = findings_by_file(outcome)
    assert sorted(by_file) == sorted(names) and outcome.scanned == 4
    assert "tool_use" in by_file["ssti_list_tokenizer_config.json"][0].evidence


def test_a_gguf_chat_template_is_judged_by_the_same_structure(gen, tmp_path: Path):
    (tmp_path / "evil.gguf").write_bytes(gen.gguf_bytes({"tokenizer.chat_template": gen.SSTI_ATTR_CONCAT}))
    (tmp_path / "good.gguf").write_bytes(gen.gguf_bytes({"tokenizer.chat_template": gen.BENIGN_CHAT_TEMPLATE}))
    by_file = findings_by_file(scan_tree(tmp_path, OURS_ONLY))
    assert list(by_file) == ["evil.gguf"] and by_file["evil.gguf"][0].severity is Severity.CRITICAL


# ---------------------------------------------------------------- custom pipelines are remote code


def test_custom_pipelines_make_trust_remote_code_import_the_named_module(gen, tmp_path: Path):
    gen.hf_file({"custom_pipelines": {"t": {"impl": "my_pipe.Pipe", "pt": ["AutoModel"]}}},
                {"my_pipe.py": "class Pipe:\n    pass\n"})(tmp_path / "config.json")
    by_file = findings_by_file(scan_tree(tmp_path, OURS_ONLY))
    (finding,) = by_file["config.json"]
    assert finding.severity is Severity.HIGH and "custom_pipelines names my_pipe.py" in finding.evidence
    assert [f.severity for f in by_file["my_pipe.py"]] == [Severity.HIGH]  # the module is loader code itself
    (tmp_path / "my_pipe.py").write_text("import subprocess\n", encoding="utf-8")
    by_file = findings_by_file(scan_tree(tmp_path, OURS_ONLY))
    assert by_file["config.json"][0].severity is Severity.CRITICAL
    assert [f.severity for f in by_file["my_pipe.py"]] == [Severity.CRITICAL]


# ---------------------------------------------------------------- trust by full name, consensus


@pytest.mark.parametrize("ref", [
    "transformers.training_args.TrainingArguments", "transformers.trainer_utils.SchedulerType",
    "accelerate.state.PartialState", "torch.nn.functional.relu", "torch._C._nn.gelu",
])
def test_what_transformers_and_torch_savers_emit_is_trusted_by_full_name(ref: str):
    module, _, name = ref.rpartition(".")
    assert classify_global(module, name) is None


@pytest.mark.parametrize("ref", [
    "transformers.training_args.os", "transformers.trainer_utils.Trainer", "torch.nn.functional.fractional_max_pool2d",
    "accelerate.state.GzipFile", "torch._C._nn.Module",
])
def test_other_names_in_those_modules_are_not(ref: str):
    module, _, name = ref.rpartition(".")
    problem = classify_global(module, name)
    assert problem is not None and problem.severity in GATE_FAILING


def _fickling_alone(ours: FileVerdict) -> FileReport:
    fickling = FileVerdict("fickling", UNSAFE, [Problem("fickling-malicious", "model-file/unsafe-pickle",
                                                        Severity.HIGH, "fickling judges this pickle overtly malicious")],
                           note="LIKELY_OVERTLY_MALICIOUS")
    return FileReport(path=Path("gp.pkl"), display="gp.pkl", format="pickle", verdicts=[ours, fickling])


def test_an_overtly_malicious_verdict_alone_on_a_walk_that_explains_every_global_does_not_fail_the_gate():
    ours = FileVerdict("mlsecops", CLEAN, explained={"numpy.random._pickle.__randomstate_ctor"})
    (finding,) = consensus_findings(_fickling_alone(ours))
    assert finding.severity is Severity.INFO and finding.properties["explained_by"] == "mlsecops"
    assert finding.properties["verdicts"]["fickling"] == "unsafe (LIKELY_OVERTLY_MALICIOUS)"


@pytest.mark.parametrize("ours", [
    FileVerdict("mlsecops", CLEAN),  # our walk explained no global: nothing to weigh against fickling
    FileVerdict("mlsecops", UNSAFE, [Problem("build-dunder", "model-file/build-dunder", Severity.MEDIUM, "x")],
                explained={"numpy.dtype"}),
])
def test_an_overtly_malicious_verdict_still_fails_the_gate_when_our_walk_does_not_explain_the_file(ours):
    findings = consensus_findings(_fickling_alone(ours))
    assert any(f.rule == "model-file/unsafe-pickle" and f.severity is Severity.HIGH for f in findings)


def test_a_zip_that_starts_like_a_persistent_id_is_read_as_the_zip_it_is(gen, tmp_path: Path):
    (tmp_path / "rng_state.pth").write_bytes(gen.persid_first_zip())
    assert scan_tree(tmp_path, OURS_ONLY).findings == []
    (tmp_path / "rng_state.pth").unlink()
    (tmp_path / "persid.pkl").write_bytes(b"P1\n" + json.dumps("x").encode())  # a pickle file: still judged
    assert scan_tree(tmp_path, OURS_ONLY).findings


def test_training_args_written_as_transformers_writes_them_are_clean_even_without_transformers(gen, tmp_path: Path):
    # the opcode twin of `training_args.bin` (used where transformers is not installed): same globals, same layout
    (tmp_path / "training_args.bin").write_bytes(gen.torch_zip(gen._training_args_opcodes(), "training_args"))
    outcome = scan_tree(tmp_path, OURS_ONLY)
    assert outcome.scanned == 1 and outcome.findings == []
