"""Issue 12, red-team set A leftovers: Python source a model loader imports is judged file by file, on disk and
as archive members alike, and a pickle named like a JSON config is judged as the pickle it is.

Every payload is inert text or raw pickle opcodes: nothing is unpickled, imported or run."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from mlsecops.engines.models.formats import inspect_file, looks_like_model
from mlsecops.engines.models.loader_code import archive_loader_code
from mlsecops.engines.models.python_imports import relative_imports
from mlsecops.findings import Severity
from model_support import GATE_FAILING, OURS_ONLY, findings_by_file, scan_tree

# GLOBAL os.system, MARK, SHORT_BINUNICODE "echo canary", TUPLE, REDUCE, STOP: built from opcodes, never loaded
OS_SYSTEM_PICKLE = b"\x80\x02cos\nsystem\n(\x8c\x0becho canarytR."
AUTO_MAP = {"architectures": ["X"], "auto_map": {"AutoConfig": "configuration_x.XConfig",
                                                  "AutoModel": "modeling_x.XModel"}}
SHELL_AT_IMPORT = b"import os\n\n__import__('os').system('echo canary')\n\n\nclass XModel:\n    pass\n"
SUBPROCESS_AT_IMPORT = b"import subprocess\n\nsubprocess.run(['echo', 'canary'])\n\n\nclass XConfig:\n    pass\n"
PLAIN_MODULE = b"class XModel:\n    def forward(self, x):\n        return x\n"


def _gate_failing(outcome, path: str) -> list:
    return [f for f in findings_by_file(outcome).get(path, []) if f.severity in GATE_FAILING]


def _hf_folder(root: Path, modeling: bytes = SHELL_AT_IMPORT) -> Path:
    folder = root / "hf_remote"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(AUTO_MAP))
    (folder / "modeling_x.py").write_bytes(b"from .helpers import scale\n" + modeling)
    (folder / "configuration_x.py").write_bytes(SUBPROCESS_AT_IMPORT)
    (folder / "helpers.py").write_bytes(b"import ctypes\n\ndef scale(x):\n    return x\n")
    (folder / "unrelated_script.py").write_bytes(b"import subprocess\n")  # no loader imports it
    return folder


def test_a_pickle_named_config_json_is_collected_and_judged_as_a_pickle(tmp_path: Path):
    (tmp_path / "config.json").write_bytes(OS_SYSTEM_PICKLE)
    assert looks_like_model(tmp_path / "config.json")
    outcome = scan_tree(tmp_path, OURS_ONLY)
    failing = _gate_failing(outcome, "config.json")
    assert [f.severity for f in failing] == [Severity.CRITICAL]
    assert "os.system" in failing[0].title


def test_remote_code_modules_an_auto_map_names_fail_the_gate_on_their_own_file(tmp_path: Path):
    _hf_folder(tmp_path)
    outcome = scan_tree(tmp_path, OURS_ONLY)
    for name, reason in (("modeling_x.py", "__import__"), ("configuration_x.py", "subprocess"),
                         ("helpers.py", "ctypes")):
        failing = _gate_failing(outcome, f"hf_remote/{name}")
        assert [f.severity for f in failing] == [Severity.CRITICAL], name
        assert reason in failing[0].title
    # the relative import is why helpers.py is loader code
    assert "imported by modeling_x.py" in _gate_failing(outcome, "hf_remote/helpers.py")[0].title
    assert _gate_failing(outcome, "hf_remote/config.json")
    assert "hf_remote/unrelated_script.py" not in findings_by_file(outcome)


def test_a_plain_remote_code_module_is_still_high_because_the_loader_runs_it(tmp_path: Path):
    folder = _hf_folder(tmp_path, modeling=PLAIN_MODULE)
    inspection = inspect_file(folder / "modeling_x.py")
    assert [(p.severity, p.rule) for p in inspection.verdict.problems] == [
        (Severity.HIGH, "model-file/loader-runs-code")]
    assert "auto_map" in inspection.verdict.problems[0].title


def test_without_a_config_naming_it_a_python_file_is_no_model_file(tmp_path: Path):
    (tmp_path / "modeling_x.py").write_bytes(SHELL_AT_IMPORT)
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["X"], "hidden_size": 4}))
    assert not looks_like_model(tmp_path / "modeling_x.py")


def test_sentence_transformers_and_diffusers_custom_modules_are_loader_code(tmp_path: Path):
    (tmp_path / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "",
                                                        "type": "custom_st.Pooling"}]))
    (tmp_path / "custom_st.py").write_bytes(SHELL_AT_IMPORT)
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline",
                                                           "unet": ["my_unet", "MyUNet"]}))
    (tmp_path / "unet").mkdir()
    (tmp_path / "unet" / "my_unet.py").write_bytes(PLAIN_MODULE)
    outcome = scan_tree(tmp_path, OURS_ONLY)
    assert [f.severity for f in _gate_failing(outcome, "custom_st.py")] == [Severity.CRITICAL]
    assert [f.severity for f in _gate_failing(outcome, "unet/my_unet.py")] == [Severity.HIGH]


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _tar_gz(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


ARCHIVED = {
    "repo-main/hubconf.py": b"import subprocess\n\ndef model():\n    return None\n",
    "model/custom_generate/generate.py": b"def generate(model, *args):\n    exec('1')\n",
    "model/config.json": json.dumps(AUTO_MAP).encode(),
    "model/modeling_x.py": b"from .util import y\n" + PLAIN_MODULE,
    "model/util.py": b"y = __import__('os').system('echo canary')\n",
    "model/configuration_x.py": b"class XConfig:\n    pass\n",
    "model/notes.py": b"import subprocess\n",  # imported by nothing
}


@pytest.mark.parametrize("write,name", [(_zip, "repo.zip"), (_tar_gz, "repo.tar.gz")])
def test_archive_members_get_the_loader_code_checks_of_files_on_disk(tmp_path: Path, write, name: str):
    write(tmp_path / name, ARCHIVED)
    problems = inspect_file(tmp_path / name).verdict.problems
    by_member = {p.detail.rsplit(":", 1)[-1]: p for p in problems if p.rule == "model-file/loader-runs-code"}
    assert by_member["repo-main/hubconf.py"].severity == Severity.CRITICAL
    assert "torch.hub.load" in by_member["repo-main/hubconf.py"].title
    assert by_member["model/custom_generate/generate.py"].severity == Severity.CRITICAL
    assert by_member["model/modeling_x.py"].severity == Severity.HIGH
    assert by_member["model/configuration_x.py"].severity == Severity.HIGH
    assert by_member["model/util.py"].severity == Severity.CRITICAL
    assert "model/notes.py" not in by_member
    outcome = scan_tree(tmp_path, OURS_ONLY)
    assert any(f.severity == Severity.CRITICAL for f in _gate_failing(outcome, name))


def test_every_copy_of_a_duplicated_loader_member_is_judged(tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "dup.zip", "w") as archive:
        archive.writestr("hubconf.py", b"import os\nos.system('echo canary')\n")
        with pytest.warns(UserWarning):
            archive.writestr("hubconf.py", b"def model():\n    return None\n")
    severities = [p.severity for p in inspect_file(tmp_path / "dup.zip").verdict.problems
                  if p.key == "torch-hub-hubconf"]
    assert Severity.CRITICAL in severities


def test_relative_imports_follow_python_package_rules():
    source = b"from .a import x\nfrom ..b.c import y\nfrom . import d, e\nimport os\nfrom f import g\n"
    assert relative_imports("pkg/sub/m.py", source) == [
        "pkg/sub/a.py", "pkg/sub/a/__init__.py", "pkg/b/c.py", "pkg/b/c/__init__.py", "pkg/sub/d.py", "pkg/sub/e.py"]


def test_archive_configs_only_name_modules_inside_their_own_folder():
    members = {"a/config.json": json.dumps(AUTO_MAP).encode(), "a/modeling_x.py": PLAIN_MODULE,
               "modeling_x.py": PLAIN_MODULE, "configuration_x.py": PLAIN_MODULE}
    found = archive_loader_code(members, members.get)
    assert sorted(found) == ["a/modeling_x.py"]
    assert found["a/modeling_x.py"].key == "loader-module:a/modeling_x.py"
