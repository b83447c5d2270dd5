"""The same scikit-learn training gives the same model bytes, text features included."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from mlsecops.ml.trainers import sklearn_trainer
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def _saved_digest(folder: Path) -> str:
    table = pd.DataFrame({"notes": ["late delivery", "refund please", "late again", "refund now"] * 5,
                          "label": [0, 1, 0, 1] * 5})
    pipeline = make_pipeline(ColumnTransformer([("text", TfidfVectorizer(stop_words="english"), "notes")]),
                             LogisticRegression())
    pipeline.fit(table[["notes"]], table["label"])
    folder.mkdir()
    [model_file] = sklearn_trainer._save(pipeline, folder, save_joblib=False)
    return hashlib.sha256(model_file.read_bytes()).hexdigest()


def test_a_text_vectorizer_pipeline_saves_to_identical_bytes_twice(tmp_path: Path):
    # TfidfVectorizer caches id(stop_words): an object id that would differ between two trainings
    assert _saved_digest(tmp_path / "first") == _saved_digest(tmp_path / "second")
