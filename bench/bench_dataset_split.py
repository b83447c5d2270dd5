"""The dataset scanner on a big CSV with quoted multi-line fields: records, rows, columns, speed, memory.

Usage: python bench/bench_dataset_split.py [--mb 2048] [--records 5000] [--folder DIR]

Builds a 5,000-record support-ticket CSV from the Faker corpus of `gen_pii_dataset.py` (a `text`
cell holds a ticket, half of them with a line break inside the quotes, a fifth with doubled
quotes), reads it with Python's csv and the PII engine cell by cell (the reference), then repeats
it to `--mb` megabytes and runs `mlsecops scan dataset` on that file in a child process (the
scanner's own split across one process per CPU). The big file's expected counts are the
reference's times the number of repeats: total rows, and per column and entity type the rows
holding it and the occurrences. Prints wall-clock MB/s and the peak RSS of the whole process tree,
then deletes the big file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HEADER = ["id", "customer_email", "text", "label"]


def base_records(corpus: Path, count: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    lines = corpus.read_text().splitlines()
    records = []
    for index in range(count):
        words = lines[index % len(lines)].split(" ")
        cut = rng.randrange(len(words))
        text = " ".join(words[:cut]) + ("\n" if rng.random() < 0.5 else " ") + " ".join(words[cut:])
        if rng.random() < 0.2:
            text = f'he said "{text}"'
        email = f"user{index}@mail.com" if index % 3 == 0 else ""
        records.append([str(index + 1), email, text, str(index % 2)])
    return records


def reference_counts(path: Path) -> tuple[int, Counter, Counter]:
    """(records, rows per (column, type), occurrences per (column, type)) as Python's csv reads the file."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "src"))
    from mlsecops.engines.pii.engine import PiiEngine

    engine = PiiEngine()
    rows: Counter = Counter()
    occurrences: Counter = Counter()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records = 0
        for record in reader:
            if not record:
                continue
            records += 1
            for name, text in zip(header, record, strict=False):
                found = engine.find(text.encode())  # no column here is named like a birth date
                for entity_type in {e.type for e in found}:
                    rows[(name, entity_type)] += 1
                for entity in found:
                    occurrences[(name, entity.type)] += 1
    return records, rows, occurrences


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=2048)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--folder", type=Path, default=None, help="where to build the files (default: a temp dir)")
    args = parser.parse_args()
    import psutil

    with tempfile.TemporaryDirectory(prefix="bench-split-", dir=args.folder) as scratch:
        folder = Path(scratch)
        subprocess.run([sys.executable, str(Path(__file__).parent / "gen_pii_dataset.py"), str(folder),
                        "--dense-lines", str(args.records), "--sparse-lines", "10"], check=True,
                       stdout=subprocess.DEVNULL)
        base = folder / "base.csv"
        with open(base, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(base_records(folder / "dense.txt", args.records))
        records, rows, occurrences = reference_counts(base)
        data = base.read_bytes()
        header_end = data.index(b"\n") + 1
        body = data[header_end:]
        repeats = max(1, int(args.mb * 1024 * 1024 // len(body)))
        big = folder / "big.csv"
        with open(big, "wb") as handle:
            handle.write(data[:header_end])
            handle.writelines(body for _ in range(repeats))
        size = big.stat().st_size
        print(f"reference: {records} records in the base file, {len(body) / 1e6:.2f} MB; big file: {repeats} "
              f"repeats, {size / 1e6:.0f} MB, {records * repeats} records")
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "mlsecops.cli", "scan", "dataset", str(big), "--format",
                                  "json", "--fail-on", "never"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peak = 0
        process = psutil.Process(child.pid)
        while child.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        stdout, stderr = child.communicate()
        if child.returncode != 0:
            sys.exit(f"scan failed ({child.returncode}): {stderr.decode()[-500:]}")
        findings = json.loads(stdout)["findings"]
        got_total = {f["properties"]["total_rows"] for f in findings if "total_rows" in f["properties"]}
        got = {(f["properties"]["column"], f["properties"]["entity"]): (f["properties"]["rows"],
                                                                        f["properties"]["occurrences"])
               for f in findings if "entity" in f["properties"]}
        expected = {key: (rows[key] * repeats, occurrences[key] * repeats) for key in rows}
        not_scanned = [f for f in findings if f["properties"].get("not_scanned")]
        same = got == expected and got_total == {records * repeats} and not not_scanned
        print(f"scan: {seconds:.0f} s wall = {size / 1e6 / seconds:.2f} MB/s, peak RSS {peak / 1024**2:.0f} MB "
              f"(process tree), total_rows {sorted(got_total)}")
        print(f"records, rows and columns identical to Python's csv: {same}")
        if not same:
            for key in sorted(set(got) | set(expected)):
                if got.get(key) != expected.get(key):
                    print(f"  {key}: scanner {got.get(key)}, reference {expected.get(key)}")
            sys.exit(1)


if __name__ == "__main__":
    main()
