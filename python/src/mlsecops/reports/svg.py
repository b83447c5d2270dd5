"""Inline SVG charts for the HTML summary: no script, no external asset, readable when printed."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PASS, FAIL, NEUTRAL = "#16a34a", "#dc2626", "#64748b"


@dataclass
class Bar:
    label: str
    value: float
    limit: float | None = None  # the threshold drawn as a marker
    ok: bool | None = None  # None: nothing to compare with
    text: str = ""  # shown instead of the value (e.g. "0 of 2" when a rate rests on a handful of attempts)

    @property
    def colour(self) -> str:
        return NEUTRAL if self.ok is None else PASS if self.ok else FAIL


def bar_chart(bars: list[Bar], *, title: str, scale: float = 1.0, percent: bool = False,
              limit_label: str = "threshold") -> str:
    """Horizontal bars from 0 to `scale`, each with its limit as a dark tick."""
    label_width, plot_width, row, top = 170, 420, 34, 10
    height = top + row * len(bars) + 28
    width = label_width + plot_width + 140

    def x(value: float) -> float:
        return label_width + plot_width * max(0.0, min(value, scale)) / scale

    def shown(value: float) -> str:
        return f"{value:.1%}" if percent else f"{value:.3f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, 11, 2):
        value = scale * tick / 10
        parts.append(
            f'<line x1="{x(value):.1f}" y1="{top - 4}" x2="{x(value):.1f}" y2="{height - 24}" '
            f'stroke="#e2e8f0" stroke-width="1"/>'
            f'<text x="{x(value):.1f}" y="{height - 10}" font-size="11" fill="#64748b" '
            f'text-anchor="middle">{escape(shown(value))}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text x="{label_width - 10}" y="{y + 18}" font-size="13" fill="#0f172a" '
            f'text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{plot_width}" height="18" rx="3" fill="#f1f5f9"/>'
            f'<rect x="{label_width}" y="{y + 5}" width="{x(bar.value) - label_width:.1f}" height="18" rx="3" '
            f'fill="{bar.colour}"><title>{escape(bar.label)}: {escape(bar.text or shown(bar.value))}</title></rect>'
            f'<text x="{label_width + plot_width + 10}" y="{y + 18}" font-size="12" font-weight="600" '
            f'fill="#0f172a">{escape(bar.text or shown(bar.value))}</text>'
        )
        if bar.limit is not None:
            parts.append(
                f'<line x1="{x(bar.limit):.1f}" y1="{y + 1}" x2="{x(bar.limit):.1f}" y2="{y + 27}" '
                f'stroke="#0f172a" stroke-width="2.5"><title>{escape(limit_label)} '
                f"{escape(shown(bar.limit))}</title></line>"
            )
        if bar.ok is not None:
            parts.append(
                f'<text x="{label_width + plot_width + 96}" y="{y + 18}" font-size="12" font-weight="600" '
                f'fill="{bar.colour}">{"pass" if bar.ok else "FAIL"}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
