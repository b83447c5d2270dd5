"""PII in bytes: one multi-pattern pass for candidates, validators to confirm, priorities for overlaps.

Where spans overlap, the more specific entity wins (an API key or card number is not also
reported as a phone number): entities are accepted in priority order and a later one that
touches an accepted span is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, partial
from operator import itemgetter
from typing import NamedTuple

from .multipattern import MultiPattern, Pattern
from .pii_validators import (
    valid_card,
    valid_date,
    valid_email,
    valid_iban,
    valid_ipv4,
    valid_ipv6,
    valid_phone,
    valid_ssn,
)
from .secret_rules import RULES, SecretRule, rule_accepts

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

# (entity type, pattern, validator(candidate) -> valid length)
_PII_PATTERNS: tuple[tuple[str, bytes, Callable[[bytes], int]], ...] = (
    ("EMAIL_ADDRESS", rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b", valid_email),
    ("CREDIT_CARD", rb"\b[2-6](?:[ -]?\d){12,18}\b", valid_card),
    ("IBAN_CODE", rb"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b", valid_iban),
    ("US_SSN", rb"\b\d{3}[- ]\d{2}[- ]\d{4}\b", valid_ssn),
    ("IP_ADDRESS", rb"\b(?:\d{1,3}\.){3}\d{1,3}\b", valid_ipv4),
    ("IP_ADDRESS", rb"(?:[0-9A-Fa-f]{1,4}:|::?)(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{1,4}\b", valid_ipv6),
    ("DATE_OF_BIRTH", rb"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\b", valid_date),
    (
        "PHONE_NUMBER",
        rb"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,5}){1,5}\b"  # +CC, maybe (0) or (area)
        rb"|\(\d{2,4}\)[ .-]?\d{2,4}(?:[ .-]?\d{2,5}){1,4}\b"  # (area) number
        rb"|\b\d{2,4}(?:[ .-]\d{2,5}){1,4}\b",  # national number: grouped, a bare digit run is an id
        valid_phone,
    ),
)
_START = itemgetter(1)  # Entity.start, read in C
_DOB_CONTEXT = re.compile(rb"(?i)(?:\bdob\b|birth|\bborn\b|geburt|naissance|nacimiento)")
DOB_CONTEXT_WINDOW = 24
_IDENTIFIER_JOINERS = frozenset(b"-_/.#:" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))
_VERSION_CONTEXT = re.compile(rb"(?i)(?:version|ver\.?|\bv)\s*[:=]?\s*$")


class Entity(NamedTuple):
    """A validated value; a tuple rather than a frozen dataclass: one is built per value found,
    and tuple construction is several times cheaper."""

    type: str
    start: int
    end: int
    value: bytes
    detail: str = ""  # e.g. which secret rule matched an API_KEY


VALIDATION_CACHE = 65536  # validated candidates remembered per pattern: datasets repeat values


@cache
def _compiled(types: frozenset[str], prefer_hyperscan: bool) -> tuple[MultiPattern, tuple[object, ...]]:
    """The pattern set and, per pattern id, what it stands for: a PII triple or a secret rule."""
    meaning: list[object] = []
    patterns: list[Pattern] = []
    if "API_KEY" in types:
        for rule in RULES:
            if not rule.generic or rule.id == "aws-secret-access-key":
                patterns.append(Pattern(len(meaning), rule.pattern, rule.caseless, rule.keywords,
                                        max_length=rule.max_length))
                meaning.append(rule)
    for entry in _PII_PATTERNS:
        if entry[0] in types:
            patterns.append(Pattern(len(meaning), entry[1]))
            meaning.append(entry)
    return MultiPattern(patterns, prefer_hyperscan=prefer_hyperscan), tuple(meaning)


class PiiEngine:
    def __init__(self, types: Iterable[str] | None = None, *, phone_region: str = "US",
                 prefer_hyperscan: bool = True) -> None:
        chosen = frozenset(types or ENTITY_TYPES)
        unknown = chosen - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"unknown entity type(s): {', '.join(sorted(unknown))}")
        self.types = chosen
        self._matcher, self._meaning = _compiled(chosen, prefer_hyperscan)
        self._rank = [_PRIORITY["API_KEY"] if isinstance(m, SecretRule) else _PRIORITY[m[0]]  # type: ignore[index]
                      for m in self._meaning]
        self._phone = partial(valid_phone, region=phone_region)
        # per pattern id, the function that turns a candidate span into an entity or None
        self._confirmers: list[Callable[[bytes, int, int, bool], Entity | None]] = [
            self._secret_confirmer(m) if isinstance(m, SecretRule) else self._pii_confirmer(*m)  # type: ignore[misc]
            for m in self._meaning
        ]

    @property
    def backend(self) -> str:
        return self._matcher.backend

    def find(self, data: bytes, *, all_dates: bool = False) -> list[Entity]:
        """Validated, non-overlapping entities.

        A date counts as a birth date only with context (`dob`, `birth`, `born` just before it);
        with `all_dates` every valid date is returned, `detail="context"` marking those with
        textual context, so a caller that knows a column holds birth dates can keep the rest.
        """
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
        confirmers = self._confirmers
        for _rank, start, end, pattern_id in candidates:
            if is_taken(1, start, end) >= 0:
                continue
            entity = confirmers[pattern_id](data, start, end, all_dates)
            if entity is not None:  # always inside its candidate's span, which is free
                low, high = entity[1], entity[2]
                taken[low:high] = b"\x01" * (high - low)
                keep(entity)
        entities.sort(key=_START)
        return entities

    @staticmethod
    def _secret_confirmer(rule: SecretRule) -> Callable[[bytes, int, int, bool], Entity | None]:
        def confirm(data: bytes, start: int, end: int, _all_dates: bool) -> Entity | None:
            candidate = data[start:end]
            secret = rule.secret_of(candidate)
            if not secret or not rule_accepts(rule, secret):
                return None
            offset = start + candidate.rfind(secret)
            return Entity("API_KEY", offset, offset + len(secret), secret, rule.id)

        return confirm

    def _pii_confirmer(self, entity_type: str, _pattern: bytes,
                       validator: Callable[[bytes], int]) -> Callable[[bytes, int, int, bool], Entity | None]:
        """Context checks on the surrounding bytes, then the validator on the candidate alone.

        Validators are pure functions of the candidate, so their answers are cached: a column
        of a dataset repeats its values (countries' IBAN prefixes, a handful of IPs, the same
        customer's phone), and the cache costs one dict lookup when it misses. One flat
        function per type: this runs once per candidate, and calls cost more than the checks.
        """
        if entity_type == "PHONE_NUMBER":
            validator = self._phone
        known: dict[bytes, int] = {}
        lookup = known.get

        def validated(candidate: bytes) -> int:
            if len(known) >= VALIDATION_CACHE:
                known.clear()
            length = known[candidate] = validator(candidate)
            return length

        # A candidate right after "<digit>." is the digits after a decimal point or inside a
        # dotted number, not a value of its own.
        def plain(data: bytes, start: int, end: int, _all_dates: bool) -> Entity | None:
            if start >= 2 and data[start - 1] == 0x2E and 48 <= data[start - 2] <= 57:
                return None
            candidate = data[start:end]
            length = lookup(candidate)
            if length is None:
                length = validated(candidate)
            return _entity((entity_type, start, start + length, candidate[:length], "")) if length else None

        def phone(data: bytes, start: int, end: int, _all_dates: bool) -> Entity | None:
            if start and (data[start - 1] in _IDENTIFIER_JOINERS  # the tail of an order id like ORD-2023-004512
                          or (start >= 2 and data[start - 1] == 0x2E and 48 <= data[start - 2] <= 57)):
                return None
            candidate = data[start:end]
            length = lookup(candidate)
            if length is None:
                length = validated(candidate)
            return _entity((entity_type, start, start + length, candidate[:length], "")) if length else None

        def birth_date(data: bytes, start: int, end: int, all_dates: bool) -> Entity | None:
            window = data[max(0, start - DOB_CONTEXT_WINDOW) : start]
            detail = "context" if _DOB_CONTEXT.search(window[window.rfind(b"\n") + 1 :]) else ""
            if not detail and not all_dates:
                return None
            if start >= 2 and data[start - 1] == 0x2E and 48 <= data[start - 2] <= 57:
                return None
            candidate = data[start:end]
            length = lookup(candidate)
            if length is None:
                length = validated(candidate)
            return _entity((entity_type, start, start + length, candidate[:length], detail)) if length else None

        def ip_address(data: bytes, start: int, end: int, all_dates: bool) -> Entity | None:
            before = data[max(0, start - 12) : start]
            if ((b"v" in before or b"V" in before) and _VERSION_CONTEXT.search(before)) or (
                    data[end : end + 1] == b"." and data[end + 1 : end + 2].isdigit()):
                return None  # a version, or four parts of an OID such as 1.3.6.1.5.5.7.3.1
            return plain(data, start, end, all_dates)

        return {"PHONE_NUMBER": phone, "DATE_OF_BIRTH": birth_date, "IP_ADDRESS": ip_address}.get(entity_type, plain)


_entity: Callable[[tuple[str, int, int, bytes, str]], Entity] = partial(tuple.__new__, Entity)  # type: ignore[assignment]
"""An Entity from a complete 5-tuple, without NamedTuple's Python-level `__new__`."""
