"""Validators that turn pattern candidates into PII: checksums, issuer ranges, numbering rules.

Each takes the candidate bytes and returns the length (in bytes, from the candidate's
start) of the valid value it holds, or 0: a candidate may run on past its value (a card
number followed by a year), and trimming beats rejecting.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache

# Issuer ranges (ISO/IEC 7812 prefixes) with the lengths each issues; Mastercard's 2-series since 2017.
_CARD_RANGES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (34, 34, (15,)),  # American Express
    (37, 37, (15,)),
    (6011, 6011, (16, 17, 18, 19)),  # Discover
    (644, 649, (16, 17, 18, 19)),
    (65, 65, (16, 17, 18, 19)),
    (622126, 622925, (16, 17, 18, 19)),  # Discover / UnionPay co-branded
    (62, 62, (16, 17, 18, 19)),  # UnionPay
    (3528, 3589, (16, 17, 18, 19)),  # JCB
    (300, 305, (14, 16, 17, 18, 19)),  # Diners Club
    (36, 36, (14, 16, 17, 18, 19)),
    (38, 39, (16, 17, 18, 19)),
    (2200, 2204, (16, 17, 18, 19)),  # Mir
)


_DOUBLED = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}


def luhn_valid(digits: str) -> bool:
    total = sum(map(int, digits[-1::-2])) + sum(_DOUBLED[d] for d in digits[-2::-2])
    return total % 10 == 0


_CARD_RANGES_BY_WIDTH = [(len(str(low)), low, high, tuple(sorted(lengths, reverse=True)))
                         for low, high, lengths in _CARD_RANGES]


def card_lengths(digits: str) -> tuple[int, ...]:
    """The lengths the issuer of this prefix gives out, longest first; () for no known issuer."""
    for width, low, high, lengths in _CARD_RANGES_BY_WIDTH:
        if len(digits) >= width and low <= int(digits[:width]) <= high:
            return lengths
    return ()


def valid_card(candidate: bytes) -> int:
    """Length of the longest issuer-valid, Luhn-valid card number at the start of `candidate`."""
    digits = candidate.translate(None, b" -").decode("ascii")
    for length in card_lengths(digits):
        if len(digits) < length or not luhn_valid(digits[:length]) or len(set(digits[:length])) == 1:
            continue
        if length == len(digits):
            return len(candidate)
        end = _span_of_digits(candidate, length)
        if not 48 <= candidate[end] <= 57:  # trim only at a group boundary, never inside a run of digits
            return end
    return 0


def _span_of_digits(candidate: bytes, count: int) -> int:
    seen = 0
    for index, byte in enumerate(candidate):
        if 48 <= byte <= 57:
            seen += 1
            if seen == count:
                return index + 1
    return 0


# IBAN lengths by country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


_IBAN_DIGITS = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def iban_checksum_valid(compact: str) -> bool:
    """ISO 13616 mod-97: move the first four characters to the end, letters become 10..35."""
    return int((compact[4:] + compact[:4]).translate(_IBAN_DIGITS)) % 97 == 1


def valid_iban(candidate: bytes) -> int:
    text = candidate.decode("ascii", "replace")
    length = IBAN_LENGTHS.get(text[:2])
    if not length:
        return 0
    if " " not in text:  # the common, unspaced form: no position bookkeeping
        compact, end = text[:length], length
    else:
        positions = [i for i, c in enumerate(text) if c != " "]
        compact = "".join(text[i] for i in positions[:length])
        end = positions[length - 1] + 1 if len(positions) >= length else 0
    if len(compact) < length or not compact[2:4].isdigit() or not iban_checksum_valid(compact):
        return 0
    return end


_SSN = re.compile(rb"(\d{3})[- ]?(\d{2})[- ]?(\d{4})")
_SSN_ADVERTISED = {b"078051120", b"219099999", b"123456789"}  # published in ads and docs, never issued


def valid_ssn(candidate: bytes) -> int:
    """SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000; separators consistent."""
    match = _SSN.fullmatch(candidate)
    if not match or (b"-" in candidate and b" " in candidate):
        return 0
    area, group, serial = match.groups()
    if area in (b"000", b"666") or area[0:1] == b"9" or group == b"00" or serial == b"0000":
        return 0
    if area + group + serial in _SSN_ADVERTISED:
        return 0
    return len(candidate)


def valid_ipv4(candidate: bytes) -> int:
    parts = candidate.split(b".")
    if len(parts) != 4 or any(len(p) > 1 and p[:1] == b"0" for p in parts):
        return 0
    if not all(int(p) <= 255 for p in parts) or parts[0] in (b"0", b"127") or candidate == b"255.255.255.255":
        return 0  # this host, loopback and broadcast name no one
    return len(candidate)


def valid_ipv6(candidate: bytes) -> int:
    colons = candidate.count(b":")
    if colons < 2 or (colons < 7 and b"::" not in candidate):
        return 0  # a time of day or a MAC-like run: an address without '::' has eight groups
    text = candidate.decode("ascii", "replace").rstrip(":") if not candidate.endswith(b"::") else candidate.decode()
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return 0
    groups = [g for g in text.split(":") if g]
    return len(text) if len(groups) >= 3 and any(c.isdigit() for c in text) else 0


_EMAIL_TLD = re.compile(rb"\.([A-Za-z]{2,24})$")


def valid_email(candidate: bytes) -> int:
    local, _, domain = candidate.rpartition(b"@")
    if not local or len(local) > 64 or len(candidate) > 254 or b".." in candidate:
        return 0
    if local.startswith(b".") or local.endswith(b".") or not _EMAIL_TLD.search(domain):
        return 0
    return len(candidate)


_NUMBER_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip",
                 "pager", "uan", "voicemail")


@cache
def _country_pattern(country_code: int) -> re.Pattern[str] | None:
    """Every valid national number of a country calling code, from phonenumbers' own metadata.

    One compiled alternation answers what `phonenumbers.is_valid_number` answers for a
    number already split into country code and national number, about 100x faster.
    """
    import phonenumbers

    patterns = set()
    for region in phonenumbers.region_codes_for_country_code(country_code):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        for name in _NUMBER_TYPES:
            desc = getattr(metadata, name, None)
            if desc is not None and desc.national_number_pattern:
                patterns.add(desc.national_number_pattern)
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns))) if patterns else None


@cache
def _calling_codes() -> frozenset[int]:
    import phonenumbers

    return frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@cache
def _nanp_regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.region_codes_for_country_code(1))


def _international_valid(digits: str) -> bool:
    for width in (1, 2, 3):
        code = int(digits[:width])
        if code in _calling_codes():
            pattern = _country_pattern(code)
            return bool(pattern and pattern.fullmatch(digits[width:]))
    return False


@lru_cache(maxsize=4096)
def _phone_valid(text: str, region: str) -> bool:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def is_nanp_region(region: str) -> bool:
    """The region writes national numbers the North American way (country code 1: 3-3-4 groups)."""
    return region in _nanp_regions()


_NANP_GROUPS = ([3, 3, 4], [1, 3, 3, 4])


def valid_phone(candidate: bytes, region: str = "US") -> int:
    """A number `phonenumbers` calls valid; without a country code it must be grouped as the region
    writes numbers (US: 3-3-4), since a bare or oddly grouped run of digits is an id or a date."""
    digits = candidate.translate(None, b" .-()+/").decode("ascii")  # '/': German 030/123456
    if not 7 <= len(digits) <= 15 or (len(digits) == len(candidate)):
        return 0
    international = candidate.startswith(b"+")
    nanp = is_nanp_region(region)
    if not international and nanp:
        grouping = [len(g) for g in _DIGIT_GROUPS.findall(candidate)]
        if grouping not in _NANP_GROUPS:
            return 0
        digits = digits if len(digits) == 11 else "1" + digits
        international = True
    if international and b"(0)" not in candidate:
        return len(candidate) if _international_valid(digits) else 0
    return len(candidate) if _phone_valid(candidate.decode("ascii"), region) else 0


_DIGIT_GROUPS = re.compile(rb"\d+")
_DATE = re.compile(rb"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


def valid_date(candidate: bytes) -> int:
    """A plausible birth date: a real calendar day between 1900 and 2030 (either order of day and month)."""
    match = _DATE.fullmatch(candidate)
    if not match:
        return 0
    if match.group(1):
        year, first, second = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        first, second, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
    if not 1900 <= year <= 2030:
        return 0
    if (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31):
        return len(candidate)
    return 0
