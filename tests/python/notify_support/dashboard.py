"""The shipped Grafana dashboard and the metric names its queries use."""

from __future__ import annotations

import json
import re
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[3] / "resources/org/mlsecops/grafana/mlsecops-pipeline.dashboard.json"
PUSH_BOOKKEEPING = {"push_time_seconds", "push_failure_time_seconds"}  # added by the Pushgateway itself


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def queried_metrics(board: dict) -> set[str]:
    """Every mlsecops_* name in a panel query or a template variable query."""
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [v["query"]["query"] for v in board["templating"]["list"] if v["type"] == "query"]
    return {name for expr in exprs for name in re.findall(r"\b(mlsecops_[a-z_]+)\b", expr)}


def pushed_metrics(group: dict) -> set[str]:
    """The metric families of one Pushgateway group (from /api/v1/metrics), without its bookkeeping."""
    names = {name for name, family in group.items() if isinstance(family, dict) and "metrics" in family}
    return names - PUSH_BOOKKEEPING
