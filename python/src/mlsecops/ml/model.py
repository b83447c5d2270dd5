"""The Keras text classifier (torch backend): import, seeding, building, saving and safe loading."""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path
from typing import Any

from mlsecops.errors import EnvironmentFailure, UsageError

BACKEND = "torch"


def import_keras() -> Any:
    """Keras 3 on the torch backend; the backend is fixed before the first import, as Keras requires."""
    os.environ["KERAS_BACKEND"] = BACKEND
    try:
        import keras
    except ImportError as exc:
        raise EnvironmentFailure(f"keras with the torch backend is not importable here ({exc})") from None
    if keras.backend.backend() != BACKEND:
        raise EnvironmentFailure(
            f"keras was already loaded with the '{keras.backend.backend()}' backend; mlsecops trains on '{BACKEND}'"
        )
    return keras


def set_threads(threads: int) -> None:
    """Torch CPU threads: on a busy shared machine extra threads mostly wait for each other."""
    import_keras()
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def set_seeds(seed: int) -> None:
    """Python, numpy and torch (through Keras) seeded alike, so two runs give identical metrics."""
    keras = import_keras()
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def build_classifier(
    *,
    vocabulary_size: int,
    sequence_length: int,
    embedding_dim: int,
    hidden_units: int,
    dropout: float,
    num_classes: int,
    learning_rate: float,
) -> Any:
    """Embedding -> masked average pooling -> dense -> softmax: small, fast, and good on short texts."""
    keras = import_keras()
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids"),
            layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding"),
            layers.GlobalAveragePooling1D(name="pooling"),
            layers.Dense(hidden_units, activation="relu", name="hidden"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="intent"),
        ],
        name="text_classifier",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def early_stopping(patience: int) -> Any:
    keras = import_keras()
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)


def save_model(model: Any, folder: Path) -> tuple[Path, Path]:
    """`model.keras` (the safe, current format) and `model.h5` (legacy HDF5, for older clients)."""
    keras_file, h5_file = folder / "model.keras", folder / "model.h5"
    model.save(keras_file)
    absl_logger = logging.getLogger("absl")
    level = absl_logger.level
    absl_logger.setLevel(logging.ERROR)  # HDF5 is legacy by design here: we write it on purpose
    try:
        model.save(h5_file)
    finally:
        absl_logger.setLevel(level)
    return keras_file, h5_file


def load_model_safely(path: Path, shown: str) -> Any:
    """Load a `.keras` file with safe_mode=True: no Lambda or other arbitrary code is deserialised."""
    keras = import_keras()
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except (ValueError, OSError, TypeError, KeyError) as exc:
        first_sentence = str(exc).strip().split(". ")[0][:200]
        reason = f"{exc.__class__.__name__}: {first_sentence}"
        raise UsageError(f"{shown}: cannot load the model safely ({reason})") from None
