"""Score `mlsecops scan dataset` (and Presidio, when available) on the independent PII corpus.

    .venv/bin/python bench/independent/bench_pii_independent.py [--records 5000] [--keep DIR]

The corpus comes from gen_pii_corpus.py (Faker, 13 locales, hard negatives), written to a
temporary folder. mlsecops runs as a black box through its CLI. Findings become (record, type)
pairs: from `--spans OUT.jsonl` when the CLI has that option (one line per entity with its data
row), otherwise by scanning a folder holding one single-row CSV per record, where each
finding's file names its record (the wall time reported is always that of the one-file scan).

Presidio runs side by side with its pattern recognizers (no spaCy model is needed or
downloaded) when `presidio_analyzer` imports in .venv or in the interpreter named by
PRESIDIO_PYTHON. Presidio has no date-of-birth entity; its DATE_TIME counts as one, which is
what a user of Presidio would get. Presidio is about a hundred times slower, so it scores the
first 2,000 records (--presidio-records), and mlsecops is scored again on those same records
beside it. Wall times include each tool's start-up, which dominates at this corpus size: they
are not a throughput benchmark (bench/bench_pii.py measures that on large files).

Scores: precision, recall and F1 over (record, type) pairs, micro and per type; IPv4 and IPv6
are scored as one type `ip_address` (the README names them together) and their recall is also
shown apart. Only aggregate numbers are printed, never corpus values, so that nobody tunes a
detector to this set. The last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TYPES = ("email", "phone", "credit_card", "iban", "us_ssn", "ip_address", "date_of_birth")
Pairs = set[tuple[int, str]]
# (row, type) -> the columns a tool reported it in, to say where false positives come from
Where = dict[tuple[int, str], set[str]]


def mlsecops_bin() -> str:
    venv = ROOT / ".venv" / "bin" / "mlsecops"
    return str(venv) if venv.exists() else "mlsecops"


def canonical(entity: str) -> str | None:
    """Map a tool's entity name to one of TYPES (None: a type this corpus does not grade)."""
    e = entity.upper().replace("-", "_")
    if "EMAIL" in e:
        return "email"
    if "PHONE" in e:
        return "phone"
    if "CREDIT" in e or "CARD" in e:
        return "credit_card"
    if "IBAN" in e:
        return "iban"
    if "SSN" in e or "SOCIAL" in e:
        return "us_ssn"
    if e.startswith("IP") or "IP_ADDRESS" in e:
        return "ip_address"
    if "BIRTH" in e or "DOB" in e or e == "DATE_TIME":
        return "date_of_birth"
    return None


def load_truth(path: Path) -> tuple[Pairs, dict[str, set[int]]]:
    pairs: Pairs = set()
    ip_rows: dict[str, set[int]] = {"ipv4": set(), "ipv6": set()}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if not rec["graded"]:
            continue
        kind = rec["type"]
        if kind in ip_rows:
            ip_rows[kind].add(rec["row"])
            kind = "ip_address"
        pairs.add((rec["row"], kind))
    return pairs, ip_rows


Span = tuple[int, str, str, int, int]  # row, column, type, start, end


def span_scores(spans_path: Path, truth_path: Path) -> dict[str, float | int]:
    """Entity-level agreement of --spans with the truth: same row, column and type, overlapping."""
    truth: list[Span] = []
    for line in truth_path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["graded"]:
            kind = "ip_address" if rec["type"] in ("ipv4", "ipv6") else rec["type"]
            truth.append((rec["row"], rec["column"], kind, rec["start"], rec["end"]))
    pred: list[Span] = []
    for line in spans_path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line) if line.strip() else {}
        kind = canonical(str(rec.get("type", "")))
        if kind and isinstance(rec.get("start"), int) and isinstance(rec.get("end"), int):
            pred.append((int(rec["row"]), str(rec.get("column")), kind, rec["start"], rec["end"]))
    by_cell: dict[tuple[int, str, str], list[Span]] = {}
    for sp in pred:
        by_cell.setdefault(sp[:3], []).append(sp)
    truth_cells: dict[tuple[int, str, str], list[Span]] = {}
    for sp in truth:
        truth_cells.setdefault(sp[:3], []).append(sp)

    def overlaps(a: Span, b: Span) -> bool:
        return a[3] < b[4] and b[3] < a[4]

    found = sum(any(overlaps(t, q) for q in by_cell.get(t[:3], [])) for t in truth)
    exact = sum(any(t[3:] == q[3:] for q in by_cell.get(t[:3], [])) for t in truth)
    right = sum(any(overlaps(q, t) for t in truth_cells.get(q[:3], [])) for q in pred)
    return {
        "entities": len(truth),
        "spans": len(pred),
        "entity_recall": round(found / len(truth), 4) if truth else 0.0,
        "span_precision": round(right / len(pred), 4) if pred else 0.0,
        "exact_boundaries": round(exact / found, 4) if found else 0.0,
    }


def has_spans_option() -> bool:
    out = subprocess.run([mlsecops_bin(), "scan", "dataset", "--help"], check=False, capture_output=True, text=True)
    return "--spans" in out.stdout


def run_mlsecops(csv_path: Path, work: Path, where: Where) -> tuple[Pairs, float, str, Counter[str]]:
    """Return predicted pairs, wall seconds of the one-file scan, the attribution mode, other entities."""
    other: Counter[str] = Counter()
    cmd = [mlsecops_bin(), "scan", "dataset", str(csv_path), "--format", "json", "--fail-on", "never"]
    spans = work / "spans.jsonl"
    use_spans = has_spans_option()
    if use_spans:
        cmd += ["--spans", str(spans)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mlsecops scan dataset failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    pairs: Pairs = set()
    if use_spans:
        for line in spans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            # the option is new: accept the obvious spellings of its two fields we need
            row = next((rec[k] for k in ("row", "data_row", "record") if k in rec), None)
            entity = next((rec[k] for k in ("type", "entity", "entity_type") if k in rec), None)
            if row is None or entity is None:
                raise SystemExit(f"--spans line without a row or type field: keys {sorted(rec)}")
            kind = canonical(str(entity))
            if kind is None:
                other[str(entity)] += 1
            else:
                pairs.add((int(row), kind))
                where.setdefault((int(row), kind), set()).add(str(rec.get("column")))
        return pairs, wall, "spans", other
    # No per-row output: one single-row CSV per record, so each finding's file is its record.
    folder = work / "per_record"
    folder.mkdir()
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row_no, row in enumerate(reader, start=1):
            with (folder / f"r{row_no:05d}.csv").open("w", newline="", encoding="utf-8") as out:
                w = csv.writer(out)
                w.writerow(header)
                w.writerow(row)
    proc = subprocess.run(
        [mlsecops_bin(), "scan", "dataset", str(folder), "--format", "json", "--fail-on", "never"],
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"mlsecops scan dataset (per record) failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}"
        )
    for finding in json.loads(proc.stdout)["findings"]:
        entity = str(finding.get("properties", {}).get("entity") or finding.get("rule"))
        name = Path(str(finding["location"]["path"])).name
        if not (name.startswith("r") and name.endswith(".csv")):
            other[f"unattributed:{finding.get('rule')}"] += 1
            continue
        kind = canonical(entity)
        if kind is None:
            other[entity] += 1
        else:
            pairs.add((int(name[1:6]), kind))
            where.setdefault((int(name[1:6]), kind), set()).add(str(finding["location"].get("column")))
    return pairs, wall, "per-record files", other


PRESIDIO_SCRIPT = r"""
import csv, json, sys
from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, DateRecognizer, EmailRecognizer,
    IbanRecognizer, IpRecognizer, PhoneRecognizer, UsSsnRecognizer)
recognizers = [EmailRecognizer(), PhoneRecognizer(), CreditCardRecognizer(), IbanRecognizer(), UsSsnRecognizer(),
               IpRecognizer(), DateRecognizer()]
out = sys.stdout
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    for row_no, row in enumerate(reader, start=1):
        for column, cell in zip(header, row):
            if not cell:
                continue
            for rec in recognizers:
                for res in rec.analyze(cell, rec.supported_entities, None):
                    out.write(json.dumps({"row": row_no, "column": column, "type": res.entity_type}) + "\n")
"""


def presidio_python() -> str | None:
    for cand in (os.environ.get("PRESIDIO_PYTHON"), str(ROOT / ".venv" / "bin" / "python")):
        if cand and Path(cand).exists():
            ok = subprocess.run([cand, "-c", "import presidio_analyzer"], check=False, capture_output=True)
            if ok.returncode == 0:
                return cand
    return None


def run_presidio(py: str, csv_path: Path, where: Where) -> tuple[Pairs, float, Counter[str]]:
    t0 = time.perf_counter()
    proc = subprocess.run([py, "-c", PRESIDIO_SCRIPT, str(csv_path)], check=False, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"presidio run failed: {proc.stderr.strip()[-300:]}")
    pairs: Pairs = set()
    other: Counter[str] = Counter()
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        kind = canonical(rec["type"])
        if kind is None:
            other[rec["type"]] += 1
        else:
            pairs.add((rec["row"], kind))
            where.setdefault((rec["row"], kind), set()).add(rec["column"])
    return pairs, wall, other


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def score(pred: Pairs, truth: Pairs, ip_rows: dict[str, set[int]]) -> dict[str, object]:
    per_type = {}
    for kind in TYPES:
        p = {x for x in pred if x[1] == kind}
        t = {x for x in truth if x[1] == kind}
        per_type[kind] = prf(len(p & t), len(p - t), len(t - p))
    ip_pred = {row for row, kind in pred if kind == "ip_address"}
    ip_recall = {k: round(len(rows & ip_pred) / len(rows), 4) if rows else 0.0 for k, rows in ip_rows.items()}
    return {
        "micro": prf(len(pred & truth), len(pred - truth), len(truth - pred)),
        "per_type": per_type,
        "ip_recall": ip_recall,
    }


def fp_by_column(pred: Pairs, truth: Pairs, where: Where) -> dict[str, int]:
    counts: Counter[str] = Counter(f"{kind}@{col}" for row, kind in pred - truth for col in where[(row, kind)])
    return dict(counts.most_common())


def per_locale_recall(pred: Pairs, truth: Pairs, locales: dict[int, str]) -> dict[str, float]:
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for pair in truth:
        loc = locales[pair[0]]
        total[loc] += 1
        hit[loc] += pair in pred
    return {loc: round(hit[loc] / total[loc], 3) for loc in sorted(total)}


def print_table(name: str, result: dict[str, object]) -> None:
    micro = result["micro"]
    assert isinstance(micro, dict)
    print(
        f"\n{name}: micro P={micro['precision']:.3f} R={micro['recall']:.3f} F1={micro['f1']:.3f} "
        f"(tp {micro['tp']}, fp {micro['fp']}, fn {micro['fn']})"
    )
    print(f"  {'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>7}{'fp':>7}{'fn':>7}")
    per_type = result["per_type"]
    assert isinstance(per_type, dict)
    for kind, m in per_type.items():
        print(
            f"  {kind:<14}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['tp']:>7}{m['fp']:>7}{m['fn']:>7}"
        )
    ipr = result["ip_recall"]
    assert isinstance(ipr, dict)
    print(f"  ip recall apart: ipv4 {ipr['ipv4']:.3f}, ipv6 {ipr['ipv6']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1414)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument(
        "--presidio-records",
        type=int,
        default=2000,
        help="Presidio is ~100x slower: it scores the first N records, beside mlsecops on the same N (0: all)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))  # the generator sits beside this file
    from gen_pii_corpus import generate

    with tempfile.TemporaryDirectory(prefix="pii-indep-") as tmp:
        work = Path(tmp)
        dest = args.keep or work / "corpus"
        csv_path, truth_path = generate(dest, args.records, args.seed)
        truth, ip_rows = load_truth(truth_path)
        with csv_path.open(newline="", encoding="utf-8") as f:
            locales = {i: row["locale"] for i, row in enumerate(csv.DictReader(f), start=1)}
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"corpus: {args.records} records, {size_mb:.2f} MB, {len(truth)} graded (record, type) pairs, "
            f"{len(set(locales.values()))} locales"
        )

        where: Where = {}
        pred, wall, mode, other = run_mlsecops(csv_path, work, where)
        ours = score(pred, truth, ip_rows)
        print_table(
            f"mlsecops scan dataset (attribution: {mode}; wall {wall:.2f} s, {size_mb / wall:.2f} MB/s incl. start-up)",
            ours,
        )
        if other:
            print(f"  ungraded entity types reported: {dict(other)}")
        print(f"  recall per locale: {per_locale_recall(pred, truth, locales)}")
        ours["fp_by_type_column"] = fp_by_column(pred, truth, where)
        print(f"  false positives by type@column: {ours['fp_by_type_column']}")
        if mode == "spans":
            ours["span_level"] = span_scores(work / "spans.jsonl", truth_path)
            sl = ours["span_level"]
            print(
                f"  span level: entity recall {sl['entity_recall']:.3f} of {sl['entities']}, span precision "
                f"{sl['span_precision']:.3f} of {sl['spans']}, exact boundaries {sl['exact_boundaries']:.3f} of found"
            )

        summary: dict[str, object] = {
            "bench": "pii_independent",
            "records": args.records,
            "seed": args.seed,
            "size_mb": round(size_mb, 3),
            "mlsecops": {"wall_s": round(wall, 3), "mb_s": round(size_mb / wall, 3), "attribution": mode, **ours},
        }
        py = None if args.no_presidio else presidio_python()
        if py is None:
            why = (
                "skipped (--no-presidio)"
                if args.no_presidio
                else "not installed (set PRESIDIO_PYTHON to an interpreter with presidio-analyzer)"
            )
            print(f"\npresidio: {why}")
            summary["presidio"] = None
        else:
            n = args.presidio_records if 0 < args.presidio_records < args.records else args.records
            subset = work / "presidio_subset.csv"
            with (
                csv_path.open(newline="", encoding="utf-8") as src,
                subset.open("w", newline="", encoding="utf-8") as dst,
            ):
                writer = csv.writer(dst)
                for i, row in enumerate(csv.reader(src)):
                    if i > n:
                        break
                    writer.writerow(row)
            sub_mb = subset.stat().st_size / 1e6
            sub_truth = {x for x in truth if x[0] <= n}
            sub_ip = {k: {r for r in rows if r <= n} for k, rows in ip_rows.items()}
            pwhere: Where = {}
            ppred, pwall, _other = run_presidio(py, subset, pwhere)
            theirs = score(ppred, sub_truth, sub_ip)
            ours_sub = score({x for x in pred if x[0] <= n}, sub_truth, sub_ip)
            print_table(f"mlsecops on the first {n} records (the same records Presidio scores)", ours_sub)
            print_table(
                f"presidio pattern recognizers on the first {n} records "
                f"(wall {pwall:.2f} s, {sub_mb / pwall:.3f} MB/s incl. start-up)",
                theirs,
            )
            print(f"  recall per locale: {per_locale_recall(ppred, sub_truth, locales)}")
            theirs["fp_by_type_column"] = fp_by_column(ppred, sub_truth, pwhere)
            print(f"  false positives by type@column: {theirs['fp_by_type_column']}")
            summary["presidio"] = {"records": n, "wall_s": round(pwall, 3), "mb_s": round(sub_mb / pwall, 4), **theirs}
            summary["mlsecops_same_records"] = ours_sub
            summary["throughput_ratio_vs_presidio"] = round((size_mb / wall) / (sub_mb / pwall), 1)
        print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
