"""Helpers of the model-file tests: the generated corpus, and scanning a folder with the `models` scanner."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from mlsecops.findings import Severity
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanOutcome, ScanTargets

TESTS_DIR = Path(__file__).resolve().parents[2]
GATE_FAILING = (Severity.CRITICAL, Severity.HIGH)  # what the default policy fails the gate on
OURS_ONLY = {"modelscan": False, "fickling": False}  # the scanner's options: our own checks alone


def failing_under(outcome: ScanOutcome, name: str) -> list:
    """Gate-failing findings of the sample: the file itself, or any file of the sample folder."""
    return [f for f in outcome.findings if f.severity in GATE_FAILING
            and (f.location.path == name or f.location.path.startswith(f"{name}/"))]


def write_sample(root: Path, name: str, content: Callable[[Path], object] | bytes) -> None:
    """A corpus sample under root: bytes, or a writer called with its path (folders, databases)."""
    path = root / name
    content(path) if callable(content) else path.write_bytes(content)


def corpus_generator() -> ModuleType:
    """tests/gen_model_corpus.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("gen_model_corpus", TESTS_DIR / "gen_model_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_model_corpus", module)
    spec.loader.exec_module(module)
    return module


def scan_files(paths: list[Path], options: dict | None = None, root: Path | None = None) -> ScanOutcome:
    """The `models` scanner over explicit files, as the load stage hands them over (named relative to root)."""
    artifacts = [
        LoadedArtifact(name=str(path.relative_to(root)) if root else path.name, kind="model", path=path)
        for path in paths
    ]
    return get_scanner("models").scan(ScanTargets(artifacts=artifacts, options=options or {}))


def scan_tree(root: Path, options: dict | None = None) -> ScanOutcome:
    """The `models` scanner over a source tree, as the scan stage hands it over."""
    return get_scanner("models").scan(ScanTargets(paths=[root], options=options or {}))


def findings_by_file(outcome: ScanOutcome) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for finding in outcome.findings:
        grouped.setdefault(finding.location.path, []).append(finding)
    return grouped
