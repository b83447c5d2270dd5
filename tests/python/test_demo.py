"""The embedded demo project: complete, deterministic, cheap to re-materialize, and planted on purpose."""

from __future__ import annotations

import csv
import io
import json
import pickletools
import re
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest
from mlsecops import demo
from mlsecops.config import load_config
from mlsecops.errors import UsageError
from mlsecops.hashing import file_sha256
from mlsecops.lockfile import read_lock

PACKAGE_SOURCE = Path(demo.__file__).resolve().parents[1]


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def dataset_rows(project: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((project / "data/tickets.csv").read_text(encoding="utf-8"))))


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


@pytest.fixture(scope="module")
def default_project(tmp_path_factory) -> Path:
    return demo.materialize("default", tmp_path_factory.mktemp("demo") / "default").parent


@pytest.fixture(scope="module")
def insecure_project(tmp_path_factory) -> Path:
    return demo.materialize("insecure", tmp_path_factory.mktemp("demo") / "insecure").parent


def test_materialize_writes_a_complete_project_whose_config_validates(default_project: Path):
    for name in ("mlsecops.yaml", "mlsecops.lock", "data/tickets.csv", "app/responses.json", "app/bot.py",
                 "requirements.txt", "notebooks/explore.ipynb", "README.md", ".gitignore"):
        assert (default_project / name).is_file(), name
    config = load_config(default_project / "mlsecops.yaml")
    sources = {source.name: source for source in config.load.sources}
    assert sources[config.train.dataset].url == "file://data/tickets.csv"
    assert sources[config.train.dataset].kind == "dataset"
    assert {source.kind for source in config.load.sources} == {"dataset", "requirements", "notebook"}
    assert config.load.allowlist == ["file://data/", "file://notebooks/", "file://requirements.txt", "file://pretrained/"]
    assert config.resolve_path("data/tickets.csv").is_file(), "paths are relative to the config's folder"


def test_the_lock_pins_every_load_source_to_its_file(default_project: Path, insecure_project: Path):
    for project in (default_project, insecure_project):
        config = load_config(project / "mlsecops.yaml")
        lock = read_lock(project / config.load.lock_file)
        assert set(lock) == {source.name for source in config.load.sources}
        for source in config.load.sources:
            assert lock[source.name]["url"] == source.url
            assert lock[source.name]["sha256"] == file_sha256(project / source.url.removeprefix("file://"))


def test_the_same_variant_is_written_byte_for_byte_the_same(tmp_path: Path, insecure_project: Path):
    again = demo.materialize("insecure", tmp_path / "again").parent
    assert files_of(again) == files_of(insecure_project)


def test_materializing_again_into_the_same_folder_rewrites_nothing(tmp_path: Path):
    project = demo.materialize("default", tmp_path / "p").parent
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    (project / "data/tickets.csv").write_text("text,label\nedited by the team,billing\n", encoding="utf-8")
    edited = file_sha256(project / "data/tickets.csv")
    assert demo.materialize("default", tmp_path / "p") == project / "mlsecops.yaml"
    assert file_sha256(project / "data/tickets.csv") == edited, "a folder holding this variant is left as it is"
    after = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if p.name != "tickets.csv"} == {
        p: t for p, t in before.items() if p.name != "tickets.csv"
    }


def test_a_folder_written_by_another_generator_version_is_rewritten(tmp_path: Path):
    project = demo.materialize("default", tmp_path / "p").parent
    fresh = files_of(project)
    (project / "data/tickets.csv").write_text("text,label\nold generator,billing\n", encoding="utf-8")
    stamp = json.loads((project / demo.STAMP_FILE).read_text())
    (project / demo.STAMP_FILE).write_text(json.dumps({**stamp, "generator": "an-older-one"}))
    demo.materialize("default", tmp_path / "p")
    assert files_of(project) == fresh


def test_switching_variant_removes_what_the_other_variant_planted(tmp_path: Path):
    project = demo.materialize("insecure", tmp_path / "p").parent
    assert (project / "app/settings.py").is_file()
    demo.materialize("default", tmp_path / "p")
    assert not (project / "app/settings.py").exists()
    assert not (project / "pretrained").exists()
    assert files_of(project) == files_of(demo.materialize("default", tmp_path / "fresh").parent)


def test_an_unknown_demo_is_a_usage_error_listing_the_known_ones(tmp_path: Path):
    known = demo.known_variants()
    assert {"default", "insecure"} <= set(known)
    with pytest.raises(UsageError, match=re.escape(f"unknown demo 'nope' (known: {', '.join(known)})")):
        demo.materialize("nope", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_dataset_is_a_few_thousand_balanced_ticket_intents_not_a_lookup_table(default_project: Path):
    rows = dataset_rows(default_project)
    assert list(rows[0]) == ["text", "label"]
    assert 2000 <= len(rows) <= 6000
    counts = Counter(row["label"] for row in rows)
    assert 6 <= len(counts) <= 8
    assert max(counts.values()) < 1.3 * min(counts.values())
    texts = [row["text"] for row in rows]
    assert len(set(texts)) > 0.9 * len(texts), "templates are filled and dressed, not repeated"
    labels_of_text = Counter(text.lower() for text in texts)
    words_by_label: dict[str, set[str]] = {}
    for row in rows:
        words_by_label.setdefault(row["label"], set()).update(re.findall(r"\w+", row["text"].lower()))
    shared = set.intersection(*words_by_label.values())
    assert {"my", "the"} <= shared and len(shared) > 20, "intents share vocabulary"
    assert labels_of_text.most_common(1)[0][1] < 10


def test_every_intent_has_a_response_template_the_bot_answers_with(default_project: Path):
    labels = {row["label"] for row in dataset_rows(default_project)}
    written = json.loads((default_project / "app/responses.json").read_text(encoding="utf-8"))
    assert set(written) == labels | {"fallback"}
    assert demo.responses() == written
    config = load_config(default_project / "mlsecops.yaml")
    assert demo.responses(config) == written


def test_responses_reads_the_projects_own_templates(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/responses.json").write_text('{"billing": "see your invoice", "fallback": "hi"}')
    assert demo.responses(tmp_path) == {"billing": "see your invoice", "fallback": "hi"}
    (tmp_path / "app/responses.json").write_text("[1, 2]")
    with pytest.raises(UsageError, match="intent -> response template"):
        demo.responses(tmp_path)


@pytest.mark.xdist_group("jsonschema")
def test_the_clean_parts_are_clean(default_project: Path):
    import nbformat  # seconds of jsonschema imports: only here

    nbformat.validate(nbformat.reads((default_project / "notebooks/explore.ipynb").read_text(), as_version=4))
    requirements = [line for line in (default_project / "requirements.txt").read_text().splitlines()
                    if line and not line.startswith("#")]
    assert requirements and all(re.fullmatch(r"[a-z0-9-]+==[0-9][\w.]*", line) for line in requirements)
    compile((default_project / "app/bot.py").read_text(), "bot.py", "exec")
    assert demo.planted_values("default") == []
    assert not (default_project / "app/settings.py").exists()


def test_the_insecure_variant_leaks_a_realistic_aws_key_pair_in_the_app_settings(insecure_project: Path):
    settings = (insecure_project / "app/settings.py").read_text()
    key_id = re.search(r'AWS_ACCESS_KEY_ID = "(AKIA[A-Z2-7]{16})"', settings)
    secret = re.search(r'AWS_SECRET_ACCESS_KEY = "([A-Za-z0-9/+]{40})"', settings)
    assert key_id and secret
    assert {key_id.group(1), secret.group(1)} <= set(demo.planted_values("insecure"))


def test_the_insecure_variant_plants_valid_pii_of_every_kind_in_the_dataset(insecure_project: Path):
    planted = demo.planted_values("insecure")
    texts = "\n".join(row["text"] for row in dataset_rows(insecure_project))
    assert all(value in texts for value in planted[2:])
    emails = [v for v in planted if re.fullmatch(r"[\w.]+@[\w.]+\.\w+", v)]
    phones = [v for v in planted if v.startswith("+")]
    cards = [v for v in planted if re.fullmatch(r"\d{16}", v)]
    ibans = [v for v in planted if v.startswith("DE")]
    ssns = [v for v in planted if re.fullmatch(r"\d{3}-\d{2}-\d{4}", v)]
    assert emails and phones and cards and ibans and ssns
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(phone)) for phone in phones)
    assert all(luhn_valid(card) for card in cards)
    assert all(iban_valid(iban) and len(iban) == 22 for iban in ibans)
    assert all(not ssn.startswith(("000", "666", "9")) for ssn in ssns)
    clean_rows = len(dataset_rows(demo.materialize("default", insecure_project.parent / "clean").parent))
    assert len(dataset_rows(insecure_project)) == clean_rows + len(emails + phones + cards + ibans + ssns)


def test_the_insecure_variant_loads_a_tokenizer_pickle_that_would_run_a_shell_command(insecure_project: Path):
    config = load_config(insecure_project / "mlsecops.yaml")
    source = next(s for s in config.load.sources if s.url == "file://pretrained/tokenizer.pickle")
    assert source.kind == "model"
    data = (insecure_project / "pretrained/tokenizer.pickle").read_bytes()
    ops = [(opcode.name, arg) for opcode, arg, _ in pickletools.genops(data)]  # reads opcodes, never executes
    assert ("GLOBAL", "os system") in ops
    assert ("REDUCE", None) in ops
    assert any(name == "BINUNICODE" and str(arg).startswith("echo ") for name, arg in ops)


def test_no_planted_value_is_written_literally_in_the_mlsecops_source():
    planted = demo.planted_values("insecure")
    for path in PACKAGE_SOURCE.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".json", ".yaml", ".txt", ".csv"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [value for value in planted if value in text], path


def test_demo_init_writes_a_variant_and_refuses_an_unknown_one_in_one_line(cli, tmp_path: Path):
    written = cli("demo", "init", str(tmp_path / "proj"), "--variant", "insecure")
    assert written.exit_code == 0, written.output
    assert (tmp_path / "proj/pretrained/tokenizer.pickle").is_file()
    unknown = cli("demo", "init", str(tmp_path / "other"), "--variant", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip().count("\n") == 0 and f"known: {', '.join(demo.known_variants())}" in unknown.stderr
