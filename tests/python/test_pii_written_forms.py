"""PII as people write it in support, CRM and chat text: month names in several languages, numbers after
their label, phone formats of many countries; and version strings that are not IP addresses."""

from __future__ import annotations

import random
import string

import pytest
from mlsecops.engines.pii.engine import PiiEngine

BACKENDS = [True, False]


def found(text: str, hyperscan: bool, region: str = "US") -> list[tuple[str, str]]:
    data = text.encode()
    return [(e.type, data[e.start:e.end].decode()) for e in PiiEngine(phone_region=region,
                                                                       prefer_hyperscan=hyperscan).find(data)]


BIRTH_DATES = [
    ("DOB: 22 December 1971", "22 December 1971"),
    ("born Feb 22 1948 in Ohio", "Feb 22 1948"),
    ("date of birth November 4, 1944", "November 4, 1944"),
    ("Date of birth: Dec. 22nd, 1971", "Dec. 22nd, 1971"),
    ("d.o.b. 3-Mar-1960", "3-Mar-1960"),
    ("Geburtsdatum: 22. Dezember 1971", "22. Dezember 1971"),
    ("geb. 3. März 1960", "3. März 1960"),
    ("né le 22 décembre 1971", "22 décembre 1971"),
    ("date de naissance : 1er janvier 1950", "1er janvier 1950"),
    ("fecha de nacimiento 22 de diciembre de 1971", "22 de diciembre de 1971"),
    ("data di nascita 7 luglio 1966", "7 luglio 1966"),
    ("geboortedatum 14 maart 1980", "14 maart 1980"),
    ("data de nascimento 5 de maio de 1975", "5 de maio de 1975"),
]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
@pytest.mark.parametrize(("text", "value"), BIRTH_DATES)
def test_birth_dates_with_month_names_are_found_in_many_languages(text, value, hyperscan):
    assert found(text, hyperscan) == [("DATE_OF_BIRTH", value)]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_a_date_of_another_event_is_not_a_birth_date(hyperscan):
    assert found("ordered on 24 March 2023, delivered April 2, 2023", hyperscan) == []
    # the birth-date word belongs to the first date only
    assert found("dob 1980-02-03, shipped on 2021-05-25", hyperscan) == [("DATE_OF_BIRTH", "1980-02-03")]
    assert found("born 31 February 1950", hyperscan) == []  # no such day


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_an_ssn_without_separators_counts_after_its_label_only(hyperscan):
    assert found("my social security no. 609160819 thanks", hyperscan) == [("US_SSN", "609160819")]
    assert found("SSN: 609160819", hyperscan) == [("US_SSN", "609160819")]
    assert found("ref 609160819, tracking 609160819", hyperscan) == []
    assert found("SSN 666160819", hyperscan) == []  # the SSA rules still apply


PHONES = [
    ("call me at 1-801-660-6745", "1-801-660-6745"),
    ("1-801-660-6745 is my line", "1-801-660-6745"),
    ("phone 555-019-1234", "555-019-1234"),  # well-formed, though no such exchange is assigned
    ("contact: (123) 456-7890", "(123) 456-7890"),
    ("(591)341-7776", "(591)341-7776"),  # an area code written in parentheses is one
    ("+1-780-563-6083x7783", "+1-780-563-6083x7783"),
    ("office 0049 30 37056230", "0049 30 37056230"),
    ("06 53 83 13 69", "06 53 83 13 69"),  # French, no word needed
    ("020 7946 0018", "020 7946 0018"),  # British
    ("mobile: 612 34 56 78", "612 34 56 78"),  # Spanish, after its word
    ("tél. 0174444136", "0174444136"),
    ("Rückruf bitte an 030 37056230", "030 37056230"),
    ("chiamami al 3466782674", "3466782674"),
    ("bel me op +31(0)602-910052", "+31(0)602-910052"),
]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
@pytest.mark.parametrize(("text", "value"), PHONES)
def test_phone_numbers_in_the_forms_people_write_them(text, value, hyperscan):
    assert found(text, hyperscan) == [("PHONE_NUMBER", value)]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_numbers_that_only_look_like_phones_are_not_phones(hyperscan):
    assert found("contact ORD-2023-004512", hyperscan) == []  # the tail of an id
    assert found("contact me on 22/12/2023", hyperscan) == []  # a date
    assert found("phone: 2023 123456", hyperscan) == []  # a year and a number
    assert found("order 555-019-1234", hyperscan) == []  # no phone word: the metadata decides
    assert found("Tel +43 662 17850 255", hyperscan) == [("PHONE_NUMBER", "+43 662 17850 255")]  # no card


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_build_and_version_strings_are_not_ip_addresses(hyperscan):
    for text in ("Build 10.5.7.31-beta", "version: 2.1.0.3", "firmware v 4.1.2.0", "release no. 10.0.0.12",
                 "Mozilla Firefox/115.0.1.2", "10.5.7.31-rc1 is out", "build #10.5.7.31"):
        assert found(text, hyperscan) == [], text
    assert found("login from 10.5.7.31, blocked", hyperscan) == [("IP_ADDRESS", "10.5.7.31")]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_long_stripe_live_keys_are_found_whole(hyperscan):
    rng = random.Random(14)
    key = "sk_" + "live_51" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(99))
    assert found(f"stripe key {key} end", hyperscan) == [("API_KEY", key)]
