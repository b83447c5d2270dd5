"""The last line of defence before text leaves the machine: every string a sink sends passes here.

Scanners already redact their evidence; this removes what slipped through elsewhere (a stage
reason quoting a URL with a password, a registered secret in a warning, an e-mail address in
a message): registered secrets, URL credentials, and a few unmistakable token and PII shapes.
"""

from __future__ import annotations

import re
from typing import Any

from ..redact import map_strings, redact, scrub, scrub_url

_SHAPES = (
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail address
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),  # GitHub token
    re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"),  # GitLab token
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),  # Slack token
    re.compile(r"\bsk-[A-Za-z0-9_-]{20,}\b"),  # OpenAI-style API key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"),
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
)


def clean(text: Any) -> str:
    """Text safe to send: registered secrets, URL credentials and token/PII shapes masked."""
    text = scrub_url(scrub(str(text)))
    for shape in _SHAPES:
        text = shape.sub(lambda match: redact(match.group(0)), text)
    return text


def clean_tree(node: Any) -> Any:
    """`clean` applied to every string of a JSON-like tree (keys included)."""
    return map_strings(node, clean)
