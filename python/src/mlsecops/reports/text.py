"""Text helpers the report formats share: one-line messages, limits, atomic writes."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from mlsecops.findings import Finding

# Characters XML 1.0 cannot hold at all: attacker-controlled text must not break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_text(finding: Finding, limit: int = 1000) -> str:
    """What a person reads first: the title, the message and the (already redacted) evidence."""
    parts = [finding.title]
    if finding.message and finding.message != finding.title:
        parts.append(finding.message)
    text = ": ".join(parts)
    if finding.evidence:
        text += f" [evidence: {finding.evidence}]"
    return one_line(text, limit)


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be read and archived
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cwe_numbers(finding: Finding) -> list[int]:
    """'CWE-798', 'cwe 798' or '798' -> 798; anything else is left out."""
    numbers = []
    for value in finding.cwe:
        match = re.search(r"(\d+)", str(value))
        if match and int(match.group(1)) not in numbers:
            numbers.append(int(match.group(1)))
    return numbers


def finite(value: object) -> bool:
    """A number a chart or a JSON reader can take: not NaN, not infinite, not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _json_safe(node: Any) -> Any:
    if isinstance(node, float) and not math.isfinite(node):
        return None  # NaN and Infinity are not JSON: a strict reader would reject the whole file
    if isinstance(node, dict):
        return {key: _json_safe(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_json_safe(item) for item in node]
    return node


def dump_json(document: Any) -> str:
    return json.dumps(_json_safe(document), indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n"


FEW_ATTEMPTS = 3  # at most this many attempts: a percentage ("0.0 %") would claim a precision there is not


def rate_text(rate: float, hits: int | None = None, attempts: int | None = None) -> str:
    """A success rate as a reader should take it: the counts alone for a handful of attempts."""
    if hits is None or attempts is None:
        return f"{rate:.1%}"
    if attempts <= FEW_ATTEMPTS:
        return f"{hits} of {attempts} attempt{'s' if attempts != 1 else ''}"
    return f"{rate:.1%} ({hits} of {attempts})"


def counts_of(entry: dict[str, Any]) -> tuple[int | None, int | None]:
    """(hits, attempts) of a probe entry as modeltest files it (`attempts` or `total`)."""
    hits, attempts = entry.get("hits"), entry.get("attempts", entry.get("total"))
    if finite(hits) and finite(attempts):
        return int(hits), int(attempts)  # type: ignore[arg-type]
    return None, None
