"""Stage 5, train: the Keras text classifier on the loaded dataset, cross-validated, with fixed seeds.

Writes into `train/`: model.keras, model.h5, tokenizer.json (the safe form), tokenizer.pickle
(compatibility only: mlsecops never loads it), labels.json, split.json (the held-out rows
`evaluate` must use) and history.json.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import GateFailed, UsageError
from ..ml.dataset import LabelledTexts, check_trainable, read_labelled_texts, stratified_split, verify_digest
from ..ml.versions import tool_versions
from ..redact import scrub_url
from ..scanners.interface import LoadedArtifact
from ..workspace import StageResult
from .base import StageContext, run_stage, write_json

STAGE = "train"
OUTPUT_FILES = (
    "model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json", "split.json", "history.json",
)


def run(ctx: StageContext) -> StageResult:
    return run_stage(STAGE, _train, ctx)


def require_passed(ctx: StageContext, stage: str, *, needed_by: str) -> None:
    """Refuse to build on a stage that did not pass; a stage that has not run is the caller's concern.

    A failed gate stops the build (exit 1); any other stage that did not pass must be run again (exit 2).
    """
    if not ctx.workspace.has_result(stage):
        return
    earlier = ctx.workspace.read_result(stage)
    if earlier.status == "passed":
        return
    message = f"{needed_by}: stage '{stage}' {earlier.status} in workspace {ctx.workspace.root}"
    if stage.startswith("gate"):
        raise GateFailed(f"{message}; {needed_by} does not run on what it refused")
    raise UsageError(f"{message}; run `mlsecops {stage}` again first")


def loaded_dataset(ctx: StageContext, needed_by: str) -> tuple[LoadedArtifact, str]:
    """The load stage's artifact named by `train.dataset`, and how to name it in messages.

    A source that load extracted (an archive) is a folder: `train.dataset_file` picks the file in it.
    """
    name = ctx.config.train.dataset
    if not ctx.workspace.has_result("load"):
        raise UsageError(
            f"{needed_by}: the load stage has not run in workspace {ctx.workspace.root} "
            f"(train.dataset '{name}' comes from it): run `mlsecops load` first or unstash its folder"
        )
    require_passed(ctx, "load", needed_by=needed_by)
    artifacts = ctx.loaded_artifacts()
    matches = [artifact for artifact in artifacts if artifact.name == name]
    if not matches:
        known = ", ".join(sorted(artifact.name for artifact in artifacts)) or "none"
        raise UsageError(f"train.dataset: no loaded source named '{name}' (loaded: {known})")
    artifact = matches[0]
    shown = scrub_url(artifact.url) or str(artifact.path)
    member = ctx.config.train.dataset_file
    if artifact.path.is_dir():
        if not member:
            raise UsageError(f"{shown}: train.dataset '{name}' was extracted to a folder: set train.dataset_file")
        relative = Path(member)
        if relative.is_absolute() or ".." in relative.parts:
            raise UsageError(f"train.dataset_file '{member}': must be a relative path inside the extracted folder")
        # the archive's digest was checked by load; a member has no digest of its own to compare
        return replace(artifact, path=artifact.path / relative, sha256=""), f"{shown}!{relative.as_posix()}"
    if member:
        raise UsageError(f"train.dataset_file '{member}': source '{name}' is a file, not an extracted archive")
    return artifact, shown


@dataclass
class Dataset:
    artifact: LoadedArtifact  # as load recorded it; `path` is the file read
    shown: str  # how messages name it
    sha256: str  # of the file read
    data: LabelledTexts


def read_dataset(ctx: StageContext, needed_by: str) -> Dataset:
    """The dataset as load recorded it: present, unchanged since load, with the configured columns."""
    settings = ctx.config.train
    artifact, shown = loaded_dataset(ctx, needed_by)
    if not artifact.path.is_file():
        raise UsageError(f"{shown}: the loaded dataset {artifact.path} is missing from the workspace")
    digest = verify_digest(artifact.path, artifact.sha256, shown)
    data = read_labelled_texts(artifact.path, settings.text_column, settings.label_column, shown)
    return Dataset(artifact, shown, digest, data)


def _clear_previous_outputs(folder: Path) -> None:
    # a failed run must not leave the previous run's model beside its own result.json
    for name in OUTPUT_FILES:
        (folder / name).unlink(missing_ok=True)


def _train(ctx: StageContext, result: StageResult) -> None:
    from ..ml.model import save_model
    from ..ml.training import train_classifier

    settings = ctx.config.train
    require_passed(ctx, "gate-security", needed_by=STAGE)
    dataset = read_dataset(ctx, STAGE)
    data, shown = dataset.data, dataset.shown
    check_trainable(data, settings.folds, settings.test_size, shown)
    labels = sorted(set(data.labels))
    train_positions, test_positions = stratified_split(data.labels, settings.test_size, settings.seed)
    training = data.select([data.rows[i] for i in train_positions])

    folder = ctx.workspace.stage_dir(STAGE)
    _clear_previous_outputs(folder)
    dataset_record = {
        "name": dataset.artifact.name, "url": scrub_url(dataset.artifact.url), "file": dataset.shown,
        "sha256": dataset.sha256,
    }
    write_json(folder / "split.json", {
        "dataset": dataset_record,
        "text_column": settings.text_column,
        "label_column": settings.label_column,
        "seed": settings.seed,
        "test_size": settings.test_size,
        "train_rows": training.rows,
        "test_rows": [data.rows[i] for i in test_positions],
    })
    ctx.echo(
        f"train: {len(data)} rows of {shown}, {len(labels)} labels; {len(training)} for training "
        f"({settings.folds}-fold CV), {len(test_positions)} held out"
    )
    label_index = {label: index for index, label in enumerate(labels)}
    outcome = train_classifier(
        training.texts, [label_index[label] for label in training.labels], len(labels), settings, ctx.echo
    )

    keras_file, h5_file = save_model(outcome.model, folder)
    (folder / "tokenizer.json").write_text(outcome.tokenizer.to_json(), encoding="utf-8")
    (folder / "tokenizer.pickle").write_bytes(outcome.tokenizer.pickle_bytes())
    write_json(folder / "labels.json", labels)
    write_json(folder / "history.json", outcome.history)

    result.metrics = dict(outcome.cv_summary)
    result.details = {
        "dataset": dataset_record,
        "rows": len(data),
        "train_rows": len(training),
        "test_rows": len(test_positions),
        "labels": labels,
        "folds": [{"fold": number, **metrics} for number, metrics in enumerate(outcome.fold_metrics, start=1)],
        "final_epochs": outcome.final_epochs,
        "vocabulary_size": outcome.tokenizer.vocabulary_size,
        "parameters": int(outcome.model.count_params()),
        "settings": settings.model_dump(mode="json"),
    }
    result.artifacts = [ctx.workspace.artifact(folder / name) for name in OUTPUT_FILES]
    result.tools = tool_versions()
    summary = outcome.cv_summary
    ctx.echo(
        f"train: CV accuracy {summary['cv_accuracy_mean']:.4f} ± {summary['cv_accuracy_std']:.4f}, "
        f"f1_macro {summary['cv_f1_macro_mean']:.4f} ± {summary['cv_f1_macro_std']:.4f}; "
        f"wrote {keras_file.name}, {h5_file.name}, tokenizer.json, tokenizer.pickle"
    )
