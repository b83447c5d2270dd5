"""The ML half beside what a user would otherwise write: tokenizer and training of the embedded demo.

- tokenizer: mlsecops' WordTokenizer (fit + encode to padded ids) beside scikit-learn's
  CountVectorizer (fit_transform to a sparse count matrix) with the same token pattern and cap;
  Keras' TextVectorization is the usual pick but needs TensorFlow, which this stack does not ship.
- training: the train stage's work (3-fold CV with early stopping + final fit) beside the single
  `model.fit` a notebook would do with the same model and epochs, and with torch on 1 vs 2 threads
  (why `train.threads` defaults to 1).

Usage: python bench/bench_train.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["KERAS_BACKEND"] = "torch"

from bench_signing import median_seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import numpy as np
    from mlsecops.demo.project import default_config
    from mlsecops.demo.tickets import generate_rows
    from mlsecops.ml.model import build_classifier, set_seeds, set_threads
    from mlsecops.ml.tokenizer import WORD_PATTERN, WordTokenizer
    from mlsecops.ml.training import train_classifier
    from sklearn.feature_extraction.text import CountVectorizer

    rows = generate_rows()
    texts = [text for text, _ in rows]
    labels = sorted({label for _, label in rows})
    targets = [labels.index(label) for _, label in rows]
    settings = SimpleNamespace(**{"hidden_units": 32, "dropout": 0.2, "min_frequency": 2, "threads": 1,
                                  **default_config("default")["train"]})

    ours = median_seconds(
        lambda: WordTokenizer(settings.max_tokens, settings.sequence_length, min_frequency=2).fit(texts).encode(texts),
        args.runs * 5,
    )
    sklearn = median_seconds(
        lambda: CountVectorizer(token_pattern=WORD_PATTERN, max_features=settings.max_tokens, min_df=2)
        .fit_transform(texts),
        args.runs * 5,
    )
    print(f"tokenizer, {len(texts)} tickets: mlsecops {ours * 1000:.1f} ms, CountVectorizer {sklearn * 1000:.1f} ms, "
          f"ratio {ours / sklearn:.2f}")

    def quiet(line: str) -> None:
        """The stage's progress lines are not part of the measurement."""
    stage = {}
    for threads in (1, 2):
        settings.threads = threads
        stage[threads] = median_seconds(lambda: train_classifier(texts, targets, len(labels), settings, quiet), args.runs)

    tokenizer = WordTokenizer(settings.max_tokens, settings.sequence_length, min_frequency=2).fit(texts)
    x = tokenizer.encode(texts)

    def notebook_fit() -> None:
        set_threads(1)
        set_seeds(settings.seed)
        model = build_classifier(
            vocabulary_size=tokenizer.vocabulary_size, sequence_length=settings.sequence_length,
            embedding_dim=settings.embedding_dim, hidden_units=32, dropout=0.2, num_classes=len(labels),
            learning_rate=settings.learning_rate,
        )
        model.fit(x, np.array(targets), epochs=5, batch_size=settings.batch_size, verbose=0)

    single = median_seconds(notebook_fit, args.runs)
    print(f"training, {len(texts)} tickets: train stage (3-fold CV + final fit) {stage[1]:.1f} s on 1 thread, "
          f"{stage[2]:.1f} s on 2 threads; one notebook fit of 5 epochs {single:.1f} s; "
          f"ratio stage/notebook {stage[1] / single:.1f}")


if __name__ == "__main__":
    main()
