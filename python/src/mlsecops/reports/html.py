"""summary.html: one self-contained page (inline CSS and SVG, no script, no external asset).

Every value that reaches the page goes through `e()`: finding texts are attacker-controlled.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from mlsecops.findings import Finding
from mlsecops.reports.coverage import uncovered
from mlsecops.reports.model import GateView, ReportData
from mlsecops.reports.svg import Bar, bar_chart
from mlsecops.reports.text import FEW_ATTEMPTS, counts_of, one_line, rate_text
from mlsecops.workspace import StageResult

MAX_FINDINGS = 500
VERDICT_TEXT = {
    "passed": "PASSED: every gate passed",
    "failed": "FAILED",
    "incomplete": "INCOMPLETE: not every gate has judged this model",
}
CSS = """
:root{--crit:#7f1d1d;--high:#dc2626;--med:#d97706;--low:#2563eb;--info:#64748b;--ok:#16a34a;--bad:#dc2626;
--warn:#d97706;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:var(--bg)}main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header{color:#fff;padding:26px 0 22px;margin-bottom:22px}header .inner{max-width:1180px;margin:0 auto;padding:0 20px}
header.passed{background:linear-gradient(135deg,#15803d,#16a34a)}header.failed{background:linear-gradient(135deg,#991b1b,#dc2626)}
header.incomplete{background:linear-gradient(135deg,#b45309,#d97706)}
header h1{margin:0;font-size:28px;letter-spacing:.3px}header .sub{opacity:.92;margin-top:4px}
header ul{margin:10px 0 0;padding-left:20px}header .counts{margin-top:12px;display:flex;gap:8px;flex-wrap:wrap}
header .counts span{background:rgba(255,255,255,.18);border-radius:999px;padding:2px 12px;font-weight:600}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:0 0 18px;
box-shadow:0 1px 2px rgba(15,23,42,.04)}h2{margin:0 0 12px;font-size:18px}h3{margin:16px 0 8px;font-size:15px}
.card h3{margin-top:0}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:14px;border-top:5px solid var(--info)}
.card.passed{border-top-color:var(--ok)}.card.failed,.card.error{border-top-color:var(--bad)}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:700;color:#fff;
text-transform:uppercase;letter-spacing:.4px}.b-passed{background:var(--ok)}.b-failed,.b-error{background:var(--bad)}
.b-skipped,.b-waived{background:var(--info)}
.checks{list-style:none;margin:8px 0 0;padding:0}.checks li{padding:3px 0;border-bottom:1px dashed var(--line)}
.checks .ok::before{content:"\\2713  ";color:var(--ok);font-weight:700}.checks .no::before{content:"\\2717  ";
color:var(--bad);font-weight:700}.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{font-size:12px;text-transform:uppercase;letter-spacing:.4px;color:var(--muted);background:#f8fafc}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin-top:8px}summary{cursor:pointer;color:var(--muted)}
.sev{display:inline-block;min-width:68px;text-align:center;border-radius:4px;padding:1px 6px;color:#fff;
font-size:12px;font-weight:700;text-transform:uppercase}.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}
.sev-medium{background:var(--med)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
tr.waived td{color:var(--muted)}
.blocks{font-size:11px;font-weight:700;color:var(--bad);white-space:nowrap}tr.waived .msg{text-decoration:line-through}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f5f9;border-radius:4px;padding:1px 4px;
overflow-wrap:anywhere}.loc{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:normal;
word-break:keep-all}
.timeline td{padding:4px 8px}.track{position:relative;height:16px;background:#f1f5f9;border-radius:3px;min-width:260px}
.track span{position:absolute;top:0;height:16px;border-radius:3px;min-width:2px}
.s-passed{background:var(--ok)}.s-failed,.s-error{background:var(--bad)}
.heat{width:auto}.heat td{text-align:center;font-variant-numeric:tabular-nums;min-width:52px;border:1px solid #fff}
.heat td.diag{outline:2px solid var(--ink);outline-offset:-2px}.heat th{text-align:center}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:10px}
@media print{header{-webkit-print-color-adjust:exact;print-color-adjust:exact}section{break-inside:avoid}}
"""


def e(value: object) -> str:
    return escape(str(value), quote=True)


def _check_items(checks: list[dict]) -> str:
    return "".join(
        f'<li class="{"ok" if c.get("passed") else "no"}">{e(c.get("name") or c.get("rule"))}'
        + (f' <span class="muted">({e(one_line(c.get("message"), 300))})</span>' if c.get("message") else "")
        + "</li>"
        for c in checks
    )


def _gate_card(data: ReportData, gate: GateView) -> str:
    failed = [c for c in gate.checks if not c.get("passed")]
    passed = [c for c in gate.checks if c.get("passed")]
    # What failed is always in sight; the passed checks fold away (no script: <details>).
    checks = f'<ul class="checks">{_check_items(failed)}</ul>' if failed else ""
    if passed:
        checks += (f'<details><summary>{len(passed)} check{"s" if len(passed) != 1 else ""} passed</summary>'
                   f'<ul class="checks">{_check_items(passed)}</ul></details>')
    waived = ""
    if gate.waived:
        items = "".join(
            f"<li><a href=\"#f-{e(w.get('id'))}\"><code>{e(w.get('id'))}</code></a> {e(w.get('reason') or '')}"
            + (f' <span class="muted">until {e(w["expires"])}</span>' if w.get("expires") else "")
            + "</li>"
            for w in gate.waived
        )
        waived = f'<h3 style="margin-top:10px">Waived</h3><ul>{items}</ul>'
    return (
        f'<div class="card {e(gate.status)}"><h3>{e(gate.name.capitalize())} gate '
        f'<span class="badge b-{e(gate.status)}">{e(gate.status)}</span></h3>'
        f"<div>{e(gate.reason)}</div>{checks}{waived}</div>"
    )


def _gates(data: ReportData) -> str:
    cards = [_gate_card(data, data.gate(name)) if data.gate(name) else
             f'<div class="card"><h3>{name.capitalize()} gate <span class="badge b-skipped">not run</span></h3>'
             '<div class="muted">This gate has not judged the model yet.</div></div>'
             for name in ("security", "model")]
    return f'<section><h2>Gates</h2><div class="grid">{"".join(cards)}</div></section>'


def _parse(moment: str) -> float | None:
    try:
        return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def _timeline(results: list[StageResult]) -> str:
    if not results:
        return ""
    starts = [_parse(r.started) for r in results]
    known = [s for s in starts if s is not None]
    origin = min(known) if known else 0.0
    spans = []
    cursor = 0.0
    for result, start in zip(results, starts, strict=True):
        offset = (start - origin) if start is not None else cursor
        spans.append((offset, max(result.duration_seconds, 0.0)))
        cursor = offset + result.duration_seconds
    total = max((o + d for o, d in spans), default=0.0) or 1.0
    rows = []
    for result, (offset, duration) in zip(results, spans, strict=True):
        left, width = 100 * offset / total, max(100 * duration / total, 0.4)
        rows.append(
            f"<tr><td>{e(result.stage)}</td>"
            f'<td><span class="badge b-{e(result.status)}">{e(result.status)}</span></td>'
            f'<td style="width:55%"><div class="track"><span class="s-{e(result.status)}" '
            f'style="left:{min(left, 99.6):.2f}%;width:{min(width, 100 - min(left, 99.6)):.2f}%"></span></div></td>'
            f'<td class="num">{duration:.1f} s</td><td class="muted">{e(one_line(result.reason, 160))}</td></tr>'
        )
    return (
        '<section><h2>Stage timeline</h2><table class="timeline"><thead><tr><th>stage</th><th>status</th>'
        f"<th>when</th><th>duration</th><th>note</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _finding_row(data: ReportData, finding: Finding) -> str:
    waiver = data.waivers.get(finding.id)
    message = e(finding.title)
    if finding.message and finding.message != finding.title:
        message += f": {e(finding.message)}"
    evidence = f"<br><code>{e(finding.evidence)}</code>" if finding.evidence else ""
    note = f'<br><span class="badge b-waived">waived</span> {e(waiver.describe())}' if waiver else ""
    tags = " ".join(e(tag) for tag in finding.owasp_llm + finding.cwe)
    return (
        f'<tr class="{"waived" if waiver else ""}" id="f-{e(finding.id)}">'
        f'<td><span class="sev sev-{e(finding.severity.value)}">{e(finding.severity.value)}</span>'
        + ('<br><span class="blocks" title="a gate failed on this finding">blocks release</span>'
           if finding.id in data.violations else "")
        + "</td>"
        f"<td>{e(finding.category)}</td><td><code>{e(finding.rule)}</code>"
        + (f'<br><span class="muted">{tags}</span>' if tags else "")
        + f'</td><td class="loc">{location_html(finding.location.display())}</td>'
        f'<td><span class="msg">{message}</span>{evidence}{note}</td><td>{e(finding.tool)}</td></tr>'
    )


def _findings(data: ReportData) -> str:
    counts = data.severity_counts()
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no open finding"
    if not data.findings:
        return '<section><h2>Findings</h2><p class="muted">No finding was recorded.</p></section>'
    rows = "".join(_finding_row(data, f) for f in data.findings[:MAX_FINDINGS])
    more = (f'<p class="muted">{len(data.findings) - MAX_FINDINGS} more in findings.json.</p>'
            if len(data.findings) > MAX_FINDINGS else "")
    return (
        f"<section><h2>Findings</h2><p>{e(summary)}; {len(data.waivers)} waived; {len(data.findings)} in total "
        "(most severe first).</p><table><thead><tr><th>severity</th><th>category</th><th>rule</th><th>location</th>"
        f"<th>message</th><th>tool</th></tr></thead><tbody>{rows}</tbody></table>{more}</section>"
    )


def _metrics(data: ReportData) -> str:
    rows = data.evaluation_metrics()
    parts = []
    if rows:
        bars = [Bar(label, value, limit, None if limit is None else value >= limit) for _, label, value, limit in rows]
        parts.append(bar_chart(bars, title="Evaluation metrics against their thresholds"))
        parts.append('<p class="muted">Bars: held-out metrics; dark ticks: thresholds.</p>')
    matrix = data.confusion_matrix()
    if matrix:
        parts.append(_confusion(*matrix))
    cv = data.cross_validation()
    if cv:
        body = "".join(
            f'<tr><td>{e(name)}</td><td class="num">{mean:.4f} ± {std:.4f}</td></tr>' for name, mean, std in cv
        )
        parts.append(
            "<h3>Cross-validation (mean ± std over the folds)</h3>"
            f'<table style="max-width:420px"><tbody>{body}</tbody></table>'
        )
    folds = data.folds()
    if folds:
        parts.append(_folds(folds))
    if not parts:
        return ""
    return f"<section><h2>Model metrics</h2>{''.join(parts)}</section>"


def _folds(folds: list[dict]) -> str:
    names = [k for k in folds[0] if k != "fold" and isinstance(folds[0][k], int | float)]
    header = "".join(f"<th>{e(name)}</th>" for name in names)
    body = "".join(
        f"<tr><td>{e(fold.get('fold', index + 1))}</td>"
        + "".join(f'<td class="num">{_number(fold.get(name))}</td>' for name in names)
        + "</tr>"
        for index, fold in enumerate(folds)
    )
    return (f"<h3>Folds</h3><div style=\"overflow-x:auto\"><table><thead><tr><th>fold</th>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else e(value if value is not None else "-")


def _confusion(labels: list[str], rows: list[list[int]]) -> str:
    header = "".join(f"<th>{e(label)}</th>" for label in labels)
    body = []
    for i, (label, row) in enumerate(zip(labels, rows, strict=True)):
        total = sum(row) or 1
        cells = []
        for j, cell in enumerate(row):
            share = cell / total
            colour = "37,99,235" if i == j else "220,38,38"
            ink = "#fff" if share > 0.55 else "#0f172a"
            # an empty cell stays untinted: a pale red on a zero reads as "some errors here"
            style = "color:#94a3b8" if cell == 0 else f"background:rgba({colour},{0.08 + 0.85 * share:.3f});color:{ink}"
            cells.append(
                f'<td class="{"diag" if i == j else ""}" style="{style}" '
                f'title="{e(label)} predicted as {e(labels[j])}: {cell} ({share:.0%} of row)">{cell}</td>'
            )
        body.append(f"<tr><th>{e(label)}</th>{''.join(cells)}</tr>")
    return (
        "<h3>Confusion matrix</h3><p class=\"muted\">Rows: true label; columns: predicted; colour: share of the row "
        "(blue on the diagonal, red off it).</p>"
        f'<div style="overflow-x:auto"><table class="heat"><thead><tr><th></th>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _model_tests(data: ReportData) -> str:
    rates = data.attack_success_rates()
    probes = data.probes()
    if not rates and not probes:
        return ""
    parts = ["<section><h2>Model tests: attack success rate per OWASP LLM item</h2>"]
    if rates:
        verdicts = {}
        gate = data.gate("model")
        for check in gate.checks if gate else []:
            rule = str(check.get("rule", ""))
            if rule.startswith("asr:"):
                verdicts[rule[4:]] = bool(check.get("passed"))
        bars = [Bar(item, rate, data.asr_limit(item), verdicts.get(item), text=_few(data.attack_counts(item)))
                for item, rate in rates]
        parts.append(bar_chart(bars, title="Attack success rate per OWASP LLM item", percent=True,
                               limit_label="limit"))
        parts.append('<p class="muted">Bars: share of attacks that succeeded; dark ticks: the policy\'s limits.</p>')
    if probes:
        body = "".join(
            "<tr>"
            f"<td><code>{e(p.get('probe', ''))}</code></td><td><code>{e(p.get('detector', ''))}</code></td>"
            f"<td>{e(_listed(p.get('owasp_llm')))}</td><td class=\"num\">{e(p.get('attempts', ''))}</td>"
            f"<td class=\"num\">{e(p.get('hits', ''))}</td><td class=\"num\">{_probe_rate(p)}</td>"
            f"<td class=\"num\">{_rate(p.get('ci_low'))} - {_rate(p.get('ci_high'))}</td></tr>"
            for p in probes
        )
        parts.append(
            "<table><thead><tr><th>probe</th><th>detector</th><th>OWASP</th><th>attempts</th><th>hits</th>"
            f"<th>rate</th><th>95% CI</th></tr></thead><tbody>{body}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


def _few(counts: tuple[int, int] | None) -> str:
    """The counts instead of a percentage when a rate rests on a handful of attempts."""
    if counts is None or counts[1] > FEW_ATTEMPTS:
        return ""
    return f"{counts[0]} of {counts[1]}"


def _probe_rate(probe: dict) -> str:
    hits, attempts = counts_of(probe)
    if attempts is not None and attempts <= FEW_ATTEMPTS:
        return e(rate_text(0.0, hits, attempts))
    return _rate(probe.get("rate"))


def location_html(text: str) -> str:
    """A file location that wraps only after a path separator, never inside a name or a line number."""
    return "/<wbr>".join(e(part) for part in text.split("/"))


def _not_tested(data: ReportData) -> str:
    missing = uncovered(data.results)
    if not missing:
        return ""
    rows = "".join(
        f"<tr><td>{e(u.stage)}</td><td><code>{e(u.test)}</code></td>"
        f'<td><span class="badge b-skipped">{e(u.state)}</span></td>'
        f'<td class="muted">{e(one_line(u.note, 300))}</td></tr>'
        for u in missing
    )
    return (
        '<section><h2>Not tested</h2><p>These did not judge this run, whatever the gates say:</p>'
        "<table><thead><tr><th>stage</th><th>test</th><th>state</th><th>why</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _listed(value: object) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def _rate(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else e(value if value is not None else "-")


def _tools(data: ReportData) -> str:
    if not data.tools:
        return ""
    body = "".join(f"<tr><td>{e(n)}</td><td><code>{e(v)}</code></td></tr>" for n, v in sorted(data.tools.items()))
    return (f'<section><h2>Tools</h2><table style="max-width:520px"><thead><tr><th>tool</th><th>version</th></tr>'
            f"</thead><tbody>{body}</tbody></table></section>")


def render(data: ReportData) -> str:
    verdict = data.verdict
    counts = "".join(f"<span>{n} {e(sev)}</span>" for sev, n in data.severity_counts().items() if n)
    reasons = "".join(f"<li>{e(one_line(reason, 400))}</li>" for reason in data.verdict_reasons())
    missing = uncovered(data.results)
    if missing:
        reasons += f"<li>not tested: {e(', '.join(f'{u.test} ({u.state})' for u in missing))}</li>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">"
        f"<title>mlsecops: {e(data.project)} {e(data.version)}: {e(verdict)}</title><style>{CSS}</style></head><body>"
        f'<header class="{e(verdict)}"><div class="inner"><h1>{e(VERDICT_TEXT[verdict])}</h1>'
        f'<div class="sub">{e(data.project)} {e(data.version)} · generated {e(data.generated)}'
        f" · mlsecops {e(data.mlsecops_version)}</div><ul>{reasons}</ul>"
        f'<div class="counts">{counts or "<span>no open finding</span>"}</div></div></header><main>'
        + _gates(data)
        + _not_tested(data)
        + _timeline(data.results)
        + _findings(data)
        + _metrics(data)
        + _model_tests(data)
        + _tools(data)
        + "<footer>Evidence is redacted: no secret or personal data value is shown in full.</footer>"
        "</main></body></html>\n"
    )
