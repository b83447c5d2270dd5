"""`dataset`: PII and compliance scan of datasets (CSV/TSV, JSONL, Parquet, text), streamed.

Looks at every file of the loaded `dataset` artifacts and at data files (.csv, .tsv, .jsonl,
.ndjson, .parquet) in the source tree. One finding per file, column and entity type, with
the share of rows, the first rows and redacted samples; per-column statistics go to
`dataset-pii-report.json` in the work dir. Rows are those of the reference parsers (see
`dataset_readers`). Files larger than `parallel_threshold_mb` are cut on record boundaries
(`dataset_split`) and scanned by `workers` processes. A file its reference parser rejects (a
JSONL line that is not JSON, a CSV field over the size limit) is a "not scanned" finding naming
the first bad row; the rest is still scanned, the bad records as plain text.

Options (`scan.options.dataset`): `entities` (subset of the entity types), `phone_region`
(default US), `workers` (default: CPU count), `parallel_threshold_mb` (default 64),
`hyperscan` (false forces the pure-`re` engine).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import Field

from mlsecops.engines.filebytes import sniff_binary
from mlsecops.engines.multipattern import engine_version
from mlsecops.engines.pii.cells import CellEntity, SpanSink, code_points, find_in_cells, merge_spans, resolve_salt
from mlsecops.engines.pii.engine import (
    ENTITY_TYPES,
    PiiEngine,
    is_phone_column,
    is_reference_column,
    shared_engine,
)
from mlsecops.engines.pii.readers import (
    PARQUET_BATCH_ROWS,
    UNPARSED,
    BadRecord,
    Batch,
    CellGroup,
    FileFormat,
    cell_groups,
    detect_format,
    is_dob_column,
    parquet_columns,
    parquet_groups,
    read_batches,
)
from mlsecops.engines.pii.split import ranges
from mlsecops.engines.pii.stats import FileReport
from mlsecops.findings import Finding, Location, Severity, make_finding
from mlsecops.scanners.files import TargetFile, not_scanned_finding, target_files
from mlsecops.scanners.interface import LoadedArtifact, Scanner, ScannerOptions, ScanOutcome, ScanTargets

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
    return shared_engine(_ENGINE_SETTINGS.get("types"), phone_region=_ENGINE_SETTINGS.get("region", "US"),
                         prefer_hyperscan=_ENGINE_SETTINGS.get("hyperscan", True))


def _init_worker(settings: dict[str, Any]) -> None:
    _ENGINE_SETTINGS.update(settings)


@dataclass
class RangeScan:
    """What one worker scans: [start, end) of a text-format file, starting on a record boundary; its
    rows and lines are counted from 1 and shifted when the ranges are merged."""

    path: Path
    fmt: FileFormat
    start: int
    end: int | None
    spans: Path | None = None  # where to write this range's spans (rows relative to the range)
    salt: bytes = b""


def _scan_job(job: RangeScan) -> FileReport:
    return scan_range(_worker_engine(), job)


def scan_range(engine: PiiEngine, job: RangeScan) -> FileReport:
    report = FileReport()
    sink = SpanSink(job.spans, job.salt) if job.spans is not None else None
    try:
        for batch in read_batches(job.path, job.fmt, job.start, job.end):
            scan_batch(engine, batch, job.fmt, report, sink)
    finally:
        if sink is not None:
            sink.close()
    return report


def scan_batch(engine: PiiEngine, batch: Batch, fmt: FileFormat, report: FileReport,
               sink: SpanSink | None = None) -> None:
    """Add the entities of one batch's cells (and of its unparsed bytes) to `report`."""
    dob_columns = fmt.dob_columns
    for order, group in enumerate(cell_groups(batch, fmt)):
        all_dates = group.name in dob_columns or (batch.kind == "jsonl" and is_dob_column(group.name))
        _scan_cells(engine, group, batch.first_row, batch.lines, all_dates, report, sink, order)
    if batch.kind == "jsonl":
        for index, record in enumerate(batch.records):
            if isinstance(record, BadRecord):
                _scan_raw(engine, record.data, batch.first_row + index + 1, batch.lines[index], report, sink)
    for piece in batch.raw:
        _scan_raw(engine, piece.data, piece.row, piece.line, report, sink, piece.offset, piece.seen_until)
    if sink is not None:
        sink.flush()
    for line, reason in batch.problems:
        report.skip(reason, line)
    if batch.rejected is not None and report.rejected is None:
        report.rejected = batch.rejected
    report.rows += batch.rows
    report.lines = max(report.lines, batch.end_line)


def _scan_cells(engine: PiiEngine, group: CellGroup, first_row: int, lines: list[int], all_dates: bool,
                report: FileReport, sink: SpanSink | None, order: int = 0) -> None:
    """One column of a batch: statistics added once per entity type, not once per value."""
    by_type: dict[str, list[CellEntity]] = {}
    references = is_reference_column(group.name)
    for entity in find_in_cells(engine, group.texts, all_dates=all_dates, references=references,
                                phones=is_phone_column(group.name)):
        by_type.setdefault(entity.type, []).append(entity)
        if sink is not None:
            start, end = code_points(group.texts[entity.cell], entity.start, entity.end)
            sink.write(first_row + group.rows[entity.cell] + 1, group.name, entity.type, start, end, entity.value,
                       order)
    for entity_type, members in by_type.items():
        rows = [first_row + group.rows[e.cell] + 1 for e in members]
        report.column_entity(group.name, entity_type).add_many(
            rows, lines[group.rows[members[0].cell]], (e.value for e in members),
            contexts=sum(1 for e in members if e.detail))


def _scan_raw(engine: PiiEngine, data: bytes, row: int, line: int, report: FileReport, sink: SpanSink | None,
              offset: int = 0, seen_until: int = -1) -> None:
    """Bytes no parser could read, as plain text (an entity in the overlap of two pieces counted once)."""
    text = data.decode("utf-8", "surrogateescape") if sink is not None else ""
    for entity in engine.find(data):
        if offset + entity.end <= seen_until:
            continue
        report.add(UNPARSED, entity.type, row, line, entity.value, context=bool(entity.detail))
        if sink is not None:
            start, end = code_points(text, entity.start, entity.end)
            sink.write(row, UNPARSED, entity.type, start, end, entity.value, 1 << 30)


def scan_parquet(engine: PiiEngine, path: Path, sink: SpanSink | None = None) -> FileReport:
    """Column by column, batch by batch; nested columns are reported as skipped."""
    import pyarrow.parquet as pq

    report = FileReport()
    parquet = pq.ParquetFile(path)
    flat, nested = parquet_columns(parquet.schema_arrow)
    for name, reason in nested:
        report.skip(f"column {name}: {reason}, not scanned")
    row = 0
    for record_batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=flat):
        lines = list(range(row + 1, row + record_batch.num_rows + 1))
        for order, group in enumerate(parquet_groups(record_batch, flat)):
            _scan_cells(engine, group, row, lines, is_dob_column(group.name), report, sink, order)
        if sink is not None:
            sink.flush()
        row += record_batch.num_rows
    report.rows = report.lines = row
    return report


def project_path(target: TargetFile, artifacts: list[LoadedArtifact]) -> str:
    """How findings name a file: its path relative to the project root, so SARIF consumers can link it.
    A loaded `file://` source by its source path, a file given on the command line relative to the
    working directory; anything else (an `s3://` source, a path outside) as the scan named it."""
    artifact = next((a for a in artifacts if a.name == target.artifact), None) if target.artifact else None
    if artifact is None:
        return target.display  # a file of the scanned tree: already named from its root
    inner = ""
    if Path(artifact.path).is_dir():
        try:
            inner = target.path.relative_to(artifact.path).as_posix()
        except ValueError:
            inner = ""
    if artifact.url:
        if not artifact.url.lower().startswith("file://"):
            return target.display
        source = Path(artifact.url[len("file://") :])
        if not source.is_absolute():
            return "/".join(p for p in (source.as_posix().removeprefix("./"), inner) if p)
        candidate = source / inner if inner else source
    else:
        candidate = target.path
    try:
        return Path(os.path.abspath(candidate)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return target.display


_SPANS: dict[str, str] = {}  # `mlsecops scan dataset --spans`: set for the one scan the command runs


@contextlib.contextmanager
def spans_to(path: str | Path, salt: str | None = None) -> Iterator[None]:
    """Scans inside write their spans to `path` (as the `spans` option would), its missing folders
    created first, as `-o` of most tools does; a path that cannot be a file is bad usage (exit 2)."""
    _SPANS.update({"path": str(prepare_spans_file(path)), **({"salt": salt} if salt else {})})
    try:
        yield
    finally:
        _SPANS.clear()


def prepare_spans_file(path: str | Path) -> Path:
    """The spans file `path` names, with its parent folders made; UsageError (one line) when it names a
    folder or its folder cannot be made: checked before the scan, so no scan is wasted on it."""
    from mlsecops.errors import UsageError

    text = str(path)
    target = Path(text)
    if not text.strip() or text.endswith(("/", os.sep)) or target.is_dir():
        raise UsageError(f"--spans '{text}': expected a file name (OUT.jsonl), not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = isinstance(exc, (FileExistsError, NotADirectoryError))
        reason = "a file is in the way" if in_the_way else exc.strerror or exc.__class__.__name__
        raise UsageError(f"--spans {text}: cannot create its folder {target.parent} ({reason})") from None
    if not os.access(target.parent, os.W_OK):
        raise UsageError(f"--spans {text}: its folder {target.parent} is not writable")
    return target


class _SpansOutput:
    """The spans file of a scan: written beside its final name and renamed when the scan ends, so a
    scan that stops half-way leaves no partial file to be mistaken for a complete one. The ranges'
    parts are files beside it too, each removed once merged: a temporary folder per scan cost more
    (a directory made and removed) than scanning a small file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: IO[str] | None = None
        self.lines = 0
        self._parts: set[Path] = set()  # handed out and not merged yet: removed when the scan ends

    def __enter__(self) -> _SpansOutput:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._partial = self.path.with_name(self.path.name + ".partial")
            self.handle = open(self._partial, "w", encoding="utf-8")  # noqa: SIM115 - closed in __exit__
        return self

    def part(self, index: int) -> Path | None:
        if self.handle is None:
            return None
        part = self._partial.with_name(f"{self._partial.name}-{index}.tsv")
        self._parts.add(part)
        return part

    def merge(self, parts: list[tuple[Path, int]], display: str) -> None:
        if self.handle is not None:
            self.lines += merge_spans(parts, display, self.handle)
            for path, _ in parts:
                path.unlink(missing_ok=True)
                self._parts.discard(path)

    def __exit__(self, kind: object, *rest: object) -> None:
        if self.handle is None or self.path is None:
            return
        self.handle.close()
        for part in self._parts:  # a file that failed before its parts were merged
            part.unlink(missing_ok=True)
        if kind is None:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)


@dataclass
class _FileScan:
    """One file: format, split, workers, merged report and spans."""

    engine: PiiEngine
    settings: dict[str, Any]
    workers: int
    threshold: float
    spans: _SpansOutput
    salt: bytes
    declared: frozenset[Path] = frozenset()  # datasets named one by one (a load source, a file given)

    def run(self, target: TargetFile, outcome: ScanOutcome) -> FileReport | None:
        suffix = target.path.suffix.lower()
        if suffix in COMPRESSED_SUFFIXES:
            return self._unsupported(target, outcome, "compressed; extract it in the load stage to scan it")
        try:
            fmt = detect_format(target.path)
        except OSError as exc:
            return _not_scanned(outcome, target, f"unreadable ({exc.__class__.__name__})")
        if fmt.kind == "parquet":
            part = self.spans.part(0)
            sink = SpanSink(part, self.salt) if part is not None else None
            try:
                report = scan_parquet(self.engine, target.path, sink)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises many types on a corrupt file
                return _not_scanned(outcome, target, f"unreadable Parquet ({exc.__class__.__name__})")
            finally:
                if sink is not None:
                    sink.close()
            if part is not None:
                self.spans.merge([(part, 0)], target.display)
            return report
        if sniff_binary(target.path):
            if suffix in DATA_SUFFIXES:  # a text dataset format holding binary: corrupt, or not what it says
                return _not_scanned(outcome, target, f"binary content in a {suffix} file")
            return self._unsupported(target, outcome, "binary, not a supported dataset format")
        try:
            return self._text_file(target, fmt)
        except OSError as exc:
            return _not_scanned(outcome, target, f"unreadable ({exc.__class__.__name__})")

    def _unsupported(self, target: TargetFile, outcome: ScanOutcome, reason: str) -> None:
        """A dataset named alone (a load source, a file given) it cannot read fails closed; a member is noted."""
        if target.path.resolve() in self.declared:
            _not_scanned(outcome, target, reason)
        else:
            outcome.skipped.append(f"{target.display}: {reason}")

    def _text_file(self, target: TargetFile, fmt: FileFormat) -> FileReport:
        path = target.path
        parts = self.workers if self.workers > 1 and path.stat().st_size > self.threshold else 1
        jobs = [RangeScan(path, fmt, low, high, self.spans.part(index), self.salt)
                for index, (low, high) in enumerate(ranges(path, fmt, parts))]
        if len(jobs) == 1:
            reports = [scan_range(self.engine, jobs[0])]
        else:
            with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn"), initializer=_init_worker,
                                     initargs=(self.settings,)) as pool:
                reports = list(pool.map(_scan_job, jobs))
        total = FileReport()
        offsets = []
        for report in reports:
            offsets.append(total.rows)
            total.merge(report.shifted(total.rows, total.lines + fmt.header_lines))
        self.spans.merge([(job.spans, offset) for job, offset in zip(jobs, offsets, strict=True)
                          if job.spans is not None], target.display)
        return total


def _empty_dataset(target: TargetFile) -> Finding:
    """A dataset without one data row (0 bytes, or a header alone): nothing in it can be judged, and a
    model trained on it is not what was meant, so the gate fails closed on it (as `redact` refuses it)."""
    try:
        what = "0 bytes" if target.path.stat().st_size == 0 else "header only"
    except OSError:
        what = "empty"
    return make_finding(
        rule="dataset/empty",
        title="Dataset has no data rows: nothing to judge",
        severity=Severity.HIGH,
        category="data-pii",
        tool=TOOL,
        location=Location(path=target.display, artifact=target.artifact),
        message=f"{target.display} has no data rows ({what}); export the data again or remove the file",
        identity="empty",
        context="",
        properties={"empty_input": True},
    )


class DatasetOptions(ScannerOptions):
    entities: list[str] = Field(default_factory=list, description="the entity types reported (empty: all)")
    phone_region: str = Field(default="US", description="the region of national phone numbers")
    hyperscan: bool = Field(default=True, description="false forces the pure-`re` engine")
    workers: int | None = Field(default=None, ge=1, description="processes scanning a large file "
                                "(default: the CPU count)")
    parallel_threshold_mb: float = Field(default=64.0, ge=0, description="files larger than this are cut "
                                         "on record boundaries and scanned by `workers` processes")
    spans: str | None = Field(default=None, description="also write one JSON line per entity to this file "
                              "(`scan dataset --spans` wins)")
    salt: str | None = Field(default=None, description="salt of the spans' digests (a ${secret:...} "
                             "reference; default: $MLSECOPS_PII_SALT, else random per run)")


class DatasetPiiScanner(Scanner):
    name = "dataset"
    category = "data-pii"
    standalone_kind = "dataset"  # `mlsecops scan dataset PATH`: every file under PATH is a dataset
    options_model: ClassVar[type[DatasetOptions]] = DatasetOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        types = options.entities or list(ENTITY_TYPES)
        settings = {"types": tuple(types), "region": options.phone_region, "hyperscan": options.hyperscan}
        try:
            engine = shared_engine(types, phone_region=settings["region"], prefer_hyperscan=settings["hyperscan"])
        except ValueError as exc:
            from mlsecops.errors import UsageError

            raise UsageError(f"scan.options.dataset.entities: {exc}") from None
        outcome = ScanOutcome(scanner=self.name, tool_version=engine_version(engine.backend))
        workers = options.workers or os.cpu_count() or 1
        threshold = options.parallel_threshold_mb * 1024 * 1024
        files = self._files(targets, outcome.skipped)
        if not files:
            outcome.status = "not-run"
            outcome.message = "nothing to scan: no dataset artifact and no data file (" + ", ".join(
                sorted(DATA_SUFFIXES)) + ") under the scanned paths"
            return outcome
        # the command line (--spans, --salt) wins over the project's scan.options.dataset
        spans_path = _SPANS.get("path") or options.spans
        salt, _given = resolve_salt(_SPANS.get("salt") or options.salt)
        summary: dict[str, Any] = {}
        declared = frozenset(artifact.path.resolve() for artifact in targets.artifacts if artifact.path.is_file())
        # the engine is shared (`shared_engine`): it forgets the values it validated when the scan ends
        with _SpansOutput(Path(spans_path) if spans_path else None) as spans, contextlib.ExitStack() as stack:
            stack.callback(engine.forget)
            for target in files:
                target = replace(target, display=project_path(target, targets.artifacts))
                scan = _FileScan(engine, settings, workers, threshold, spans, salt, declared)
                report = scan.run(target, outcome)
                if report is None:
                    continue
                outcome.scanned += 1
                if report.rejected is not None:
                    row, line, reason = report.rejected
                    _not_scanned(outcome, target, f"the reference parser rejects row {row} (line {line}): {reason}; "
                                 "the rest was scanned, rejected records as plain text")
                outcome.findings.extend(self._findings(target, report))
                if report.rows == 0 and report.rejected is None and target.path.suffix.lower() in DATA_SUFFIXES:
                    if target.artifact is not None:  # a dataset to train on (or given alone): fail closed
                        outcome.findings.append(_empty_dataset(target))
                    else:  # a data file of the source tree (an empty test fixture): noted
                        outcome.skipped.append(f"{target.display}: no data rows")
                outcome.skipped.extend(f"{target.display}: {reason}" for reason in report.skipped_messages())
                if report.skipped_more:
                    outcome.skipped.append(f"{target.display}: {report.skipped_more} more skipped part(s)")
                summary[target.display] = {"rows": report.rows, "columns": report.column_table(),
                                           "skipped": report.skipped_messages()}
        if targets.work_dir is not None:
            Path(targets.work_dir).mkdir(parents=True, exist_ok=True)
            (Path(targets.work_dir) / "dataset-pii-report.json").write_text(json.dumps(summary, indent=2))
        if outcome.scanned == 0 and not outcome.findings:  # every file in a format it cannot read: nothing judged
            outcome.status = "not-run"
            outcome.message = (f"nothing to scan: none of the {len(files)} file(s) is a dataset it can read "
                               "(" + ", ".join(sorted(DATA_SUFFIXES)) + ")")
        return outcome

    @staticmethod
    def _files(targets: ScanTargets, skipped: list[str] | None = None) -> list[TargetFile]:
        return target_files(targets, ("dataset",), tree_filter=lambda p: p.suffix.lower() in DATA_SUFFIXES,
                            skipped=skipped)

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
                    # rows are data rows as the reference parser counts them (header excluded); the
                    # location's line is the file line the first one starts on: both are named as such
                    message=(f"{stats.rows} of {report.rows} data row(s) ({share:.2%}) hold {entity}; "
                             f"first in data row(s) {', '.join(map(str, stats.first_rows))}"
                             + (f" (file line {stats.first_line})" if stats.first_line else "")),
                    evidence=", ".join(stats.samples),
                    identity=f"{entity}:{column}",
                    context="",  # one finding per file, column and type: rows added above keep its id
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
