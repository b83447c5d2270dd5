"""PII in bytes: one multi-pattern pass for candidates, validators to confirm, priorities for overlaps.

Where spans overlap, the more specific entity wins (an API key or card number is not also
reported as a phone number): entities are accepted in priority order and a later one that
touches an accepted span is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial

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
_DOB_CONTEXT = re.compile(rb"(?i)(?:\bdob\b|birth|\bborn\b|geburt|naissance|nacimiento)")
DOB_CONTEXT_WINDOW = 24
_IDENTIFIER_JOINERS = frozenset(bytes([c]) for c in b"-_/.#:" + bytes(range(48, 58)) + bytes(range(65, 91))
                                + bytes(range(97, 123)))
_DOTTED_TAIL = re.compile(rb"\.\d")
_VERSION_CONTEXT = re.compile(rb"(?i)(?:version|ver\.?|\bv)\s*[:=]?\s*$")


@dataclass(frozen=True, slots=True)
class Entity:
    type: str
    start: int
    end: int
    value: bytes
    detail: str = ""  # e.g. which secret rule matched an API_KEY


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

    @property
    def backend(self) -> str:
        return self._matcher.backend

    def find(self, data: bytes, *, all_dates: bool = False) -> list[Entity]:
        """Validated, non-overlapping entities.

        A date counts as a birth date only with context (`dob`, `birth`, `born` just before it);
        with `all_dates` every valid date is returned, `detail="context"` marking those with
        textual context, so a caller that knows a column holds birth dates can keep the rest.
        """
        spans = self._matcher.spans(data)
        if not spans:
            return []
        rank = self._rank
        candidates = sorted((rank[pattern_id], start, end, pattern_id) for pattern_id, start, end in spans)
        taken = bytearray(len(data))
        entities: list[Entity] = []
        confirm = self._confirm
        for _rank, start, end, pattern_id in candidates:
            if taken.find(1, start, end) >= 0:
                continue
            entity = confirm(data, start, end, self._meaning[pattern_id], all_dates)
            if entity is None or taken.find(1, entity.start, entity.end) >= 0:
                continue
            taken[entity.start : entity.end] = b"\x01" * (entity.end - entity.start)
            entities.append(entity)
        entities.sort(key=lambda e: e.start)
        return entities

    def _confirm(self, data: bytes, start: int, end: int, meaning: object, all_dates: bool) -> Entity | None:
        candidate = data[start:end]
        if isinstance(meaning, SecretRule):
            secret = meaning.secret_of(candidate)
            if not secret or not rule_accepts(meaning, secret):
                return None
            offset = start + candidate.rfind(secret)
            return Entity("API_KEY", offset, offset + len(secret), secret, meaning.id)
        entity_type, _pattern, validator = meaning  # type: ignore[misc]
        detail = ""
        if entity_type == "PHONE_NUMBER":
            if start and data[start - 1 : start] in _IDENTIFIER_JOINERS:
                return None  # the tail of an order id like ORD-2023-004512
            validator = self._phone
        elif entity_type == "DATE_OF_BIRTH":
            window = data[max(0, start - DOB_CONTEXT_WINDOW) : start]
            if _DOB_CONTEXT.search(window[window.rfind(b"\n") + 1 :]):
                detail = "context"
            elif not all_dates:
                return None
        elif entity_type == "IP_ADDRESS" and (_VERSION_CONTEXT.search(data[max(0, start - 12) : start])
                                              or _DOTTED_TAIL.match(data, end)):
            return None  # a version, or four parts of an OID such as 1.3.6.1.5.5.7.3.1
        if start >= 2 and data[start - 1] == 0x2E and 48 <= data[start - 2] <= 57:
            return None  # the digits after a decimal point or inside a dotted number, not a value of their own
        length = validator(candidate)
        if not length:
            return None
        return Entity(entity_type, start, start + length, candidate[:length], detail)
