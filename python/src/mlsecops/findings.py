"""The one `Finding` type every scanner returns, with its taxonomy crosswalk."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}

CATEGORIES = (
    "secret",
    "code",
    "dependency",
    "notebook",
    "data-pii",
    "data-poisoning",
    "model-file",
    "llm-probe",
    "disclosure",
    "provenance",
    "metric",
    "scanner",  # a scanner that could not run: fail closed, never a silent pass
)

# OWASP Top 10 for LLM Applications: garak and older tools tag with the 2023 list.
OWASP_LLM_2025 = {
    "LLM01": "Prompt Injection",
    "LLM02": "Sensitive Information Disclosure",
    "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning",
    "LLM05": "Improper Output Handling",
    "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage",
    "LLM08": "Vector and Embedding Weaknesses",
    "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
}
OWASP_LLM_2023_TO_2025 = {
    "LLM01": "LLM01",  # Prompt Injection
    "LLM02": "LLM05",  # Insecure Output Handling -> Improper Output Handling
    "LLM03": "LLM04",  # Training Data Poisoning -> Data and Model Poisoning
    "LLM04": "LLM10",  # Model Denial of Service -> Unbounded Consumption
    "LLM05": "LLM03",  # Supply Chain Vulnerabilities -> Supply Chain
    "LLM06": "LLM02",  # Sensitive Information Disclosure
    "LLM07": "LLM06",  # Insecure Plugin Design -> folded into Excessive Agency
    "LLM08": "LLM06",  # Excessive Agency
    "LLM09": "LLM09",  # Overreliance -> Misinformation
    "LLM10": "LLM10",  # Model Theft -> folded into Unbounded Consumption
}
CATEGORY_OWASP_2025 = {
    "data-poisoning": "LLM04",
    "model-file": "LLM03",
    "provenance": "LLM03",
    "dependency": "LLM03",
    "disclosure": "LLM02",
    "data-pii": "LLM02",
}


def owasp_2025_from_2023(llm_2023: str) -> str:
    """'LLM06' (2023) -> 'LLM02' (2025); unknown ids are returned as they are."""
    key = llm_2023.upper().split(":")[0]
    return OWASP_LLM_2023_TO_2025.get(key, key)


def owasp_tags(llm_2025: str | None, llm_2023: str | None = None) -> list[str]:
    tags = []
    if llm_2025:
        tags.append(f"{llm_2025}:2025")
    if llm_2023:
        tags.append(f"{llm_2023}:2023")
    return tags


@dataclass
class Location:
    path: str = ""
    line: int | None = None
    column: str | None = None  # a dataset column or a notebook cell, where that is what locates it
    artifact: str | None = None

    def display(self) -> str:
        text = self.path or self.artifact or "-"
        if self.line is not None:
            text += f":{self.line}"
        if self.column:
            text += f" [{self.column}]"
        return text


@dataclass
class Finding:
    id: str
    rule: str
    title: str
    severity: Severity
    category: str
    tool: str
    location: Location = field(default_factory=Location)
    message: str = ""
    evidence: str = ""  # always redacted by the scanner that builds the finding
    cwe: list[str] = field(default_factory=list)
    owasp_llm: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        data = dict(data)
        data["severity"] = Severity(data["severity"])
        data["location"] = Location(**(data.get("location") or {}))
        return cls(**data)


def fingerprint(*parts: object) -> str:
    """A stable id from what identifies a finding (rule, place, hashed evidence), never from run data."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "replace")).hexdigest()
    return digest[:24]


def context_digest(text: str | bytes) -> str:
    """A digest of the content around a finding (its line, its cell), blind to indentation and spacing:
    like SARIF's `primaryLocationLineHash`, it follows the content when lines are added above it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return hashlib.sha256(" ".join(text.split()).encode("utf-8", "replace")).hexdigest()[:16]


def project_path(path: str) -> str:
    """A finding's path as ids see it: forward slashes, no leading `./`."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def value_digest(value: str | bytes) -> str:
    """A short digest of a sensitive value: lets ids tell two secrets apart without holding either."""
    if isinstance(value, str):
        value = value.encode("utf-8", "replace")
    return hashlib.sha256(value).hexdigest()[:16]


def make_finding(
    *,
    rule: str,
    title: str,
    severity: Severity | str,
    category: str,
    tool: str,
    location: Location | None = None,
    message: str = "",
    evidence: str = "",
    identity: str = "",
    cwe: list[str] | None = None,
    owasp_llm: list[str] | None = None,
    references: list[str] | None = None,
    properties: dict[str, Any] | None = None,
    context: str | bytes | None = None,
    place: str | None = None,
) -> Finding:
    """Build a finding whose id depends only on rule, category, place and `identity`.

    `identity` tells apart two findings of one rule at one place (e.g. a digest of the secret);
    the tool is left out so that two scanners agreeing on a problem share its id.

    `context` is the content around the finding (the text of its line, a notebook cell's line):
    given, it replaces the line number in the id, so inserting lines above a finding keeps its id
    (SARIF `partialFingerprints` work the same way). Pass "" when nothing but the path, column and
    identity locate it (one finding per dataset column). `place` replaces `location.column` in the id
    where the column is a position that moves (a notebook's "cell 3"). Without `context` the line
    number stays in the id: scanners that have not said what surrounds their findings keep the ids
    they always had. Identical content twice in a file shares an id until `number_repeats` numbers it.
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown finding category {category!r}")
    location = location or Location()
    severity = Severity(severity)
    owasp = list(owasp_llm or [])
    if not owasp and category in CATEGORY_OWASP_2025:
        owasp = owasp_tags(CATEGORY_OWASP_2025[category])
    if context is None:
        finding_id = fingerprint(rule, category, location.path, location.line, location.column, identity)
    else:
        where = location.column if place is None else place
        finding_id = fingerprint("v2", rule, category, project_path(location.path), where, identity,
                                 context_digest(context) if context else "")
    return Finding(
        id=finding_id,
        rule=rule,
        title=title,
        severity=severity,
        category=category,
        tool=tool,
        location=location,
        message=message,
        evidence=evidence,
        cwe=list(cwe or []),
        owasp_llm=owasp,
        references=list(references or []),
        properties=dict(properties or {}),
    )


def number_repeats(findings: list[Finding], *, in_given_order: bool = False) -> list[Finding]:
    """Give the second and later findings that share an id (the same line twice in a file) ids of their
    own, numbered in file order (by line, or as listed with `in_given_order`): still stable when lines
    are added above, as SARIF numbers repeated line hashes. The first keeps its id; the list is changed
    in place and returned."""
    seen: dict[str, int] = {}
    order = range(len(findings)) if in_given_order else sorted(
        range(len(findings)), key=lambda i: (findings[i].location.line or 0, i))
    for index in order:
        finding = findings[index]
        count = seen.get(finding.id, 0)
        seen[finding.id] = count + 1
        if count:
            finding.id = fingerprint(finding.id, count + 1)
    return findings


def scanner_did_not_run(tool: str, target: str, reason: str, *, category: str = "scanner") -> Finding:
    """A scanner that could not run is a finding: the gate fails closed on it unless the policy says optional."""
    return make_finding(
        rule=f"{tool}/not-run",
        title=f"{tool} did not run",
        severity=Severity.HIGH,
        category=category,
        tool=tool,
        location=Location(path=target),
        message=reason,
        identity="not-run",
        properties={"not_run": True},
    )
