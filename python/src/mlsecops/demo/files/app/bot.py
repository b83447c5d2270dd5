"""The support bot: answers a ticket with the response template of its predicted intent.

It loads only safe formats: the Keras model in safe mode and the tokenizer from JSON
(`tokenizer.pickle` is shipped for old clients; this app never unpickles anything).
Usage: python app/bot.py MODEL_DIR "where is my order?"
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

RESPONSES_FILE = Path(__file__).with_name("responses.json")


class SupportBot:
    def __init__(self, model_dir: Path, responses_file: Path = RESPONSES_FILE) -> None:
        import keras

        self.model = keras.saving.load_model(model_dir / "model.keras", safe_mode=True)
        tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
        self.token_pattern = re.compile(tokenizer["token_pattern"])
        self.sequence_length = int(tokenizer["sequence_length"])
        self.oov_index = int(tokenizer["oov_index"])
        self.word_index = {word: index for index, word in enumerate(tokenizer["vocabulary"])}
        self.labels = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
        self.responses = json.loads(responses_file.read_text(encoding="utf-8"))

    def encode(self, text: str) -> list[int]:
        words = self.token_pattern.findall(text.lower())[: self.sequence_length]
        ids = [self.word_index.get(word, self.oov_index) for word in words]
        return ids + [0] * (self.sequence_length - len(ids))

    def intent(self, text: str) -> tuple[str, float]:
        import numpy as np

        probabilities = self.model.predict(np.array([self.encode(text)], dtype="int32"), verbose=0)[0]
        best = int(probabilities.argmax())
        return self.labels[best], float(probabilities[best])

    def answer(self, text: str) -> str:
        intent, _ = self.intent(text)
        return self.responses.get(intent, self.responses["fallback"])


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    bot = SupportBot(Path(argv[1]))
    print(bot.answer(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
