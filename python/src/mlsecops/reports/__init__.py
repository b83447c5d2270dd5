"""`.mlsecops/reports/`: every format a user's tools read, written from what the workspace holds.

One module per format; each renders the same `ReportData` (see `model.py`). Register a new
format with one line here.
"""

from __future__ import annotations

from pathlib import Path

from mlsecops.config import Config
from mlsecops.redact import scrub
from mlsecops.registry import load_plugin
from mlsecops.workspace import Workspace

REPORTS: dict[str, str] = {
    "findings.json": "mlsecops.reports.json_report:render",
    "findings.sarif": "mlsecops.reports.sarif:render",
    "junit.xml": "mlsecops.reports.junit:render",
    "defectdojo.json": "mlsecops.reports.defectdojo:render",
    "summary.md": "mlsecops.reports.markdown:render",
    "summary.html": "mlsecops.reports.html:render",
    "ml-bom.cdx.json": "mlsecops.reports.cyclonedx:render",
}


def write_reports(workspace: Workspace, config: Config) -> list[Path]:
    """Render every format, then write each atomically (temp then rename) into `workspace.reports_dir`."""
    from mlsecops.reports.model import build_report_data
    from mlsecops.reports.text import write_atomic

    data = build_report_data(workspace, config)
    # Render everything before writing anything: a format that fails leaves the old set whole.
    rendered = {name: load_plugin(REPORTS, name, "report")(data) for name in REPORTS}
    folder = workspace.reports_dir
    written = []
    for name, text in rendered.items():
        path = folder / name
        write_atomic(path, scrub(text))  # defence in depth: registered secrets, whatever the format did
        written.append(path)
    return written
