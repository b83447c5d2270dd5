"""PII validators and the engine's overlap rules: what counts as an entity and what is a decoy."""

from __future__ import annotations

import pytest
from mlsecops.engines.pii.engine import PiiEngine
from mlsecops.engines.pii.validators import (
    luhn_valid,
    valid_card,
    valid_date,
    valid_iban,
    valid_ipv4,
    valid_ipv6,
    valid_phone,
    valid_ssn,
)


def _luhn_complete(partial: str) -> str:
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return partial + digit
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    "partial",
    ["453914880343646", "222100000000000", "272099999999999", "37828224631000", "601100099990000",
     "353011133330000", "555555555555444"],
    ids=["visa", "mastercard-2-series-low", "mastercard-2-series-high", "amex", "discover", "jcb", "mastercard"],
)
def test_issuer_ranges_with_luhn_are_cards(partial):
    number = _luhn_complete(partial)
    assert valid_card(number.encode()) == len(number)


def test_cards_outside_issuer_ranges_or_failing_luhn_are_not_cards():
    visa = _luhn_complete("453914880343646")
    wrong_check = visa[:-1] + str((int(visa[-1]) + 1) % 10)
    assert valid_card(wrong_check.encode()) == 0
    assert valid_card(_luhn_complete("272100000000000").encode()) == 0  # just past Mastercard's 2-series
    assert valid_card(_luhn_complete("900000000000000").encode()) == 0


def test_a_card_followed_by_more_digits_is_trimmed_to_its_valid_length():
    visa = _luhn_complete("453914880343646")
    spaced = " ".join(visa[i : i + 4] for i in range(0, 16, 4))
    assert valid_card(f"{spaced} 20".encode()) == len(spaced)


def test_iban_needs_country_length_and_mod_97():
    assert valid_iban(b"DE89370400440532013000") == 22
    assert valid_iban(b"DE89 3704 0044 0532 0130 00") == 27
    assert valid_iban(b"GB82WEST12345698765432") == 22
    assert valid_iban(b"DE89370400440532013001") == 0  # checksum
    assert valid_iban(b"XX89370400440532013000") == 0  # no such country
    assert valid_iban(b"DE89370400440532013000 BIC") == 22  # run-on text is trimmed


@pytest.mark.parametrize("ssn", ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000",
                                 "078-05-1120", "123-45 6789"])
def test_ssns_the_ssa_never_issues_are_rejected(ssn):
    assert valid_ssn(ssn.encode()) == 0


def test_a_well_formed_ssn_is_accepted():
    assert valid_ssn(b"219-45-6789") == 11


def test_ip_addresses_are_checked_by_value():
    assert valid_ipv4(b"192.168.10.20") == 13
    assert valid_ipv4(b"256.1.1.1") == 0
    assert valid_ipv4(b"01.2.3.4") == 0
    assert valid_ipv6(b"2001:db8:85a3::8a2e:370:7334") > 0
    assert valid_ipv6(b"12:30:45") == 0  # a time of day


def test_phone_numbers_are_validated_by_phonenumbers_and_bare_digit_runs_are_ids():
    assert valid_phone(b"+1 415 555 2671") > 0
    assert valid_phone(b"(212) 555-0175") > 0
    assert valid_phone(b"+44 20 7946 0958") > 0
    assert valid_phone(b"4155552671") == 0
    assert valid_phone(b"123-4567") == 0


def test_dates_must_be_real_days():
    assert valid_date(b"1985-03-12") and valid_date(b"12/31/1990") and valid_date(b"31.12.1990")
    assert not valid_date(b"1985-13-45") and not valid_date(b"1700-01-01")


def types(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(e.type, e.value.decode()) for e in PiiEngine(**kwargs).find(text.encode())]


@pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])
def test_specific_entities_win_over_phone_numbers_on_the_same_digits(hyperscan):
    visa = _luhn_complete("453914880343646")
    text = f"card {visa} ssn 219-45-6789 ip 10.20.30.40 call +1 415 555 2671"
    assert types(text, prefer_hyperscan=hyperscan) == [
        ("CREDIT_CARD", visa), ("US_SSN", "219-45-6789"), ("IP_ADDRESS", "10.20.30.40"),
        ("PHONE_NUMBER", "+1 415 555 2671"),
    ]


def test_birth_dates_need_context_and_other_dates_are_not_pii():
    assert types("dob: 1985-03-12") == [("DATE_OF_BIRTH", "1985-03-12")]
    assert types("born 12/03/1985 in Oslo") == [("DATE_OF_BIRTH", "12/03/1985")]
    assert types("shipped on 2023-01-15, order 2023-01-16") == []


def test_decoys_are_not_entities():
    decoys = ("order ORD-2023-004512, uuid 3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b, version 1.2.3.4, "
              "built 2024-05-01T12:30:45Z, invoice 4539148803436468, ticket 123-45-678")
    assert types(decoys) == []


def test_only_the_requested_entity_types_are_reported():
    assert types("a@b.io and 10.0.0.1", types=["IP_ADDRESS"]) == [("IP_ADDRESS", "10.0.0.1")]
    with pytest.raises(ValueError, match="NAME"):
        PiiEngine(["NAME"])


def test_oids_decimals_and_loopback_are_not_ip_addresses_or_cards():
    assert types("oid 1.3.6.1.5.5.7.3.1 and localhost 127.0.0.1 or 0.0.0.0") == []
    assert types("ratio 0.4539148803436467 of the batch") == []
    assert types("client 203.0.113.9 connected.") == [("IP_ADDRESS", "203.0.113.9")]


@pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])
def test_national_numbers_are_grouped_as_the_region_writes_them(hyperscan):
    text = b"Tel 0711 12345, fax 415-823-4567, ref 415 823 4567 12, amount 415.82"

    def phones(region: str) -> list[bytes]:
        engine = PiiEngine(["PHONE_NUMBER"], phone_region=region, prefer_hyperscan=hyperscan)
        return [e.value for e in engine.find(text)]

    # Germany writes two-group numbers; North America 3-3-4, and a longer run stays one (rejected) id,
    # never trimmed to the phone number its first three groups would make. After its phone word a
    # well-formed number of another country's format counts everywhere.
    assert b"0711 12345" in phones("DE")
    assert phones("US") == phones("CA") == [b"0711 12345", b"415-823-4567"]


@pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])
def test_ipv6_in_every_written_form_is_found_and_times_and_mac_addresses_are_not_candidates(hyperscan):
    addresses = ["2001:db8:85a3:0:0:8a2e:370:7334", "2001:db8::8a2e:370:7334", "::ffff:c000:280",
                 "fe80::1:2", "::2:3:4:5:6:7:8"]
    text = "built at 12:30:45, nic 00:1a:2b:3c:4d:5e, hosts " + ", ".join(addresses)
    assert types(text, types=["IP_ADDRESS"], prefer_hyperscan=hyperscan) == [("IP_ADDRESS", a) for a in addresses]
    engine = PiiEngine(["IP_ADDRESS"], prefer_hyperscan=hyperscan)
    spans = engine._matcher.longest(b"at 12:30:45 nic 00:1a:2b:3c:4d:5e")
    assert spans == {}  # rejected shapes cost no match callback, not even an IPv4 one


@pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])
def test_a_north_american_number_inside_a_longer_run_of_groups_stays_part_of_that_run(hyperscan):
    engine = PiiEngine(["PHONE_NUMBER"], prefer_hyperscan=hyperscan)
    # the run is one (rejected) id whether the 3-3-4 starts at its second group or its third
    runs = (b"box 1234 212 555 1234", b"lot 12 34 212 555 1234", b"ref 876 212.497.3265- 748579",
            b"586-28557 800 862 0437+14")
    assert [engine.find(run) for run in runs] == [[]] * len(runs)
    assert [e.value for e in engine.find(b"call 212 555 1234 now")] == [b"212 555 1234"]


def test_with_hyperscan_only_3_3_4_runs_are_north_american_national_candidates():
    engine = PiiEngine(["PHONE_NUMBER"], prefer_hyperscan=True)
    if engine.backend != "hyperscan":
        pytest.skip("hyperscan is not installed")
    phone_pattern = next(p.id for p in engine._matcher.patterns)
    # an end-only pattern is re-checked with `re`, whose matches do not shadow the way Hyperscan's do
    assert phone_pattern not in engine._matcher._end_only
    shapes = b"ssn 219-45-6789 on 2023-01-15 from 10.20.30.40 card 4539 1488 0343 6467, ref 415 823 4567 12"
    assert sorted(engine._matcher.longest(shapes).values()) == [len(shapes)]  # only the last, a 3-3-4 run


@pytest.mark.parametrize("hyperscan", [True, False], ids=["hyperscan", "re"])
def test_national_numbers_with_a_long_subscriber_part_count_after_a_phone_word(hyperscan):
    def phones(text: str, region: str = "DE") -> list[str]:
        engine = PiiEngine(["PHONE_NUMBER"], phone_region=region, prefer_hyperscan=hyperscan)
        return [e.value.decode() for e in engine.find(text.encode())]

    assert phones("Tel. 030 123456, Fax: 0711/1234567, Handy 0151-12345678") == [
        "030 123456", "0711/1234567", "0151-12345678"]
    assert phones("call me on 040 1234567 after six") == ["040 1234567"]
    # named as something else, a reference or an account number is written alike
    assert phones("Kundennummer 030 123456, Konto 0301 234567 0302 345678") == []
    # a number no country's plan knows counts only after the word, on the same line
    assert phones("Tel: 0009 123456") == ["0009 123456"]
    assert phones("Tel:\n0009 123456") == []
    assert phones("Tel 2023 123456, Tel ORD-030 123456") == []  # no trunk 0; the tail of an id
    # in North America too: the word admits a well-formed number that the numbering plan does not know
    assert phones("Tel. 030 123456", region="US") == ["030 123456"]
    assert phones("Konto 030 123456", region="US") == []
