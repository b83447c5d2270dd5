"""The built-in secrets engine: one multi-pattern pass over bytes, then extraction and allowlists.

Files are read in bounded chunks (any size, any line length); provider rules win over
generic ones on the same bytes; a line carrying `mlsecops:allow` (or the `gitleaks:allow` /
`pragma: allowlist secret` markers users bring from other tools) is trusted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mlsecops.engines.filebytes import read_chunks
from mlsecops.engines.multipattern import MultiPattern, Pattern
from mlsecops.engines.secrets.rules import RULES, SecretRule, context_accepts, rule_accepts
from mlsecops.errors import UsageError
from mlsecops.findings import value_digest

CHUNK_SIZE = 8 * 1024 * 1024
OVERLAP = 16 * 1024  # longer than any secret we look for, shorter than any chunk
ALLOW_MARKERS = (b"mlsecops:allow", b"gitleaks:allow", b"pragma: allowlist secret")
LINE_WINDOW = 4096  # how much of a huge line is searched for an allow marker


@dataclass(frozen=True)
class SecretHit:
    rule: SecretRule
    line: int  # 1-based
    offset: int  # of the secret, in bytes from the start of the file
    secret: bytes

    @property
    def digest(self) -> str:
        return value_digest(self.secret)

    @property
    def text(self) -> str:
        return self.secret.decode("utf-8", "replace")


@cache
def _engine(rule_ids: tuple[str, ...], prefer_hyperscan: bool) -> tuple[MultiPattern, tuple[SecretRule, ...]]:
    rules = tuple(r for r in RULES if r.id in rule_ids)
    patterns = [Pattern(index, rule.pattern, rule.caseless, rule.keywords, max_length=rule.max_length)
                for index, rule in enumerate(rules)]
    return MultiPattern(patterns, prefer_hyperscan=prefer_hyperscan), rules


class SecretsEngine:
    def __init__(self, disabled: Iterable[str] = (), *, prefer_hyperscan: bool = True) -> None:
        unknown = set(disabled) - {r.id for r in RULES}
        if unknown:
            raise UsageError(f"scan.options.secrets.disable_rules: unknown rule(s) {', '.join(sorted(unknown))}")
        ids = tuple(r.id for r in RULES if r.id not in set(disabled))
        self._matcher, self._rules = _engine(ids, prefer_hyperscan)

    @property
    def backend(self) -> str:
        return self._matcher.backend

    def scan_bytes(self, data: bytes, *, base_offset: int = 0, base_line: int = 1,
                   lock_file: bool = False) -> list[SecretHit]:
        candidates: list[tuple[SecretRule, int, bytes]] = []
        for pattern_id, start, end in self._matcher.spans(data):
            rule = self._rules[pattern_id]
            if lock_file and rule.generic:
                continue
            span = data[start:end]
            secret = rule.secret_of(span)
            if not secret or not rule_accepts(rule, secret):
                continue
            if rule.assignment and not context_accepts(assignment_key(data, start), secret,
                                                       quoted=rule.assignment == "quoted"):
                continue
            candidates.append((rule, start + span.rfind(secret), secret))
        taken = bytearray(len(data))
        accepted: list[tuple[SecretRule, int, bytes]] = []
        # provider rules first: a token inside `api_key = "..."` is reported once, by its provider
        for rule, start, secret in sorted(candidates, key=lambda c: (c[0].generic, c[1])):
            end = start + len(secret)
            if taken.find(1, start, end) >= 0 or _allowed_inline(data, start):
                continue
            taken[start:end] = b"\x01" * (end - start)
            accepted.append((rule, start, secret))
        hits: list[SecretHit] = []
        line, counted = base_line, 0
        for rule, start, secret in sorted(accepted, key=lambda a: a[1]):
            line += data.count(b"\n", counted, start)  # counted once from the last hit: linear in the data
            counted = start
            hits.append(SecretHit(rule, line, base_offset + start, secret))
        return hits

    def scan_file(self, path: Path, *, lock_file: bool = False) -> list[SecretHit]:
        hits: dict[tuple[str, int], SecretHit] = {}
        line = 1
        previous: tuple[int, bytes] | None = None
        for offset, data in read_chunks(path, CHUNK_SIZE, OVERLAP):
            if previous is not None:
                line += previous[1][: offset - previous[0]].count(b"\n")
            for hit in self.scan_bytes(data, base_offset=offset, base_line=line, lock_file=lock_file):
                hits.setdefault((hit.rule.id, hit.offset), hit)  # overlapping pieces see some values twice
            previous = (offset, data)
        return sorted(hits.values(), key=lambda h: h.offset)


# How many characters of a secret, kept as vocabulary words, make a model hold it: a short piece
# (`bh3m1` of a base64 key) can be an ordinary token of other texts.
VOCABULARY_KEPT_CHARACTERS = 8
VOCABULARY_BATCH = 4 * 1024 * 1024  # bytes of texts per multi-pattern pass


def secrets_kept_in_vocabulary(texts: Iterable[str], vocabulary: Container[str],
                               analyse: Callable[[str], list[str]]) -> list[tuple[SecretHit, int]]:
    """The secrets of the training `texts` that a vocabulary fitted on them kept: (hit, characters kept)
    for each secret whose words under the vectorizer's own `analyse` are vocabulary words, at least
    VOCABULARY_KEPT_CHARACTERS characters of it. The model file stores its vocabulary, so it holds them
    whatever the dataset scan's waivers said. Read from the texts the trainer still holds: nothing of
    the written model is loaded to check it."""
    engine = SecretsEngine()
    kept: dict[str, tuple[SecretHit, int]] = {}
    batch: list[bytes] = []
    size = 0

    def scan(parts: list[bytes]) -> None:
        for hit in engine.scan_bytes(b"\n".join(parts)):
            if hit.digest in kept:
                continue
            characters = sum(len(word) for word in set(analyse(hit.text)) if word in vocabulary)
            if characters >= VOCABULARY_KEPT_CHARACTERS:
                kept[hit.digest] = (hit, characters)

    for text in texts:
        data = text.encode("utf-8", "replace")
        batch.append(data)
        size += len(data) + 1
        if size >= VOCABULARY_BATCH:
            scan(batch)
            batch, size = [], 0
    if batch:
        scan(batch)
    return list(kept.values())


KEY_REACH = 128  # how far back an assignment's key is followed: `self.config.fast_tokenizer_class`
_KEY_BYTES = frozenset(b"_.-" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123)))


def assignment_key(data: bytes, start: int) -> bytes:
    """The whole key of an assignment whose rule matched from its secret-ish word on: the name parts
    before that word (`fast_` of `fast_tokenizer_class`) and after it, up to the operator."""
    low = start
    while low > 0 and start - low < KEY_REACH and data[low - 1] in _KEY_BYTES:
        low -= 1
    high = start
    while high < len(data) and high - start < KEY_REACH and data[high] in _KEY_BYTES:
        high += 1
    return data[low:high]


def _allowed_inline(data: bytes, position: int) -> bool:
    line_start = data.rfind(b"\n", max(0, position - LINE_WINDOW), position) + 1
    line_end = data.find(b"\n", position, position + LINE_WINDOW)
    line = data[line_start : line_end if line_end >= 0 else position + LINE_WINDOW]
    return any(marker in line for marker in ALLOW_MARKERS)


# ---- baseline: known, accepted secrets by (rule, path, digest), so line moves do not revive them


def load_baseline(path: Path) -> set[tuple[str, str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: secrets baseline not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read secrets baseline ({exc.__class__.__name__})") from None
    entries = data.get("secrets") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{path}: a secrets baseline holds a list under 'secrets'")
    try:
        return {(e["rule"], e["path"], e["digest"]) for e in entries}
    except (KeyError, TypeError):
        raise UsageError(f"{path}: each baseline entry needs rule, path and digest") from None


def baseline_document(entries: Iterable[tuple[str, str, str]]) -> dict[str, object]:
    return {
        "version": 1,
        "comment": "accepted secrets by rule, path and sha256 prefix of the value; no value is stored",
        "secrets": [{"rule": r, "path": p, "digest": d} for r, p, d in sorted(set(entries))],
    }
