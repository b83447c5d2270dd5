"""`train.kind: none`: an LLM application tested through its endpoint only; no model of our own.

Nothing is trained. The application's own files that define its behaviour (system prompt,
templates, guardrail and model settings), named by `train.bundle` (globs relative to the
config file), are copied into `train/bundle/` keeping their relative paths: that bundle is
what sign signs and store ships. There are no predictions: evaluate has nothing to measure,
and the model gate judges the application's tests (attack success, disclosure, poisoning).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlsecops.errors import UsageError
from mlsecops.ml.trainers.interface import TrainJob, TrainOutput

BUNDLE_DIR = "bundle"


def bundle_files(base: Path, patterns: list[str]) -> list[Path]:
    """The files the globs name, inside `base`, sorted and without duplicates."""
    if not patterns:
        raise UsageError("train.bundle: list the application's prompt and config files (globs relative to the "
                         "config file): they are what sign signs and store ships for an endpoint-only project")
    root = base.resolve()
    found: set[Path] = set()
    for pattern in patterns:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise UsageError(f"train.bundle '{pattern}': must be a relative path inside the project")
        matched = [path for path in base.glob(pattern) if path.is_file()]
        if not matched:
            raise UsageError(f"train.bundle '{pattern}': matches no file in {base}")
        for path in matched:
            if path.is_symlink() or root not in path.resolve().parents:
                raise UsageError(f"train.bundle: {path} leads outside the project (a symbolic link?)")
            found.add(path.relative_to(base))
    return sorted(found)


def train(job: TrainJob) -> TrainOutput:
    base = Path(job.config.base_dir)
    relative = bundle_files(base, job.config.train.bundle)
    target = job.folder / BUNDLE_DIR
    copies = []
    for path in relative:
        copy = target / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / path, copy)
        copies.append(copy)
    job.echo(f"train: nothing to train (train.kind none: an endpoint-only application); bundled "
             f"{len(copies)} file(s): {', '.join(p.as_posix() for p in relative[:5])}"
             + (", ..." if len(relative) > 5 else ""))
    return TrainOutput(model_files=copies, task="none", details={"bundle": [p.as_posix() for p in relative]})
