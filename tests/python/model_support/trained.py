"""A trained demo model in a workspace, as `mlsecops train` leaves it, built fast for tests.

Uses the package's own tokenizer, model builder and savers on a slice of the demo tickets, so
the files have exactly the formats train writes (model.keras, model.h5, tokenizer.json,
tokenizer.pickle, labels.json) without running the whole pipeline.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path


def demo_rows(variant: str = "default") -> list[tuple[str, str]]:
    from mlsecops.demo import build

    return list(build(variant).rows)


def write_dataset(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def write_trained_model(train_dir: Path, rows: list[tuple[str, str]], epochs: int = 6) -> Path:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import numpy as np
    from mlsecops.ml.model import build_classifier, save_model, set_seeds
    from mlsecops.ml.tokenizer import WordTokenizer

    set_seeds(7)
    labels = sorted({label for _, label in rows})
    tokenizer = WordTokenizer(2000, 24).fit(text for text, _ in rows)
    model = build_classifier(vocabulary_size=tokenizer.vocabulary_size, sequence_length=24, embedding_dim=16,
                             hidden_units=16, dropout=0.1, num_classes=len(labels), learning_rate=0.01)
    x = tokenizer.encode(text for text, _ in rows)
    y = np.array([labels.index(label) for _, label in rows])
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    train_dir.mkdir(parents=True, exist_ok=True)
    save_model(model, train_dir)
    (train_dir / "tokenizer.json").write_text(tokenizer.to_json(), encoding="utf-8")
    (train_dir / "tokenizer.pickle").write_bytes(tokenizer.pickle_bytes())
    (train_dir / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return train_dir
