"""The dataset PII scanner: per-column findings over CSV, JSONL, Parquet and text, and bad input."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from mlsecops.engines.pii.readers import CHUNK_SIZE
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

VISA = "4539148803436467"
MASTERCARD_2 = "2221000000000009"
IBAN = "DE89370400440532013000"


def scan_dataset(path: Path, work_dir: Path | None = None, **options):
    artifact = LoadedArtifact(name=path.name, kind="dataset", path=path)
    return get_scanner("dataset").scan(ScanTargets(artifacts=[artifact], options=options, work_dir=work_dir))


def by_column(outcome) -> dict[tuple[str, str], dict]:
    return {(f.location.column, f.properties["entity"]): f.properties for f in outcome.findings}


def write_tickets(path: Path) -> Path:
    path.write_text(
        "id,email,phone,note,dob\n"
        f"1,ann@example.org,+1 415 555 2671,card {VISA} charged twice,1985-03-12\n"
        "2,bob@corp.io,(212) 555-0175,nothing to see,1990-07-01\n"
        f"3,,,refund to {IBAN} please,\n"
        f"4,,,ssn 219-45-6789 and mc {MASTERCARD_2},\n"
    )
    return path


def test_csv_findings_are_per_column_with_share_rows_and_redacted_samples(tmp_path):
    outcome = scan_dataset(write_tickets(tmp_path / "tickets.csv"), work_dir=tmp_path / "out")

    columns = by_column(outcome)
    assert set(columns) == {
        ("email", "EMAIL_ADDRESS"), ("phone", "PHONE_NUMBER"), ("note", "CREDIT_CARD"), ("note", "IBAN_CODE"),
        ("note", "US_SSN"), ("dob", "DATE_OF_BIRTH"),
    }
    assert columns[("email", "EMAIL_ADDRESS")] | {"samples": None} == {
        "entity": "EMAIL_ADDRESS", "column": "email", "rows": 2, "total_rows": 4, "share": 0.5, "occurrences": 2,
        "first_rows": [1, 2], "samples": None,
    }
    assert columns[("note", "CREDIT_CARD")]["first_rows"] == [1, 4]
    card = next(f for f in outcome.findings if f.properties["entity"] == "CREDIT_CARD")
    assert card.location.line == 2 and card.severity.value == "high"
    everything = json.dumps([f.to_dict() for f in outcome.findings]) + (tmp_path / "out" / "dataset-pii-report.json").read_text()
    for value in (VISA, MASTERCARD_2, IBAN, "219-45-6789", "ann@example.org", "415 555 2671"):
        assert value not in everything
    report = json.loads((tmp_path / "out" / "dataset-pii-report.json").read_text())
    assert report["tickets.csv"]["columns"]["note"]["US_SSN"] == {"rows": 1, "share": 0.25, "occurrences": 1}


def test_scans_reuse_one_engine_per_settings_which_keeps_no_value_after_a_scan(tmp_path):
    from mlsecops.engines.pii.engine import shared_engine

    path = write_tickets(tmp_path / "tickets.csv")
    first = [f.to_dict() for f in scan_dataset(path).findings]
    other_settings = scan_dataset(path, phone_region="DE", entities=["PHONE_NUMBER", "EMAIL_ADDRESS"])
    assert {f.properties["entity"] for f in other_settings.findings} == {"PHONE_NUMBER", "EMAIL_ADDRESS"}
    engine = shared_engine()
    assert [f.to_dict() for f in scan_dataset(path).findings] == first
    assert not any(engine._validation_caches), "validated values are forgotten when the scan ends"
    assert shared_engine() is engine


def test_dates_count_as_birth_dates_only_in_a_birth_date_column_or_with_context(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_date,birth_date,note\n2023-01-15,1985-03-12,shipped 2023-01-16\n"
                    "2023-01-17,,customer dob 1970-01-02\n")
    columns = by_column(scan_dataset(path))
    assert set(columns) == {("birth_date", "DATE_OF_BIRTH"), ("note", "DATE_OF_BIRTH")}
    assert columns[("note", "DATE_OF_BIRTH")]["first_rows"] == [2]


def test_quoted_fields_with_newlines_keep_row_and_column_right(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('id,text\n1,"first line\nsecond line"\n2,"mail me at x.y@mail.com\nthanks"\n')
    outcome = scan_dataset(path)
    [finding] = outcome.findings
    assert (finding.location.column, finding.properties["first_rows"], finding.properties["total_rows"]) == (
        "text", [2], 2)
    assert finding.location.line == 4


def test_malformed_csv_rows_are_reported_and_still_scanned(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,extra x@y.org\n")
    outcome = scan_dataset(path)
    assert [(f.location.column, f.properties["entity"]) for f in outcome.findings] == [("column_3", "EMAIL_ADDRESS")]
    assert outcome.skipped == ["ragged.csv: line 3: 3 field(s), header has 2; extra fields named column_3..."]


def test_jsonl_columns_are_key_paths_and_a_file_with_malformed_lines_is_not_scanned_whole(tmp_path):
    path = tmp_path / "chats.jsonl"
    path.write_text(
        json.dumps({"user": {"email": "a.b@mail.com"}, "turns": [{"text": "call +1 415 555 2671"}]}) + "\n"
        + "this is not json, card " + VISA + "\n"
        + '{"broken": "10.1.2.3",\n'
    )
    outcome = scan_dataset(path)
    assert {(f.location.column, f.properties["entity"]) for f in outcome.findings if "entity" in f.properties} == {
        ("user.email", "EMAIL_ADDRESS"), ("turns[].text", "PHONE_NUMBER"), ("(unparsed)", "CREDIT_CARD"),
        ("(unparsed)", "IP_ADDRESS"),
    }
    # json.loads refuses line 2: the file is not scanned as the reference parser reads it, loudly
    assert not_scanned(outcome) == [("chats.jsonl", ("the reference parser rejects row 2 (line 2): not valid JSON; "
                                                     "the rest was scanned, rejected records as plain text"))]
    assert outcome.skipped == [
        "chats.jsonl: line 2: not valid JSON, scanned as text",
        "chats.jsonl: line 3: not valid JSON, scanned as text",
    ]


def test_parquet_string_and_integer_columns_are_scanned_and_nested_ones_reported(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "users.parquet"
    table = pa.table({
        "email": ["a@b.io", None, "c@d.org"],
        "card": pa.array([int(VISA), 1, 2], pa.int64()),
        "score": [0.1, 0.2, 0.3],
        "meta": [{"ip": "10.0.0.1"}, {"ip": None}, {"ip": "10.0.0.2"}],
    })
    pq.write_table(table, path)
    outcome = scan_dataset(path)
    columns = by_column(outcome)
    assert set(columns) == {("email", "EMAIL_ADDRESS"), ("card", "CREDIT_CARD")}
    assert columns[("email", "EMAIL_ADDRESS")]["first_rows"] == [1, 3]
    assert columns[("email", "EMAIL_ADDRESS")]["total_rows"] == 3
    assert outcome.skipped == ["users.parquet: column meta: nested type struct<ip: string>, not scanned"]


def not_scanned(outcome) -> list[tuple[str, str]]:
    return [(f.location.path, f.properties["reason"]) for f in outcome.findings if f.properties.get("not_scanned")]


def test_a_corrupt_parquet_file_is_a_high_not_scanned_finding(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    outcome = scan_dataset(path)
    assert outcome.scanned == 0
    assert not_scanned(outcome) == [("broken.parquet", "unreadable Parquet (ArrowInvalid)")]
    finding = outcome.findings[0]
    assert (finding.rule, finding.severity.value, finding.category) == ("data-pii/not-scanned", "high", "data-pii")
    assert "this is not parquet" not in json.dumps(finding.to_dict())


def test_a_declared_dataset_it_cannot_read_is_a_finding_binary_or_compressed(tmp_path):
    # a load source of kind dataset nobody could scan must not let the security gate pass
    (tmp_path / "blob.csv").write_bytes(b"a,b\n\x00\x01\x02")
    (tmp_path / "dump.csv.gz").write_bytes(b"\x1f\x8b\x08")
    (tmp_path / "customers.feather").write_bytes(b"ARROW1\x00\x00")
    outcome = get_scanner("dataset").scan(ScanTargets(artifacts=[
        LoadedArtifact(name, "dataset", tmp_path / name) for name in ("blob.csv", "dump.csv.gz", "customers.feather")
    ]))
    assert sorted(not_scanned(outcome)) == [
        ("blob.csv", "binary content in a .csv file"),
        ("customers.feather", "binary, not a supported dataset format"),
        ("dump.csv.gz", "compressed; extract it in the load stage to scan it"),
    ]


def test_a_folder_holding_no_dataset_it_can_read_is_nothing_to_scan(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "model.pkl").write_bytes(b"\x80\x04N.")
    outcome = get_scanner("dataset").scan(ScanTargets(artifacts=[LoadedArtifact("models", "dataset", folder)]))
    assert outcome.status == "not-run"
    assert outcome.message.startswith("nothing to scan:")


def test_a_binary_file_without_a_data_suffix_in_a_dataset_folder_stays_skipped(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "cat.png").write_bytes(b"\x89PNG\x00\x01")
    write_tickets(folder / "labels.csv")
    outcome = get_scanner("dataset").scan(ScanTargets(artifacts=[LoadedArtifact("images", "dataset", folder)]))
    assert not_scanned(outcome) == []
    assert outcome.skipped == ["images/cat.png: binary, not a supported dataset format"]
    assert outcome.scanned == 1


def test_an_unreadable_csv_is_a_finding_and_the_rest_of_the_folder_is_still_scanned(tmp_path, monkeypatch):
    from mlsecops.scanners import dataset_pii

    write_tickets(tmp_path / "locked.csv")
    write_tickets(tmp_path / "open.csv")
    real_detect = dataset_pii.detect_format

    def detect(path: Path):
        if path.name == "locked.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real_detect(path)

    monkeypatch.setattr(dataset_pii, "detect_format", detect)
    outcome = get_scanner("dataset").scan(ScanTargets(paths=[tmp_path]))

    assert outcome.status == "ran"
    assert not_scanned(outcome) == [("locked.csv", "unreadable (PermissionError)")]
    assert outcome.scanned == 1
    assert {f.location.path for f in outcome.findings if not f.properties.get("not_scanned")} == {"open.csv"}


def test_cli_fails_on_a_garbage_parquet_file(cli, tmp_path):
    (tmp_path / "fake.parquet").write_bytes(b"not a parquet file at all")
    result = cli("scan", "dataset", str(tmp_path / "fake.parquet"))
    assert result.exit_code == 1, result.output
    assert "data-pii/not-scanned" in result.output and "fake.parquet" in result.output


def test_invalid_utf8_does_not_stop_the_scan(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"name,mail\nJos\xe9,jose@mail.es\n\xff\xfe,x\n")
    assert set(by_column(scan_dataset(path))) == {("mail", "EMAIL_ADDRESS")}


def test_a_line_longer_than_a_chunk_is_parsed_whole(tmp_path):
    path = tmp_path / "long.jsonl"
    with open(path, "wb") as handle:
        handle.write(b'{"a": "' + b"x" * (2 * CHUNK_SIZE + 100) + b' mail me: long@line.com "}\n')
        handle.write(b'{"b": "short@line.com"}\n')
    outcome = scan_dataset(path)
    assert {(f.location.column, f.location.line) for f in outcome.findings} == {("a", 1), ("b", 2)}
    assert outcome.skipped == []


def test_a_line_longer_than_the_record_limit_is_scanned_raw_and_reported(tmp_path, monkeypatch):
    from mlsecops.engines.pii import readers as dataset_readers

    monkeypatch.setattr(dataset_readers, "MAX_RECORD", 2 * 1024 * 1024)
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as handle:
        handle.write(b'{"a": "' + b"x" * (3 * 1024 * 1024) + b' mail me: long@line.com "}\n')
        handle.write(b'{"b": "short@line.com"}\n')
    outcome = scan_dataset(path)
    found = {(f.location.column, f.location.line, f.properties.get("total_rows")) for f in outcome.findings
             if "entity" in f.properties}
    assert found == {("(unparsed)", 1, 2), ("b", 2, 2)}
    assert not_scanned(outcome) == [("huge.jsonl", ("the reference parser rejects row 1 (line 1): line longer than "
                                                    "2 MB; the rest was scanned, rejected records as plain text"))]
    assert outcome.skipped == ["huge.jsonl: line 1: longer than 2 MB, scanned as raw text"]


def test_plain_text_reports_line_numbers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\nwrite to z@z.io\n")
    [finding] = scan_dataset(path).findings
    assert (finding.location.column, finding.location.line) == ("(text)", 2)


@pytest.mark.timeout(120)
def test_parallel_chunks_give_the_same_findings_as_one_process(tmp_path):
    path = tmp_path / "big.csv"
    rows = ["id,email,note"] + [f"{i},user{i}@mail.com,{'ssn 219-45-6789' if i % 97 == 0 else 'ok'}"
                               for i in range(1, 20001)]
    path.write_text("\n".join(rows) + "\n")
    one = scan_dataset(path, workers=1)
    two = scan_dataset(path, workers=2, parallel_threshold_mb=0.1)
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
    ssn = by_column(two)[("note", "US_SSN")]
    assert (ssn["rows"], ssn["first_rows"][:2], ssn["total_rows"]) == (206, [97, 194], 20000)


def test_tree_scans_look_only_at_data_files(tmp_path):
    (tmp_path / "README.md").write_text("maintainer: someone@example.org\n")
    write_tickets(tmp_path / "tickets.csv")
    outcome = get_scanner("dataset").scan(ScanTargets(paths=[tmp_path]))
    assert {f.location.path for f in outcome.findings} == {"tickets.csv"}


def test_nothing_to_scan_is_not_a_pass(tmp_path):
    (tmp_path / "app.py").write_text("print(1)\n")
    outcome = get_scanner("dataset").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "not-run" and "nothing to scan" in outcome.message


def test_the_insecure_demo_tickets_are_flagged_for_every_planted_kind(tmp_path, cli):
    from mlsecops import demo

    root = demo.materialize("insecure", tmp_path / "demo").parent
    result = cli("scan", "dataset", str(root / "data" / "tickets.csv"), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert {f["properties"]["entity"] for f in report["findings"]} == {
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN"}
    assert all(f["properties"]["rows"] == 3 for f in report["findings"])
    assert not [v for v in demo.planted_values("insecure") if v in result.output]


def test_presidio_runs_only_with_a_spacy_model_and_says_which_is_missing(tmp_path):
    write_tickets(tmp_path / "tickets.csv")
    scanner = get_scanner("dataset-presidio")
    outcome = scanner.scan(ScanTargets(paths=[tmp_path], options={"spacy_model": "en_core_web_lg"}))
    assert outcome.status == "not-run"
    assert outcome.message.startswith(("spaCy model en_core_web_lg is not installed", "presidio-analyzer is not"))
    assert scanner.unavailable_reason() == outcome.message


def test_presidio_reads_cells_per_column_within_max_rows(tmp_path):
    from mlsecops.engines.pii.stats import FileReport
    from mlsecops.scanners.presidio import _cells

    report = FileReport()
    cells = list(_cells(write_tickets(tmp_path / "tickets.csv"), 2, report))
    assert cells[:3] == [(1, "id", "1"), (1, "email", "ann@example.org"), (1, "phone", "+1 415 555 2671")]
    assert {row for row, _, _ in cells} == {1, 2} and report.rows == 2
    assert report.skipped_messages() == ["rows after 2 not scanned (max_rows)"]


def test_parallel_ranges_start_after_a_newline_even_inside_a_long_line(tmp_path):
    from mlsecops.engines.pii.readers import FileFormat
    from mlsecops.engines.pii.split import ranges as split_ranges

    path = tmp_path / "ranges.txt"
    path.write_bytes(b"short\n" + b"x" * 300_000 + b"\nend one\nend two\n")
    ranges = split_ranges(path, FileFormat("text"), 2)
    assert ranges == [(0, 300_007), (300_007, None)]
    assert path.read_bytes()[300_007:].startswith(b"end one")


def test_presidio_reports_names_and_places_per_column_with_a_local_spacy_pipeline(tmp_path):
    pytest.importorskip("presidio_analyzer")  # the optional adapter's package (the `bench` extra)
    import spacy

    # a real spaCy pipeline saved to disk, with rule-based entities instead of a downloaded model
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Ada Lovelace"},
                                               {"label": "GPE", "pattern": "London"}])
    nlp.to_disk(tmp_path / "tiny-en")
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.csv").write_text("id,customer,city\n1,Ada Lovelace,London\n2,nobody,nowhere\n")
    outcome = get_scanner("dataset-presidio").scan(ScanTargets(
        paths=[data], options={"spacy_model": str(tmp_path / "tiny-en"), "entities": ["PERSON", "LOCATION"]}))
    assert outcome.status == "ran", outcome.message
    assert {(f.location.column, f.properties["entity"], f.properties["rows"]) for f in outcome.findings} == {
        ("customer", "PERSON", 1), ("city", "LOCATION", 1)}
    assert "Ada Lovelace" not in json.dumps([f.to_dict() for f in outcome.findings])


def test_statistics_added_in_batches_equal_those_added_one_value_at_a_time():
    from mlsecops.engines.pii.stats import ColumnEntity

    batches = [([3, 3, 5], [b"jane@example.com", b"jane@example.com", b"bob@example.org"], 1),
               ([5, 9] + list(range(20, 32)), [b"ann@example.net"] * 14, 0)]
    one_by_one, batched = ColumnEntity(), ColumnEntity()
    for rows, values, contexts in batches:
        for index, (row, value) in enumerate(zip(rows, values, strict=True)):
            one_by_one.add(row, 100 + row, value, context=index < contexts)
        batched.add_many(rows, 100 + rows[0], values, contexts=contexts)
    assert batched == one_by_one
    assert (batched.rows, batched.occurrences, batched.with_context) == (15, 17, 1)  # row 5 spans both batches
    assert batched.first_rows == [3, 5, 9, *range(20, 27)] and batched.first_line == 103
    assert 1 <= len(batched.samples) <= 3 and not any("example" in s for s in batched.samples)


def test_samples_of_a_file_split_across_workers_are_those_of_one_sequential_pass():
    from mlsecops.engines.pii.stats import SAMPLE_TRIES, ColumnEntity

    # one length class in the first SAMPLE_TRIES values, two more after: those are never samples
    values = [f"{'x' * (0 if i < 70 else [12, 40][i % 2])}{i}@ex.org".encode() for i in range(3 * SAMPLE_TRIES)]
    whole = ColumnEntity()
    whole.add_many(list(range(1, len(values) + 1)), 1, iter(values))
    for cuts in ([1], [10, 11], [SAMPLE_TRIES - 1], [5, 40, 70], [2 * SAMPLE_TRIES]):
        bounds = [0, *cuts, len(values)]
        merged = ColumnEntity()
        for low, high in itertools.pairwise(bounds):
            part = ColumnEntity()
            part.add_many(list(range(low + 1, high + 1)), low + 1, iter(values[low:high]))
            merged.merge(part)
        assert (merged.samples, merged.occurrences, merged.rows) == (whole.samples, whole.occurrences, whole.rows)
    assert len(whole.samples) == 1


def test_a_luhn_valid_id_in_an_order_reference_column_is_no_card_but_the_same_digits_in_a_card_column_are(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(f"order_ref,card_number\n{VISA},{VISA}\n")
    columns = by_column(scan_dataset(path))
    assert ("card_number", "CREDIT_CARD") in columns
    assert ("order_ref", "CREDIT_CARD") not in columns
