"""PII in bytes: one multi-pattern pass for candidates, validators to confirm, priorities for overlaps.

Where spans overlap, the more specific entity wins (an API key or card number is not also
reported as a phone number): entities are accepted in priority order and a later one that
touches an accepted span is dropped.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import cache, partial
from operator import itemgetter
from typing import NamedTuple

from mlsecops.engines.multipattern import MultiPattern, Pattern, hyperscan_version
from mlsecops.engines.pii.validators import (
    MONTH_ALTERNATION,
    is_nanp_region,
    phone_shaped,
    valid_card,
    valid_email,
    valid_iban,
    valid_ipv4,
    valid_ipv6,
    valid_national_phone,
    valid_numeric_date,
    valid_phone,
    valid_phone_00,
    valid_phone_with_extension,
    valid_ssn,
    valid_ssn_prefix,
    valid_wordy_date,
)
from mlsecops.engines.secrets.rules import RULES, SecretRule, rule_accepts

# Priority order: earlier entity types win overlaps.
ENTITY_TYPES = (
    "API_KEY",
    "EMAIL_ADDRESS",
    "IBAN_CODE",  # before cards: a Luhn-valid run inside an IBAN is chance, a mod-97 IBAN is not
    "CREDIT_CARD",
    "US_SSN",
    "IP_ADDRESS",
    "DATE_OF_BIRTH",
    "PHONE_NUMBER",
)
_PRIORITY = {name: rank for rank, name in enumerate(ENTITY_TYPES)}

# IPv6: two to eight colon-separated groups of 0-4 hex digits, the last one not empty, and, as
# `valid_ipv6` demands, seven colons or more or a '::' somewhere (eight only after a leading '::').
# A time like 12:30:45 or a MAC address is then no candidate at all: a third of the dense corpus's
# IPv6 candidates were those, each a match callback and a rejection. Spelt out per count of groups
# before the '::' because the two repeats around it share one bound of six colons.
_HEX_GROUP = rb"[0-9A-Fa-f]{0,4}"
_IPV6_CANDIDATE = (
    rb"(?:::(?:" + _HEX_GROUP + rb":){6}"  # eight (first: `re` takes the first branch that matches)
    rb"|" + _HEX_GROUP + rb"(?::" + _HEX_GROUP + rb"){6}:"  # seven colons
    rb"|" + _HEX_GROUP + rb"(?:::(?:" + _HEX_GROUP + rb":){0,4}"  # two to six, one of them doubled
    rb"|:" + _HEX_GROUP + rb"::(?:" + _HEX_GROUP + rb":){0,3}"
    rb"|(?::" + _HEX_GROUP + rb"){2}::(?:" + _HEX_GROUP + rb":){0,2}"
    rb"|(?::" + _HEX_GROUP + rb"){3}::(?:" + _HEX_GROUP + rb":)?"
    rb"|(?::" + _HEX_GROUP + rb"){4}::)"
    rb")[0-9A-Fa-f]{1,4}\b"
)
# A date with its month written out, in the languages of support and CRM text (`22 December 1971`,
# `Feb 22 1948`, `November 4, 1944`, `22. Dezember 1971`, `22 de diciembre de 1971`).
# Only English puts the month first (`Feb 22 1948`): that branch starts at a month name, so it lists English
# names alone; a short name of another language (`set`, `out`, `sie`, `lis`) would start a match attempt at
# every such word of prose.
_MONTH = rb"(?:" + MONTH_ALTERNATION + rb")"
_ENGLISH_MONTH = (rb"(?:january|february|march|april|may|june|july|august|september|october|november|december"
                  rb"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_WORDY_DATE_CANDIDATE = (  # loose on the separators (the validator is exact): half the compile time
    rb"(?i)\b\d{1,2}(?:st|nd|rd|th|er|o)?[. ,/-]{0,3}(?:(?:de|of|del) )?" + _MONTH
    + rb"[., /-]{0,3}(?:(?:de|del) )?\d{4}\b|\b" + _ENGLISH_MONTH
    + rb"[. /-]{0,2}\d{1,2}(?:st|nd|rd|th)?[, /-]{0,2}\d{4}\b"
)
# A Japanese date, `1980年1月12日`, and a numeric date with a two-digit year, `12.01.80`, `1/12/80` (CLDR's short
# format in German, Italian, Spanish and American English): the latter only ever after a birth-date word.
# One pattern for the three (each pattern costs the multi-pattern scan on every byte).
_NUMERIC_DATE_CANDIDATE = (rb"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d\d))\b"
                           rb"|\b(?:19|20)\d\d\xe5\xb9\xb4\d{1,2}\xe6\x9c\x88\d{1,2}\xe6\x97\xa5")
# Numbers the grouped patterns below do not cover: `1-801-660-6745`, an extension (`x123`), the `00`
# international prefix (`0049 30 37056230`), and national numbers of the countries in
# `NATIONAL_REGIONS` written the way each writes them (French `06 53 83 13 69`, British `020 7946 0018`,
# Austrian `0664 1234567`, Brazilian `(11) 96123-4567`, Polish `512 345 678`), which stand without a phone word.
_MORE_PHONES: tuple[tuple[str, bytes, Callable[[bytes], int]], ...] = (
    ("PHONE_NUMBER", rb"(?:\+1[ .-]?)?(?:\b\d{3}[ .-]|\(\d{3}\)\s?)\d{3}[ .-]\d{4}\s?(?:x|ext\.?)\s?\d{1,5}\b",
     valid_phone_with_extension),
    ("PHONE_NUMBER", rb"\b(?:00 ?|011[ .-]?)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,5}){1,5}\b",
     valid_phone_00),
    ("PHONE_NUMBER", rb"\b1[38]00[ .-]\d{3}[ .-]\d{3}\b", valid_national_phone),  # Australia's 1800 / 1300
    ("PHONE_NUMBER", rb"\(0?\d{1,5}\)[ .-]?\d{2,10}(?:[ .-]\d{2,8}){0,3}\b"  # (area) number
     # trunk 0 and area, then one block or groups; `0451 - 641953`, `079 / 302 18 92` as well
     rb"|\b0\d{1,5}(?:(?:[ ./-]| [/-] )\d{5,10}|(?: [/-] |[ .-])\d{2,5}(?:[ .-]\d{2,5}){1,3})\b"
     # an Italian mobile (3xx), grouped 3-3-4 as North America groups its numbers, where area codes 3xx are not all
     # assigned (`333 123 4567`) and exchanges never start with 0 or 1 (`312 099 1048`)
     rb"|\b3\d{2}[ .-]\d{3}[ .-]\d{4}\b"
     # without a trunk prefix, only the groupings countries use (an SSN's 3-2-4 or an address's dotted quad
     # would be a candidate only to be rejected): 3-3-3, 3-2-2-2, 2-3-2-2, 2-2-2-2, 2-3-4, Brazil's 2-5-4
     rb"|\b[1-9]\d{2}[ .-]\d{3}[ .-]\d{3}\b|\b[1-9]\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}\b"
     rb"|\b[1-9]\d(?:[ -]\d{3}[ -]\d{2}[ -]\d{2}|[ -]\d{2}[ -]\d{2}[ -]\d{2}|[ -]\d{3}[ -]\d{4}|[ -]\d{4,5}-\d{4})\b",
     valid_national_phone),
)
# After a phone word, a number need only be well-formed: the numbering metadata lags behind new area
# codes, and a national format of another country is still a phone number. The candidate starts at
# the word; its number is confirmed by `phone_shaped`.
_PHONE_WORDS = (  # English, German, French, Spanish, Italian, Dutch, Portuguese, Scandinavian, Polish
    rb"phone|\btel\b|\btel\.|\btlf|\bcall|\bcontact|\breach|\bmobile?|\bcell|\bfax|whatsapp|\bsms"
    rb"|\bhandy|telefon|erreichbar|r\xc3\xbcckruf|\banruf|\brufen|\bt\xc3\xa9l|\bportable|\br?appel|joindre"
    rb"|tel\xc3\xa9fono|m\xc3\xb3vil|\bmovil|ll\xc3\xa1m|\bllam|cellulare|\bchiam|telefoon|mobiel|\bbel (?:me|ons)"
    rb"|\bbellen|telem\xc3\xb3vel|\bligue|\bligar|\bmy number|\bnumer telefonu|\bkom\xc3\xb3rk|\bph[.:]|\bmob[.:]"
    rb"|\bring (?:me|us|mig|til)|\btext (?:me|us)|celular|\bfone\b|\bcontato|joignable|rufnummer|\bkom[.:]|\bdzwo"
    rb"|\xe9\x9b\xbb\xe8\xa9\xb1|\xe6\x90\xba\xe5\xb8\xaf|\xe9\x80\xa3\xe7\xb5\xa1\xe5\x85\x88"  # 電話 携帯 連絡先
)  # a bare "number" is mostly a card's or an order's
# The match ends at the number's first digit (one match report per phone word, however the number is
# grouped); the confirmer reads the number on from there.
_PHONE_IN_CONTEXT = rb"(?i)(?:" + _PHONE_WORDS + rb")[^\n\d+]{0,24}\+?\d"
# `1-801-660-6745`, but not the `1-801-...` inside `+1-801-...` (the grouped patterns take that one):
# the candidate starts one character early, and is confirmed as a labelled value.
_NANP_WITH_ONE = rb"(?:^|[^+\d])1[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}\b"
# A US social security number without separators counts only after its label.
_SSN_IN_CONTEXT = rb"(?i)(?:\bssn|social security|\bsoc\.? ?sec|\bss#|\bsocial sec)[^\n\d]{0,24}\d"
LABELLED_REACH = 48  # longest value read on after a label: a phone number with its extension
_NUMBER_START = re.compile(rb"[+(]?\d")

# (entity type, pattern, validator(candidate) -> valid length)
_PII_PATTERNS: tuple[tuple[str, bytes, Callable[[bytes], int]], ...] = (
    ("EMAIL_ADDRESS", rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b", valid_email),
    ("CREDIT_CARD", rb"\b[2-6](?:[ -]?\d){12,18}\b", valid_card),
    ("IBAN_CODE", rb"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b", valid_iban),
    ("US_SSN", rb"\b\d{3}[- ]\d{2}[- ]\d{4}\b", valid_ssn),
    ("IP_ADDRESS", rb"\b(?:\d{1,3}\.){3}\d{1,3}\b", valid_ipv4),
    ("IP_ADDRESS", _IPV6_CANDIDATE, valid_ipv6),
    ("DATE_OF_BIRTH", _NUMERIC_DATE_CANDIDATE, valid_numeric_date),
    ("DATE_OF_BIRTH", _WORDY_DATE_CANDIDATE, valid_wordy_date),
    (
        "PHONE_NUMBER",
        rb"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,5}){1,5}\b"  # +CC, maybe (0) or (area)
        rb"|\(\d{2,4}\)[ .-]?\d{2,4}(?:[ .-]?\d{2,5}){1,4}\b"  # (area) number
        rb"|\b\d{2,4}(?:[ .-]\d{2,5}){1,4}\b",  # national number: grouped, a bare digit run is an id
        valid_phone,
    ),
)
# Where numbers are written the North American way (valid_phone then wants 3-3-4 groups), a national
# candidate of two groups can never be a phone: asking for three or more yields the same phones from
# far fewer candidates (a date, an SSN, an IP address each stop being a two-group candidate as well).
# Only the lower bound moves: a run of four or five groups must stay one candidate, rejected whole.
_NATIONAL_ANY = rb"|\b\d{2,4}(?:[ .-]\d{2,5}){1,4}\b"
_NATIONAL_NANP = rb"|\b\d{2,4}(?:[ .-]\d{2,5}){2,4}\b"
# With Hyperscan the national pattern can be narrower still. It reports each end once, with the
# leftmost start that reaches it, and a candidate is the longest end reported for its start. Only an
# exact 3-3-4 candidate can be a phone, so only runs that start 3-3-4 need to match (longer ones too:
# they stay one candidate, rejected whole), and the runs that hide a 3-3-4 starting at their second
# or third group, which keep it hidden as before. Every other run (an SSN, a date, an IP address, a
# card's groups: three in four phone candidates on dense text) was a candidate only to be rejected.
# `re` keeps the wider pattern: it resumes after each match, so a run that no longer matched whole
# would let it find a phone inside one.
_NATIONAL_NANP_HYPERSCAN = (
    rb"|\b\d{3}[ .-]\d{3}[ .-]\d{4}(?:[ .-]\d{2,5}){0,2}\b"
    rb"|\b\d{2,4}[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}\b"
    rb"|\b\d{2,4}[ .-]\d{2,5}[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}\b"
)
# Elsewhere a national number may be a trunk 0 and area code, then a subscriber part of six digits
# or more in one run (German 030 123456, 0711/1234567), which no grouped candidate above covers.
# `phonenumbers` accepts almost any such run for those regions, so it counts only after a word like
# "tel" or "fax": a reference or an amount is written the same way.
_SUBSCRIBER_PHONE: tuple[str, bytes, Callable[[bytes], int]] = (
    "PHONE_NUMBER", rb"\b0\d{1,4}[ ./-]\d{6,8}\b", valid_phone)
_PHONE_CONTEXT = re.compile(rb"(?i)(?:\btel|phone|\bfax|mobil|handy|\bcall|\b(?:an)?ruf|\bt\xc3\xa9l|"
                            + _PHONE_WORDS + rb")")
PHONE_CONTEXT_WINDOW = 24
# (Every word above costs the multi-pattern scan on all text, prose included: the list is kept to the words
# that label a phone number in the languages of our users, not every synonym.)
_START = itemgetter(1)  # Entity.start, read in C
# Words that make a date a birth date. They are found in the same multi-pattern pass as the values
# (a "marker" pattern, never an entity): a date then asks only whether one ends just before it.
_DOB_WORDS = (
    rb"(?i)(?:\bdob\b|\bd\.o\.b|birth|\bb-?day|\bborn\b|geburt|geboren|\bgeb\.|naissance|\bn\xc3\xa9e?\s|nacimiento"
    rb"|\bnacid[oa]|nascita|\bnat[oa]\b|nascimento|\bnascid[oa]|\bnasc\.|geboorte|\bf\xc3\xb8dsel|\bf\xc3\xb8dt\b"
    rb"|f\xc3\xb6d(?:d|else)|urodz|\bur\.|narozen|syntym|cumplea|compleanno|verjaardag"
    rb"|\xe7\x94\x9f\xe5\xb9\xb4\xe6\x9c\x88\xe6\x97\xa5|\xe8\xaa\x95\xe7\x94\x9f\xe6\x97\xa5)")  # 生年月日 誕生日
_DOB_MARKER = ("DOB_CONTEXT", _DOB_WORDS, None)
DOB_CONTEXT_WINDOW = 24
_IDENTIFIER_JOINERS = frozenset(b"-_/.#:" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))
_NUMBER_JOINERS = frozenset(b"-_/#" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))
# A dotted number shortly after one of these words is a software version, not an address: `Build 10.5.7.31`,
# `build-10.5.7.31`, `version is 1.2.3.4`, `wersja aplikacji 1.2.3.4`, `バージョン 1.2.3.4`. Compounds count too:
# a word that ends in one of `VERSION_ENDINGS` (`Firmwareversion`, `Softwareversion`).
VERSION_WORDS = frozenset({"version", "ver", "v", "vers", "build", "release", "rel", "firmware", "fw", "rev",
                           "revision", "patch", "sdk", "kernel", "driver", "bios", "vsn", "versión", "versione",
                           "versie", "versão", "versao", "wersja", "wersji", "wersję", "wersjа", "versjon",
                           "バージョン", "ビルド", "ファームウェア", "app", "software", "sw", "plugin",
                           "package", "update", "updated", "upgrade", "upgraded", "hotfix", "nightly", "edition",
                           "updating", "upgrading", "install", "installed", "installiert", "installation", "stand",
                           "versionsnummer", "versionsnr", "mise", "actualización", "actualizacion", "aggiornamento",
                           "aktualizacja", "aktualizacji", "atualização", "atualizacao", "compilación", "compilacion",
                           "compilation", "kompilation", "compilazione", "kompilacja", "compilação", "android",
                           "ios", "ipados", "macos", "windows", "chrome", "firefox", "safari", "edge", "opera",
                           "ubuntu", "debian"})
VERSION_ENDINGS = ("version", "versie", "versión", "versione", "versão", "wersja", "build", "release", "firmware",
                   "stand", "versionsnummer")
# A word between the cue and the number that says an address follows: `Build server at 10.0.0.5`.
ADDRESS_WORDS = frozenset({"ip", "ipv4", "address", "addr", "adresse", "adres", "adresu", "dirección", "direccion",
                           "indirizzo", "endereço", "endereco", "server", "host", "hostname", "gateway", "proxy",
                           "router", "dns", "node", "from", "at", "on", "von",
                           "subnet", "peer", "client", "remote", "source", "src", "dst", "destination"})
# `from` says an address follows unless an upgrade stands right before it: `login from 10.0.0.5`, but
# `upgraded from 4.2.0.1`.
UPGRADE_WORDS = frozenset({"update", "updated", "updating", "upgrade", "upgraded", "upgrading", "migrated",
                           "downgraded", "aktualisiert"})
VERSION_REACH = 4  # words looked back from the number
VERSION_WINDOW = 48  # bytes looked back from the number
_WORDS = re.compile(r"[^\W\d_]+|\d+")
# The same words as UTF-8 bytes: the check runs on every address candidate, in bytes it costs a split and
# a few set lookups.
_VERSION_WORDS_B = frozenset(w.encode() for w in VERSION_WORDS)
_VERSION_ENDINGS_B = tuple(w.encode() for w in VERSION_ENDINGS)
_ADDRESS_WORDS_B = frozenset(w.encode() for w in ADDRESS_WORDS)
_UPGRADE_WORDS_B = frozenset(w.encode() for w in UPGRADE_WORDS)
_BYTE_WORDS = re.compile(rb"[a-z\x80-\xff]+")  # on lower-cased bytes: ASCII words, and UTF-8 runs as words
_NOT_DIGITS = bytes(b for b in range(256) if not 48 <= b <= 57)
_VERSION_SUFFIX = re.compile(rb"[-+_~][A-Za-z]|\.\d|[A-Za-z]")  # 10.5.7.31-beta, 1.2.3.4+build, 4.1.2.0rc1
_VERSION_TAIL = re.compile(  # 10.5.7.31 beta, 1.2.3.4 (RC2), 2.0.1.3 SNAPSHOT
    rb"(?i)[ \t]*[(\[]?(?:beta|alpha|rc\d*|preview|snapshot|dev|nightly|final|stable|lts|hotfix|build|release)\b")


class Entity(NamedTuple):
    """A validated value; a tuple rather than a frozen dataclass: one is built per value found,
    and tuple construction is several times cheaper."""

    type: str
    start: int
    end: int
    value: bytes
    detail: str = ""  # e.g. which secret rule matched an API_KEY


Confirmer = Callable[[bytes, int, int], "Entity | None"]  # (data, candidate start, end) -> entity
VALIDATION_CACHE = 16384  # validated candidates remembered per pattern (a few MB at most): datasets repeat values


@cache
def _compiled(types: frozenset[str], prefer_hyperscan: bool,
              nanp: bool = False) -> tuple[MultiPattern, tuple[object, ...]]:
    """The pattern set and, per pattern id, what it stands for: a PII triple or a secret rule."""
    meaning: list[object] = []
    patterns: list[Pattern] = []
    national = _NATIONAL_NANP_HYPERSCAN if prefer_hyperscan and hyperscan_version() else _NATIONAL_NANP
    if "API_KEY" in types:
        for rule in RULES:
            if not rule.generic or rule.id == "aws-secret-access-key":
                patterns.append(Pattern(len(meaning), rule.pattern, rule.caseless, rule.keywords,
                                        max_length=rule.max_length))
                meaning.append(rule)
    for entry in _PII_PATTERNS:
        if entry[0] in types:
            regex = entry[1].replace(_NATIONAL_ANY, national) if nanp else entry[1]
            patterns.append(Pattern(len(meaning), regex))
            meaning.append(entry)
    if "PHONE_NUMBER" in types:
        for entry in (*_MORE_PHONES, ("PHONE_NUMBER", _NANP_WITH_ONE, valid_phone),
                      ("PHONE_NUMBER", _PHONE_IN_CONTEXT, phone_shaped)):
            patterns.append(Pattern(len(meaning), entry[1]))
            meaning.append(entry)
    if "DATE_OF_BIRTH" in types:
        patterns.append(Pattern(len(meaning), _DOB_WORDS))
        meaning.append(_DOB_MARKER)
    if "US_SSN" in types:
        patterns.append(Pattern(len(meaning), _SSN_IN_CONTEXT))
        meaning.append(("US_SSN", _SSN_IN_CONTEXT, valid_ssn_prefix))
    if "PHONE_NUMBER" in types and not nanp:  # a North American national number is always grouped
        patterns.append(Pattern(len(meaning), _SUBSCRIBER_PHONE[1]))
        meaning.append(_SUBSCRIBER_PHONE)
    return MultiPattern(patterns, prefer_hyperscan=prefer_hyperscan), tuple(meaning)


class PiiEngine:
    def __init__(self, types: Iterable[str] | None = None, *, phone_region: str = "US",
                 prefer_hyperscan: bool = True) -> None:
        chosen = frozenset(types or ENTITY_TYPES)
        unknown = chosen - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"unknown entity type(s): {', '.join(sorted(unknown))}")
        self.types = chosen
        nanp = "PHONE_NUMBER" in chosen and is_nanp_region(phone_region)
        self._matcher, self._meaning = _compiled(chosen, prefer_hyperscan, nanp)
        # markers rank first: they are collected before any date asks for them
        self._rank = [_PRIORITY["API_KEY"] if isinstance(m, SecretRule) else _PRIORITY.get(m[0], -1)  # type: ignore[index]
                      for m in self._meaning]
        self._marker = next((i for i, m in enumerate(self._meaning) if m is _DOB_MARKER), -1)
        self._marks: list[int] = []  # ends of birth-date words in the data `find` is looking at
        self._references = False  # whether `find` is looking at a column of references
        self._region = phone_region
        self._validation_caches: list[dict[bytes, int]] = []  # filled by `_pii_confirmers`, emptied by `forget`
        # per `all_dates` and pattern id, the function that turns a candidate span into an entity or None
        pairs = [(self._secret_confirmer(m),) * 2 if isinstance(m, SecretRule)
                 else (_no_entity, _no_entity) if m is _DOB_MARKER else self._pii_confirmers(*m)  # type: ignore[misc]
                 for m in self._meaning]
        self._confirmers: dict[bool, list[Confirmer]] = {flag: [pair[flag] for pair in pairs] for flag in (False, True)}
        self._labelled = frozenset(index for index, m in enumerate(self._meaning)  # also holds the marker
                                   if not isinstance(m, SecretRule) and m[1] in _LABELLED)  # type: ignore[index]

    @property
    def backend(self) -> str:
        return self._matcher.backend

    def forget(self) -> None:
        """Empty the validation caches: the engine is then as good as new, and keeps no value it saw."""
        for known in self._validation_caches:
            known.clear()

    def find(self, data: bytes, *, all_dates: bool = False, references: bool = False) -> list[Entity]:
        """Validated, non-overlapping entities.

        A date counts as a birth date only with context (`dob`, `birth`, `born` just before it);
        with `all_dates` every valid date is returned, `detail="context"` marking those with
        textual context, so a caller that knows a column holds birth dates can keep the rest.
        `references`: the data is a column of order, invoice or tracking references (`is_reference_column`),
        where an ungrouped Luhn-valid run is no card unless a card word stands before it.
        """
        self._references = references
        longest = self._matcher.longest(data)
        if not longest:
            return []
        rank = self._rank
        candidates = sorted([(rank[pattern_id], start, end, pattern_id)
                             for (pattern_id, start), end in longest.items()])
        taken = bytearray(len(data))
        is_taken = taken.find
        entities: list[Entity] = []
        keep = entities.append
        confirmers = self._confirmers[all_dates]
        labelled, marker = self._labelled, self._marker
        self._marks = marks = []
        for _rank, start, end, pattern_id in candidates:
            if pattern_id in labelled:
                if pattern_id == marker:  # a birth-date word: remembered for the dates after it
                    marks.append(end)
                    continue
                # the candidate starts at its label: only the value must be free
                entity = confirmers[pattern_id](data, start, end)
                if entity is None or is_taken(1, entity[1], entity[2]) >= 0:
                    continue
            else:
                if is_taken(1, start, end) >= 0:
                    continue
                entity = confirmers[pattern_id](data, start, end)
            if entity is not None:  # always inside its candidate's span, which is free
                low, high = entity[1], entity[2]
                taken[low:high] = b"\x01" * (high - low)
                keep(entity)
        entities.sort(key=_START)
        return entities

    @staticmethod
    def _secret_confirmer(rule: SecretRule) -> Confirmer:
        def confirm(data: bytes, start: int, end: int) -> Entity | None:
            candidate = data[start:end]
            secret = rule.secret_of(candidate)
            if not secret or not rule_accepts(rule, secret):
                return None
            offset = start + candidate.rfind(secret)
            return Entity("API_KEY", offset, offset + len(secret), secret, rule.id)

        return confirm

    def _pii_confirmers(self, entity_type: str, pattern: bytes,
                        validator: Callable[[bytes], int]) -> tuple[Confirmer, Confirmer]:
        """Context checks on the surrounding bytes, then the validator on the candidate alone;
        (without `all_dates`, with it): only birth dates tell the two apart.

        Validators are pure functions of the candidate, so their answers are cached: a column
        of a dataset repeats its values (countries' IBAN prefixes, a handful of IPs, the same
        customer's phone), and the cache costs one dict lookup when it misses.
        """
        if validator in (valid_phone, valid_phone_with_extension):
            validator = partial(validator, region=self._region)
        known: dict[bytes, int] = {}
        self._validation_caches.append(known)
        lookup = known.get

        def validated(candidate: bytes) -> int:
            if len(known) >= VALIDATION_CACHE:
                known.clear()
            length = known[candidate] = validator(candidate)
            return length

        def value_at(data: bytes, start: int, end: int, detail: str = "") -> Entity | None:
            if start >= 2 and data[start - 1] == 0x2E and 48 <= data[start - 2] <= 57:
                return None  # the digits after a decimal point or inside a dotted number
            candidate = data[start:end]
            length = lookup(candidate)
            if length is None:
                length = validated(candidate)
            return _entity((entity_type, start, start + length, candidate[:length], detail)) if length else None

        def phone(data: bytes, start: int, end: int) -> Entity | None:
            if start and data[start - 1] in _IDENTIFIER_JOINERS:
                return None  # the tail of an order id like ORD-2023-004512
            entity = value_at(data, start, end)
            if entity is not None and entity[2] < len(data) and data[entity[2]] == 0x20:
                extension = _EXTENSION_AFTER.match(data, entity[2])  # `030 1234567 Durchwahl -12`, `poste 12`
                if extension:
                    high = extension.end()
                    return _entity((entity_type, entity[1], high, data[entity[1] : high], ""))
            return entity

        def national_phone(data: bytes, start: int, end: int) -> Entity | None:
            if start >= 2 and data[start - 1] in _GROUP_SEPARATORS and 48 <= data[start - 2] <= 57:
                return None  # the tail of a longer grouped number: a tax id `39 877 468 745`
            if end + 1 < len(data) and data[end] in _GROUP_SEPARATORS_OR_COMMA and 48 <= data[end + 1] <= 57:
                return None  # the head of one: a Brazilian CPF `347.602.224-83`, an amount `306.840.667,59`
            if _after_reference_word(data, start):
                return None  # `Kundennummer 030 123456`, `Konto 0301 234567`: written like a phone, named otherwise
            return phone(data, start, end)

        def phone_in_context(data: bytes, start: int, end: int) -> Entity | None:
            window = data[max(0, start - PHONE_CONTEXT_WINDOW) : start]
            return phone(data, start, end) if _PHONE_CONTEXT.search(window[window.rfind(b"\n") + 1 :]) else None

        def birth_context(data: bytes, start: int) -> bool:
            """A birth-date word ends at most DOB_CONTEXT_WINDOW bytes before `start`, on the same line."""
            marks = self._marks
            if not marks:
                return False
            index = bisect_right(marks, start)
            if index == 0 or marks[index - 1] < start - DOB_CONTEXT_WINDOW:
                return False
            # on the same line, and no other number between: "dob 1980-02-03, shipped on 2021-05-25"
            return _LINE_OR_DIGIT.search(data, marks[index - 1], start) is None

        def birth_date_in_context(data: bytes, start: int, end: int) -> Entity | None:
            if not birth_context(data, start) or (end - start <= 8 and _after_version_word(data, start)):
                return None  # `born ... running version 2.8.19`: a short dotted number after a version word
            return value_at(data, start, end, "context")

        def any_date(data: bytes, start: int, end: int) -> Entity | None:
            return value_at(data, start, end, "context" if birth_context(data, start) else "")

        def ip_address(data: bytes, start: int, end: int) -> Entity | None:
            if _VERSION_SUFFIX.match(data, end, end + 2) or _VERSION_TAIL.match(data, end, end + 16):
                return None  # `10.5.7.31-beta`, `1.2.3.4 (beta)`, or four parts of an OID such as 1.3.6.1.5.5.7.3.1
            if _after_version_word(data, start) or ((end - start == 11 or _right_after_phone_word(data, start))
                                                    and _after_phone_word(data, start)) or (
                    start >= 2 and data[start - 1] == 0x2F and chr(data[start - 2]).isalpha()):
                return None  # `Build 10.5.7.31`, `firmware version: 2.1.0.3`, `Firefox/115.0.1.2`, `tlf. 34.40.95.78`
            return value_at(data, start, end)

        def labelled_value(data: bytes, start: int, end: int) -> Entity | None:
            """A candidate that starts at its label ("phone:", "SSN"): the value is the number after it."""
            number = _NUMBER_START.search(data, start, end)
            if number is None:
                return None
            low = number.start()
            if low and data[low - 1] in _NUMBER_JOINERS:
                return None  # inside an id or a reference: ORD-2023-004512
            if open_ended:  # the value runs on past the match: the validator measures it
                candidate = data[low : low + LABELLED_REACH]
                length = lookup(candidate)
                if length is None:
                    length = validated(candidate)
                if not length or (low + length < len(data) and data[low + length] in _WORD_BYTES):
                    return None  # the value must end where a word could: not inside a longer run
            else:
                candidate = data[low:end]
                length = lookup(candidate)
                if length is None:
                    length = validated(candidate)
            return _entity((entity_type, low, low + length, candidate[:length], "context")) if length else None

        def card(data: bytes, start: int, end: int) -> Entity | None:
            if start and data[start - 1] == 0x2B:
                return None  # `+43 662 17850 255`: a number after a plus sign is dialled, not a card
            if start >= 2 and data[start - 1] in _ID_PUNCTUATION and data[start - 2] in _WORD_BYTES:
                return None  # the tail of an id: `ORD-4111111111111111`, `INV/2024...`
            entity = value_at(data, start, end)
            if entity is None:
                return None
            if self._references:  # a column of references: one in ten passes Luhn, grouped by dashes or not
                return entity if _CARD_PRINTED.fullmatch(entity[3]) or _after_card_word(data, start) else None
            if _CARD_PRINTED.fullmatch(entity[3]):
                return entity  # spaced as printed on a card (4-4-4-4, 4-6-5): a card wherever it stands
            if _after_reference_word(data, start) and not _after_card_word(data, start):
                return None  # a Luhn-valid run in an order, invoice or tracking reference (`order 4532-0151-...`)
            return entity

        def ssn(data: bytes, start: int, end: int) -> Entity | None:
            if start >= 2 and (data[start - 1] == 0x29 or (data[start - 1] in _GROUP_SEPARATORS
                                                             and 48 <= data[start - 2] <= 57)):
                return None  # inside a longer grouped number: `011 49 1517 7047647`, `+55 (0)800 74 5278`
            if end + 1 < len(data) and data[end] in _GROUP_SEPARATORS and 48 <= data[end + 1] <= 57:
                return None
            return value_at(data, start, end)

        open_ended = pattern in _OPEN_ENDED
        if pattern in _LABELLED:
            return labelled_value, labelled_value
        if entity_type == "DATE_OF_BIRTH":
            return birth_date_in_context, any_date
        if pattern == _SUBSCRIBER_PHONE[1]:
            return phone_in_context, phone_in_context
        if validator is valid_national_phone:
            return national_phone, national_phone
        confirm = {"PHONE_NUMBER": phone, "IP_ADDRESS": ip_address, "CREDIT_CARD": card, "US_SSN": ssn}.get(
            entity_type, value_at)
        return confirm, confirm


_SHARED = threading.local()  # per thread: `find` keeps the call's state (birth-date marks) on its engine
SHARED_ENGINES = 4  # engines kept per thread; a process scans with one or two settings


def shared_engine(types: Iterable[str] | None = None, *, phone_region: str = "US",
                  prefer_hyperscan: bool = True) -> PiiEngine:
    """A `PiiEngine` for these settings, built once per thread and handed out again as good as new (its
    validation caches emptied: no value of an earlier scan stays cached, nor speeds up a later one).
    Building one costs more than scanning a small file (a confirmer per pattern), and a dataset cut into
    ranges asks for one per range."""
    key = (frozenset(types or ENTITY_TYPES), phone_region, prefer_hyperscan)
    engines: dict[tuple[frozenset[str], str, bool], PiiEngine] = _SHARED.__dict__.setdefault("engines", {})
    engine = engines.get(key)
    if engine is None:
        engine = PiiEngine(key[0], phone_region=phone_region, prefer_hyperscan=prefer_hyperscan)
        if len(engines) >= SHARED_ENGINES:
            engines.clear()
        engines[key] = engine
    else:
        engine.forget()
    return engine


def _after_version_word(data: bytes, start: int) -> bool:
    """Whether a version or build word (`VERSION_WORDS`) comes at most `VERSION_REACH` words before `start`
    on the same line, with no number and no address word (`ADDRESS_WORDS`) between it and `start`."""
    head = data[max(0, start - VERSION_WINDOW) : start]
    cut = max(head.rfind(b"\n") + 1, len(head.rstrip(_NOT_DIGITS)))  # after the line's start and the last number
    words = _BYTE_WORDS.findall(head[cut:].lower())[-VERSION_REACH:]
    after_from = False
    for word in reversed(words):
        if (word in _VERSION_WORDS_B or word.endswith(_VERSION_ENDINGS_B)) and (
                not after_from or word in _UPGRADE_WORDS_B):
            return True
        if after_from or (word in _ADDRESS_WORDS_B and word != b"from"):
            return False
        after_from = word == b"from"  # only the word right before it may make it a version's
    return False


# The word right before a number that names it as something else than a phone number: a customer, order,
# account or tax number (`Kundennummer 030 123456`). Compounds count by their ending (`Rechnungsnummer`).
REFERENCE_WORDS = frozenset({"nr", "no", "n", "konto", "account", "acct", "ref", "reference", "referenz", "order",
                             "auftrag", "invoice", "rechnung", "factura", "fattura", "facture", "faktura", "ticket",
                             "id", "kunde", "customer", "contract", "vertrag", "policy", "iban", "blz", "bic", "tax",
                             "vat", "pesel", "nip", "regon", "cpf", "cnpj", "cep", "kod", "plz", "zip", "postcode",
                             "code", "siret", "siren", "sku", "serial", "sn", "tracking", "pedido", "ordine",
                             "commande", "bestelling", "zamówienie", "dossier", "case", "isbn", "bsn", "nif", "nie",
                             "dni", "steuer", "ust", "bestellung", "sendung", "artikel", "item", "batch", "lot"})
REFERENCE_ENDINGS = ("nummer", "number", "numer", "número", "numero", "numéro", "konto", "id")


def _after_reference_word(data: bytes, start: int) -> bool:
    """The last word before `start` on its line, across punctuation (`order_ref: `, `Nr. `, `"invoice": "`), names
    a reference. Read backwards in bytes: it runs on every card and national phone candidate."""
    window = data[max(0, start - 32) : start]
    head = window.rstrip(_REFERENCE_PUNCTUATION)
    word = _REVERSED_WORD.match(head[::-1])
    if word is None:
        return False
    if len(word.group()) > 4 and b". " in window[len(head):]:
        return False  # the last word of the sentence before (`please update my account. 07481 218732`), not `Nr. `
    text = word.group()[::-1].decode("utf-8", "ignore").lower()
    return text in REFERENCE_WORDS or text.endswith(REFERENCE_ENDINGS)


_REFERENCE_PUNCTUATION = b" \t:#.\"'=,;([{/-_"
_REVERSED_WORD = re.compile(rb"[A-Za-z\x80-\xff]+")  # a word's bytes reversed (UTF-8 continuation bytes too)


# Words that name a card number: a reference word before a number does not outweigh one of these (`card number`).
_CARD_WORDS = re.compile(rb"(?i)card|kart|carte|tarjeta|carta|cart\xc3\xa3o|visa|master|amex|american express|discover"
                         rb"|maestro|\bjcb\b|diners|\bcc\b|\bkk\b|\bcb\b|\bpan\b")
_ID_PUNCTUATION = frozenset(b"-_/#")
# A card number spaced as it is printed on the card (4-4-4-4, Amex 4-6-5, 4-4-4-4-3): in a column of references
# that is a card pasted into the wrong field; a reference is written with dashes or in one run.
_CARD_PRINTED = re.compile(rb"\d{4} \d{4} \d{4} \d{4}(?: \d{3})?|\d{4} \d{6} \d{5}")
# A column whose name says it holds references: `order_ref`, `OrderId`, `invoice_no`, `tracking_number`.
_REFERENCE_COLUMN = re.compile(r"(?i)order|ref|invoice|tracking|ticket|booking|confirmation|shipment|parcel|sku"
                               r"|bestell|rechnung|auftrag|commande|facture|pedido|factura|ordine|fattura|bestelling")


def is_reference_column(name: str) -> bool:
    """Whether a column's name says it holds order, invoice or tracking references and names no card:
    pass `references=True` to `PiiEngine.find` for its cells."""
    return bool(_REFERENCE_COLUMN.search(name)) and not _CARD_WORDS.search(name.encode())


# A column whose name says it holds phone numbers: `phone`, `customer_phone`, `Telefonnummer`, `mobile`, `fax`.
_PHONE_COLUMN = re.compile(r"(?i)phone|tele?f|(?:^|[^a-z])(?:tel|tlf)(?:[^a-z]|$)|(?:^|[^a-z])(?:mobil|mobiel|cell|fax)"
                           r"|handy|portable|m[oó]vil|celular|telem[oó]vel|kom[oó]rk|(?:^|[^a-z])gsm(?:[^a-z]|$)"
                           r"|whatsapp|rufnummer|contact_?n(?:o|um)|\u96fb\u8a71|\u643a\u5e2f")  # 電話 携帯


def is_phone_column(name: str) -> bool:
    """Whether a column's name labels its cells as phone numbers: its name is then the phone word before each
    cell (`cells.find_in_cells(phones=True)`), so a well-formed number counts though the numbering metadata
    does not know its range."""
    return bool(_PHONE_COLUMN.search(name)) and not is_reference_column(name)


def _after_card_word(data: bytes, start: int) -> bool:
    head = data[max(0, start - 40) : start]
    return _CARD_WORDS.search(head[head.rfind(b"\n") + 1 :]) is not None


_STRONG_PHONE_WORDS = (b"tel", b"tlf", b"phone", b"fax", b"mobil", b"handy", b"cell", b"celular", b"portable",
                       b"t\xc3\xa9l", b"kom", b"ph", b"mob", b"fone")


def _right_after_phone_word(data: bytes, start: int) -> bool:
    """A word that can only label a phone number (`tel.`, `mobile:`, `Telefon:`) stands right before `start`."""
    head = data[max(0, start - 16) : start].rstrip(b" \t:.")
    words = head.rsplit(None, 1)
    return bool(words) and words[-1].lower().startswith(_STRONG_PHONE_WORDS)


def _after_phone_word(data: bytes, start: int) -> bool:
    """Whether a phone word ends at most `PHONE_CONTEXT_WINDOW` bytes before `start` with no number or address
    word between: a dotted number of four pairs there is dialled (Danish `tlf. 34.40.95.78`), not an address."""
    head = data[max(0, start - PHONE_CONTEXT_WINDOW) : start]
    head = head[head.rfind(b"\n") + 1 :]
    word = _PHONE_CONTEXT.search(head)
    if word is None:
        return False
    between = _WORDS.findall(head[word.end() :].decode("utf-8", "ignore").lower())
    return not any(w.isdigit() or w in ADDRESS_WORDS for w in between)


_LABELLED = frozenset({_PHONE_IN_CONTEXT, _SSN_IN_CONTEXT, _DOB_WORDS, _NANP_WITH_ONE})
_OPEN_ENDED = frozenset({_PHONE_IN_CONTEXT, _SSN_IN_CONTEXT})
_GROUP_SEPARATORS = frozenset(b" .-/")
# An extension after a validated number, in the languages of `_PHONE_WORDS`
_EXTENSION_AFTER = re.compile(rb"(?i) (?:x|ext\.?|extension|extensi\xc3\xb3n|poste|ramal|interno|int\.|durchwahl|dw\."
                              rb"|toestel|tst\.|wew\.|nebenstelle) ?-?\d{1,5}\b")
_GROUP_SEPARATORS_OR_COMMA = frozenset(b" .-/,")
_WORD_BYTES = frozenset(b"_" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))


_LINE_OR_DIGIT = re.compile(rb"[\n0-9]")


def _no_entity(data: bytes, start: int, end: int) -> None:
    return None

_entity: Callable[[tuple[str, int, int, bytes, str]], Entity] = partial(tuple.__new__, Entity)  # type: ignore[assignment]
"""An Entity from a complete 5-tuple, without NamedTuple's Python-level `__new__`."""
