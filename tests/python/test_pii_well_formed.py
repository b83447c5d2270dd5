"""Phone numbers the numbering metadata does not know (unassigned ranges, test data, new area codes) still count
when the way they are written says "phone": a calling code, a `00` prefix, a `(0)`, North America's one-separator
3-3-4, a country's trunk-0 grouping, a phone word, or a column named for phone numbers. And what only looks like
PII is not: references in an order column that pass Luhn, version strings after the words other languages use."""

from __future__ import annotations

import phonenumbers
import pytest
from mlsecops.engines.pii.cells import find_in_cells
from mlsecops.engines.pii.engine import PiiEngine, is_phone_column, is_reference_column

BACKENDS = pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])


def found(text: str, kind: str, hyperscan: bool = True) -> list[str]:
    engine = PiiEngine(prefer_hyperscan=hyperscan)
    return [e.value.decode() for e in engine.find(text.encode()) if e.type == kind]


def unassigned(number: str, region: str) -> bool:
    return not phonenumbers.is_valid_number(phonenumbers.parse(number.replace("(0)", ""), region))


@BACKENDS
@pytest.mark.parametrize(("number", "region"), [
    ("+44 3166 844971", "GB"), ("+43 899 226682", "AT"), ("0043 899 226682", "AT"),  # calling code, grouped
    ("+49 (0) 904 081472", "DE"), ("+44(0)2707 720662", "GB"),  # the trunk 0 kept in parentheses
    ("+4537620323", "DK"),  # a calling code and a national number of the country's length, in one run
    ("491-617-7763", "US"), ("741.623.2805", "US"), ("1-596-989-3402", "US"), ("001-729-533-7211", "US"),
    ("(08) 3558 6378", "AU"),  # the trunk 0 and the country's grouping
])
def test_a_well_formed_number_counts_though_its_range_is_not_assigned(number, region, hyperscan):
    assert unassigned(number, region)  # what makes this a specification: the metadata alone would reject it
    assert found(f"Kunde meldet sich, {number}, danke", "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("text", [
    "491-617.7763",  # two kinds of separator: no way of writing a North American number
    "order 555-019-1234",  # an exchange starting with 0 is not North American
    "+49 0151 2345",  # too short for Germany, and the trunk 0 after the calling code
    "id 0045123456789",  # a run with leading zeros is an id unless the metadata knows the number
])
def test_what_is_not_well_formed_still_needs_the_metadata(text, hyperscan):
    assert found(text, "PHONE_NUMBER", hyperscan) == []


@BACKENDS
def test_numbers_after_french_callback_words_and_after_a_sentence_ending_in_a_reference_word(hyperscan):
    assert found("rappelez-moi au 0450265758", "PHONE_NUMBER", hyperscan) == ["0450265758"]
    # `account` ends the sentence before; it names nothing after the full stop
    assert found("please update my account. 07481 / 218732", "PHONE_NUMBER", hyperscan) == ["07481 / 218732"]
    assert found("Kundennummer 030 123456", "PHONE_NUMBER", hyperscan) == []  # right before it, it does


@BACKENDS
def test_the_trunk_zero_in_parentheses_hides_no_ssn(hyperscan):
    engine = PiiEngine(prefer_hyperscan=hyperscan)
    assert [(e.type, e.value) for e in engine.find(b"call +55 (0)800 74 5278")] == [
        ("PHONE_NUMBER", b"+55 (0)800 74 5278")]


def test_column_names_that_label_phone_numbers():
    for name in ("phone", "customer_phone", "Telefonnummer", "Tel.", "mobile", "Handy", "fax", "téléphone", "móvil",
                 "celular", "telefoon", "mobiel", "komórka", "電話番号", "contact_number"):
        assert is_phone_column(name), name
    for name in ("order_ref", "hotel", "intel_id", "note", "email", "telemetry_id", "automobile", "excellence", "phone_order_ref"):
        assert not is_phone_column(name), name


def test_a_cell_of_a_phone_column_counts_as_if_after_a_phone_word():
    engine = PiiEngine()
    cells = ["0606070638", "n/a", "212 456 7890 ext. 12", "+49 0151"]
    spans = [(e.cell, e.type, e.start, e.end, e.value) for e in find_in_cells(engine, cells, phones=True)]
    assert spans == [(0, "PHONE_NUMBER", 0, 10, b"0606070638"),  # cell offsets: the label is not in the cell
                     (2, "PHONE_NUMBER", 0, 20, b"212 456 7890 ext. 12")]
    assert find_in_cells(engine, ["0606070638"]) == []  # the same bare run elsewhere is an id


def test_a_reference_column_holds_no_dashed_cards_but_keeps_a_printed_one():
    engine = PiiEngine()
    cells = ["4532-0151-1283-0366", "4929 5278 6997 2614", "card 4532-0151-1283-0366"]
    assert is_reference_column("order_ref")
    kept = [(e.cell, e.value) for e in find_in_cells(engine, cells, references=True) if e.type == "CREDIT_CARD"]
    assert kept == [(1, b"4929 5278 6997 2614"), (2, b"4532-0151-1283-0366")]
    assert len(find_in_cells(engine, cells[:1])) == 1  # the dashed number in free text is a card


@BACKENDS
def test_after_a_reference_word_only_a_number_spaced_as_printed_on_a_card_is_a_card(hyperscan):
    assert found("order 4532-0151-1283-0366", "CREDIT_CARD", hyperscan) == []
    assert found("order 4532 0151 1283 0366", "CREDIT_CARD", hyperscan) == ["4532 0151 1283 0366"]
    assert found("card 4532-0151-1283-0366", "CREDIT_CARD", hyperscan) == ["4532-0151-1283-0366"]


@BACKENDS
@pytest.mark.parametrize("text", [
    "Versionsnummer 4.2.0.1", "Softwarestand 4.2.0.1", "aktualizacja 4.2.0.1", "actualización 4.2.0.1",
    "aggiornamento 4.2.0.1", "atualização 4.2.0.1", "compilación 10.5.7.31", "Android 13.0.0.1", "iOS 17.1.2.1",
    "upgraded from 4.2.0.1", "installed 4.2.0.1",
])
def test_version_words_of_more_languages_and_platforms_make_no_address(text, hyperscan):
    assert found(text, "IP_ADDRESS", hyperscan) == []


@BACKENDS
@pytest.mark.parametrize(("text", "address"), [
    ("login from 10.0.0.5", "10.0.0.5"), ("installed on 10.0.0.5", "10.0.0.5"), ("Build server at 10.0.0.5", "10.0.0.5"),
    ("os servidores 10.0.0.5", "10.0.0.5"),
])
def test_addresses_after_prepositions_and_hosts_stay_addresses(text, address, hyperscan):
    assert found(text, "IP_ADDRESS", hyperscan) == [address]
