"""Helpers of the model-file tests: the generated corpus, and scanning a folder with the `models` scanner."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from mlsecops.findings import Severity
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanOutcome, ScanTargets

TESTS_DIR = Path(__file__).resolve().parents[2]
GATE_FAILING = (Severity.CRITICAL, Severity.HIGH)  # what the default policy fails the gate on
OURS_ONLY = {"modelscan": False, "fickling": False}  # the scanner's options: our own checks alone
T = TypeVar("T")


def failing_under(outcome: ScanOutcome, name: str) -> list:
    """Gate-failing findings of the sample: the file itself, or any file of the sample folder."""
    return [f for f in outcome.findings if f.severity in GATE_FAILING
            and (f.location.path == name or f.location.path.startswith(f"{name}/"))]


def write_sample(root: Path, name: str, content: Callable[[Path], object] | bytes) -> None:
    """A corpus sample under root: bytes, or a writer called with its path (folders, databases)."""
    path = root / name
    content(path) if callable(content) else path.write_bytes(content)


@cache  # one module per process: its fitted estimators are then built once for every caller
def corpus_generator() -> ModuleType:
    """tests/gen_model_corpus.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("gen_model_corpus", TESTS_DIR / "gen_model_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_model_corpus", module)
    spec.loader.exec_module(module)
    return module


def generated_corpus(root: Path, cache_dir: Path | None, keras: bool = True) -> dict[str, str]:
    """The full corpus written under root by `gen_model_corpus.generate`; returns its manifest."""
    return generated_files(root, cache_dir, f"corpus keras={keras}",
                           lambda: corpus_generator().generate(root, keras=keras))


def generated_files(root: Path, cache_dir: Path | None, what: str, write: Callable[[], T]) -> T:
    """What write() writes under root (and returns), from the generator and the libraries' own savers.

    Those savers import keras, transformers and skops, most of the cost of writing the files, so a copy
    is kept in cache_dir (pytest's cache) under a key of the generator's source, `what` and every
    installed library's version: any change to what writes the files writes them afresh. Without a
    cache_dir (pytest -p no:cacheprovider) they are always written."""
    key = _generation_key(what)
    kept = cache_dir / key if cache_dir else None
    if kept and (kept / "result.json").is_file():
        try:
            shutil.copytree(kept / "files", root, symlinks=True, dirs_exist_ok=True)
            return json.loads((kept / "result.json").read_text(encoding="utf-8"))
        except OSError:  # dropped meanwhile by a run of a newer generator: written afresh
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
    result = write()
    if cache_dir:
        _keep(root, result, cache_dir, key)
    return result


def _generation_key(what: str) -> str:
    import sysconfig

    digest = hashlib.sha256((TESTS_DIR / "gen_model_corpus.py").read_bytes())
    digest.update(f"{sys.version}|{what}|{os.environ.get('KERAS_BACKEND', '')}".encode())
    # every installed distribution's name and version, as its metadata folder is named (reading each
    # one's metadata would cost half a second)
    sites = {sysconfig.get_paths()[kind] for kind in ("purelib", "platlib")}
    for name in sorted(entry.name for site in sites for entry in Path(site).glob("*.dist-info")):
        digest.update(name.encode())
    return digest.hexdigest()[:20]


def _keep(root: Path, result: object, cache_dir: Path, key: str) -> None:
    """Copies root into the cache atomically (another run may keep the same key) and drops older keys."""
    staging = cache_dir / f".{key}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(root, staging / "files", symlinks=True)
    (staging / "result.json").write_text(json.dumps(result), encoding="utf-8")
    try:
        staging.rename(cache_dir / key)
    except OSError:  # the same files were kept by a concurrent run
        shutil.rmtree(staging, ignore_errors=True)
    for entry in cache_dir.iterdir():
        if entry.name != key:  # older files, or a copy a run left unfinished
            shutil.rmtree(entry, ignore_errors=True)


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
