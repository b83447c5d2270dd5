"""Secrets in ML code: names of classes, types, enums, constants and vocabulary tokens are not passwords,
while real passwords written beside them still are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import ScanTargets

BACKENDS = [True, False]


def findings(root: Path, hyperscan: bool) -> list[tuple[str, str, int | None]]:
    outcome = get_scanner("secrets").scan(ScanTargets(paths=[root], options={"hyperscan": hyperscan}))
    return [(f.rule, f.location.path, f.location.line) for f in outcome.findings]


HF_TOKENIZER_CONFIG = {
    "tokenizer_class": "BertTokenizer",
    "fast_tokenizer_class": "PreTrainedTokenizerFast",
    "pad_token": "[PAD]",
    "mask_token": "[MASK_TOKEN]",
    "image_break_token": "[IMG_BREAK]",
    "eos_token": "<|endoftext|>",
    "pad_token_id": 0,
    "auto_map": {"AutoTokenizer": ["tokenization_x.XTokenizer", None]},
}

ML_SOURCE = '''\
TOKEN = XLA_FFI_DataType_TOKEN
token_key = "RpcGroupManagementToken"
tokenizer_class = "Qwen2TokenizerFast"
audio_tokenizer_class = "DacModel"
_TOKENIZER_FOR_DOC = "RobertaTokenizer"
TOKENIZER_MAPPING_NAMES = OrderedDict[str, str | None](
secret_name = "prod-db-credentials"
token_type_key = "TokenTypeEmbeddings"
if tokenizer.__class__.__name__ == "MistralCommonBackend":
    "token_classification_class": "ForTokenClassification",
self._dep_token.node.name = "dep_token0"
'''


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_a_hugging_face_tokenizer_config_holds_no_secret(tmp_path, hyperscan):
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(HF_TOKENIZER_CONFIG, indent=2))

    assert findings(tmp_path, hyperscan) == []


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
def test_class_type_and_constant_names_assigned_to_token_like_keys_are_not_passwords(tmp_path, hyperscan):
    (tmp_path / "modeling.py").write_text(ML_SOURCE)

    assert findings(tmp_path, hyperscan) == []


PASSWORDS = [
    'db_password = "Welcome123"',  # one word and digits: a (weak) password, not a class name
    'secret = "CorrectHorseBatteryStaple"',  # words, but not ending the way class names end
    'api_token = "aB3dEf9hXyZ1Qw"',
    'client_secret: "k8#Pq!v2Lm"',
    "API_TOKEN=aB3dEf9hXyZ1Qw",
    "DB_PASSWORD=Tr0ub4dor_x9",
]


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
@pytest.mark.parametrize("line", PASSWORDS)
def test_real_passwords_beside_those_names_are_still_found(tmp_path, hyperscan, line):
    (tmp_path / "settings.py").write_text(ML_SOURCE + line + "\n")

    found = findings(tmp_path, hyperscan)

    assert [(path, number) for _rule, path, number in found] == [("settings.py", ML_SOURCE.count("\n") + 1)]


def test_a_key_that_names_a_secret_elsewhere_is_not_one():
    from mlsecops.engines.secrets.rules import key_names_something

    assert key_names_something(b"tokenizer_class") and key_names_something(b"pad_token_id")
    assert key_names_something(b"secretName") and key_names_something(b"password_env")
    assert not key_names_something(b"api_key") and not key_names_something(b"db_password")
