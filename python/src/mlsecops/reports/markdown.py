"""summary.md: the run on one page of Markdown (merge-request comments, Jenkins build descriptions).

Finding texts are attacker-controlled: HTML is entity-escaped (Markdown renderers pass raw HTML
through) and Markdown syntax is backslash-escaped, so a message can neither inject markup nor links.
"""

from __future__ import annotations

import html
import re

from mlsecops.reports.coverage import uncovered
from mlsecops.reports.model import ReportData
from mlsecops.reports.text import one_line, rate_text

MAX_FINDINGS = 200
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]#+|~])")
VERDICT_ICON = {"passed": "✅", "failed": "❌", "incomplete": "⚠️"}


def md(text: object, limit: int = 300) -> str:
    return _MARKDOWN_SYNTAX.sub(r"\\\1", html.escape(one_line(str(text), limit), quote=False))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _not_tested(data: ReportData) -> list[str]:
    """Tests switched off, not applicable or unable to run: listed beside the gates, never hidden by a pass."""
    missing = uncovered(data.results)
    if not missing:
        return []
    return ["## Not tested", "", "These did not judge this run:", "",
            *_table(["stage", "test", "state", "why"],
                    [[md(u.stage), md(u.test), md(u.state), md(u.note or "-")] for u in missing])]


def render(data: ReportData) -> str:
    verdict = data.verdict
    out = [
        f"# mlsecops: {md(data.project)} {md(data.version)} {VERDICT_ICON[verdict]} {verdict.upper()}",
        "",
        *[f"> {md(reason, 500)}" for reason in data.verdict_reasons()],
        *([f"> not tested: {md(', '.join(f'{u.test} ({u.state})' for u in uncovered(data.results)), 500)}"]
          if uncovered(data.results) else []),
        "",
        f"Generated {data.generated} by mlsecops {data.mlsecops_version}.",
        "",
        "## Gates",
        "",
    ]
    if not data.gates:
        out += ["No gate has run yet.", ""]
    for gate in data.gates:
        out.append(f"### {gate.name}: {VERDICT_ICON.get(gate.status, '❌')} {md(gate.status)}")
        out.append("")
        out.append(md(gate.reason, 1000))
        out.append("")
        failed = [c for c in gate.checks if not c.get("passed")]
        if failed:
            out += _table(["rule", "why"], [[md(c.get("rule")), md(c.get("message") or c.get("name"))] for c in failed])
        out.append(f"{len(gate.checks) - len(failed)} of {len(gate.checks)} checks passed; "
                   f"{len(gate.waived)} finding(s) waived.")
        out.append("")

    out += _not_tested(data)
    out += ["## Stages", ""]
    out += _table(
        ["stage", "status", "duration", "note"],
        [[md(r.stage), md(r.status), f"{r.duration_seconds:.1f} s", md(r.reason or "-")] for r in data.results],
    )

    counts = data.severity_counts()
    out += ["## Findings", "", ", ".join(f"{n} {sev}" for sev, n in counts.items()) +
            f" (not waived); {len(data.waivers)} waived; {len(data.findings)} in total.", ""]
    if data.findings:
        rows = []
        for finding in data.findings[:MAX_FINDINGS]:
            waived = " (waived)" if data.is_waived(finding) else ""
            rows.append([
                md(finding.severity.value) + waived, md(finding.category), md(finding.rule),
                md(finding.location.display()), md(finding.title + (f": {finding.message}" if finding.message else "")),
                md(finding.tool), md(finding.id),  # the id a waiver names
            ])
        out += _table(["severity", "category", "rule", "location", "message", "tool", "id"], rows)
        if len(data.findings) > MAX_FINDINGS:
            out += [f"... and {len(data.findings) - MAX_FINDINGS} more in findings.json.", ""]

    metrics = data.evaluation_metrics()
    if metrics:
        out += ["## Model metrics", ""]
        out += _table(
            ["metric", "value", "threshold", ""],
            [[md(label), f"{value:.4f}", "-" if limit is None else f"{limit:.4f}",
              "" if limit is None else ("✅" if value >= limit else "❌")] for _, label, value, limit in metrics],
        )
    matrix = data.confusion_matrix()
    if matrix:
        labels, rows = matrix
        out += ["### Confusion matrix (rows: true, columns: predicted)", ""]
        out += _table(["", *[md(label) for label in labels]],
                      [[md(label), *[str(cell) for cell in row]] for label, row in zip(labels, rows, strict=True)])
    cv = data.cross_validation()
    if cv:
        out += ["### Cross-validation", ""]
        out += _table(["metric", "mean ± std"], [[md(name), f"{mean:.4f} ± {std:.4f}"] for name, mean, std in cv])
    rates = data.attack_success_rates()
    if rates:
        out += ["## Attack success rate per OWASP LLM item", ""]
        rows = []
        for item, rate in rates:
            limit = data.asr_limit(item)
            rows.append([md(item), rate_text(rate, *(data.attack_counts(item) or (None, None))),
                         "-" if limit is None else f"{limit:.1%}",
                         "" if limit is None else ("✅" if rate <= limit else "❌")])
        out += _table(["item", "rate", "limit", ""], rows)
    if data.tools:
        out += ["## Tools", ""]
        out += _table(["tool", "version"], [[md(name), md(version)] for name, version in sorted(data.tools.items())])
    return "\n".join(out).rstrip() + "\n"
