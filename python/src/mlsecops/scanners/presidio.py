"""`dataset-presidio`: names, places and other context entities in datasets, through Microsoft Presidio.

Patterns cannot find a person's name or a street address; Presidio can, with a spaCy
language model. It runs only when `presidio-analyzer` and the configured spaCy model are
installed (the worker image must ship the model: nothing is downloaded at run time). It
looks at the same files as the `dataset` scanner, cell by cell, at most `max_rows` rows per
file, and reports per column like it. Options (`scan.options.dataset-presidio`):
`PresidioOptions`.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.filebytes import sniff_binary
from mlsecops.engines.pii.readers import detect_format, read_batches, record_cells
from mlsecops.engines.pii.stats import FileReport
from mlsecops.scanners.dataset_pii import DatasetPiiScanner
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.tools import package_missing

DEFAULT_MODEL = "en_core_web_lg"
DEFAULT_ENTITIES = ("PERSON", "LOCATION", "NRP")


def model_missing(model: str) -> str | None:
    """Why Presidio cannot run with `model` here, or None when it can."""
    missing = package_missing("presidio-analyzer")
    if missing:
        return missing
    import spacy.util

    if not spacy.util.is_package(model) and not (Path(model) / "config.cfg").is_file():
        return f"spaCy model {model} is not installed: install its wheel in the worker image (no download at run time)"
    return None


class PresidioOptions(ScannerOptions):
    spacy_model: str = Field(default=DEFAULT_MODEL, description="an installed spaCy model package, or the "
                             "folder of a saved spaCy pipeline")
    entities: list[str] = Field(default_factory=lambda: list(DEFAULT_ENTITIES),
                                description="the Presidio entity types reported")
    score_threshold: float = Field(default=0.6, ge=0, le=1, description="the lowest Presidio score reported")
    max_rows: int = Field(default=100_000, ge=1, description="the most rows read per file")


class PresidioScanner(Scanner):
    name = "dataset-presidio"
    category = "data-pii"
    standalone_kind = "dataset"
    options_model: ClassVar[type[PresidioOptions]] = PresidioOptions

    def unavailable_reason(self) -> str | None:
        return model_missing(DEFAULT_MODEL)

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        model = options.spacy_model
        reason = model_missing(model)
        if reason:
            return ScanOutcome(scanner=self.name, status="not-run", message=reason)
        analyzer = _analyzer(model)
        entities, threshold, max_rows = options.entities, options.score_threshold, options.max_rows
        version = metadata.version("presidio-analyzer")
        outcome = ScanOutcome(scanner=self.name, tool_version=f"presidio-analyzer {version} ({model})")
        files = DatasetPiiScanner._files(targets)
        if not files:
            outcome.status, outcome.message = "not-run", "nothing to scan: no dataset file"
            return outcome
        for target in files:
            if sniff_binary(target.path) and target.path.suffix != ".parquet":
                outcome.skipped.append(f"{target.display}: binary, not scanned")
                continue
            report = FileReport()
            for row, column, text in _cells(target.path, max_rows, report):
                for result in analyzer.analyze(text=text, language="en", entities=entities,
                                               score_threshold=threshold):
                    report.add(column, result.entity_type, row, row, text[result.start : result.end])
            outcome.scanned += 1
            outcome.findings.extend(DatasetPiiScanner._findings(target, report))
            outcome.skipped.extend(f"{target.display}: {m}" for m in report.skipped_messages())
        return outcome


def _analyzer(model: str) -> Any:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def _cells(path: Path, max_rows: int, report: FileReport) -> Any:
    """(row, column, text) of a dataset file, rows counted from 1, at most `max_rows` rows."""
    fmt = detect_format(path)
    if fmt.kind == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(path)
        row = 0
        for batch in table.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                row += 1
                if row > max_rows:
                    report.skip(f"rows after {max_rows} not scanned (max_rows)")
                    return
                report.rows += 1
                yield from ((row, key, value) for key, value in record.items() if isinstance(value, str))
        return
    # the rows of the `dataset` scanner (dataset_readers): the same row numbers in both reports
    for batch in read_batches(path, fmt, fmt.data_start, None):
        for index, column, text in record_cells(batch, fmt):
            if batch.first_row + index + 1 > max_rows:
                break
            yield batch.first_row + index + 1, column, text
        report.rows = min(max_rows, batch.first_row + batch.rows)
        if batch.first_row + batch.rows > max_rows:
            report.skip(f"rows after {max_rows} not scanned (max_rows)")
            return
