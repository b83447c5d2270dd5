"""The team's own training program: a small PyTorch classifier of the breast-cancer measurements.

mlsecops runs it as `train.kind: command` and tells it where everything is through the
environment: the rows to train on (MLSECOPS_TRAIN_FILE) and to predict (MLSECOPS_TEST_FILE),
the label column, the seed, and where to write the model (MLSECOPS_OUTPUT_DIR) and the
held-out predictions (MLSECOPS_PREDICTIONS_FILE). The model is written as safetensors: tensors
only, nothing that runs code when it is loaded.
"""

import argparse
import csv
import json
import os
from pathlib import Path

import torch
from safetensors.torch import save_file


def read(path, label):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    features = [name for name in rows[0] if name not in ("row", label)]
    x = torch.tensor([[float(row[name]) for name in features] for row in rows], dtype=torch.float32)
    return rows, features, x, [row[label] for row in rows]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    torch.manual_seed(int(os.environ.get("MLSECOPS_SEED", "0")))
    torch.set_num_threads(int(os.environ.get("MLSECOPS_THREADS", "1")))
    label = os.environ["MLSECOPS_LABEL_COLUMN"]

    _, features, x_train, y_names = read(os.environ["MLSECOPS_TRAIN_FILE"], label)
    classes = sorted(set(y_names))
    y_train = torch.tensor([classes.index(name) for name in y_names])
    mean, scale = x_train.mean(dim=0), x_train.std(dim=0).clamp_min(1e-6)
    model = torch.nn.Sequential(torch.nn.Linear(len(features), 16), torch.nn.ReLU(), torch.nn.Linear(16, len(classes)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model((x_train - mean) / scale), y_train)
        loss.backward()
        optimizer.step()
        if epoch % 50 == 0:
            print(f"epoch {epoch}/{args.epochs}: loss {loss.item():.4f}", flush=True)

    output = Path(os.environ["MLSECOPS_OUTPUT_DIR"])
    tensors = {"input.mean": mean, "input.scale": scale}
    tensors.update({f"net.{name}": value.detach().contiguous() for name, value in model.state_dict().items()})
    save_file(tensors, output / "model.safetensors",
              metadata={"classes": json.dumps(classes), "features": json.dumps(features)})

    rows, _, x_test, _ = read(os.environ["MLSECOPS_TEST_FILE"], label)
    with torch.no_grad():
        probabilities = torch.softmax(model((x_test - mean) / scale), dim=1)
    with open(os.environ["MLSECOPS_PREDICTIONS_FILE"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "label", "prediction", *(f"proba_{name}" for name in classes)])
        for row, p in zip(rows, probabilities.tolist(), strict=True):
            writer.writerow([row["row"], row[label], classes[p.index(max(p))], *(f"{v:.6f}" for v in p)])
    print(f"wrote model.safetensors and {len(rows)} predictions", flush=True)


if __name__ == "__main__":
    main()
