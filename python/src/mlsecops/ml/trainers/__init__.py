"""The trainers of `train.kind`, one module each; a kind is one line here ("module:function").

TRAINERS is the only list of kinds: `train.kind`'s accepted values and the reference docs are
derived from it (config/schema.py), which reads it while the config schema is being built: so
this module imports no trainer and not the interface (which needs the built schema) until used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsecops.ml.trainers.interface import Trainer, TrainJob, TrainOutput

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


def __getattr__(name: str) -> Any:  # the interface's types, re-exported when first asked for
    if name in ("Trainer", "TrainJob", "TrainOutput"):
        from mlsecops.ml.trainers import interface

        return getattr(interface, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TRAINERS", "TrainJob", "TrainOutput", "Trainer", "trainer_for"]
