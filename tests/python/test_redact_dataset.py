"""`mlsecops redact IN OUT` and `mlsecops scan dataset --spans`: cleaned copies and span lines, never a value."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

VISA = "4539148803436467"
SSN = "219-45-6789"
EMAIL = "ann@example.org"
PHONE = "+1 415 555 2671"
IBAN = "DE89370400440532013000"
VALUES = (VISA, SSN, EMAIL, PHONE, IBAN, "bob@corp.io")


def write_tickets(path: Path, terminator: str = "\n", delimiter: str = ",") -> Path:
    rows = [["id", "email", "text", "label"],
            ["1", EMAIL, f"card {VISA}\nplease refund", "1"],
            ["2", "", f'he said "call {PHONE}"', "0"],
            ["3", "bob@corp.io", f"ssn {SSN}; iban {IBAN}", "1"],
            ["4", "", "nothing here", "0"]]
    with open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator=terminator, delimiter=delimiter).writerows(rows)
    return path


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_a_csv_copy_keeps_rows_columns_and_text_and_replaces_each_entity_by_its_type_token(cli, tmp_path):
    source = write_tickets(tmp_path / "tickets.csv", terminator="\r\n")
    result = cli("redact", str(source), str(tmp_path / "clean.csv"))
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "clean.csv") == [
        ["id", "email", "text", "label"],
        ["1", "<EMAIL_ADDRESS>", "card <CREDIT_CARD>\nplease refund", "1"],
        ["2", "", 'he said "call <PHONE_NUMBER>"', "0"],
        ["3", "<EMAIL_ADDRESS>", "ssn <US_SSN>; iban <IBAN_CODE>", "1"],
        ["4", "", "nothing here", "0"],
    ]
    assert (tmp_path / "clean.csv").read_bytes().count(b"\r\n") >= 5  # the input's line ending
    assert "4 row(s) written" in result.output
    assert not [v for v in VALUES if v in result.output]


def test_methods_are_chosen_per_type_and_salted_hashes_keep_equal_values_equal(cli, tmp_path):
    source = tmp_path / "people.tsv"
    source.write_text(f"id\tmail\tnote\n1\t{EMAIL}\tssn {SSN}\n2\t{EMAIL}\tcard {VISA}\n")
    env = {"MLSECOPS_PII_SALT": "s3cret-salt"}
    result = cli("redact", str(source), str(tmp_path / "out.tsv"), "--method", "EMAIL_ADDRESS=hash",
                 "--method", "us_ssn=mask", env=env)
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "out.tsv", "\t")
    assert rows[1][2] == "ssn ***-**-****" and rows[2][2] == "card <CREDIT_CARD>"
    assert rows[1][1] == rows[2][1] and rows[1][1].startswith("<EMAIL_ADDRESS:") and len(rows[1][1]) == 32
    again = cli("redact", str(source), str(tmp_path / "again.tsv"), "--method", "EMAIL_ADDRESS=hash", env=env)
    other = cli("redact", str(source), str(tmp_path / "other.tsv"), "--method", "EMAIL_ADDRESS=hash",
                env={"MLSECOPS_PII_SALT": "another"})
    assert again.exit_code == other.exit_code == 0
    assert read_csv(tmp_path / "again.tsv", "\t")[1][1] == rows[1][1] != read_csv(tmp_path / "other.tsv", "\t")[1][1]


def test_a_jsonl_copy_replaces_leaves_and_keeps_a_rejected_line_redacted_as_text(cli, tmp_path):
    source = tmp_path / "chats.jsonl"
    source.write_text(json.dumps({"user": {"email": EMAIL}, "turns": [{"text": f"call {PHONE}"}], "n": 1}) + "\n"
                      + "\n" + json.dumps(f"bare {SSN}") + "\n" + f"not json {VISA}\n"
                      + json.dumps({"card": int(VISA)}) + "\n")
    result = cli("redact", str(source), str(tmp_path / "clean.jsonl"))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "clean.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in (lines[0], lines[2], lines[4])] == [
        {"user": {"email": "<EMAIL_ADDRESS>"}, "turns": [{"text": "call <PHONE_NUMBER>"}], "n": 1},
        "bare <US_SSN>", {"card": "<CREDIT_CARD>"}]
    assert lines[1] == ""  # a blank line is no record: copied as it was
    assert lines[3] == "not json <CREDIT_CARD>"
    assert "rejected record" in result.output and "line 4" in result.output


def test_a_jsonl_line_without_an_entity_is_copied_byte_for_byte(cli, tmp_path):
    # spacing, key order, escapes (`\\u00e9`, `\\/`), a number written `1.0e3`, CRLF and LF line ends,
    # a blank line and a last line without a line end: none of it is the parser's to change
    untouched = ['{ "z" :1.0e3,"a":"caf\\u00e9 \\/ ok" ,"nested":{"b":[1, 2 ,"x"]}}\r\n', "\n",
                 '{"text":"nothing personal"}\n', '  "a bare string"  \n']
    with_pii = '{ "z" :1.0e3,"email":  "ann@example.org", "text":"caf\\u00e9 call +1 415 555 2671 now" ,"n":null}\r\n'
    source = tmp_path / "chats.jsonl"
    source.write_bytes("".join([untouched[0], untouched[1], with_pii, untouched[2], untouched[3],
                                '{"last": true}']).encode())
    result = cli("redact", str(source), str(tmp_path / "clean.jsonl"))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "clean.jsonl").read_bytes().decode().splitlines(keepends=True)
    assert [lines[i] for i in (0, 1, 3, 4, 5)] == [*untouched, '{"last": true}']
    # the line with entities keeps its keys, order, spacing and other values; only the two values change
    assert lines[2] == ('{ "z" :1.0e3,"email":  "<EMAIL_ADDRESS>", "text":"caf\\u00e9 call <PHONE_NUMBER> now" '
                        ',"n":null}\r\n')


def test_a_jsonl_line_with_a_duplicate_key_is_still_redacted(cli, tmp_path):
    source = tmp_path / "dup.jsonl"
    source.write_text('{"email": "x", "email": "ann@example.org"}\n')
    assert cli("redact", str(source), str(tmp_path / "clean.jsonl")).exit_code == 0
    clean = (tmp_path / "clean.jsonl").read_text()
    assert "ann@example.org" not in clean and json.loads(clean) == {"email": "<EMAIL_ADDRESS>"}


def test_a_parquet_copy_keeps_types_unless_a_number_column_holds_an_entity(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "users.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "email": [EMAIL, None, "x"],
                             "card": pa.array([int(VISA), 1, 2], pa.int64()), "score": [0.1, 0.2, 0.3]}), source)
    result = cli("redact", str(source), str(tmp_path / "clean.parquet"), "--method", "CREDIT_CARD=mask")
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "clean.parquet")
    assert table.column_names == ["id", "email", "card", "score"]
    assert table.schema.field("id").type == pa.int64() and table.schema.field("card").type == pa.string()
    assert table.to_pylist() == [
        {"id": 1, "email": "<EMAIL_ADDRESS>", "card": "****************", "score": 0.1},
        {"id": 2, "email": None, "card": "1", "score": 0.2},
        {"id": 3, "email": "x", "card": "2", "score": 0.3},
    ]
    assert "card written as text" in result.output


def test_redacted_copies_scan_clean(cli, tmp_path):
    write_tickets(tmp_path / "tickets.csv")
    (tmp_path / "clean").mkdir()
    assert cli("redact", str(tmp_path / "tickets.csv"), str(tmp_path / "clean" / "tickets.csv")).exit_code == 0
    result = cli("scan", "dataset", str(tmp_path / "clean" / "tickets.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize("content", [None, "folder", b"\x00\x01\x02binary", b"no header line " * 80_000])
def test_an_unreadable_input_is_exit_2_and_writes_nothing(cli, tmp_path, content):
    source = tmp_path / "in.csv"
    if content == "folder":
        source.mkdir()
    elif content is not None:
        source.write_bytes(content)
    result = cli("redact", str(source), str(tmp_path / "out" / "clean.csv"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("mlsecops: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_corrupt_parquet_or_a_nested_column_is_exit_2_and_writes_nothing(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    pq.write_table(pa.table({"meta": [{"ip": "10.0.0.1"}]}), tmp_path / "nested.parquet")
    for name in ("bad.parquet", "nested.parquet"):
        result = cli("redact", str(tmp_path / name), str(tmp_path / f"clean-{name}"))
        assert result.exit_code == 2, result.output
        assert not list(tmp_path.glob("clean-*")) and not list(tmp_path.glob(".clean-*"))


def test_bad_methods_are_exit_2(cli, tmp_path):
    write_tickets(tmp_path / "t.csv")
    for args in (["--method", "EMAIL_ADDRESS=shred"], ["--method", "NAME=token"], ["--method", "nonsense"]):
        result = cli("redact", str(tmp_path / "t.csv"), str(tmp_path / "o.csv"), *args)
        assert result.exit_code == 2, result.output
    assert not (tmp_path / "o.csv").exists()


def test_scan_dataset_spans_give_row_column_code_points_and_a_salted_digest(cli, tmp_path):
    import hashlib
    import hmac

    source = tmp_path / "data" / "notes.csv"
    source.parent.mkdir()
    source.write_text(f'id,text\n1,"héllo\nmail {EMAIL}"\n2,none\n3,"ssn {SSN}"\n', encoding="utf-8")
    result = cli("scan", "dataset", "data/notes.csv", "--spans", "out/spans.jsonl", "--fail-on", "never",
                 env={"MLSECOPS_PII_SALT": "pepper"})
    assert result.exit_code == 0, result.output
    spans = [json.loads(line) for line in (tmp_path / "out" / "spans.jsonl").read_text().splitlines()]
    text = f"héllo\nmail {EMAIL}"
    assert spans == [
        {"file": "data/notes.csv", "row": 1, "column": "text", "type": "EMAIL_ADDRESS",
         "start": text.index(EMAIL), "end": len(text),
         "digest": hmac.new(b"pepper", EMAIL.encode(), hashlib.sha256).hexdigest()[:32]},
        {"file": "data/notes.csv", "row": 3, "column": "text", "type": "US_SSN", "start": 4, "end": 15,
         "digest": hmac.new(b"pepper", SSN.encode(), hashlib.sha256).hexdigest()[:32]},
    ]
    assert "data/notes.csv" in result.output  # findings are named from the project root


def test_an_out_folder_that_does_not_exist_is_exit_2_and_is_not_created(cli, tmp_path):
    source = write_tickets(tmp_path / "tickets.csv")
    result = cli("redact", str(source), str(tmp_path / "missing" / "clean.csv"))
    assert result.exit_code == 2, result.output
    assert "no such folder" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_the_cleaned_copy_keeps_the_inputs_permissions(cli, tmp_path):
    source = write_tickets(tmp_path / "tickets.csv")
    source.chmod(0o644)
    assert cli("redact", str(source), str(tmp_path / "clean.csv")).exit_code == 0
    assert (tmp_path / "clean.csv").stat().st_mode & 0o777 == 0o644


def test_spans_go_into_new_folders_and_an_impossible_spans_path_is_exit_2_in_one_line(cli, tmp_path):
    write_tickets(tmp_path / "tickets.csv")
    made = cli("scan", "dataset", "tickets.csv", "--spans", "reports/2026/spans.jsonl", "--fail-on", "never")
    assert made.exit_code == 0, made.output
    assert len((tmp_path / "reports" / "2026" / "spans.jsonl").read_text().splitlines()) == len(VALUES)
    for spans, says in (("tickets.csv/spans.jsonl", "a file is in the way"), ("out/", "not a folder"), ("reports", "is a directory"),
                        ("", "expected a file name")):
        refused = cli("scan", "dataset", "tickets.csv", "--spans", spans)
        assert refused.exit_code == 2, refused.output
        assert says in refused.stderr and len(refused.stderr.splitlines()) == 1, refused.stderr
        assert "Traceback" not in refused.output


@pytest.mark.parametrize(("content", "what"), [(b"", "0 bytes"), (b"id,text,label\n", "header only")])
def test_an_empty_dataset_has_nothing_to_judge_for_scan_and_redact_alike(cli, tmp_path, content, what):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "empty.csv").write_bytes(content)
    scanned = cli("scan", "dataset", "data/empty.csv")
    assert scanned.exit_code == 2, scanned.output
    assert scanned.stderr == f"mlsecops: dataset: nothing to judge: data/empty.csv has no data rows ({what})\n"
    redacted = cli("redact", "data/empty.csv", "clean.csv")
    assert redacted.exit_code == 2, redacted.output
    assert "no data rows" in redacted.stderr and len(redacted.stderr.splitlines()) == 1
    assert not (tmp_path / "clean.csv").exists()
    # beside a real dataset (and in the pipeline) it is a finding: the gate fails closed on it
    write_tickets(tmp_path / "data" / "tickets.csv")
    both = cli("scan", "dataset", "data", "--format", "json")
    assert both.exit_code == 1, both.output
    empty = [f for f in json.loads(both.stdout)["findings"] if f["rule"] == "dataset/empty"]
    assert [(f["location"]["path"], f["severity"]) for f in empty] == [("data/empty.csv", "high")]


def test_a_wrong_method_names_the_unknown_type_or_method_and_lists_the_valid_ones(cli, tmp_path):
    write_tickets(tmp_path / "t.csv")
    from mlsecops.engines.pii.engine import ENTITY_TYPES

    unknown_type = cli("redact", "t.csv", "o.csv", "--method", "FOO=bar")
    assert unknown_type.exit_code == 2
    assert unknown_type.stderr == ("mlsecops: --method FOO=bar: unknown entity type 'FOO' "
                                   f"(valid: {', '.join(ENTITY_TYPES)})\n")
    unknown_method = cli("redact", "t.csv", "o.csv", "--method", "email_address=shred")
    assert unknown_method.exit_code == 2
    assert unknown_method.stderr == ("mlsecops: --method email_address=shred: unknown method 'shred' "
                                     "(valid: token, mask, hash)\n")
    assert not (tmp_path / "o.csv").exists()


def test_an_empty_loaded_dataset_fails_closed_and_an_empty_fixture_of_the_tree_is_only_noted(tmp_path):
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "empty.csv").write_text("id,text\n")
    (tmp_path / "train.csv").write_text("id,text,label\n")
    loaded = LoadedArtifact(name="dataset", kind="dataset", path=tmp_path / "train.csv")
    outcome = get_scanner("dataset").scan(ScanTargets(paths=[tmp_path / "tests"], artifacts=[loaded]))
    assert [(f.rule, f.severity.value, f.location.artifact) for f in outcome.findings] == [
        ("dataset/empty", "high", "dataset")]
    assert "empty.csv: no data rows" in outcome.skipped


def test_redact_masks_the_bare_numbers_of_a_phone_column_as_the_scanner_reports_them(tmp_path: Path) -> None:
    from mlsecops.engines.pii.engine import PiiEngine
    from mlsecops.engines.pii.redact import Replacer, redact_file

    source = tmp_path / "contacts.csv"
    source.write_text("name,phone\nAda,2025550143\nBob,none\n", encoding="utf-8")
    target = tmp_path / "clean.csv"
    redact_file(source, target, PiiEngine(None), Replacer({}, "token", b"k"))
    assert target.read_text(encoding="utf-8").splitlines() == ["name,phone", "Ada,<PHONE_NUMBER>", "Bob,none"]
