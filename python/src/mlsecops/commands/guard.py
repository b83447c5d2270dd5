"""`mlsecops guard`: the prompt-injection detector from the command line.

Kept light: only click at import time; the rules compile on first use.
Exit codes: 0 nothing found, 1 injection found, 2 bad usage.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def guard() -> None:
    """Prompt-injection detector (YARA rules, heuristics, decoded payloads, canary tokens)."""


@guard.command("check")
@click.argument("text", required=False)
@click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False), help="Check each line of FILE.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Score that counts as injection.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def check_command(text: str | None, file_path: str | None, threshold: float | None, as_json: bool) -> None:
    """Check TEXT (or every line of --file) for prompt injection; exit 1 when one is found."""
    from mlsecops.engines.guard.data_scan import scan_lines
    from mlsecops.engines.guard.detector import DEFAULT_THRESHOLD, InjectionGuard
    from mlsecops.errors import GateFailed, UsageError

    if (text is None) == (file_path is None):
        raise UsageError("guard check: give either TEXT or --file FILE")
    detector = InjectionGuard(threshold if threshold is not None else DEFAULT_THRESHOLD)
    if text is not None:
        hits = [(0, detector.check(text))]
        where = "TEXT"
    else:
        from mlsecops.engines.filebytes import sniff_binary

        if sniff_binary(Path(file_path)):  # type: ignore[arg-type]
            raise UsageError(f"{file_path}: binary content, not text: nothing to check line by line")
        try:
            content = Path(file_path).read_text(encoding="utf-8", errors="replace")  # type: ignore[arg-type]
        except OSError as exc:
            raise UsageError(f"{file_path}: cannot read ({exc.__class__.__name__})") from None
        hits = [(line, verdict) for line, _, verdict in scan_lines(detector, content)]
        where = str(file_path)
    flagged = [(line, verdict) for line, verdict in hits if verdict.injection]
    if as_json:
        click.echo(json.dumps([{"line": line or None, **verdict.to_dict()} for line, verdict in hits], indent=2))
    else:
        for line, verdict in (flagged if file_path else hits):
            place = f"{where}:{line}" if line else where
            state = "INJECTION" if verdict.injection else "clean"
            detail = ", ".join(f"{m.rule}({m.layer})" for m in verdict.matches) or "-"
            click.echo(f"{place}: {state} score={verdict.score:.2f} {detail}")
        if file_path:
            click.echo(f"{where}: {len(flagged)} of {len(hits)} line(s) look like prompt injection")
    if flagged:
        raise GateFailed(f"prompt injection found in {where}")
