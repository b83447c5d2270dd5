"""Predict with the published logistic-regression model: the predict program of `train.kind: pretrained`.

mlsecops copies the scanned model into MLSECOPS_MODEL_DIR, gives the rows to predict in
MLSECOPS_TEST_FILE and expects the predictions in MLSECOPS_PREDICTIONS_FILE.
"""

import csv
import os
from pathlib import Path

import numpy as np
from safetensors import safe_open


def main():
    path = Path(os.environ["MLSECOPS_MODEL_DIR"]) / "model.safetensors"
    with safe_open(str(path), framework="numpy") as model:
        classes = model.metadata()["classes"].split(",")
        mean, scale = model.get_tensor("mean"), model.get_tensor("scale")
        weight, bias = model.get_tensor("weight"), model.get_tensor("bias")
    label = os.environ["MLSECOPS_LABEL_COLUMN"]
    with open(os.environ["MLSECOPS_TEST_FILE"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    features = [name for name in rows[0] if name not in ("row", label)]
    x = np.array([[float(row[name]) for name in features] for row in rows], dtype=np.float64)
    positive = 1 / (1 + np.exp(-(((x - mean) / scale) @ weight + bias[0])))
    with open(os.environ["MLSECOPS_PREDICTIONS_FILE"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "label", "prediction", *(f"proba_{name}" for name in classes)])
        for row, p in zip(rows, positive.tolist(), strict=True):
            writer.writerow([row["row"], row[label], classes[int(p >= 0.5)], f"{1 - p:.6f}", f"{p:.6f}"])
    print(f"predicted {len(rows)} rows", flush=True)


if __name__ == "__main__":
    main()
