"""The guard's learned half: a hashed character n-gram logistic model, numpy only, shipped as data.

Features are the character 1..5-grams of the lower-cased, whitespace-collapsed text (padded with
a space so word starts and ends are n-grams too), hashed with CRC-32 into a fixed number of
buckets, counted, and divided by the square root of the number of n-grams. The score is
sigmoid(w . x + b). Because the model is linear, the weight of every n-gram can be summed per
start position once, and any window of the text is then scored in O(1): a short injection inside
a long e-mail is judged on the window that holds it, not diluted by the whole document.

The weights live in guard_model/weights.npz (float16 `w`, float32 `b`; loaded with
allow_pickle=False) and guard_model/spec.json (hashing parameters, threshold, training summary).
`guard_train.py` writes both reproducibly.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

SPEC_FILE = "spec.json"
WEIGHTS_FILE = "weights.npz"
DEFAULT_SPEC: dict[str, Any] = {"buckets": 1 << 18, "min_n": 1, "max_n": 5, "window": 160, "stride": 80,
                                "version": 1}
_SPACE = re.compile(r"\s+")


def prepare(text: str) -> str:
    """The text the n-grams are taken from."""
    return " " + _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip() + " "


def ngram_hashes(text: str, min_n: int, max_n: int, buckets: int) -> list[list[int]]:
    """Per start position of the prepared text, the buckets of the n-grams starting there."""
    data = prepare(text)
    size = len(data)
    crc = zlib.crc32
    mask = buckets - 1
    out: list[list[int]] = []
    if data.isascii():  # characters are bytes: slice the encoded text instead of encoding every n-gram
        raw = data.encode("ascii")
        for i in range(size):
            out.append([crc(raw[i : i + n]) & mask for n in range(min_n, min(max_n, size - i) + 1)])
        return out
    for i in range(size):
        out.append([crc(data[i : i + n].encode("utf-8")) & mask for n in range(min_n, min(max_n, size - i) + 1)])
    return out


def features(text: str, spec: dict[str, Any]) -> dict[int, float]:
    """Sparse feature vector of `text` (bucket -> value), as the trainer sees it."""
    counts: dict[int, float] = {}
    total = 0
    for row in ngram_hashes(text, spec["min_n"], spec["max_n"], spec["buckets"]):
        for bucket in row:
            counts[bucket] = counts.get(bucket, 0.0) + 1.0
            total += 1
    scale = 1.0 / math.sqrt(total) if total else 0.0
    return {bucket: value * scale for bucket, value in counts.items()}


@dataclass
class NgramModel:
    weights: np.ndarray
    bias: float
    spec: dict[str, Any]

    @property
    def threshold(self) -> float:
        return float(self.spec.get("threshold", 0.5))

    def score(self, text: str) -> float:
        """Probability that `text` (or its most suspicious window) is a prompt injection."""
        rows = ngram_hashes(text, self.spec["min_n"], self.spec["max_n"], self.spec["buckets"])
        if not rows:
            return 0.0
        flat = [bucket for row in rows for bucket in row]
        w = self.weights[np.fromiter(flat, dtype=np.int64, count=len(flat))].astype(np.float64)
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        ends = np.cumsum(lengths)
        # prefix sums of weight and of n-gram count per start position
        wsum = np.concatenate(([0.0], np.cumsum(w)))[np.concatenate(([0], ends))]
        nsum = np.concatenate(([0], ends))
        best = self._logit(wsum[-1], nsum[-1])
        window, stride = int(self.spec["window"]), int(self.spec["stride"])
        if len(rows) > window:
            starts = np.arange(0, len(rows) - window + stride, stride)
            starts = np.minimum(starts, len(rows) - window)
            stops = starts + window
            logits = (wsum[stops] - wsum[starts]) / np.sqrt(np.maximum(nsum[stops] - nsum[starts], 1)) + self.bias
            best = max(best, float(logits.max()))
        return 1.0 / (1.0 + math.exp(-best))

    def _logit(self, weight_sum: float, count: int) -> float:
        return float(weight_sum) / math.sqrt(max(int(count), 1)) + self.bias


def load(folder: Path | None = None) -> NgramModel:
    """Read the shipped model (or one in `folder`) without unpickling anything."""
    if folder is None:
        base = resources.files("mlsecops.engines.guard").joinpath("guard_model")
        spec = json.loads(base.joinpath(SPEC_FILE).read_text(encoding="utf-8"))
        with base.joinpath(WEIGHTS_FILE).open("rb") as handle:
            arrays = np.load(handle, allow_pickle=False)
            weights, bias = arrays["w"].astype(np.float32), float(arrays["b"][0])
    else:
        spec = json.loads((folder / SPEC_FILE).read_text(encoding="utf-8"))
        with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights, bias = arrays["w"].astype(np.float32), float(arrays["b"][0])
    if weights.shape != (spec["buckets"],):
        raise ValueError(f"guard model: {weights.shape[0]} weights for {spec['buckets']} buckets")
    return NgramModel(weights, bias, spec)


@lru_cache(maxsize=1)
def default_model() -> NgramModel:
    return load()


def save(folder: Path, weights: np.ndarray, bias: float, spec: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / WEIGHTS_FILE, w=weights.astype(np.float16), b=np.array([bias], dtype=np.float32))
    (folder / SPEC_FILE).write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
