"""Validators that turn pattern candidates into PII: checksums, issuer ranges, numbering rules.

Each takes the candidate bytes and returns the length (in bytes, from the candidate's
start) of the valid value it holds, or 0: a candidate may run on past its value (a card
number followed by a year), and trimming beats rejecting.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

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


def card_lengths(digits: str) -> tuple[int, ...]:
    for low, high, lengths in _CARD_RANGES:
        width = len(str(low))
        if len(digits) >= width and low <= int(digits[:width]) <= high:
            return lengths
    return ()


def valid_card(candidate: bytes) -> int:
    """Length of the longest issuer-valid, Luhn-valid card number at the start of `candidate`."""
    digits = candidate.translate(None, b" -").decode("ascii")
    for length in sorted(card_lengths(digits), reverse=True):
        if len(digits) >= length and luhn_valid(digits[:length]) and len(set(digits[:length])) > 1:
            return len(candidate) if length == len(digits) else _span_of_digits(candidate, length)
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


def iban_checksum_valid(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def valid_iban(candidate: bytes) -> int:
    text = candidate.decode("ascii", "replace")
    length = IBAN_LENGTHS.get(text[:2])
    if not length:
        return 0
    compact_positions = [i for i, c in enumerate(text) if c != " "]
    if len(compact_positions) < length:
        return 0
    compact = "".join(text[i] for i in compact_positions[:length])
    if not compact[2:4].isdigit() or not iban_checksum_valid(compact):
        return 0
    return compact_positions[length - 1] + 1


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
    if all(int(p) <= 255 for p in parts) and candidate not in (b"0.0.0.0", b"255.255.255.255"):
        return len(candidate)
    return 0


def valid_ipv6(candidate: bytes) -> int:
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


@lru_cache(maxsize=4096)
def _phone_valid(text: str, region: str) -> bool:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


_NANP_GROUPS = ([3, 3, 4], [1, 3, 3, 4])


def valid_phone(candidate: bytes, region: str = "US") -> int:
    """A number `phonenumbers` calls valid; without a country code it must be grouped as the region
    writes numbers (US: 3-3-4), since a bare or oddly grouped run of digits is an id or a date."""
    digits = len(candidate.translate(None, b" .-()+"))
    if not 7 <= digits <= 15 or (digits == len(candidate)):
        return 0
    grouping = [len(g) for g in _DIGIT_GROUPS.findall(candidate)]
    if not candidate.startswith(b"+") and region in ("US", "CA") and grouping not in _NANP_GROUPS:
        return 0
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
