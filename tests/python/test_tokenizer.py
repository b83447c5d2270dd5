"""The word tokenizer: what it keeps, how it encodes, and its safe JSON form."""

from __future__ import annotations

import json
import pickle
import pickletools

import pytest
from mlsecops.ml.tokenizer import (
    OOV_INDEX,
    PAD_INDEX,
    TokenizerFormatError,
    WordTokenizer,
)

TEXTS = ["Where is my ORDER?", "my order is late", "cancel my order", "I can't log in"]


def test_words_are_lowercased_and_ranked_by_frequency_then_alphabetically():
    tokenizer = WordTokenizer(max_tokens=100, sequence_length=8).fit(TEXTS)
    assert tokenizer.vocabulary[:2] == ["", "[UNK]"]
    assert tokenizer.words[:3] == ["my", "order", "is"]
    assert "can't" in tokenizer.words, "apostrophes stay inside a word"
    assert "ORDER" not in tokenizer.words


def test_max_tokens_counts_padding_and_oov_and_caps_the_vocabulary():
    tokenizer = WordTokenizer(max_tokens=4, sequence_length=8).fit(TEXTS)
    assert tokenizer.vocabulary_size == 4
    assert tokenizer.words == ["my", "order"]


def test_rare_words_stay_out_of_the_vocabulary_under_min_frequency():
    tokenizer = WordTokenizer(max_tokens=100, sequence_length=8, min_frequency=2).fit(
        ["card 4111111111111111 charged twice", "charged twice again"]
    )
    assert tokenizer.words == ["charged", "twice"]
    assert tokenizer.encode_one("card 4111111111111111")[:2] == [OOV_INDEX, OOV_INDEX]


def test_unknown_words_become_oov_and_sequences_are_padded_or_truncated():
    tokenizer = WordTokenizer(max_tokens=100, sequence_length=4).fit(TEXTS)
    my, order = tokenizer.vocabulary.index("my"), tokenizer.vocabulary.index("order")
    assert tokenizer.encode_one("my refund") == [my, OOV_INDEX, PAD_INDEX, PAD_INDEX]
    assert tokenizer.encode_one("my order my order my order") == [my, order, my, order]
    assert tokenizer.encode_one("") == [PAD_INDEX] * 4
    encoded = tokenizer.encode(TEXTS)
    assert encoded.shape == (len(TEXTS), 4)
    assert str(encoded.dtype) == "int32"


def test_fitting_is_deterministic_whatever_the_order_of_equally_frequent_words():
    forward = WordTokenizer(max_tokens=100, sequence_length=8).fit(["b a", "d c"])
    backward = WordTokenizer(max_tokens=100, sequence_length=8).fit(["c d", "a b"])
    assert forward.to_json() == backward.to_json()
    assert forward.words == ["a", "b", "c", "d"]


def test_json_round_trip_keeps_vocabulary_settings_and_encoding():
    tokenizer = WordTokenizer(max_tokens=50, sequence_length=6, min_frequency=1).fit(TEXTS)
    restored = WordTokenizer.from_json(tokenizer.to_json())
    assert restored.vocabulary == tokenizer.vocabulary
    assert (restored.max_tokens, restored.sequence_length) == (50, 6)
    assert restored.encode(TEXTS).tolist() == tokenizer.encode(TEXTS).tolist()
    assert restored.to_json() == tokenizer.to_json()


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "something-else"}',
        '{"format": "mlsecops.word-tokenizer", "version": 99}',
        json.dumps({**WordTokenizer(3, 4).to_dict(), "vocabulary": ["", "[UNK]", "a", "b"]}),
    ],
)
def test_from_json_rejects_what_to_json_never_writes(text):
    with pytest.raises(TokenizerFormatError):
        WordTokenizer.from_json(text)


def test_the_compatibility_pickle_holds_only_builtins_and_no_callable():
    data = WordTokenizer(max_tokens=50, sequence_length=6).fit(TEXTS).pickle_bytes()
    opcodes = {opcode.name for opcode, _, _ in pickletools.genops(data)}
    assert not opcodes & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "BUILD"}
    state = pickle.loads(data)  # safe: no GLOBAL opcode, as asserted above
    assert state["word_index"]["my"] == 2
    assert state["word_index"]["[UNK]"] == OOV_INDEX
