"""PII in the ways other countries write it: national phone formats, birth dates in CLDR's formats and
month names, birth and phone words in their languages, and version strings that are not addresses."""

from __future__ import annotations

import pytest
from mlsecops.engines.pii.engine import PiiEngine
from mlsecops.engines.pii.validators import (
    valid_national_phone,
    valid_numeric_date,
    valid_wordy_date,
)

BACKENDS = pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])


def found(text: str, kind: str, hyperscan: bool = True) -> list[str]:
    engine = PiiEngine(prefer_hyperscan=hyperscan)  # the default: phone region US, as the dataset scanner
    return [e.value.decode() for e in engine.find(text.encode()) if e.type == kind]


@BACKENDS
@pytest.mark.parametrize("number", [
    "0664 1234567",  # Austria: mobile prefix, subscriber in one block
    "+43 1 2345678", "0043 664 1234567",
    "06-12345678", "020-1234567", "020 123 4567",  # the Netherlands
    "512 345 678", "12 345 67 89", "+48 512 345 678",  # Poland: 3-3-3 and 2-3-2-2
    "(11) 96123-4567", "(011) 96123-4567", "+55 11 96123-4567",  # Brazil
    "090-1234-5678", "03-1234-5678",  # Japan
    "030 1234567", "0151 23456789",  # Germany
    "06 12 34 56 78", "612 345 678", "312 345 6789",  # France, Spain, Italy
])
def test_national_numbers_count_without_a_phone_word_when_written_as_their_country_writes_them(number, hyperscan):
    assert found(f"Anna Nowak, {number}, Warszawa", "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("text, number", [
    ("telefone: (11) 2345-678", "(11) 2345-678"),  # a digit short for Brazil's plan: the word admits it
    ("celular: (21) 8123 4567", "(21) 8123 4567"),
    ("電話番号: 090-1234-567", "090-1234-567"),
    ("kom. 512 345 67", "512 345 67"),
    ("Rufnummer 0123 456789", "0123 456789"),
    ("joignable au 01.23.45.67.8", "01.23.45.67.8"),
    ("tlf. 34.40.95.78", "34.40.95.78"),  # four pairs after a phone word: dialled, not an address
    ("Tel. 0455 215587. 14.0.5.97-beta", "0455 215587"),  # the number ends at the sentence
])
def test_a_phone_word_in_the_records_language_admits_a_well_formed_number(text, number, hyperscan):
    assert found(text, "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("text", [
    "Kundennummer 030 123456", "Rechnungsnummer 0664 1234567", "NIP 123-456-32-18",
    "CPF 347.602.224-83", "Steuer-ID 39 877 468 745", "PESEL 80011212345", "CEP 01310-100",
    "total 1 234 567,89 zł", "R$ 12.345,67", "12.345.678 EUR", "kod 00-950 Warszawa",
    "Bestellung vom 12.01.2024", "order 2024-01-15", "1012 AB Amsterdam",
])
def test_ids_amounts_postal_codes_and_dates_are_not_phone_numbers(text, hyperscan):
    assert found(text, "PHONE_NUMBER", hyperscan) == []


@BACKENDS
@pytest.mark.parametrize("text, date", [
    ("urodzony 12 stycznia 1980", "12 stycznia 1980"),  # Polish genitive month
    ("data urodzenia: 14 sie 1985", "14 sie 1985"),
    ("ur. 3 paź 1965", "3 paź 1965"),
    ("geboren am 12. Jänner 1980", "12. Jänner 1980"),  # Austrian German
    ("data de nascimento: 12 de jan. de 1980", "12 de jan. de 1980"),
    ("nasc. 12/01/1980", "12/01/1980"),
    ("geboortedatum: 12 mrt 1980", "12 mrt 1980"),
    ("né le samedi 12 janvier 1980", "12 janvier 1980"),
    ("nato il 24 giu 2003", "24 giu 2003"),
    ("födelsedatum: 12 jan. 1980", "12 jan. 1980"),
    ("født den 11. november 1931", "11. november 1931"),
    ("生年月日: 1980年1月12日", "1980年1月12日"),
    ("生年月日 1980/01/12", "1980/01/12"),
    ("Geburtsdatum: 12.01.80", "12.01.80"),  # CLDR short: two-digit year, after the word only
    ("DOB 1/12/80", "1/12/80"),
])
def test_birth_dates_in_each_locales_formats_and_words(text, date, hyperscan):
    assert found(text, "DATE_OF_BIRTH", hyperscan) == [date]


@BACKENDS
def test_dates_without_a_birth_word_are_not_birth_dates(hyperscan):
    assert found("Bestellung vom 12.01.80, geliefert 14 stycznia 2024", "DATE_OF_BIRTH", hyperscan) == []
    assert found("zamówienie z dnia 1980年1月12日", "DATE_OF_BIRTH", hyperscan) == []


def test_date_validators_check_the_calendar():
    assert valid_wordy_date(b"29 lutego 1980") and not valid_wordy_date(b"30 lutego 1980")
    assert valid_numeric_date("1980年2月29日".encode()) and not valid_numeric_date("1980年13月1日".encode())
    assert valid_numeric_date(b"31.12.80") and not valid_numeric_date(b"32.13.80")
    assert not valid_numeric_date(b"12.01-80")  # one separator, twice


def test_the_national_validator_wants_the_countrys_own_grouping():
    assert valid_national_phone(b"0664 1234567") and valid_national_phone(b"512 345 678")
    assert not valid_national_phone(b"47.999.722")  # Danish numbers are pairs, not a thousands grouping
    assert not valid_national_phone(b"0612345678")  # a bare run is an id without a phone word
    assert not valid_national_phone(b"12.01.1980")


@BACKENDS
@pytest.mark.parametrize("text", [
    "Build 10.5.7.31-beta", "v2.3.4.5", "version 1.2.3.4", "build-10.5.7.31", "version is 1.2.3.4",
    "wersja 1.2.3.4", "Wersja aplikacji 1.2.3.4", "バージョン 1.2.3.4", "Firmwareversion 1.2.3.4",
    "versione dell'app 1.2.3.4", "updated to 1.2.3.4 (beta)", "10.5.7.31 RC", "release 2.0.1.3-rc1",
])
def test_version_and_build_strings_are_not_ip_addresses(text, hyperscan):
    assert found(text, "IP_ADDRESS", hyperscan) == []


@BACKENDS
@pytest.mark.parametrize("text, address", [
    ("Build 10.5.7.31-beta on 10.0.0.1", "10.0.0.1"),
    ("Build server at 10.0.0.5", "10.0.0.5"),  # an address word after the cue: an address after all
    ("version 2 of the API, client 203.0.113.9", "203.0.113.9"),
    ("login from 34.40.95.78", "34.40.95.78"),
])
def test_addresses_near_version_words_are_still_found(text, address, hyperscan):
    assert found(text, "IP_ADDRESS", hyperscan) == [address]


@BACKENDS
@pytest.mark.parametrize("number", [
    "+43 (0)664 1234567", "+49 (0)30 1234567", "+31 (0)20 123 4567", "+33 (0)1 23 45 67 89",  # E.123's (0)
    "+44 (0)20 7946 0958", "+41 (0)44 123 45 67",
    "0664/1234567", "030/1234567", "0451 - 641953", "079 / 302 18 92",  # slashes and spaced dashes
    "0049 30 1234567", "00 49 30 1234567", "011 49 30 1234567", "001-212-456-7890",  # dialling prefixes
    "1-800-356-9377", "(800) 356-9377", "800.356.9377", "+1 800 356 9377",  # North American toll-free
    "+55 (11) 91234-5678", "(11) 3123-4567", "01 23 45 67 89", "06 53 83 13 69", "044 123 45 67",
    "(02) 1234 5678", "0412 345 678", "1800 187 952", "020 7946 0958", "07700 900123",  # Australia, the UK
    "02 1234 5678", "312 099 1048", "333 123 4567", "912 345 678", "+34 612 34 56 78", "+48 12 345 67 89",
])
def test_numbers_written_by_e123_and_national_habit_are_phone_numbers(number, hyperscan):
    assert found(f"Kunde meldet sich, {number}, danke", "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("number", [
    "+49 30 12345678 ext. 123", "(212) 456-7890 x123", "030 1234567 Durchwahl -12", "01 23 45 67 89 poste 12",
    "+55 11 3123-4567 ramal 12", "02 1234 5678 interno 44", "020 123 4567 toestel 21", "12 345 67 89 wew. 301",
])
def test_an_extension_belongs_to_its_number_in_each_language(number, hyperscan):
    assert found(f"Bitte {number} anrufen", "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("text, number", [
    ("phone: 2124567890", "2124567890"), ("Tel. 0612896768", "0612896768"), ("Handy 06641234567", "06641234567"),
    ("tel. 16.234.91.47", "16.234.91.47"),  # dotted like an address, but right after "tel."
    ("telefoon: 0800 37 056", "0800 37 056"),  # four-two-three is no date
])
def test_numbers_without_separators_count_after_a_phone_word(text, number, hyperscan):
    assert found(text, "PHONE_NUMBER", hyperscan) == [number]


@BACKENDS
@pytest.mark.parametrize("text", [
    "total 306.840.667,59 EUR", "Bestellnummer 5410339813", "Rechnung Nr. 2024/12345", "invoice INV-2024-001234",
    "SIRET 930 830 786 31500", "USt-IdNr. DE390993726", "Partita IVA 49993386540", "ISBN 978-9-36-150108-2",
    "CNPJ 12.345.678/0001-90", "PLZ 60783", "2248 Wien", "ZIP 27138-8465", "v9.1.5", "order #838436067",
])
def test_references_tax_ids_postal_codes_and_amounts_stay_clean(text, hyperscan):
    engine = PiiEngine(prefer_hyperscan=hyperscan)
    assert [(e.type, e.value) for e in engine.find(f"Hallo. {text}. Danke".encode())] == []


@BACKENDS
@pytest.mark.parametrize("text", [
    "order_ref: 4642449732288399", "order 5199009188087416", "invoice no. 5169979435086146",
    "Ref 6011024498644693", "tracking number 4584210141458985", "ORD-6011213320472551",
    '{"order_ref": "4929527869972614"}',
])
def test_a_luhn_valid_run_in_an_order_or_reference_is_not_a_card(text, hyperscan):
    assert found(text, "CREDIT_CARD", hyperscan) == []


@BACKENDS
@pytest.mark.parametrize("text, card", [
    ("card number 4929527869972614", "4929527869972614"),  # "number" names a reference, "card" outweighs it
    ("order 4929 5278 6997 2614", "4929 5278 6997 2614"),  # grouped as printed on a card
    ("Kreditkarte 378695440818483", "378695440818483"), ("numéro de carte 5147249089080556", "5147249089080556"),
])
def test_a_card_word_or_a_card_grouping_keeps_a_card(text, card, hyperscan):
    assert found(text, "CREDIT_CARD", hyperscan) == [card]


def test_a_reference_column_holds_no_ungrouped_cards():
    from mlsecops.engines.pii.engine import is_reference_column

    engine = PiiEngine()
    cells = b"4642449732288399\n5199009188087416\n4929 5278 6997 2614"
    assert is_reference_column("order_ref") and is_reference_column("InvoiceNo") and is_reference_column("tracking_id")
    assert not is_reference_column("card_number") and not is_reference_column("customer_phone")
    kept = [e.value for e in engine.find(cells, references=True) if e.type == "CREDIT_CARD"]
    assert kept == [b"4929 5278 6997 2614"]
    assert len([e for e in engine.find(cells) if e.type == "CREDIT_CARD"]) == 3


@BACKENDS
def test_a_grouped_international_number_is_not_an_ssn_inside_it(hyperscan):
    engine = PiiEngine(prefer_hyperscan=hyperscan)
    found_types = [(e.type, e.value) for e in engine.find(b"call 011 49 1517 7047647 please")]
    assert found_types == [("PHONE_NUMBER", b"011 49 1517 7047647")]


@BACKENDS
def test_an_ssn_shaped_reference_after_a_distant_phone_word_is_no_phone(hyperscan):
    assert found("walk phone character over, ref 666-27-8284", "PHONE_NUMBER", hyperscan) == []
