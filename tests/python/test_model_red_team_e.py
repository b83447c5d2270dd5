"""Red-team set E (issue 12): memory exhaustion through trusted constructors called with huge sizes, scipy
distributions whose state carries code scipy execs, value types the libraries' savers emit (pandas offsets,
dateutil zones, torch dtypes and distributions), big-endian GGUF, and remote code reached by a relative import.

Every payload is built from raw pickle opcodes or bytes and is only walked: nothing is unpickled or run."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import pytest
from mlsecops.engines.models import gguf
from mlsecops.engines.models.formats import inspect_file
from mlsecops.engines.models.pickle_inspect import walk_pickle
from mlsecops.findings import Severity


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _int(value: int) -> bytes:
    if 0 <= value < 1 << 31:
        return b"J" + struct.pack("<i", value)  # BININT
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data  # LONG1


def _text(value: str) -> bytes:
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE


def _call(module: str, name: str, *args: int) -> bytes:
    """PROTO 2, GLOBAL, MARK, the integer arguments, TUPLE, REDUCE, STOP."""
    return b"\x80\x02" + _global(module, name) + b"(" + b"".join(_int(a) for a in args) + b"tR."


def _problems(data: bytes) -> list:
    return walk_pickle(io.BytesIO(data), where="sample.pkl").problems


@pytest.mark.parametrize("call", [
    ("builtins", "bytearray", 12_000_000_000),
    ("torch.nn.modules.linear", "Linear", 60_000, 60_000),
    ("torch.nn.modules.sparse", "Embedding", 400_000_000, 16),
])
def test_trusted_constructors_called_with_huge_sizes_are_an_allocation_finding(call):
    problems = _problems(_call(*call))
    assert [(p.rule, p.severity) for p in problems] == [("model-file/allocation-bomb", Severity.HIGH)]
    assert "GiB" in problems[0].title


@pytest.mark.parametrize("call", [
    ("builtins", "bytearray", 4096),
    ("torch.nn.modules.linear", "Linear", 768, 3072),
    ("torch.nn.modules.sparse", "Embedding", 50_000, 768),
])
def test_ordinary_sizes_are_no_finding(call):
    assert _problems(_call(*call)) == []


def test_numpy_reconstruct_with_a_huge_shape_is_an_allocation_finding():
    data = (b"\x80\x02" + _global("numpy.core.multiarray", "_reconstruct") + b"(" + _global("numpy", "ndarray")
            + b"(" + _int(1 << 20) + _int(1 << 20) + b"tC\x01btR.")
    assert [p.rule for p in _problems(data)] == ["model-file/allocation-bomb"]


def _scipy_distribution(template: str, extra: dict[str, str] | None = None) -> bytes:
    """NEWOBJ uniform_gen() then BUILD with a state dict, as pickle writes a scipy distribution."""
    items = {"_parse_arg_template": template, **(extra or {})}
    state = b"}(" + b"".join(_text(k) + _text(v) for k, v in items.items()) + b"u"
    return b"\x80\x02" + _global("scipy.stats._continuous_distns", "uniform_gen") + b")\x81" + state + b"b."


def test_scipy_distribution_state_with_scipys_own_template_is_clean():
    stats = pytest.importorskip("scipy.stats")
    for distribution in (stats.uniform, stats.gamma, stats.poisson):
        assert _problems(_scipy_distribution(distribution._parse_arg_template, {"__doc__": "docs"})) == []


def test_scipy_distribution_template_with_code_added_is_critical():
    stats = pytest.importorskip("scipy.stats")
    template = stats.uniform._parse_arg_template + "\nimport os\nos.system('echo canary')\n"
    problems = _problems(_scipy_distribution(template))
    assert [(p.rule, p.severity) for p in problems] == [("model-file/unsafe-build", Severity.CRITICAL)]
    assert "execs" in problems[0].title


def test_a_dunder_that_redirects_calls_is_still_critical_where_a_docstring_is_not():
    def build(key: str) -> bytes:
        return (b"\x80\x02" + _global("collections", "OrderedDict") + b")\x81}" + _text(key) + _text("x") + b"sb.")

    assert _problems(build("__doc__")) == []
    assert [p.severity for p in _problems(build("__setstate__"))] == [Severity.CRITICAL]


def test_library_value_types_are_trusted():
    for module, name in (("pandas._libs.tslibs.offsets", "BusinessDay"), ("pandas", "DateOffset"),
                         ("dateutil.relativedelta", "relativedelta"), ("torch", "float8_e4m3fn"),
                         ("torch.distributions.normal", "Normal"), ("torch.utils.data.dataset", "TensorDataset"),
                         ("scipy.special._special_ufuncs", "expit"), ("sklearn.impute._iterative", "IterativeImputer")):
        assert _problems(b"\x80\x02" + _global(module, name) + b".") == [], name


def test_dateutil_tzfile_is_trusted_only_when_it_opens_no_file():
    named = b"\x80\x02" + _global("dateutil.tz.tz", "tzfile") + b"(N" + _text("US/Eastern") + b"tR."
    opening = b"\x80\x02" + _global("dateutil.tz.tz", "tzfile") + b"(" + _text("/etc/passwd") + b"tR."
    assert _problems(named) == []
    assert [p.rule for p in _problems(opening)] == ["model-file/file-effect"]


def _gguf(order: str, template: str) -> bytes:
    def string(value: str) -> bytes:
        data = value.encode()
        return struct.pack(order + "Q", len(data)) + data

    key = "tokenizer.chat_template"
    return (b"GGUF" + struct.pack(order + "I", 3) + struct.pack(order + "Q", 0) + struct.pack(order + "Q", 1)
            + string(key) + struct.pack(order + "I", 8) + string(template))


def test_big_endian_gguf_metadata_is_read_like_little_endian():
    benign = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    for order in "<>":
        assert gguf.metadata(io.BytesIO(_gguf(order, benign))) == {"tokenizer.chat_template": benign}


def test_big_endian_gguf_chat_template_is_judged(tmp_path: Path):
    (tmp_path / "be.gguf").write_bytes(_gguf(">", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"))
    (tmp_path / "ok.gguf").write_bytes(_gguf(">", "{{ messages[0]['content'] }}"))
    assert Severity.CRITICAL in {p.severity for p in inspect_file(tmp_path / "be.gguf").verdict.problems}
    assert inspect_file(tmp_path / "ok.gguf").verdict.problems == []


def test_remote_code_config_follows_relative_imports_to_the_code_that_runs(tmp_path: Path):
    (tmp_path / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "modeling_r.RModel"}}))
    (tmp_path / "modeling_r.py").write_bytes(b"from .r_utils import helper\n\nclass RModel:\n    pass\n")
    (tmp_path / "r_utils.py").write_bytes(b"import subprocess\n\ndef helper():\n    return 1\n")
    config = inspect_file(tmp_path / "config.json").verdict.problems
    assert [p.severity for p in config] == [Severity.CRITICAL]
    assert "r_utils.py" in config[0].detail
    helper = inspect_file(tmp_path / "r_utils.py").verdict.problems
    assert [p.severity for p in helper] == [Severity.CRITICAL]


def test_a_compressed_pickle_padded_with_zeros_is_inflated_off_the_heap_and_walked_to_its_payload(tmp_path: Path):
    import gzip
    import tempfile

    from mlsecops.engines.models.containers import decompress_into

    pad = 96 << 20  # BINBYTES8 of zeros, then POP and the payload: the unpickler reads it all
    payload = _call("os", "system", 0)[2:]
    data = b"\x80\x04\x8e" + struct.pack("<Q", pad) + b"\x00" * pad + b"0" + payload
    compressed = gzip.compress(data, compresslevel=1)
    with tempfile.SpooledTemporaryFile(max_size=1 << 20) as inflated:
        assert decompress_into(io.BytesIO(compressed), "gzip", inflated) == len(data)
        inflated.seek(0)
        assert inflated.read() == data  # the zero runs left as holes read back as zeros
    (tmp_path / "padded.pkl.gz").write_bytes(compressed)
    problems = inspect_file(tmp_path / "padded.pkl.gz").verdict.problems
    assert [(p.key, p.severity) for p in problems] == [("unsafe-global:os.system", Severity.CRITICAL)]
