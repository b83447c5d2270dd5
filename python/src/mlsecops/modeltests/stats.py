"""Rates with their uncertainty: the Wilson score interval, and an interval-aware comparison."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.hits, self.total)

    def to_dict(self) -> dict[str, float | int]:
        low, high = self.interval
        return {"attempts": self.total, "hits": self.hits, "rate": round(self.value, 4),
                "ci_low": round(low, 4), "ci_high": round(high, 4)}


def wilson_interval(hits: int, total: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion; (0, 1) when nothing was measured."""
    if total <= 0:
        return 0.0, 1.0
    p = hits / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def significantly_higher(current: Rate, baseline: Rate) -> bool:
    """True when the current rate's interval lies entirely above the baseline's: a regression beyond noise."""
    if current.total == 0 or baseline.total == 0:
        return False
    return current.interval[0] > baseline.interval[1]
