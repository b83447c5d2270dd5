"""`train.kind: keras-text`: the built-in Keras text classifier (torch backend), cross-validated.

Writes into `train/`: model.keras, model.h5, tokenizer.json (the safe form), tokenizer.pickle
(compatibility only: mlsecops never loads it), labels.json, split.json (the held-out rows),
history.json and predictions.csv (the held-out rows' probabilities, for `evaluate`). The file
names are a contract with modeltest and the Jenkins library.
"""

from __future__ import annotations

import json
import os
from typing import Any

from mlsecops.ml.dataset import check_trainable, read_labelled_texts, stratified_split, verify_digest
from mlsecops.ml.predictions import PREDICTIONS_FILE, write_predictions
from mlsecops.ml.trainers.common import find_dataset
from mlsecops.ml.trainers.interface import TrainJob, TrainOutput
from mlsecops.ml.versions import tool_versions
from mlsecops.redact import scrub_url

MODEL_FILES = ("model.keras", "model.h5", "tokenizer.json", "tokenizer.pickle", "labels.json")
OTHER_FILES = ("split.json", "history.json")


def _write_json(path, data) -> None:  # noqa: ANN001 - a path and any JSON value
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def train(job: TrainJob) -> TrainOutput:
    from mlsecops.errors import UsageError
    from mlsecops.ml.deterministic import normalise_h5_file, normalise_keras_file
    from mlsecops.ml.model import save_model, set_threads
    from mlsecops.ml.training import train_classifier

    settings = job.config.train
    artifact, shown = find_dataset(job.config, job.loaded)
    if not artifact.path.is_file():
        raise UsageError(f"{shown}: the loaded dataset {artifact.path} is missing from the workspace")
    digest = verify_digest(artifact.path, artifact.sha256, shown)
    data = read_labelled_texts(artifact.path, settings.text_column, settings.label_column, shown)
    check_trainable(data, settings.folds, settings.test_size, shown)
    labels = sorted(set(data.labels))
    train_positions, test_positions = stratified_split(data.labels, settings.test_size, settings.seed)
    training = data.select([data.rows[i] for i in train_positions])
    held_out = data.select([data.rows[i] for i in test_positions])

    folder = job.folder
    dataset_record = {"name": artifact.name, "url": scrub_url(artifact.url), "file": shown, "sha256": digest}
    _write_json(folder / "split.json", {
        "dataset": dataset_record,
        "text_column": settings.text_column,
        "label_column": settings.label_column,
        "task": "classification",
        "seed": settings.seed,
        "test_size": settings.test_size,
        "train_rows": training.rows,
        "test_rows": held_out.rows,
    })
    job.echo(
        f"train: {len(data)} rows of {shown}, {len(labels)} labels; {len(training)} for training "
        f"({settings.folds}-fold CV), {len(held_out)} held out"
    )
    label_index = {label: index for index, label in enumerate(labels)}
    outcome = train_classifier(
        training.texts, [label_index[label] for label in training.labels], len(labels), settings, job.echo
    )

    keras_file, h5_file = save_model(outcome.model, folder)
    normalise_keras_file(keras_file)
    normalise_h5_file(h5_file)
    (folder / "tokenizer.json").write_text(outcome.tokenizer.to_json(), encoding="utf-8")
    kept = vocabulary_findings(outcome.tokenizer, training.texts, os.path.relpath(folder / "tokenizer.json",
                                                                                   job.workspace_root),
                                f"{shown} column '{settings.text_column}'")
    if kept:
        job.echo(f"train: {len(kept)} secret(s) of the training texts kept in the tokenizer's vocabulary: "
                 "findings for the model gate")
    (folder / "tokenizer.pickle").write_bytes(outcome.tokenizer.pickle_bytes())
    _write_json(folder / "labels.json", labels)
    _write_json(folder / "history.json", outcome.history)

    set_threads(settings.threads)
    probabilities = outcome.model.predict(outcome.tokenizer.encode(held_out.texts), verbose=0, batch_size=512)
    write_predictions(
        folder / PREDICTIONS_FILE, held_out.rows, held_out.labels,
        [labels[int(index)] for index in probabilities.argmax(axis=1)], labels, probabilities,
    )
    summary = outcome.cv_summary
    job.echo(
        f"train: CV accuracy {summary['cv_accuracy_mean']:.4f} ± {summary['cv_accuracy_std']:.4f}, "
        f"f1_macro {summary['cv_f1_macro_mean']:.4f} ± {summary['cv_f1_macro_std']:.4f}; "
        f"wrote {keras_file.name}, {h5_file.name}, tokenizer.json, tokenizer.pickle"
    )
    return TrainOutput(
        model_files=[folder / name for name in MODEL_FILES],
        other_files=[folder / name for name in OTHER_FILES],
        predictions=folder / PREDICTIONS_FILE,
        task="classification",
        labels=labels,
        metrics=dict(summary),
        details={
            "dataset": dataset_record,
            "rows": len(data),
            "train_rows": len(training),
            "test_rows": len(held_out),
            "folds": [{"fold": number, **metrics} for number, metrics in enumerate(outcome.fold_metrics, start=1)],
            "final_epochs": outcome.final_epochs,
            "vocabulary_size": outcome.tokenizer.vocabulary_size,
            "parameters": int(outcome.model.count_params()),
        },
        tools=tool_versions(),
        findings=kept,
    )


def vocabulary_findings(tokenizer: Any, texts: list[str], tokenizer_file: str, source: str) -> list[Any]:
    """A finding per secret of the training texts the tokenizer's vocabulary kept (a word seen at least
    `min_frequency` times): tokenizer.json and tokenizer.pickle ship it beside the model."""
    from mlsecops.engines.secrets.engine import secrets_kept_in_vocabulary
    from mlsecops.scanners.secrets import vocabulary_finding

    return [vocabulary_finding(hit, characters, tokenizer_file, source)
            for hit, characters in secrets_kept_in_vocabulary(texts, set(tokenizer.words), tokenizer.split)]
