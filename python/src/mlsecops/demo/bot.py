"""The demo's LLM application: the trained classifier answering with its predicted intent's template.

Loads only safe forms, and only after stage 7 scanned them: `model.keras` in Keras safe mode
and the tokenizer from JSON. `garak_reply` is the entry point of garak's `function`
generator, which runs in garak's own process: it reads the model folder and the templates
from environment variables set by the garak runner.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class SupportBot:
    def __init__(self, model_dir: Path, responses: dict[str, str]) -> None:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        from mlsecops.ml.model import load_model_safely
        from mlsecops.ml.tokenizer import WordTokenizer

        self.model = load_model_safely(model_dir / "model.keras", str(model_dir / "model.keras"))
        self.tokenizer = WordTokenizer.from_json((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
        self.labels: list[str] = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
        self.responses = responses

    def intent(self, text: str) -> tuple[str, float]:
        import keras
        import numpy as np

        batch = np.array([self.tokenizer.encode_one(text)], dtype="int32")
        probabilities = keras.ops.convert_to_numpy(self.model(batch, training=False))[0]
        best = int(probabilities.argmax())
        return self.labels[best], float(probabilities[best])

    def answer(self, text: str) -> str:
        intent, _ = self.intent(text)
        return self.responses.get(intent, self.responses.get("fallback", ""))


_BOT: SupportBot | None = None


def garak_reply(prompt: str, **_: Any) -> list[str]:
    """garak `function` generator entry: one answer per prompt."""
    global _BOT
    if _BOT is None:
        model_dir = Path(os.environ["MLSECOPS_DEMO_BOT_MODEL_DIR"])
        responses = json.loads(os.environ["MLSECOPS_DEMO_BOT_RESPONSES"])
        _BOT = SupportBot(model_dir, responses)
    return [_BOT.answer(prompt or "")]
