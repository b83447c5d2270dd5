"""Demo variants: name -> a function that modifies the project before it is written.

Add a variant with one function and one line in `VARIANTS`; its planted values (secrets,
PII) go in `project.planted` so tests can search every output for them.
"""

from __future__ import annotations

from collections.abc import Callable

from mlsecops.demo import bot_variants as modeltest_variants
from mlsecops.demo import byo as own_model
from mlsecops.demo import planted
from mlsecops.demo.project import DemoProject

Variant = Callable[[DemoProject], None]


def default(project: DemoProject) -> None:
    """The clean project: passes every gate."""


def insecure(project: DemoProject) -> None:
    """A leaked AWS key in the app settings, PII rows in the dataset, a trojan pickle among the load sources."""
    key = planted.fake_aws_key(project.rng)
    project.files["app/settings.py"] = planted.settings_module(key).encode("utf-8")
    project.planted += [key.access_key_id, key.secret_access_key]

    for row in planted.pii_rows(project.rng):
        project.rows.insert(project.rng.randrange(len(project.rows) + 1), (row.text, row.label))
        project.planted += list(row.values)

    project.files["pretrained/tokenizer.pickle"] = planted.trojan_tokenizer_pickle()
    project.add_source("pretrained-tokenizer", "pretrained/tokenizer.pickle", "model")


VARIANTS: dict[str, Variant] = {
    "default": default,
    "insecure": insecure,
    "backdoor": modeltest_variants.backdoor,  # stage 7: poisoning trigger in the training data
    "leaky-bot": modeltest_variants.leaky_bot,  # stage 7: API key and email disclosed by the bot's answers
    "injected-data": modeltest_variants.injected_data,  # stage 7: indirect prompt injection in training rows
    "tabular": own_model.tabular,  # train.kind sklearn on scikit-learn's bundled breast-cancer table
    "byo": own_model.byo,  # train.kind command: the team's PyTorch train.py (safetensors + predictions)
    "pretrained": own_model.pretrained,  # train.kind pretrained: a published model and its predict program
    "llm-endpoint": own_model.llm_endpoint,  # train.kind none: an LLM app tested through its endpoint
}
