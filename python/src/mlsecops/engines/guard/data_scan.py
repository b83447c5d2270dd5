"""Indirect prompt injection in data: training rows, prompt templates and RAG documents, line by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from mlsecops.engines.guard.detector import MODEL_RULE, GuardVerdict, InjectionGuard
from mlsecops.findings import Finding, Location, make_finding, number_repeats, owasp_tags

MAX_LINE = 20_000  # longer lines are checked in windows of this size


def scan_lines(detector: InjectionGuard, content: str) -> Iterator[tuple[int, str, GuardVerdict]]:
    """Each line's number, the text judged and the verdict."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        for start in range(0, max(len(line), 1), MAX_LINE):
            text = line[start : start + MAX_LINE + 200]
            yield number, text, detector.check(text)


def scan_csv(detector: InjectionGuard, content: str) -> Iterator[tuple[int, str, GuardVerdict]]:
    """Each cell of a CSV file on its own (unquoted), with the line its row starts on."""
    reader = csv.reader(io.StringIO(content))
    line = 1
    try:
        for row in reader:
            for cell in row:
                if len(cell) > 3:
                    yield line, cell[:MAX_LINE], detector.check(cell[:MAX_LINE])
            line = reader.line_num + 1
    except csv.Error:
        yield from scan_lines(detector, content)


def scan_file(detector: InjectionGuard, path: Path, shown: str, kind: str) -> list[Finding]:
    """One finding per line that holds an injection; `kind` says what the file is (training data, template...)."""
    try:
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    findings = []
    verdicts = scan_csv(detector, content) if path.suffix.lower() == ".csv" else scan_lines(detector, content)
    for line, text, verdict in verdicts:
        if not verdict.injection:
            continue
        # In bulk data (thousands of rows) the learned model alone is a lead, not a verdict: without a
        # rule naming the attack it is reported below the default gate's bar (a policy may lower it).
        learned_only = all(match.rule == MODEL_RULE for match in verdict.matches)
        findings.append(
            make_finding(
                rule="llm/indirect-prompt-injection",
                title=f"Prompt injection in {kind}: {', '.join(verdict.categories)}"
                + (" (learned model only, no rule)" if learned_only else ""),
                severity="medium" if learned_only else "high",
                category="llm-probe",
                tool="guard",
                location=Location(path=shown, line=line),
                message=f"{shown}:{line}: text that instructs a model ({', '.join(verdict.categories)}), "
                f"score {verdict.score:.2f}; it reaches the model as {kind}",
                evidence="; ".join(m.excerpt for m in verdict.matches if m.excerpt)[:200],
                # the text, not its line, goes into the id: rows added above keep a waiver valid
                context=text,
                cwe=["CWE-1427"],
                owasp_llm=owasp_tags("LLM01", "LLM01"),
                properties={"score": round(verdict.score, 3), "categories": verdict.categories},
            )
        )
    return number_repeats(findings)
