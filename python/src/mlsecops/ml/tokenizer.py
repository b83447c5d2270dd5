"""A word-level tokenizer in plain Python (Keras' TextVectorization needs TensorFlow).

Index 0 is padding and index 1 the OOV token; `max_tokens` counts both, as TextVectorization
does. Ties in word frequency are broken alphabetically, so fitting is deterministic. Words
seen fewer than `min_frequency` times stay out of the vocabulary: a one-off token is noise to
the model, and is often exactly what must not be memorised (an order number, an email, a card).

`to_json`/`from_json` is the safe form, the only one mlsecops loads. `pickle_bytes` exists
for compatibility with clients that expect a `tokenizer.pickle`: it pickles a dict of plain
builtins (no class references), and mlsecops itself never unpickles it.
"""

from __future__ import annotations

import json
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

FORMAT = "mlsecops.word-tokenizer"
FORMAT_VERSION = 1
WORD_PATTERN = r"\w+(?:'\w+)?"
OOV_WORD = "[UNK]"
PAD_INDEX = 0
OOV_INDEX = 1
_RESERVED = 2  # padding and OOV


class TokenizerFormatError(ValueError):
    """A tokenizer file that is not what `to_json` writes."""


class WordTokenizer:
    def __init__(
        self,
        max_tokens: int,
        sequence_length: int,
        oov_token: str = OOV_WORD,
        vocabulary: Sequence[str] | None = None,
        min_frequency: int = 1,
    ) -> None:
        if max_tokens < _RESERVED + 1:
            raise ValueError(f"max_tokens must be at least {_RESERVED + 1} (padding, OOV and one word)")
        if sequence_length < 1:
            raise ValueError("sequence_length must be at least 1")
        self.max_tokens = max_tokens
        self.sequence_length = sequence_length
        self.oov_token = oov_token
        self.min_frequency = max(1, min_frequency)
        self._pattern = re.compile(WORD_PATTERN)
        self.vocabulary: list[str] = ["", oov_token]
        self._index: dict[str, int] = {}
        if vocabulary is not None:
            self._set_words(list(vocabulary))

    def _set_words(self, words: list[str]) -> None:
        self.vocabulary = ["", self.oov_token, *words[: self.max_tokens - _RESERVED]]
        self._index = {word: index for index, word in enumerate(self.vocabulary) if index >= _RESERVED}

    @property
    def words(self) -> list[str]:
        return self.vocabulary[_RESERVED:]

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocabulary)

    def split(self, text: str) -> list[str]:
        return self._pattern.findall(text.lower())

    def fit(self, texts: Iterable[str]) -> WordTokenizer:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(self.split(text))
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        self._set_words([word for word, count in ranked if count >= self.min_frequency])
        return self

    def encode_one(self, text: str) -> list[int]:
        ids = [self._index.get(word, OOV_INDEX) for word in self.split(text)[: self.sequence_length]]
        return ids + [PAD_INDEX] * (self.sequence_length - len(ids))

    def encode(self, texts: Iterable[str]) -> Any:
        """An int32 array of shape (n, sequence_length): truncated at the end, padded with 0."""
        import numpy as np

        return np.array([self.encode_one(text) for text in texts], dtype=np.int32).reshape(-1, self.sequence_length)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "lowercase": True,
            "token_pattern": WORD_PATTERN,
            "max_tokens": self.max_tokens,
            "sequence_length": self.sequence_length,
            "pad_index": PAD_INDEX,
            "oov_index": OOV_INDEX,
            "oov_token": self.oov_token,
            "min_frequency": self.min_frequency,
            "vocabulary": self.vocabulary,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> WordTokenizer:
        try:
            data = json.loads(text)
        except ValueError:
            raise TokenizerFormatError("not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TokenizerFormatError(f"not a {FORMAT} file")
        if data.get("version") != FORMAT_VERSION or data.get("token_pattern") != WORD_PATTERN:
            raise TokenizerFormatError(f"unsupported {FORMAT} version {data.get('version')!r}")
        vocabulary = data.get("vocabulary")
        try:
            max_tokens, sequence_length = int(data["max_tokens"]), int(data["sequence_length"])
        except (KeyError, TypeError, ValueError):
            raise TokenizerFormatError("max_tokens and sequence_length must be integers") from None
        if (
            not isinstance(vocabulary, list)
            or len(vocabulary) < _RESERVED
            or not all(isinstance(word, str) for word in vocabulary)
            or len(vocabulary) > max_tokens
        ):
            raise TokenizerFormatError("vocabulary must be a list of at most max_tokens strings")
        try:
            return cls(
                max_tokens, sequence_length, oov_token=vocabulary[OOV_INDEX], vocabulary=vocabulary[_RESERVED:],
                min_frequency=int(data.get("min_frequency", 1)),
            )
        except ValueError as exc:
            raise TokenizerFormatError(str(exc)) from None

    def pickle_bytes(self) -> bytes:
        """The compatibility pickle: plain builtins only, Keras-Tokenizer-like keys. Never loaded by mlsecops."""
        state = {
            **self.to_dict(),
            "word_index": {word: index for index, word in enumerate(self.vocabulary) if index >= OOV_INDEX},
            "num_words": self.max_tokens,
        }
        return pickle.dumps(state, protocol=4)
