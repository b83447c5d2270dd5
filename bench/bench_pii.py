"""PII detection: our engine beside Presidio (pattern recognizers, NoOpNlpEngine) and scrubadub.

Usage: python bench/bench_pii.py [--dense-lines 3000] [--sparse-lines 20000] [--sample-lines 1000]
                                 [--dense-mb 8] [--sparse-mb 64] [--memory-gb 0]
Needs the bench extra (pip install -e 'python[bench]'). One run, side by side:
  * accuracy: precision / recall / F1 per entity type and micro-F1 over the types all tools
    know, on the same labeled lines (bench/gen_pii_dataset.py; a prediction counts when its
    type matches a gold span it overlaps); ours also on DATE_OF_BIRTH, which the others lack;
  * speed: MB/s on dense and on sparse text, one core, in CPU seconds of this process
    (time.process_time: the benchmark machine is shared, wall time measures the neighbours),
    the fastest of `--repeat` runs (default 3) for every tool alike: neighbours only add time.
    Presidio and scrubadub are timed on `--sample-lines` lines (they take minutes per MB),
    ours on the same lines and on the corpus tiled to `--dense-mb` / `--sparse-mb`, both the
    engine alone and the dataset scanner end to end (workers=1);
  * memory (`--memory-gb N`): a CSV of N GB is written, scanned by `mlsecops scan dataset` in
    a child process whose process-tree RSS is sampled, then deleted. Target: 2 GB < 500 MB.
`--crm N` instead scores the CRM tuning set (bench/gen_pii_dataset.py `make_crm_corpus`: N records in
14 locales) per record and type, as the independent evaluation is scored, and `--show-errors K`
prints K missed and K false values per type. It is a tuning set: the evaluation set is kept apart.
`--world N` scores the world tuning set the same way (`make_world_corpus`: 20 locales, phone numbers
from `phonenumbers`' examples as each country writes them, birth dates in CLDR formats via `babel`,
decoys such as version strings and national ids; no Faker). A fifth of its records are one cell of a phone column,
scored as the dataset scanner reads a cell (`find_in_cells`, the column's name as context); a third of its numbers
are only well-formed (not assigned per `phonenumbers`' metadata), as test data and new ranges are.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_pii_dataset import (
    COMPARED_TYPES,
    make_corpus,
    make_crm_corpus,
    make_world_corpus,
)

Span = tuple[int, int, str]
PRESIDIO_TYPES = {t: t for t in COMPARED_TYPES}
SCRUBADUB_TYPES = {"email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "credit_card": "CREDIT_CARD",
                   "social_security_number": "US_SSN"}


def load(folder: Path, name: str) -> tuple[list[str], list[list[Span]]]:
    lines = (folder / f"{name}.txt").read_text().splitlines()
    gold = [[(s["start"], s["end"], s["type"]) for s in json.loads(row)]
            for row in (folder / f"{name}.labels.jsonl").read_text().splitlines()]
    return lines, gold


# ---- the three detectors, each: line -> spans with our type names -------------------------------


def ours() -> Callable[[str], list[Span]]:
    from mlsecops.engines.pii.engine import PiiEngine

    engine = PiiEngine([*COMPARED_TYPES, "DATE_OF_BIRTH"])
    return lambda line: [(e.start, e.end, e.type) for e in engine.find(line.encode())]


def ours_in_column() -> Callable[[str, str], list[Span]]:
    """A cell as the dataset scanner reads it: the column's name can say the cell is a phone number."""
    from mlsecops.engines.pii.cells import find_in_cells
    from mlsecops.engines.pii.engine import PiiEngine, is_phone_column

    engine = PiiEngine([*COMPARED_TYPES, "DATE_OF_BIRTH"])
    return lambda cell, column: [(e.start, e.end, e.type) for e in find_in_cells(
        engine, [cell], phones=is_phone_column(column))]


def presidio() -> Callable[[str], list[Span]]:
    logging.disable(logging.WARNING)
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    entities = list(PRESIDIO_TYPES)
    return lambda line: [(r.start, r.end, PRESIDIO_TYPES[r.entity_type])
                         for r in engine.analyze(line, language="en", entities=entities)]


def scrubadub_detector() -> Callable[[str], list[Span]]:
    import scrubadub

    scrubber = scrubadub.Scrubber()
    return lambda line: [(f.beg, f.end, SCRUBADUB_TYPES[f.type]) for f in scrubber.iter_filth(line)
                         if f.type in SCRUBADUB_TYPES]


# ---- scoring ------------------------------------------------------------------------------------------


def score(predicted: list[list[Span]], gold: list[list[Span]], types: tuple[str, ...]) -> dict[str, dict[str, float]]:
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in types}
    for guesses, truths in zip(predicted, gold, strict=True):
        unmatched = [t for t in truths if t[2] in types]
        for start, end, kind in guesses:
            if kind not in types:
                continue
            match = next((t for t in unmatched if t[2] == kind and start < t[1] and t[0] < end), None)
            if match:
                unmatched.remove(match)
                counts[kind]["tp"] += 1
            else:
                counts[kind]["fp"] += 1
        for _start, _end, kind in unmatched:
            counts[kind]["fn"] += 1
    table = {}
    for kind, c in counts.items():
        table[kind] = _prf(c["tp"], c["fp"], c["fn"])
    total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    table["micro"] = _prf(total["tp"], total["fp"], total["fn"])
    return table


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall, F1; NaN F1 when there was nothing to find and nothing was claimed."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1 if tp + fp + fn else float("nan")}


REPEAT = 3  # every timing is the least CPU time of this many runs, for every tool alike


def least_cpu_seconds(work: Callable[[], object], repeat: int) -> tuple[object, float]:
    """The first run's result and the least CPU seconds of `repeat` runs: on a shared machine
    the neighbours only ever add time."""
    result, times = None, []
    for run in range(repeat):
        start = time.process_time()
        outcome = work()
        times.append(time.process_time() - start)
        result = outcome if run == 0 else result
    return result, min(times)


def timed_lines(detect: Callable[[str], list[Span]], lines: list[str],
                repeat: int) -> tuple[list[list[Span]], float]:
    found, seconds = least_cpu_seconds(lambda: [detect(line) for line in lines], repeat)
    return found, seconds  # type: ignore[return-value]


# ---- our throughput on tiled data ----------------------------------------------------------------------


def tiled_file(source: Path, target: Path, megabytes: float) -> int:
    block = source.read_bytes()
    size = 0
    with open(target, "wb") as handle:
        while size < megabytes * 1024 * 1024:
            handle.write(block)
            size += len(block)
    return size


def engine_mb_per_s(path: Path, repeat: int) -> float:
    """Throughput of `PiiEngine.find` alone; building the engine (compiling the pattern database,
    about a quarter second once per process) is timed apart by `engine_setup_seconds`."""
    from mlsecops.engines.filebytes import read_chunks
    from mlsecops.engines.pii.engine import PiiEngine

    engine = PiiEngine()

    def scan_file() -> None:
        for _offset, chunk in read_chunks(path, 4 * 1024 * 1024, 4096):
            engine.find(chunk)

    return path.stat().st_size / 1e6 / least_cpu_seconds(scan_file, repeat)[1]


def engine_setup_seconds() -> float:
    """CPU seconds to build the engine with every entity type the first time in this process."""
    from mlsecops.engines.pii.engine import PiiEngine

    start = time.process_time()
    PiiEngine()
    return time.process_time() - start


def scanner_mb_per_s(path: Path, repeat: int) -> float:
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

    def scan_file() -> None:  # a new scanner and engine each run: validation caches start empty
        outcome = get_scanner("dataset").scan(ScanTargets(artifacts=[LoadedArtifact(path.name, "dataset", path)],
                                                          options={"workers": 1}))
        assert outcome.status == "ran"

    return path.stat().st_size / 1e6 / least_cpu_seconds(scan_file, repeat)[1]


# ---- memory -------------------------------------------------------------------------------------------


def memory_run(folder: Path, gigabytes: float) -> None:
    import psutil

    csv_path = folder / "big.csv"
    lines = (folder / "sparse.txt").read_text().splitlines() + (folder / "dense.txt").read_text().splitlines()[:200]
    block = "".join(f'{i},"{line.replace(chr(34), chr(39))}"\n' for i, line in enumerate(lines)).encode()
    target = gigabytes * 1024**3
    start = time.perf_counter()
    with open(csv_path, "wb") as handle:
        handle.write(b"id,text\n")
        written = 0
        while written < target:
            handle.write(block)
            written += len(block)
    print(f"memory   wrote {written / 1024**3:.2f} GB CSV in {time.perf_counter() - start:.0f} s")
    try:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "mlsecops.cli", "scan", "dataset", str(csv_path),
                                  "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        peak = 0
        process = psutil.Process(child.pid)
        while child.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)
        output = json.loads(child.stdout.read() if child.stdout else b"{}")
        seconds = time.perf_counter() - start
        print(f"memory   scan dataset {written / 1024**3:.2f} GB: peak RSS {peak / 1024**2:.0f} MB of the process "
              f"tree (target < 500 MB), {seconds:.0f} s = {written / 1e6 / seconds:.0f} MB/s with all cores, "
              f"{len(output.get('findings', []))} findings, status {output.get('status')}")
    finally:
        csv_path.unlink(missing_ok=True)


CRM_TYPES = (*COMPARED_TYPES, "DATE_OF_BIRTH")


def crm_run(records: int, show_errors: int, with_presidio: bool, corpus: str = "crm") -> None:
    """Per record and type: a record counts as a true positive for a type when both it and the detector
    hold one; missed and false values are listed for tuning. `corpus`: "crm" or "world"."""
    with tempfile.TemporaryDirectory(prefix=f"bench-pii-{corpus}-") as scratch:
        folder = Path(scratch)
        (make_world_corpus if corpus == "world" else make_crm_corpus)(folder, records)
        lines = (folder / f"{corpus}.txt").read_text(encoding="utf-8").splitlines()
        gold = [json.loads(row) for row in (folder / f"{corpus}.labels.jsonl").read_text().splitlines()]
        named = folder / f"{corpus}.columns.txt"  # the world set: the column each record stands in
        columns = named.read_text(encoding="utf-8").splitlines() if named.exists() else ["text"] * len(lines)
    detectors = {"mlsecops": ours()} | ({"presidio": presidio()} if with_presidio else {})
    in_column = ours_in_column()
    print(f"{corpus}: {sum(c != 'text' for c in columns)} of {len(lines)} records are cells of a phone column")
    for name, detect in detectors.items():
        counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in CRM_TYPES}
        misses: dict[str, list[str]] = {t: [] for t in CRM_TYPES}
        false: dict[str, list[str]] = {t: [] for t in CRM_TYPES}
        for line, spans, column in zip(lines, gold, columns, strict=True):
            encoded = line.encode()
            found = in_column(line, column) if name == "mlsecops" and column != "text" else detect(line)
            if name == "mlsecops":  # byte offsets: shown as text
                found = [(len(encoded[:a].decode()), len(encoded[:b].decode()), k) for a, b, k in found]
            truth = {s["type"] for s in spans}
            predicted = {k for _, _, k in found if k in CRM_TYPES}
            for kind in CRM_TYPES:
                if kind in truth and kind in predicted:
                    counts[kind]["tp"] += 1
                elif kind in truth:
                    counts[kind]["fn"] += 1
                    misses[kind] += [line[s["start"]:s["end"]] for s in spans if s["type"] == kind]
                elif kind in predicted:
                    counts[kind]["fp"] += 1
                    false[kind] += [line[a:b] for a, b, k in found if k == kind]
        print(f"\n{name} on {len(lines)} {corpus} tuning records, per record and type (precision/recall/F1):")
        total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
        for kind in (*CRM_TYPES, "micro"):
            c = total if kind == "micro" else counts[kind]
            prf = _prf(c["tp"], c["fp"], c["fn"])
            print(f"  {kind:14} {prf['p']:.3f} / {prf['r']:.3f} / {prf['f1']:.3f}   (tp {c['tp']}, fp {c['fp']}, "
                  f"fn {c['fn']})")
            if show_errors and kind != "micro":
                for label, values in (("missed", misses[kind]), ("false", false[kind])):
                    if values:
                        print(f"      {label}: " + " | ".join(values[:show_errors]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dense-lines", type=int, default=3000)
    parser.add_argument("--sparse-lines", type=int, default=20000)
    parser.add_argument("--sample-lines", type=int, default=1000)
    parser.add_argument("--dense-mb", type=float, default=8)
    parser.add_argument("--sparse-mb", type=float, default=64)
    parser.add_argument("--memory-gb", type=float, default=0)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per timing; the fastest counts")
    parser.add_argument("--crm", type=int, default=0, help="score N records of the CRM tuning set instead")
    parser.add_argument("--world", type=int, default=0,
                        help="score N records of the world tuning set (phonenumbers and CLDR, no Faker) instead")
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--with-presidio", action="store_true", help="with --crm: score Presidio too")
    args = parser.parse_args()
    if args.crm or args.world:
        if args.crm:
            crm_run(args.crm, args.show_errors, args.with_presidio)
        if args.world:
            crm_run(args.world, args.show_errors, args.with_presidio, corpus="world")
        return

    with tempfile.TemporaryDirectory(prefix="bench-pii-") as scratch:
        folder = Path(scratch)
        make_corpus(folder, args.dense_lines, args.sparse_lines)
        detectors = {"mlsecops": ours(), "presidio": presidio(), "scrubadub": scrubadub_detector()}
        speeds: dict[str, dict[str, float]] = {name: {} for name in detectors}
        for corpus in ("dense", "sparse"):
            lines, gold = load(folder, corpus)
            sample, sample_gold = lines[: args.sample_lines], gold[: args.sample_lines]
            sample_mb = sum(len(line) + 1 for line in sample) / 1e6
            print(f"\n{corpus}: {len(lines)} lines, {sum(len(g) for g in gold)} labeled values; "
                  f"others timed on {len(sample)} lines ({sample_mb:.2f} MB)")
            header = "".join(f"{t[:12]:>14}" for t in (*COMPARED_TYPES, "micro-F1"))
            print(f"  {'tool':10}{header}   MB/s")
            for name, detect in detectors.items():
                found, seconds = timed_lines(detect, sample, args.repeat)
                speeds[name][corpus] = sample_mb / seconds
                table = score(found, sample_gold, COMPARED_TYPES)
                cells = "".join(f"{table[t]['f1']:14.3f}".replace("nan", "  -") for t in (*COMPARED_TYPES, "micro"))
                print(f"  {name:10}{cells}   {speeds[name][corpus]:.3f}")
            full = [detectors["mlsecops"](line) for line in lines]
            full_table = score(full, gold, (*COMPARED_TYPES, "DATE_OF_BIRTH"))
            precision = {t: f"{v['p']:.3f}/{v['r']:.3f}" for t, v in full_table.items()}
            print(f"  mlsecops on all {len(lines)} lines, precision/recall: {precision}")

        print(f"\nthroughput of ours, one core, corpus tiled (engine setup, once per process: "
              f"{engine_setup_seconds():.2f} s CPU, not in the MB/s below):")
        for corpus, megabytes in (("dense", args.dense_mb), ("sparse", args.sparse_mb)):
            tiled = folder / f"{corpus}-tiled.txt"
            size = tiled_file(folder / f"{corpus}.txt", tiled, megabytes)
            engine = engine_mb_per_s(tiled, args.repeat)
            scanner = scanner_mb_per_s(tiled, args.repeat)
            tiled.unlink()
            target = 5 if corpus == "dense" else 50
            print(f"  {corpus:6} {size / 1e6:6.1f} MB: engine {engine:7.1f} MB/s, dataset scanner {scanner:7.1f} MB/s "
                  f"(target >= {target} MB/s); vs presidio {scanner / speeds['presidio'][corpus]:7.0f}x, "
                  f"vs scrubadub {scanner / speeds['scrubadub'][corpus]:6.0f}x (target >= 100x presidio)")
        untiled = folder / "dense.txt"  # values do not repeat here: the validation cache rarely helps
        print(f"  dense  {untiled.stat().st_size / 1e6:6.1f} MB untiled (no repeated values): dataset scanner "
              f"{scanner_mb_per_s(untiled, args.repeat):7.1f} MB/s")
        if args.memory_gb:
            memory_run(folder, args.memory_gb)


if __name__ == "__main__":
    main()
