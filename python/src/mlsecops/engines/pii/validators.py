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


def valid_ssn_prefix(candidate: bytes) -> int:
    """Nine digits at the start of `candidate` that make a valid SSN (the rest is whatever follows)."""
    return 9 if len(candidate) >= 9 and candidate[:9].isdigit() and valid_ssn(candidate[:9]) else 0


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


@cache
def _possible_lengths(country_code: int) -> frozenset[int]:
    """The lengths a national number of this calling code can have (the metadata's general description)."""
    import phonenumbers

    lengths: set[int] = set()
    for region in phonenumbers.region_codes_for_country_code(country_code):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is not None and metadata.general_desc is not None:
            lengths.update(metadata.general_desc.possible_length or ())
    return frozenset(lengths)


def _international_possible(digits: str) -> bool:
    """A calling code, then a national number of a length that country gives out: well-formed, though perhaps
    not assigned (the metadata lags behind new ranges, and test data is made of unassigned numbers). The
    national part does not start with the trunk 0 (`+49 0151...` is a typo, or no number); North America's
    has its NPA-NXX form."""
    for width in (1, 2, 3):
        code = int(digits[:width])
        if code in _calling_codes():
            national = digits[width:]
            if code == 1:
                return bool(_NANP_FORM.fullmatch(national))
            return len(national) >= 7 and len(national) in _possible_lengths(code) and (
                national[0] != "0" or code in _KEEPS_LEADING_ZERO)
    return False


_KEEPS_LEADING_ZERO = frozenset({39, 378, 379})  # Italy, San Marino, Vatican: the 0 stays after the calling code


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
        if _international_valid(digits):
            return len(candidate)
        # written the North American way for sure, `+1 ...`, `(AAA) EEE-NNNN` or `AAA-EEE-NNNN` (one separator
        # throughout): a well-formed number counts, assigned area code or not (the metadata lags behind new ones)
        written = candidate.startswith((b"+1", b"(")) or (nanp and (candidate.lstrip(b"1 .-").startswith(b"(")
                                                                     or _one_separator(candidate)))
        if written and digits[0] == "1" and _NANP_FORM.fullmatch(digits[1:]):
            return len(candidate)
        # `+44 3166 844971`: a calling code and a grouped national number of a length that country gives out
        if not candidate.startswith(b"+") or not _international_possible(digits):
            return 0
        return len(candidate) if _grouped(candidate) or len(digits) >= 10 else 0  # `+447611507768`
    if _phone_valid(candidate.decode("ascii"), region):
        return len(candidate)
    if international and _grouped(candidate):  # `+44 (0)2707 720662`: the trunk 0 kept in parentheses
        return len(candidate) if _international_possible(candidate.replace(b"(0)", b"").translate(
            None, b" .-()+/").decode("ascii")) else 0
    return 0


def _grouped(candidate: bytes) -> bool:
    """Digits in two groups or more after the calling code: an ungrouped run after `+` is asked of the metadata."""
    return len(_DIGIT_GROUPS.findall(candidate)) >= 3


def _one_separator(candidate: bytes) -> bool:
    """`801-660-6745`, `801.660.6745`: the groups joined by one kind of separator, as no id or date is written
    in three groups of 3-3-4."""
    separators = set(candidate.translate(None, b"0123456789"))
    return len(separators) == 1 and separators <= {0x2D, 0x2E, 0x20}


_NANP_FORM = re.compile(r"[2-9]\d\d[2-9]\d{6}")  # NPA-NXX-XXXX: area code and exchange do not start with 0 or 1


def valid_phone_00(candidate: bytes) -> int:
    """An international number dialled with the `00` prefix (`0049 30 37056230`, `00 49 30 37056230`) or North
    America's `011` (`011 49 30 37056230`): valid as its `+` form."""
    exit_code = 3 if candidate.startswith(b"011") and not candidate.startswith(b"0011") else 2
    digits = candidate[exit_code:].translate(None, b" .-()/").decode("ascii", "replace")
    if not digits.isdigit() or not 7 <= len(digits) <= 15 or b"(0)" in candidate:
        return 0
    if _international_valid(digits):
        return len(candidate)
    # grouped after the calling code (`0043 899 226682`): well-formed is enough; an ungrouped run with leading
    # zeros is as often an id
    return len(candidate) if len(_DIGIT_GROUPS.findall(candidate[exit_code:])) >= 3 and _international_possible(
        digits) else 0


# Countries whose national numbers count without a phone word when written as that country writes them.
NATIONAL_REGIONS = ("DE", "AT", "CH", "FR", "BE", "NL", "LU", "GB", "IE", "IT", "ES", "PT", "BR", "PL", "SE", "DK",
                    "NO", "FI", "JP", "MX", "AU")


@cache
def _national_prefix(region: str) -> str:
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return (metadata.national_prefix or "") if metadata else ""


@cache
def _region_calling_code(region: str) -> int:
    import phonenumbers

    return int(phonenumbers.country_code_for_region(region))


@lru_cache(maxsize=4096)
def _national_groups(text: str, region: str) -> tuple[bytes, ...] | None:
    """The digit groups of the number as `region` writes it nationally, or None when it is not valid there."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return tuple(_DIGIT_GROUPS.findall(written.encode()))


def _written_nationally(groups: list[bytes], canonical: tuple[bytes, ...]) -> bool:
    """The groups are the country's own national grouping: its area code or prefix first (with the trunk 0 or
    without it where the country's format drops it, as Brazil's `(011)`), then the same groups, the
    subscriber part in one block (`0664 1234567`, `06-12345678`), or 3-3-3 for nine digits (`612 345 678`)."""
    if len(groups) == 2 and groups[0][:1] == b"0" and (canonical[0].startswith(groups[0])
                                                     or groups[0].startswith(canonical[0])):
        return True  # prefix, then the rest in one block, the prefix cut a digit early or late: `0151 23456789`
    if groups[0] != canonical[0] and groups[0] != b"0" + canonical[0]:
        return False
    if len(groups) == 2 or groups[1:] == list(canonical[1:]):
        return True
    return [len(g) for g in groups] == [3, 3, 3]


def valid_national_phone(candidate: bytes) -> int:
    """A national number without its country code, valid in one of `NATIONAL_REGIONS` and grouped the way
    that country writes it: `0664 1234567`, `(11) 96123-4567`, `512 345 678`, `06-12345678`, `090-1234-5678`.
    Two groups or more: a bare run of digits is an id; a date, an amount or an id grouped otherwise is none."""
    groups = _DIGIT_GROUPS.findall(candidate)
    if len(groups) < 2:
        return 0
    digits = b"".join(groups)
    if not 8 <= len(digits) <= 12 or len(set(digits)) < 3 or _DATE_SHAPE.fullmatch(candidate):
        return 0
    number = digits.decode("ascii")
    text = candidate.decode("ascii")
    for region in NATIONAL_REGIONS:
        prefix = _national_prefix(region)
        significant = number[len(prefix):] if prefix and number.startswith(prefix) else number
        pattern = _country_pattern(_region_calling_code(region))
        if pattern is None or not pattern.fullmatch(significant):
            continue  # the fast regex of every valid number first: most candidates stop here
        canonical = _national_groups(text, region)
        if canonical and _written_nationally(groups, canonical):
            return len(candidate)
    if _BRAZIL_WRITTEN.fullmatch(candidate):
        return len(candidate)  # `(26) 5822-1915`: Brazil's written form, whose area codes are not all assigned
    if number[0] == "0" and groups[0] != b"0":  # with the trunk 0: perhaps well-formed though not assigned
        significant = number[1:]
        for region in _TRUNK_REGIONS:
            if len(significant) in _region_possible_lengths(region):
                canonical = _formatted_groups(significant, region)
                if canonical and canonical[0][:1] == b"0" and len(canonical) >= 2 and _written_nationally(
                        groups, canonical):
                    return len(candidate)
    return 0


# A two-digit area code in parentheses (with the trunk 0 or not), then four digits (a landline) or five starting
# with 9 (a mobile), a dash and four: the way Brazil writes its numbers, and no id, amount or date.
_BRAZIL_WRITTEN = re.compile(rb"\(0?[1-9]{2}\) ?(?:9\d{4}|[2-9]\d{3})-\d{4}")
# Of `NATIONAL_REGIONS`, those whose national numbers start with the trunk 0: a number written so, in the groups
# the country's format gives it, counts though its range is not assigned (`06.96.15.40.52`, `0443-31-36-70`).
# Not those without a trunk prefix: their groupings (`311 994 272`) are also those of amounts and ids.
_TRUNK_REGIONS = ("DE", "AT", "CH", "FR", "BE", "NL", "GB", "IE", "BR", "AU")


@cache
def _region_possible_lengths(region: str) -> frozenset[int]:
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    general = metadata.general_desc if metadata is not None else None
    return frozenset(general.possible_length or ()) if general is not None else frozenset()


@lru_cache(maxsize=4096)
def _formatted_groups(significant: str, region: str) -> tuple[bytes, ...] | None:
    """The digit groups `region`'s national format gives a national number, valid or not (the format is chosen
    by the leading digits alone); None when no format fits and the number would stay one run."""
    import phonenumbers

    try:
        number = phonenumbers.parse(f"+{_region_calling_code(region)}{significant}")
    except phonenumbers.NumberParseException:
        return None
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return tuple(_DIGIT_GROUPS.findall(written.encode()))
# `ext. 12`, `x12`, and the words of the other languages: `Durchwahl -12`, `poste 12`, `ramal 12`, `interno 12`,
# `toestel 12`, `wew. 12`.
_EXTENSION_WORDS = (rb"x|ext\.?|extension|extensi\xc3\xb3n|poste|ramal|interno|int\.|durchwahl|dw\.|toestel|tst\."
                    rb"|wew\.|nebenstelle")
_EXTENSION = re.compile(rb"\s?(?:" + _EXTENSION_WORDS + rb")\s?-?\d{1,5}$", re.IGNORECASE)


def valid_phone_with_extension(candidate: bytes, region: str = "US") -> int:
    """`801-660-6745 x123`: the number before the extension decides; the extension is part of the value."""
    match = _EXTENSION.search(candidate)
    if not match:
        return 0
    return len(candidate) if valid_phone(candidate[: match.start()], region) else 0


# A number as people write one: optional + or 00 and a calling code, then digit groups (maybe an
# area code in parentheses), then maybe an extension. What a phone word admits without the metadata.
# Groups are joined by one space, dot, dash or slash, or a dash or slash between spaces: never by ". "
# or ", ", which end the number (`Tel. 0455 215587. 14.0.5.97-beta`).
_PHONE_SHAPE = re.compile(
    rb"(?:(?:\+|00 ?|011 )\d{1,3}[ .-]?|1[ .-]?(?=\())?(?:\(\d{1,6}\)[ .-]{0,2})?\d{1,5}"
    rb"(?:(?:[ .\-/]| ?[-/] ?)?\d{1,8}){0,6}"
    rb"(?:\s?(?i:" + _EXTENSION_WORDS + rb")\s?-?\d{1,5})?"
)
# A date (day and month, then a year of two or four digits; or a year first), or a year and more. Not `0800 37 056`
# or `044 12 345`: a group of three digits is no day, month or year.
_DATE_SHAPE = re.compile(rb"\d{1,2}([-/. ])\d{1,2}\1(?:\d\d){1,2}|\d{4}([-/. ])\d{1,2}\2\d{1,2}|(?:19|20)\d\d[ .\-/].*")


def phone_shaped(candidate: bytes) -> int:
    """Length of a well-formed phone number at the start of `candidate`, whatever its digits: what a word
    like "phone" or "call me at" admits when the numbering metadata would reject it (an area code not
    yet assigned, a national format of another country). A date or a bare short run is no number."""
    match = _PHONE_SHAPE.match(candidate)
    if not match:
        return 0
    text = match.group().rstrip(b" .-/")
    core = _EXTENSION.sub(b"", text) if text.translate(None, _NUMBER_BYTES) else text  # letters: an extension
    digits = core.translate(None, b" .-()+/")
    dialled = digits[2:] if core.startswith(b"00") else digits  # without the international prefix
    if not 7 <= len(dialled) <= 15 or len(set(digits)) == 1 or _DATE_SHAPE.fullmatch(core) or (
            _SSN_SHAPE.fullmatch(core)):
        return 0  # a date, or an SSN's 3-2-4 (no country groups a phone number so)
    if digits == core and not 8 <= len(dialled) <= 13:
        return 0  # an ungrouped run: only as long as a full number (Danish ones have eight digits)
    if core.startswith(b"+") and not any(int(digits[:w]) in _calling_codes() for w in (1, 2, 3)):
        return 0
    return len(text)


_DIGIT_GROUPS = re.compile(rb"\d+")
_NUMBER_BYTES = b"0123456789 .-/()+"
_SSN_SHAPE = re.compile(rb"\d{3}([- ])\d{2}\1\d{4}")
_DATE = re.compile(rb"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


# Month names (and common abbreviations) in the languages support and CRM text is written in: CLDR's wide and
# abbreviated names, formatting and stand-alone forms (Polish and Czech genitives: `12 stycznia 1980`).
MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan januar janvier enero gennaio januari janeiro janv ene gen jän jänner tammi tammikuu "
    "tammikuuta leden ledna sty styczeń stycznia styczen",
    "february feb februar février fevrier febrero febbraio februari fevereiro févr fevr fev lut lutego "
    "luty helmi helmikuu helmikuuta únor února",
    "march mar märz maerz mars marzo maart março marco mär mrt marts marca marzec maalis maaliskuu "
    "maaliskuuta březen března",
    "april apr avril abril aprile avr abr kwi kwiecień kwietnia kwiecien huhti huhtikuu huhtikuuta duben dubna",
    "may mai mayo maggio mei maio mag maj maja touko toukokuu toukokuuta květen května",
    "june jun juni juin junio giugno junho giu cze czerwca czerwiec kesä kesäkuu kesäkuuta červen června",
    "july jul juli juillet julio luglio julho juil lug lip lipca lipiec heinä heinäkuu heinäkuuta červenec července",
    "august aug august août aout agosto augustus ago augusti sie sierpień sierpnia sierpien elo elokuu "
    "elokuuta srpen srpna",
    "september sep sept septembre septiembre settembre setembro set wrz wrzesień września wrzesien "
    "wrzesnia syys syyskuu syyskuuta září",
    "october oct oktober octobre octubre ottobre oktober outubro okt ott out paź październik "
    "października pazdziernik pazdziernika loka lokakuu lokakuuta říjen října",
    "november nov novembre noviembre novembro lis listopad listopada listopadu marras marraskuu marraskuuta",
    "december dec dezember décembre decembre diciembre dicembre dezembro déc dic dez des desember gru "
    "grudnia grudzień grudzien joulu joulukuu joulukuuta prosinec prosince",
), start=1):
    for _name in _names.split():
        MONTHS[_name] = _number
MONTH_ALTERNATION = b"|".join(sorted({n.encode() for n in MONTHS}, key=lambda n: (-len(n), n)))
_MONTH_DAY_LIMIT = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LETTERS = rb"(?:[A-Za-z]|[\xc3-\xc5][\x80-\xbf])+"  # ASCII and Latin letters in UTF-8: `décembre`, `października`
_WORDY_DATE = re.compile(
    rb"(?P<d1>\d{1,2})(?:st|nd|rd|th|er|\xc2\xba|o)?\.?(?:\s+(?:de|of|del)\s+|\s*[-/ ]\s*|\s*)(?P<m1>"
    + _LETTERS + rb")\.?,?(?:\s+(?:de|del)\s+|\s*[-/ ]\s*)(?P<y1>\d{4})"
    rb"|(?P<m2>" + _LETTERS + rb")\.?\s*[-/ ]?\s*(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s*[-/ ]?\s*(?P<y2>\d{4})",
    re.IGNORECASE,
)


def valid_wordy_date(candidate: bytes) -> int:
    """`22 December 1971`, `Feb 22 1948`, `November 4, 1944`, `22. Dezember 1971`, `22 de diciembre de 1971`:
    a real day with its month written out, between 1900 and 2030."""
    match = _WORDY_DATE.fullmatch(candidate)
    if not match:
        return 0
    if match.group("m1"):
        day, month, year = match.group("d1"), match.group("m1"), match.group("y1")
    else:
        day, month, year = match.group("d2"), match.group("m2"), match.group("y2")
    number = MONTHS.get(month.decode("utf-8", "replace").lower())
    if not number or not 1900 <= int(year) <= 2030 or not 1 <= int(day) <= _MONTH_DAY_LIMIT[number]:
        return 0
    return len(candidate)


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


_KANJI_DATE = re.compile(rb"(\d{4})\xe5\xb9\xb4(\d{1,2})\xe6\x9c\x88(\d{1,2})\xe6\x97\xa5")


def valid_kanji_date(candidate: bytes) -> int:
    """`1980年1月12日`: a real day between 1900 and 2030."""
    match = _KANJI_DATE.fullmatch(candidate)
    if not match:
        return 0
    year, month, day = (int(g) for g in match.groups())
    return len(candidate) if 1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= _MONTH_DAY_LIMIT[month] else 0


_SHORT_YEAR_DATE = re.compile(rb"(\d{1,2})([-/.])(\d{1,2})\2(\d\d)")


def valid_short_year_date(candidate: bytes) -> int:
    """`12.01.80`, `1/12/80`: a real day and month in either order, the same separator twice."""
    match = _SHORT_YEAR_DATE.fullmatch(candidate)
    if not match:
        return 0
    first, second = int(match.group(1)), int(match.group(3))
    if (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31):
        return len(candidate)
    return 0


def valid_numeric_date(candidate: bytes) -> int:
    """`1980-01-12`, `12.01.1980`, `12.01.80`, `1980年1月12日`: whichever form the candidate has."""
    if len(candidate) > 8 and candidate[-3:] == "日".encode():
        return valid_kanji_date(candidate)
    return valid_date(candidate) or valid_short_year_date(candidate)
