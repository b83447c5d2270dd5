"""The last line of defence before text leaves the machine: every string a sink sends passes here.

Scanners already redact their evidence; this removes what slipped through elsewhere (a stage
reason quoting a URL with a password, a registered secret in a warning, an e-mail address in
a message): registered secrets, URL credentials, e-mail addresses, and every token format of the
secret scanner (engines/secrets/rules.py, the one list of them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mlsecops.engines.secrets.rules import RULES, SecretRule
from mlsecops.redact import map_strings, redact, scrub, scrub_url

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# a key block a message cut short (no END line, so no rule matches it): masked to the end of the text
_CUT_KEY_BLOCK = re.compile(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*")


def _masker(rule: SecretRule) -> tuple[re.Pattern[str], Callable[[re.Match[str]], str]]:
    """The rule's pattern over text, and what replaces a match: its secret part masked.

    Unlike the scanner, no placeholder or entropy check: here a false positive only hides text.
    """
    flags = re.IGNORECASE if rule.caseless else 0
    pattern = re.compile(rule.pattern.decode("ascii"), flags)
    extract = re.compile(rule.extract.decode("ascii"), flags) if rule.extract else None

    def mask(match: re.Match[str]) -> str:
        span = match.group(0)
        found = extract.search(span) if extract else None
        if found is None:
            return redact(span)
        return span[: found.start("secret")] + redact(found.group("secret")) + span[found.end("secret") :]

    return pattern, mask


# The provider formats (distinctive prefixes, key blocks, JWTs); the `generic` rules judge an
# assignment's context, which a message does not have: URL passwords are scrub_url's.
_TOKENS = tuple(_masker(rule) for rule in RULES if not rule.generic)


def clean(text: Any) -> str:
    """Text safe to send: registered secrets, URL credentials and token/PII shapes masked."""
    text = scrub_url(scrub(str(text)))
    for pattern, mask in _TOKENS:
        text = pattern.sub(mask, text)
    text = _CUT_KEY_BLOCK.sub(lambda match: redact(match.group(0)), text)
    return _EMAIL.sub(lambda match: redact(match.group(0)), text)


def clean_tree(node: Any) -> Any:
    """`clean` applied to every string of a JSON-like tree (keys included)."""
    return map_strings(node, clean)
