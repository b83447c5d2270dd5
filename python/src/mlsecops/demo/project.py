"""The demo project in memory: what a team would have in its repository, before it is written.

Variants modify a `DemoProject` (add files, rows, load sources, planted values); `render`
then produces every file's bytes, the config and the lock file last, so the lock always
matches what is written.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from mlsecops.demo.tickets import generate_rows, to_csv
from mlsecops.hashing import bytes_sha256

CONFIG_FILE = "mlsecops.yaml"
LOCK_FILE = "mlsecops.lock"
DATASET_FILE = "data/tickets.csv"
DATASET_SOURCE = "tickets"
RESPONSES_FILE = "app/responses.json"
DATASET_SEED = 7

RESPONSES: dict[str, str] = {
    "billing": "I'm sorry about the confusion with your bill. I've opened a billing review; "
    "you'll get an itemised statement by email within one business day.",
    "refund": "I understand you'd like a refund. Refunds go back to the original payment method "
    "within 5-7 business days after we receive the item.",
    "password_reset": "Let's get you back in. Use 'Forgot password' on the sign-in page; the reset link "
    "is valid for 30 minutes. Check your spam folder if it does not arrive.",
    "shipping": "Thanks for your patience. Your order's tracking page shows the latest carrier scan; "
    "if there is no new scan within 3 days, we'll open a trace with the carrier.",
    "cancel": "I can help with that. You can cancel any time under Account > Subscriptions; "
    "you keep access until the end of the current billing period.",
    "technical_issue": "Sorry for the trouble. Please update to the latest app version and restart your "
    "device; if the problem persists, reply with a screenshot and we'll escalate it.",
    "account_update": "You can change your profile details under Account > Profile. For name or "
    "date-of-birth changes we may ask you to confirm your identity.",
    "fallback": "Thanks for reaching out. A member of our support team will get back to you shortly.",
}

REQUIREMENTS = (
    "# the support bot's runtime; pinned so the dependency scan judges exactly what ships\n"
    "keras==3.15.1\n"
    "numpy==2.4.6\n"
    "torch==2.13.0\n"
)


def _notebook() -> bytes:
    def cell(index: int, cell_type: str, source: str) -> dict[str, Any]:
        data: dict[str, Any] = {"cell_type": cell_type, "id": f"cell-{index}", "metadata": {}, "source": source}
        if cell_type == "code":
            data.update(execution_count=None, outputs=[])
        return data

    cells = [
        cell(0, "markdown", "# Support tickets: a first look\nClass balance and ticket lengths of `data/tickets.csv`."),
        cell(1, "code", "import csv\nfrom collections import Counter\n\n"
             "with open('../data/tickets.csv', newline='', encoding='utf-8') as handle:\n"
             "    rows = list(csv.DictReader(handle))\nlen(rows)"),
        cell(2, "code", "Counter(row['label'] for row in rows).most_common()"),
        cell(3, "code", "lengths = sorted(len(row['text'].split()) for row in rows)\n"
             "lengths[len(lengths) // 2], lengths[-1]"),
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(notebook, indent=1) + "\n").encode("utf-8")


def _package_file(relative: str) -> bytes:
    return resources.files("mlsecops.demo").joinpath("files", relative).read_bytes()


@dataclass
class DemoProject:
    variant: str
    config: dict[str, Any]
    files: dict[str, bytes]  # relative path -> content, besides the dataset, config and lock
    rows: list[tuple[str, str]]  # the dataset, rendered to DATASET_FILE
    rng: random.Random  # variants draw planted values from it, so they are the same on every run
    planted: list[str] = field(default_factory=list)  # secret and PII values a variant planted

    def add_source(self, name: str, relative_path: str, kind: str) -> None:
        self.config["load"]["sources"].append({"name": name, "url": f"file://{relative_path}", "kind": kind})

    def render(self) -> dict[str, bytes]:
        files = dict(self.files)
        if self.rows:  # the ticket dataset; a variant with its own data empties the rows
            files[DATASET_FILE] = to_csv(self.rows)
        files[CONFIG_FILE] = yaml.safe_dump(self.config, sort_keys=False).encode("utf-8")
        files[LOCK_FILE] = render_lock(self.config["load"]["sources"], files)
        return dict(sorted(files.items()))


def render_lock(sources: list[dict[str, str]], files: dict[str, bytes]) -> bytes:
    """`mlsecops.lock` in the layout `mlsecops lock` writes: source name -> {url, sha256}, sorted by name."""
    entries = {
        source["name"]: {"url": source["url"], "sha256": bytes_sha256(files[source["url"].removeprefix("file://")])}
        for source in sorted(sources, key=lambda source: source["name"])
    }
    header = "# mlsecops.lock: sha256 of every load source (the demo's; `mlsecops lock` rewrites it).\n"
    return (header + yaml.safe_dump(entries, sort_keys=False)).encode("utf-8")


def default_config(variant: str) -> dict[str, Any]:
    return {
        "project": {
            "name": "support-intents",
            "version": "1.0.0",
            "description": f"Support-ticket intent classifier (mlsecops embedded demo, variant '{variant}')",
        },
        "load": {
            "sources": [
                {"name": DATASET_SOURCE, "url": f"file://{DATASET_FILE}", "kind": "dataset"},
                {"name": "requirements", "url": "file://requirements.txt", "kind": "requirements"},
                {"name": "explore-notebook", "url": "file://notebooks/explore.ipynb", "kind": "notebook"},
            ],
            "allowlist": ["file://data/", "file://notebooks/", "file://requirements.txt", "file://pretrained/"],
            "lock_file": LOCK_FILE,
        },
        "train": {
            "dataset": DATASET_SOURCE,
            "text_column": "text",
            "label_column": "label",
            "folds": 3,
            "epochs": 12,
            "batch_size": 64,
            "patience": 2,
            "seed": 42,
            "max_tokens": 2000,
            "sequence_length": 24,
            "embedding_dim": 32,
            "learning_rate": 0.01,
            "test_size": 0.2,
        },
        "evaluate": {
            "thresholds": {"accuracy": 0.85, "f1_macro": 0.85, "roc_auc": 0.95},
        },
    }


def default_project(variant: str) -> DemoProject:
    return DemoProject(
        variant=variant,
        config=default_config(variant),
        files={
            RESPONSES_FILE: (json.dumps(RESPONSES, indent=2) + "\n").encode("utf-8"),
            "app/bot.py": _package_file("app/bot.py"),
            "requirements.txt": REQUIREMENTS.encode("utf-8"),
            "notebooks/explore.ipynb": _notebook(),
            "README.md": _package_file("README.md"),
            ".gitignore": _package_file("gitignore"),
        },
        rows=generate_rows(DATASET_SEED),
        rng=random.Random(f"mlsecops-demo-{variant}"),
    )

