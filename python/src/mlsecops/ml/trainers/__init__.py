"""The trainers of `train.kind`, one module each; a kind is one line here ("module:function")."""

from __future__ import annotations

import importlib

from .interface import Trainer, TrainJob, TrainOutput

TRAINERS: dict[str, str] = {
    "keras-text": "mlsecops.ml.trainers.keras_text:train",
    "sklearn": "mlsecops.ml.trainers.sklearn_trainer:train",
    "command": "mlsecops.ml.trainers.command:train",
    "pretrained": "mlsecops.ml.trainers.pretrained:train",
    "none": "mlsecops.ml.trainers.none:train",
}


def trainer_for(kind: str) -> Trainer:
    module, _, function = TRAINERS[kind].partition(":")
    return getattr(importlib.import_module(module), function)


__all__ = ["TRAINERS", "TrainJob", "TrainOutput", "Trainer", "trainer_for"]
