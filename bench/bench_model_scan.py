"""Model-file scanning: our `models` consensus scanner beside modelscan alone and fickling alone.

Usage: python bench/bench_model_scan.py [--no-keras] [--keep DIR]

Writes the corpus of tests/gen_model_corpus.py (malicious files including the red-team classes of
issue 12, built as inert bytes; benign files from the libraries' own savers) and reports, per scanner, how many malicious files it flagged, how many benign files it flagged,
how many files it could not read, and its wall time. "Flagged" means a gate-failing verdict:
for ours a critical/high finding; for modelscan an issue in its JSON report; for fickling a
"likely overtly malicious" or worse verdict. Nothing is loaded: each tool only parses.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def corpus(folder: Path, keras: bool) -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("gen_model_corpus", REPO / "tests" / "gen_model_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, keras=keras)


def ours(folder: Path, manifest: dict[str, str]) -> tuple[dict[str, str], float]:
    from mlsecops.scanners import get_scanner
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

    artifacts = [LoadedArtifact(name=name, kind="model", path=folder / name) for name in manifest]
    started = time.perf_counter()
    outcome = get_scanner("models").scan(ScanTargets(artifacts=artifacts))
    seconds = time.perf_counter() - started
    verdicts = {name: "clean" for name in manifest}
    for finding in outcome.findings:
        name = finding.location.path
        if finding.properties.get("not_scanned"):
            verdicts[name] = "unread"
        elif finding.severity.value in ("critical", "high"):
            verdicts[name] = "flagged"
    return verdicts, seconds


def modelscan_alone(folder: Path, manifest: dict[str, str]) -> tuple[dict[str, str], float]:
    from modelscan.modelscan import ModelScan
    from modelscan.settings import DEFAULT_SETTINGS

    logging.getLogger("modelscan").setLevel(logging.CRITICAL)
    scanner = ModelScan(settings=DEFAULT_SETTINGS)
    verdicts = {}
    started = time.perf_counter()
    for name in manifest:
        report = scanner.scan(folder / name)
        scanned = report["summary"]["scanned"]["total_scanned"]
        if report.get("issues"):
            verdicts[name] = "flagged"
        elif report.get("errors") or not scanned:
            verdicts[name] = "unread"
        else:
            verdicts[name] = "clean"
    return verdicts, time.perf_counter() - started


def fickling_alone(folder: Path, manifest: dict[str, str]) -> tuple[dict[str, str], float]:
    from fickling.analysis import Severity, check_safety
    from fickling.fickle import Pickled

    verdicts = {}
    started = time.perf_counter()
    for name in manifest:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                result = check_safety(Pickled.load((folder / name).read_bytes()))
            flagged = result.severity >= Severity.LIKELY_OVERTLY_MALICIOUS
            verdicts[name] = "flagged" if flagged else "clean"
        except Exception:  # noqa: BLE001 - fickling parses pickles only; anything else is "not read"
            verdicts[name] = "unread"
    return verdicts, time.perf_counter() - started


def score(verdicts: dict[str, str], manifest: dict[str, str]) -> dict[str, float | int]:
    malicious = [n for n, label in manifest.items() if label == "malicious"]
    benign = [n for n, label in manifest.items() if label == "benign"]
    return {
        "malicious_flagged": sum(verdicts[n] == "flagged" for n in malicious),
        "malicious": len(malicious),
        "benign_flagged": sum(verdicts[n] == "flagged" for n in benign),
        "benign": len(benign),
        "unread": sum(verdicts[n] == "unread" for n in manifest),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-keras", action="store_true", help="skip the real Keras models (no keras import)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        manifest = corpus(folder, keras=not args.no_keras)
        results = {}
        for label, run in (("mlsecops models", ours), ("modelscan alone", modelscan_alone),
                           ("fickling alone", fickling_alone)):
            verdicts, seconds = run(folder, manifest)
            results[label] = {**score(verdicts, manifest), "seconds": round(seconds, 3),
                              "missed": sorted(n for n, lab in manifest.items()
                                               if lab == "malicious" and verdicts[n] != "flagged")}
    base = results["mlsecops models"]["seconds"] or 1e-9
    print(f"{'scanner':18} {'malicious flagged':>18} {'benign flagged':>15} {'unread':>7} {'time':>8}")
    for label, row in results.items():
        print(f"{label:18} {row['malicious_flagged']:>8}/{row['malicious']:<9} {row['benign_flagged']:>6}/{row['benign']:<8}"
              f" {row['unread']:>7} {row['seconds']:>7.2f}s  ({row['seconds'] / base:.1f}x ours)")
    for label, row in results.items():
        if row["missed"]:
            print(f"{label} missed: {', '.join(row['missed'])}")
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
