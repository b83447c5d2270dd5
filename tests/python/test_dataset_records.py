"""Differential tests: the dataset scanner reads every record as the reference parser does, at any split.

Reference parsers: Python's `csv` (CSV/TSV), `json` (JSONL, one value per non-blank line), pyarrow
(Parquet). For each generated file the reference reads the records, the PII engine looks at each
cell alone, and the result (row, column, entity type, code-point span, salted digest) must equal
the `--spans` output of the scanner, whatever the block size and wherever the file is cut for
parallel workers: also when it is cut at every byte of a small file.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import random
import re
from concurrent.futures import Future
from pathlib import Path

import pytest
from mlsecops.engines.pii import readers as dataset_readers
from mlsecops.engines.pii.engine import PiiEngine
from mlsecops.engines.pii.readers import detect_format
from mlsecops.engines.pii.split import record_starts_after, split_points
from mlsecops.scanners import dataset_pii
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

SALT = "differential-salt"
VALUES = ["ann@example.org", "+1 415 555 2671", "4539148803436467", "219-45-6789", "DE89370400440532013000",
          "10.20.30.40", "(212) 555-0175", "bob.smith@mail.co.uk", "5555 5555 5555 4444"]
ACCENTED = "éüñöàçß"  # Latin-1 bytes >= 0xC0 only: never read as a UTF-8 sequence by accident


class InlineExecutor:
    """ProcessPoolExecutor's interface, in this process: the ranges are scanned one after the other."""

    def __init__(self, workers, mp_context=None, initializer=None, initargs=()):
        if initializer:
            initializer(*initargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, function, jobs):
        return [function(job) for job in jobs]

    def submit(self, function, *args):
        future = Future()
        future.set_result(function(*args))
        return future


@pytest.fixture(autouse=True)
def inline_workers(monkeypatch):
    monkeypatch.setattr(dataset_pii, "ProcessPoolExecutor", InlineExecutor)


@pytest.fixture(scope="module")
def engine():
    return PiiEngine()


# ------------------------------------------------------------------ generated files


def cell(rng: random.Random, delimiter: str, accented: bool) -> str:
    kind = rng.random()
    if kind < 0.12:
        return ""
    words = [rng.choice(["refund", "call", "me", "at", "card", "mail", "ok", "tel", "dob", "born"]) for _ in range(
        rng.randint(1, 6))]
    if rng.random() < 0.5:
        words.insert(rng.randint(0, len(words)), rng.choice(VALUES))
    if rng.random() < 0.25:
        words.insert(rng.randint(0, len(words)), rng.choice(["\n", "\r\n", "\n\n"]))
    if rng.random() < 0.15:
        words.insert(rng.randint(0, len(words)), 'said "hi"')
    if rng.random() < 0.1:
        words.insert(rng.randint(0, len(words)), f"a{delimiter}b")
    if accented and rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(ACCENTED) + "x" + rng.choice(ACCENTED))
    if rng.random() < 0.03:
        words.append("y" * rng.randint(2000, 9000) + " " + rng.choice(VALUES))
    return " ".join(words)


def write_csv(path: Path, seed: int, *, delimiter=",", terminator="\n", bom=False, encoding="utf-8",
              rows=40, quote_all=False) -> Path:
    rng = random.Random(seed)
    accented = encoding == "latin-1" or rng.random() < 0.5
    header = ["id", "customer", "text", "dob", "note"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for index in range(rows):
        record = [str(index + 1), cell(rng, delimiter, accented), cell(rng, delimiter, accented),
                  rng.choice(["1985-03-12", "", "12/01/1990"]), cell(rng, delimiter, accented)]
        if rng.random() < 0.05:
            record = record[:3]  # a short record: a row with fewer fields
        writer.writerow(record)
        if rng.random() < 0.05:
            buffer.write(terminator)  # a blank line: no row
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


CSV_VARIANTS = [
    {"delimiter": ",", "terminator": "\n"},
    {"delimiter": ",", "terminator": "\r\n", "bom": True},
    {"delimiter": ";", "terminator": "\r\n"},
    {"delimiter": "\t", "terminator": "\n"},
    {"delimiter": "|", "terminator": "\n", "quote_all": True},
    {"delimiter": ",", "terminator": "\n", "encoding": "latin-1"},
    {"delimiter": ";", "terminator": "\r\n", "encoding": "latin-1", "quote_all": True},
]


def write_jsonl(path: Path, seed: int, rows: int = 40, *, crlf: bool = False, bom: bool = False) -> Path:
    rng = random.Random(seed)
    lines = []
    for index in range(rows):
        record = {"id": index + 1, "user": {"email": rng.choice(VALUES + [""]), "note": cell(rng, ",", True)},
                  "turns": [{"text": cell(rng, ",", True)} for _ in range(rng.randint(0, 3))],
                  "card": int(VALUES[2]) if rng.random() < 0.1 else None}
        lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.5))
        if rng.random() < 0.05:
            lines.append("   ")  # blank: no row
        if rng.random() < 0.05:
            lines.append(json.dumps(rng.choice(VALUES)))  # a bare value is a row too
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# ------------------------------------------------------------------ reference readings


def span(engine: PiiEngine, row: int, column: str, text: str, encoding: str) -> list[tuple]:
    """The engine on one cell alone; every date counts in a column named like a birth date."""
    data = text.encode(encoding)
    found = []
    for entity in engine.find(data, all_dates=bool(re.search(r"(?i)dob|birth|born|geburt", column))):
        start = len(data[: entity.start].decode(encoding))
        end = start + len(data[entity.start : entity.end].decode(encoding))
        found.append((row, column, entity.type, start, end,
                      hmac.new(SALT.encode(), entity.value, hashlib.sha256).hexdigest()[:32]))
    return found


def reference_csv(engine: PiiEngine, path: Path, delimiter: str, encoding: str) -> tuple[int, list[tuple]]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader)
        records = [record for record in reader if record]  # csv.DictReader's rows
    spans = []
    for row, record in enumerate(records, start=1):
        for index, text in enumerate(record):
            name = header[index].strip() if index < len(header) else f"column_{index + 1}"
            spans.extend(span(engine, row, name, text, encoding))
    return len(records), sorted(spans)


def leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for item in node:
            yield from leaves(item, f"{path}[]")
    elif isinstance(node, str) or (isinstance(node, int | float) and not isinstance(node, bool)):
        yield path or "$", str(node)


def reference_jsonl(engine: PiiEngine, path: Path) -> tuple[int, list[tuple]]:
    records = [json.loads(line) for line in path.read_bytes().split(b"\n") if line.strip(b" \t\r")]
    spans = []
    for row, record in enumerate(records, start=1):
        for name, text in leaves(record):
            spans.extend(span(engine, row, name, text, "utf-8"))
    return len(records), sorted(spans)


# ------------------------------------------------------------------ the scanner, read back


def scan(path: Path, tmp_path: Path, **options) -> tuple[int, list[tuple], list]:
    out = tmp_path / "spans.jsonl"
    outcome = dataset_pii.DatasetPiiScanner().scan(ScanTargets(
        artifacts=[LoadedArtifact(path.name, "dataset", path)],
        options={"spans": str(out), "salt": SALT, **options}, work_dir=tmp_path / "work"))
    written = tmp_path / "work" / "dataset-pii-report.json"
    report = json.loads(written.read_text())
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # removed once read: the next scan then writes new files instead of replacing these, which makes
    # the file system flush them to disk first (a millisecond per scan, over a thousand scans here)
    written.unlink()
    out.unlink()
    spans = [(s["row"], s["column"], s["type"], s["start"], s["end"], s["digest"]) for s in lines]
    assert {s["file"] for s in lines} <= {path.name}
    assert not list(tmp_path.glob("spans.jsonl.partial*")), "the ranges' parts and the partial file are gone"
    return report[path.name]["rows"], sorted(spans), outcome.findings


def scan_split_at(path: Path, tmp_path: Path, monkeypatch, cuts: list[int],
                  seen: dict | None = None) -> tuple[int, list[tuple], list]:
    """The scanner with the file cut where `record_starts_after` moves `cuts` (as workers would get it).

    `seen`: the results of earlier calls of the test, by the ranges the scanner was given and the block
    size it read with. Cuts moved to the same record starts give the scanner the same input (every byte
    of a record moves to its end): it reads each such input once, and every cut is still checked."""
    fmt = detect_format(path)
    starts = record_starts_after(path, fmt, cuts)
    bounds = [fmt.data_start, *sorted({s for s in starts if fmt.data_start < s < path.stat().st_size})]
    key = (tuple(bounds), dataset_readers.CHUNK_SIZE)
    if seen is not None and key in seen:
        return seen[key]
    monkeypatch.setattr(dataset_pii, "ranges",
                        lambda *_: list(zip(bounds, [*bounds[1:], None], strict=True)))
    try:
        result = scan(path, tmp_path, workers=2, parallel_threshold_mb=0)
    finally:
        monkeypatch.undo()
        monkeypatch.setattr(dataset_pii, "ProcessPoolExecutor", InlineExecutor)
    if seen is not None:
        seen[key] = result
    return result


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("variant", CSV_VARIANTS, ids=lambda v: "-".join(f"{k}={v[k]!r}" for k in v))
@pytest.mark.timeout(300)
def test_csv_records_rows_and_columns_equal_pythons_csv_at_every_block_size_and_split(
        variant, tmp_path, monkeypatch, engine):
    path = write_csv(tmp_path / "data.csv", seed=len(repr(variant)), **variant)
    expected_rows, expected = reference_csv(engine, path, variant["delimiter"], variant.get("encoding", "utf-8"))
    assert expected, "the generated file holds entities"
    rows, spans, _ = scan(path, tmp_path)
    assert (rows, spans) == (expected_rows, expected)
    size = path.stat().st_size
    for block in (1, 2, 3, 7, 64, 333, 4096):
        monkeypatch.setattr(dataset_readers, "CHUNK_SIZE", block)
        assert scan(path, tmp_path)[:2] == (expected_rows, expected), f"block size {block}"
    monkeypatch.setattr(dataset_readers, "CHUNK_SIZE", 256)
    for parts in (2, 3, 5, 16):
        cuts = [size * index // parts for index in range(1, parts)]
        assert scan_split_at(path, tmp_path, monkeypatch, cuts)[:2] == (expected_rows, expected), f"{parts} parts"


@pytest.mark.timeout(300)
def test_a_small_csv_cut_at_every_byte_reads_the_same_records(tmp_path, monkeypatch, engine):
    path = write_csv(tmp_path / "small.csv", seed=7, rows=12, terminator="\r\n")
    expected = reference_csv(engine, path, ",", "utf-8")
    fmt = detect_format(path)
    seen: dict = {}
    for cut in range(fmt.data_start, path.stat().st_size):
        assert scan_split_at(path, tmp_path, monkeypatch, [cut], seen)[:2] == expected, f"cut at byte {cut}"


def test_cuts_fall_after_a_newline_outside_quotes_only(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_bytes(b'id,text\n1,"a\nb"\n2,"c ""quoted""\r\nd"\n3,plain\n')
    fmt = detect_format(path)
    starts = record_starts_after(path, fmt, list(range(fmt.data_start, path.stat().st_size)))
    data = path.read_bytes()
    assert starts == [data.index(b"2,"), data.index(b"3,")]


def test_a_stray_quote_stops_the_cuts_and_the_rest_is_read_by_one_reader(tmp_path, monkeypatch, engine):
    # Python's csv keeps the quote of `5" screen` as a character: quote parity after it is wrong
    lines = ["id,text"] + [f'{i},"line\nbreak {VALUES[0]}"' for i in range(1, 6)] + ['6,a 5" screen'] + [
        f'{i},"after\n{VALUES[3]}"' for i in range(7, 12)]
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines) + "\n")
    fmt = detect_format(path)
    size = path.stat().st_size
    stray = path.read_bytes().index(b'5"')
    starts = record_starts_after(path, fmt, list(range(fmt.data_start, size)))
    assert starts and max(starts) < stray
    assert split_points(path, fmt, 8) == [s for s in split_points(path, fmt, 8) if s < stray]
    expected = reference_csv(engine, path, ",", "utf-8")
    seen: dict = {}
    for cut in range(fmt.data_start, size, 3):
        assert scan_split_at(path, tmp_path, monkeypatch, [cut], seen)[:2] == expected, f"cut at byte {cut}"


@pytest.mark.parametrize("layout", [{}, {"crlf": True}, {"bom": True}])
@pytest.mark.timeout(300)
def test_jsonl_records_equal_json_loads_at_every_block_size_and_split(layout, tmp_path, monkeypatch, engine):
    path = write_jsonl(tmp_path / "data.jsonl", seed=3, **layout)
    expected = reference_jsonl(engine, path)
    assert expected[1]
    assert scan(path, tmp_path)[:2] == expected
    for block in (1, 5, 64, 1000):
        monkeypatch.setattr(dataset_readers, "CHUNK_SIZE", block)
        assert scan(path, tmp_path)[:2] == expected, f"block size {block}"
    size = path.stat().st_size
    seen: dict = {}
    for cut in range(1, size, 97):
        assert scan_split_at(path, tmp_path, monkeypatch, [cut], seen)[:2] == expected, f"cut at byte {cut}"


def test_parquet_rows_and_columns_equal_pyarrow(tmp_path, engine):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(5)
    texts = [cell(rng, ",", True) if rng.random() < 0.9 else None for _ in range(300)]
    table = pa.table({"id": list(range(300)), "text": texts,
                      "card": pa.array([int(VALUES[2]) if i % 7 == 0 else i for i in range(300)], pa.int64())})
    path = tmp_path / "data.parquet"
    pq.write_table(table, path, row_group_size=64)
    expected = []
    for row, record in enumerate(pq.read_table(path).to_pylist(), start=1):
        for name, value in record.items():
            if value is not None:
                expected.extend(span(engine, row, name, str(value), "utf-8"))
    rows, spans, _ = scan(path, tmp_path)
    assert (rows, spans) == (300, sorted(expected))


def test_a_jsonl_file_json_rejects_names_its_first_bad_row(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"a": "x@y.org"}\n\n{"a": "fine"}\n{"a": "cut\n{"b": "\xff\xfe 219-45-6789"}\n')
    rows, spans, findings = scan(path, tmp_path)
    reasons = [f.properties["reason"] for f in findings if f.properties.get("not_scanned")]
    assert reasons == [("the reference parser rejects row 3 (line 4): not valid JSON; the rest was scanned, "
                        "rejected records as plain text")]
    assert rows == 4
    assert [(s[0], s[1], s[2]) for s in spans] == [(1, "a", "EMAIL_ADDRESS"), (4, "(unparsed)", "US_SSN")]


def test_a_csv_field_over_the_limit_is_a_not_scanned_finding_naming_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset_readers, "MAX_RECORD", 1000)
    previous = csv.field_size_limit(1000)
    try:
        path = tmp_path / "long.csv"
        path.write_text("id,text\n1,x@y.org\n2,\"" + "z" * 5000 + "\n219-45-6789\"\n3,ann@example.org\n")
        _rows, spans, findings = scan(path, tmp_path)
    finally:
        csv.field_size_limit(previous)
    reasons = [f.properties["reason"] for f in findings if f.properties.get("not_scanned")]
    assert len(reasons) == 1 and reasons[0].startswith("the reference parser rejects row 2 (line 3): CSV field longer")
    assert (1, "text", "EMAIL_ADDRESS") in [s[:3] for s in spans]
    assert {s[2] for s in spans if s[1] == "(unparsed)"} == {"US_SSN", "EMAIL_ADDRESS"}


def test_spans_name_the_file_from_the_project_root_and_never_hold_a_value(tmp_path, monkeypatch, engine):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    path = write_csv(project / "data" / "tickets.csv", seed=11)
    monkeypatch.chdir(project)
    out = tmp_path / "spans.jsonl"
    outcome = dataset_pii.DatasetPiiScanner().scan(ScanTargets(
        artifacts=[LoadedArtifact("tickets.csv", "dataset", Path("data/tickets.csv"))],
        options={"spans": str(out), "salt": SALT}))
    text = out.read_text()
    assert {json.loads(line)["file"] for line in text.splitlines()} == {"data/tickets.csv"}
    assert {f.location.path for f in outcome.findings} == {"data/tickets.csv"}
    for value in VALUES:
        assert value not in text
    first = json.loads(text.splitlines()[0])
    assert list(first) == ["file", "row", "column", "type", "start", "end", "digest"]
    assert path.is_file()


def test_a_loaded_file_source_is_named_by_its_source_path_and_a_remote_one_as_loaded(tmp_path):
    from mlsecops.scanners.dataset_pii import project_path
    from mlsecops.scanners.files import TargetFile

    loaded = tmp_path / ".mlsecops" / "load" / "dataset"
    loaded.mkdir(parents=True)
    (loaded / "part-1.csv").write_text("a\n1\n")
    local = LoadedArtifact("dataset", "dataset", loaded, url="file://data/tickets")
    remote = LoadedArtifact("remote", "dataset", loaded / "part-1.csv", url="s3://bucket/part-1.csv")
    target = TargetFile(loaded / "part-1.csv", "dataset/part-1.csv", "dataset")
    assert project_path(target, [local]) == "data/tickets/part-1.csv"
    assert project_path(TargetFile(remote.path, "part-1.csv", "remote"), [remote]) == "part-1.csv"
    assert project_path(TargetFile(tmp_path / "tree.csv", "sub/tree.csv"), []) == "sub/tree.csv"
