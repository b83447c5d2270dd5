"""Stages 5 and 6 beside what a user would otherwise run, side by side in one run.

- evaluate as its own process (as Jenkins runs it, one agent per stage) on the tabular and byo
  demos and, with --keras, the default (Keras) demo: it reads predictions, imports no framework
  (target: <= 2 s);
- the tabular demo end to end (`mlsecops run --demo tabular`: nine stages, scans and signing
  included; target <= 20 s) beside plain scikit-learn `cross_val_score` of the same estimator in a
  fresh process, and their cross-validated F1 (target: within 0.01);
- the command kind (`mlsecops train` running the byo demo's train.py) beside running
  `python train.py` directly with the same inputs (target: overhead <= 1 s);
- with --keras: the Keras tokenizer and training benchmarks of the built-in text classifier.

Usage: python bench/bench_train.py [--runs 3] [--keras]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
MLSECOPS = [sys.executable, "-m", "mlsecops"]


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    completed = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr[-800:]}")
    return completed


def gated_project(root: Path, variant: str) -> tuple[Path, Path]:
    """The demo `variant` loaded, scanned and through the security gate: (config, workspace)."""
    root.mkdir(parents=True, exist_ok=True)
    run([*MLSECOPS, "demo", "init", str(root / "project"), "--variant", variant], root)
    config, ws = root / "project" / "mlsecops.yaml", root / ".mlsecops"
    for stage in (["load"], ["scan"], ["gate", "--stage", "security"]):
        run([*MLSECOPS, "--config", str(config), "--workspace", str(ws), *stage], root)
    return config, ws


def stage(config: Path, ws: Path, *args: str) -> subprocess.CompletedProcess:
    return run([*MLSECOPS, "--config", str(config), "--workspace", str(ws), *args], ws.parent)


def bench_evaluate(root: Path, runs: int, variants: list[str]) -> None:
    for variant in variants:
        config, ws = gated_project(root / f"evaluate-{variant}", variant)
        stage(config, ws, "train")
        seconds = median_seconds(lambda config=config, ws=ws: stage(config, ws, "evaluate"), runs)
        rows = json.loads((ws / "evaluate/result.json").read_text())["details"].get("test_rows")
        print(f"evaluate as its own process, demo '{variant}' ({rows} held-out rows): {seconds:.2f} s "
              f"(target <= 2 s)")


PLAIN_SKLEARN = """
import csv, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
keep = [rows[int(i)] for i in sys.argv[2].split(",")] if len(sys.argv) > 2 else rows
features = [name for name in rows[0] if name != "diagnosis"]
x = np.array([[float(r[f]) for f in features] for r in keep])
y = np.array([r["diagnosis"] for r in keep])
folds = StratifiedKFold(5, shuffle=True, random_state=42) if len(sys.argv) > 2 else 5
scores = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000, random_state=42)),
                         x, y, cv=folds, scoring="f1_macro")
print(scores.mean())
"""


def bench_tabular(root: Path, runs: int) -> None:
    def whole_run() -> None:
        folder = Path(tempfile.mkdtemp(dir=root))
        run([*MLSECOPS, "run", "--demo", "tabular"], folder)
        whole_run.last = folder  # type: ignore[attr-defined]

    ours_seconds = median_seconds(whole_run, runs)
    ws = whole_run.last / ".mlsecops"  # type: ignore[attr-defined]
    ours_f1 = json.loads((ws / "train/result.json").read_text())["metrics"]["cv_f1_macro_mean"]
    table = ws / "demo/tabular/data/breast_cancer.csv"
    train_rows = json.loads((ws / "train/split.json").read_text())["train_rows"]
    script = root / "plain_sklearn.py"
    script.write_text(PLAIN_SKLEARN)
    outputs: dict[str, str] = {}

    def plain() -> None:
        outputs["same"] = run([sys.executable, str(script), str(table), ",".join(map(str, train_rows))],
                              root).stdout.strip()

    plain_seconds = median_seconds(plain, runs)
    whole_table = float(run([sys.executable, str(script), str(table)], root).stdout.strip())
    print(f"tabular demo end to end (9 stages): {ours_seconds:.1f} s (target <= 20 s); plain cross_val_score "
          f"in a fresh process {plain_seconds:.1f} s")
    print(f"  CV F1 macro: mlsecops {ours_f1:.4f}, cross_val_score on the same rows and folds "
          f"{float(outputs['same']):.4f} (difference {abs(ours_f1 - float(outputs['same'])):.4f}, target <= 0.01); "
          f"on the whole table, 5 unshuffled folds {whole_table:.4f}")


def bench_command(root: Path, runs: int) -> None:
    config, ws = gated_project(root / "command", "byo")
    project = config.parent
    ours = median_seconds(lambda: stage(config, ws, "train"), runs)
    # the same program and inputs without mlsecops: the split it was given, written the same way
    split = json.loads((ws / "train/split.json").read_text())
    with (project / "data/breast_cancer.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    direct = root / "direct"
    direct.mkdir(exist_ok=True)
    for name in ("train", "test"):
        with (direct / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["row", *rows[0]])
            writer.writeheader()
            writer.writerows({"row": row, **rows[row]} for row in split[f"{name}_rows"])
    (direct / "model").mkdir(exist_ok=True)
    env = {"MLSECOPS_TRAIN_FILE": str(direct / "train.csv"), "MLSECOPS_TEST_FILE": str(direct / "test.csv"),
           "MLSECOPS_OUTPUT_DIR": str(direct / "model"), "MLSECOPS_PREDICTIONS_FILE": str(direct / "predictions.csv"),
           "MLSECOPS_LABEL_COLUMN": "diagnosis", "MLSECOPS_SEED": "42", "MLSECOPS_THREADS": "1"}
    plain = median_seconds(lambda: run([sys.executable, "train.py", "--epochs", "150"], project, env), runs)
    print(f"command kind: mlsecops train {ours:.2f} s, python train.py directly {plain:.2f} s, overhead "
          f"{ours - plain:.2f} s (target <= 1 s)")


def bench_keras(runs: int) -> None:
    from types import SimpleNamespace

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
        runs * 5,
    )
    sklearn = median_seconds(
        lambda: CountVectorizer(token_pattern=WORD_PATTERN, max_features=settings.max_tokens, min_df=2)
        .fit_transform(texts),
        runs * 5,
    )
    print(f"tokenizer, {len(texts)} tickets: mlsecops {ours * 1000:.1f} ms, CountVectorizer {sklearn * 1000:.1f} ms, "
          f"ratio {ours / sklearn:.2f}")
    stage_seconds = median_seconds(lambda: train_classifier(texts, targets, len(labels), settings, lambda _: None),
                                   runs)
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

    single = median_seconds(notebook_fit, runs)
    print(f"training, {len(texts)} tickets: train stage (3-fold CV + final fit) {stage_seconds:.1f} s; one notebook "
          f"fit of 5 epochs {single:.1f} s; ratio {stage_seconds / single:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keras", action="store_true", help="also the default (Keras) demo and the Keras benchmarks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-train-") as folder:
        root = Path(folder)
        bench_evaluate(root, args.runs, ["tabular", "byo", *(["default"] if args.keras else [])])
        bench_tabular(root, args.runs)
        bench_command(root, args.runs)
    if args.keras:
        bench_keras(args.runs)


if __name__ == "__main__":
    main()
