"""`dataset`: PII and compliance scan of datasets (CSV/TSV, JSONL, Parquet, text), streamed.

Looks at every file of the loaded `dataset` artifacts and at data files (.csv, .tsv, .jsonl,
.ndjson, .parquet) in the source tree. One finding per file, column and entity type, with
the share of rows, the first rows and redacted samples; per-column statistics go to
`dataset-pii-report.json` in the work dir. Files larger than `parallel_threshold_mb` are
split at line boundaries and scanned by `workers` processes.

Options (`scan.options.dataset`): `entities` (subset of the entity types), `phone_region`
(default US), `workers` (default: CPU count), `parallel_threshold_mb` (default 64),
`hyperscan` (false forces the pure-`re` engine).
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO

from ..findings import Finding, Location, Severity, make_finding
from .dataset_readers import FileFormat, RangeScan, detect_format, scan_parquet, scan_range
from .dataset_stats import FileReport
from .files import TargetFile, not_scanned_finding, sniff_binary, target_files
from .interface import Scanner, ScanOutcome, ScanTargets
from .multipattern import engine_version
from .pii_engine import ENTITY_TYPES, PiiEngine

DATA_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"})
COMPRESSED_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst", ".zip", ".7z", ".tar", ".tgz"})
SEVERITY = {
    "API_KEY": Severity.CRITICAL,
    "CREDIT_CARD": Severity.HIGH,
    "US_SSN": Severity.HIGH,
    "IBAN_CODE": Severity.HIGH,
    "EMAIL_ADDRESS": Severity.MEDIUM,
    "PHONE_NUMBER": Severity.MEDIUM,
    "DATE_OF_BIRTH": Severity.MEDIUM,
    "IP_ADDRESS": Severity.LOW,
}
CWE = {"API_KEY": "CWE-798"}
ENTITY_TITLES = {
    "API_KEY": "API key or token",
    "CREDIT_CARD": "Payment card number",
    "US_SSN": "US social security number",
    "IBAN_CODE": "IBAN",
    "EMAIL_ADDRESS": "Email address",
    "PHONE_NUMBER": "Phone number",
    "DATE_OF_BIRTH": "Date of birth",
    "IP_ADDRESS": "IP address",
}
TOOL = "mlsecops-pii"
_ENGINE_SETTINGS: dict[str, Any] = {}


def _not_scanned(outcome: ScanOutcome, target: TargetFile, reason: str) -> None:
    outcome.findings.append(not_scanned_finding(target, reason, category="data-pii", tool=TOOL, looked_for="PII"))


def _worker_engine() -> PiiEngine:
    return PiiEngine(_ENGINE_SETTINGS.get("types"), phone_region=_ENGINE_SETTINGS.get("region", "US"),
                     prefer_hyperscan=_ENGINE_SETTINGS.get("hyperscan", True))


def _init_worker(settings: dict[str, Any]) -> None:
    _ENGINE_SETTINGS.update(settings)


def _scan_job(job: RangeScan) -> FileReport:
    return scan_range(_worker_engine(), job)


def split_ranges(path: Path, start: int, parts: int) -> list[tuple[int, int | None]]:
    """[start, size) cut into `parts` ranges, each boundary moved to just after a newline."""
    size = path.stat().st_size
    step = max(1, (size - start) // parts)
    bounds = [start]
    with open(path, "rb") as handle:
        for index in range(1, parts):
            position = _after_next_newline(handle, start + index * step)
            if bounds[-1] < position < size:
                bounds.append(position)
    return [(low, high) for low, high in zip(bounds, [*bounds[1:], None], strict=True)]


def _after_next_newline(handle: BinaryIO, position: int, block: int = 64 * 1024) -> int:
    """The offset just past the first newline at or after `position` (end of file if none), read in blocks:
    `readline()` would load a gigabyte-long line whole."""
    handle.seek(position)
    while data := handle.read(block):
        newline = data.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(data)
    return position


class DatasetPiiScanner(Scanner):
    name = "dataset"
    category = "data-pii"
    standalone_kind = "dataset"  # `mlsecops scan dataset PATH`: every file under PATH is a dataset

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = targets.options
        types = options.get("entities") or list(ENTITY_TYPES)
        settings = {"types": tuple(types), "region": str(options.get("phone_region", "US")),
                    "hyperscan": bool(options.get("hyperscan", True))}
        try:
            engine = PiiEngine(types, phone_region=settings["region"], prefer_hyperscan=settings["hyperscan"])
        except ValueError as exc:
            from ..errors import UsageError

            raise UsageError(f"scan.options.dataset.entities: {exc}") from None
        outcome = ScanOutcome(scanner=self.name, tool_version=engine_version(engine.backend))
        workers = int(options.get("workers") or os.cpu_count() or 1)
        threshold = float(options.get("parallel_threshold_mb", 64)) * 1024 * 1024
        files = self._files(targets, outcome.skipped)
        if not files:
            outcome.status = "not-run"
            outcome.message = "nothing to scan: no dataset artifact and no data file (" + ", ".join(
                sorted(DATA_SUFFIXES)) + ") under the scanned paths"
            return outcome
        summary: dict[str, Any] = {}
        for target in files:
            report = self._scan_file(engine, target, outcome, settings, workers, threshold)
            if report is None:
                continue
            outcome.scanned += 1
            outcome.findings.extend(self._findings(target, report))
            outcome.skipped.extend(f"{target.display}: {reason}" for reason in report.skipped_messages())
            if report.skipped_more:
                outcome.skipped.append(f"{target.display}: {report.skipped_more} more skipped part(s)")
            summary[target.display] = {"rows": report.rows, "columns": report.column_table(),
                                       "skipped": report.skipped_messages()}
        if targets.work_dir is not None:
            Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
            (Path(targets.work_dir) / "dataset-pii-report.json").write_text(json.dumps(summary, indent=2))
        return outcome

    @staticmethod
    def _files(targets: ScanTargets, skipped: list[str] | None = None) -> list[TargetFile]:
        return target_files(targets, ("dataset",), tree_filter=lambda p: p.suffix.lower() in DATA_SUFFIXES,
                            skipped=skipped)

    @staticmethod
    def _scan_file(engine: PiiEngine, target: TargetFile, outcome: ScanOutcome, settings: dict[str, Any],
                   workers: int, threshold: float) -> FileReport | None:
        suffix = target.path.suffix.lower()
        if suffix in COMPRESSED_SUFFIXES:
            outcome.skipped.append(f"{target.display}: compressed; extract it in the load stage to scan it")
            return None
        try:
            fmt = detect_format(target.path)
        except OSError as exc:
            return _not_scanned(outcome, target, f"unreadable ({exc.__class__.__name__})")
        if fmt.kind == "parquet":
            try:
                return scan_parquet(engine, target.path)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises many types on a corrupt file
                return _not_scanned(outcome, target, f"unreadable Parquet ({exc.__class__.__name__})")
        if sniff_binary(target.path):
            if suffix in DATA_SUFFIXES:  # a text dataset format holding binary: corrupt, or not what it says
                return _not_scanned(outcome, target, f"binary content in a {suffix} file")
            outcome.skipped.append(f"{target.display}: binary, not a supported dataset format")
            return None
        try:
            return DatasetPiiScanner._scan_text_file(engine, target.path, fmt, settings, workers, threshold)
        except OSError as exc:
            return _not_scanned(outcome, target, f"unreadable ({exc.__class__.__name__})")

    @staticmethod
    def _scan_text_file(engine: PiiEngine, path: Path, fmt: FileFormat, settings: dict[str, Any],
                        workers: int, threshold: float) -> FileReport:
        size = path.stat().st_size
        ranges = split_ranges(path, fmt.data_start, workers) if workers > 1 and size > threshold else [
            (fmt.data_start, None)]
        jobs = [RangeScan(path, fmt, low, high) for low, high in ranges]
        if len(jobs) == 1:
            parts = [scan_range(engine, jobs[0])]
        else:
            with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn"), initializer=_init_worker,
                                     initargs=(settings,)) as pool:
                parts = list(pool.map(_scan_job, jobs))
        total = FileReport()
        for part in parts:
            total.merge(part.shifted(total.rows, total.lines + fmt.header_lines))
        return total

    @staticmethod
    def _findings(target: TargetFile, report: FileReport) -> list[Finding]:
        findings = []
        for (column, entity), stats in sorted(report.stats.items()):
            share = stats.rows / report.rows if report.rows else 0.0
            where = "the text" if column == "(text)" else f"column '{column}'"
            findings.append(
                make_finding(
                    rule=f"pii/{entity.lower().replace('_', '-')}",
                    title=f"{ENTITY_TITLES.get(entity, entity)} in {where}",
                    severity=SEVERITY.get(entity, Severity.MEDIUM),
                    category="secret" if entity == "API_KEY" else "data-pii",
                    tool=TOOL,
                    location=Location(path=target.display, line=stats.first_line, column=column,
                                      artifact=target.artifact),
                    message=(f"{stats.rows} of {report.rows} row(s) ({share:.2%}) hold {entity}; "
                             f"first rows {', '.join(map(str, stats.first_rows))}"),
                    evidence=", ".join(stats.samples),
                    identity=f"{entity}:{column}",
                    cwe=[CWE.get(entity, "CWE-359")],
                    properties={
                        "entity": entity,
                        "column": column,
                        "rows": stats.rows,
                        "total_rows": report.rows,
                        "share": round(share, 6),
                        "occurrences": stats.occurrences,
                        "first_rows": stats.first_rows,
                        "samples": stats.samples,
                    },
                )
            )
        return findings
