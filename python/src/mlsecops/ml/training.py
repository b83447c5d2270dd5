"""Stratified K-fold cross-validation with early stopping, then a final fit on all training rows.

Each fold fits its own tokenizer on its own training part (nothing leaks from the validation
fold) and stops early on its validation loss, restoring the best weights. The final model
cannot early-stop without holding data back, so it trains on every training row for the
median of the folds' best epoch counts: the number of epochs cross-validation found best.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlsecops.ml.metrics import classification_metrics, mean_and_std
from mlsecops.ml.model import build_classifier, early_stopping, set_seeds, set_threads
from mlsecops.ml.tokenizer import WordTokenizer


class TrainingSettings(Protocol):
    """What training reads from `TrainConfig`."""

    folds: int
    epochs: int
    batch_size: int
    patience: int
    seed: int
    max_tokens: int
    min_frequency: int
    sequence_length: int
    embedding_dim: int
    hidden_units: int
    dropout: float
    learning_rate: float
    threads: int


@dataclass
class TrainingOutcome:
    model: Any
    tokenizer: WordTokenizer
    fold_metrics: list[dict[str, float]]
    cv_summary: dict[str, float]
    final_epochs: int
    history: dict[str, Any] = field(default_factory=dict)


def _rounded(history: dict[str, list[float]]) -> dict[str, list[float]]:
    return {name: [round(float(value), 6) for value in values] for name, values in history.items()}


def _tokenizer(settings: TrainingSettings) -> WordTokenizer:
    return WordTokenizer(settings.max_tokens, settings.sequence_length, min_frequency=settings.min_frequency)


def _fit_model(settings: TrainingSettings, tokenizer: WordTokenizer, num_classes: int) -> Any:
    return build_classifier(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=settings.sequence_length,
        embedding_dim=settings.embedding_dim,
        hidden_units=settings.hidden_units,
        dropout=settings.dropout,
        num_classes=num_classes,
        learning_rate=settings.learning_rate,
    )


def train_classifier(
    texts: list[str],
    targets: list[int],
    num_classes: int,
    settings: TrainingSettings,
    echo: Callable[[str], None] = print,
) -> TrainingOutcome:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    set_threads(settings.threads)
    y = np.asarray(targets, dtype=np.int64)
    folds = StratifiedKFold(n_splits=settings.folds, shuffle=True, random_state=settings.seed)
    fold_metrics: list[dict[str, float]] = []
    fold_histories: list[dict[str, Any]] = []
    for number, (fit_rows, val_rows) in enumerate(folds.split(np.zeros(len(y)), y), start=1):
        set_seeds(settings.seed + number)
        tokenizer = _tokenizer(settings).fit(texts[i] for i in fit_rows)
        x_fit = tokenizer.encode(texts[i] for i in fit_rows)
        x_val = tokenizer.encode(texts[i] for i in val_rows)
        model = _fit_model(settings, tokenizer, num_classes)
        fitted = model.fit(
            x_fit, y[fit_rows], validation_data=(x_val, y[val_rows]), epochs=settings.epochs,
            batch_size=settings.batch_size, callbacks=[early_stopping(settings.patience)], verbose=0,
        )
        val_loss = fitted.history["val_loss"]
        best_epoch = int(np.argmin(val_loss)) + 1
        metrics = classification_metrics(y[val_rows], model.predict(x_val, verbose=0, batch_size=512))
        fold_metrics.append({name: round(value, 4) for name, value in metrics.items()})
        fold_histories.append(
            {"fold": number, "epochs_run": len(val_loss), "best_epoch": best_epoch, "history": _rounded(fitted.history)}
        )
        echo(
            f"  fold {number}/{settings.folds}: accuracy {metrics['accuracy']:.4f}, f1_macro {metrics['f1_macro']:.4f} "
            f"(best epoch {best_epoch} of {len(val_loss)})"
        )

    final_epochs = max(1, round(statistics.median(h["best_epoch"] for h in fold_histories)))
    set_seeds(settings.seed)
    tokenizer = _tokenizer(settings).fit(texts)
    model = _fit_model(settings, tokenizer, num_classes)
    fitted = model.fit(
        tokenizer.encode(texts), y, epochs=final_epochs, batch_size=settings.batch_size, verbose=0
    )
    echo(f"  final fit on all {len(texts)} training rows: {final_epochs} epochs")
    return TrainingOutcome(
        model=model,
        tokenizer=tokenizer,
        fold_metrics=fold_metrics,
        cv_summary=mean_and_std(fold_metrics),
        final_epochs=final_epochs,
        history={
            "folds": fold_histories,
            "final": {"epochs": final_epochs, "rows": len(texts), "history": _rounded(fitted.history)},
        },
    )
