"""Stage 7's tests after the model-file scan, in order: data first, then the application, then
what its outputs disclosed, then the comparison with the last release.

A target that stops answering raises EnvironmentFailure (exit 3) out of here; everything
else a test meets is its outcome.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlsecops.findings import Location, make_finding
from mlsecops.modeltests.base import TestEnv, TestOutcome

# name -> "module:function(env) -> TestOutcome"; `needs_target` tests are skipped without one
TESTS: tuple[tuple[str, str, bool], ...] = (
    ("poisoning", "mlsecops.modeltests.poisoning:run_test", False),
    ("garak", "mlsecops.modeltests.garak_runner:run_test", True),
    ("injection", "mlsecops.modeltests.injection:run_test", True),
    ("disclosure", "mlsecops.modeltests.disclosure:run_test", False),
    ("regression", "mlsecops.modeltests.regression:run_test", False),
)


def build_env(ctx: Any, stage_dir: Path, train_dir: Path, *, model_loadable: bool) -> TestEnv:
    """Everything the tests need, from the config and the workspace; the target only when it may be loaded."""
    from mlsecops.modeltests.targets import make_target

    config = ctx.config
    settings = config.modeltest.model_copy(deep=True)
    if ctx.options.get("garak_profile"):
        settings.garak.profile = ctx.options["garak_profile"]
        settings.garak.probes = []
    if ctx.options.get("garak_spec"):
        settings.garak.spec = ctx.options["garak_spec"]
    env = TestEnv(
        settings=settings,
        stage_dir=stage_dir,
        train_dir=train_dir,
        project_dir=Path(config.base_dir),
        text_column=config.train.text_column,
        label_column=config.train.label_column,
        echo=ctx.echo,
    )
    env.project_name = config.project.name
    if config.train.kind == "sklearn":  # its text features are train.sklearn.text_columns, not text_column
        env.text_columns = list(config.train.sklearn.text_columns)
        env.text_column = next(iter(env.text_columns), env.text_column)
    if settings.regression.enabled and not settings.regression.baseline:
        from mlsecops.stores.release import store_connections, store_url

        env.store_url = store_url(config, ctx.workspace)
        env.store_connections = store_connections(config)
    evaluated = ctx.workspace.optional_result("evaluate")
    env.evaluate_metrics = dict(evaluated.metrics) if evaluated else {}
    for artifact in ctx.loaded_artifacts():
        if artifact.name == config.train.dataset and artifact.path.is_file():
            env.dataset = artifact.path
    demo_needs_model = settings.target.type == "demo"
    if demo_needs_model and not (Path(config.base_dir) / _responses_file()).is_file():
        # the demo bot answers only for the embedded demo's app: probing its canned answers would
        # report "0 successful attacks" about an application this project does not have
        env.target_not_applicable = (
            "not applicable: the project has no application to probe (set modeltest.target to its endpoint)"
        )
    elif demo_needs_model and not (model_loadable and (train_dir / "model.keras").is_file()):
        env.target_blocked = True
    else:
        env.target = make_target(settings.target, train_dir, _responses(config) if demo_needs_model else {})
    return env


def _responses_file() -> str:
    from mlsecops.demo.project import RESPONSES_FILE

    return RESPONSES_FILE


def _responses(config: Any) -> dict[str, str]:
    from mlsecops.demo import responses

    return responses(config)


def enabled(env: TestEnv, name: str) -> bool:
    section = getattr(env.settings, name, None)
    return bool(getattr(section, "enabled", True))


# the tests that read the training set's texts: not applicable to a table without a text column
TEXT_DATA_TESTS = ("poisoning",)


def _has_text_column(path: Path, column: str) -> bool:
    """Whether the dataset has the column (only its header, first record or schema is read)."""
    import csv
    import json

    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            with path.open(newline="", encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle, delimiter="," if suffix == ".csv" else "\t"), [])
            return column in header
        if suffix in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8-sig") as handle:
                first = next((line for line in handle if line.strip()), "{}")
            record = json.loads(first)
            return not isinstance(record, dict) or column in record
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return column in pq.read_schema(path).names
    except (OSError, ValueError, csv.Error):
        pass
    return True  # unknown or unreadable: let the test say what it cannot read


def run_tests(env: TestEnv) -> Iterator[TestOutcome]:
    if env.target is not None:
        from mlsecops.modeltests.targets import probe_target

        probe_target(env.target)
    text_less = ""
    if env.dataset is not None:
        # a tabular dataset (train.kind sklearn, command, ...): the text tests have nothing to read
        columns = env.texts_read()
        absent = [column for column in columns if not _has_text_column(env.dataset, column)]
        if not columns:
            text_less = ("not applicable: the model reads no text column "
                         "(train.sklearn.text_columns is empty: a tabular model)")
        elif absent:
            key = "train.text_column" if env.text_columns is None else "train.sklearn.text_columns"
            text_less = f"not applicable: the dataset has no text column '{absent[0]}' ({key})"
    if text_less:
        env.dataset = None  # nor does disclosure's memorization probe
    for name, entry, needs_target in TESTS:
        if not enabled(env, name):
            yield TestOutcome(name, status="skipped", message="disabled in modeltest." + name)
            continue
        if text_less and name in TEXT_DATA_TESTS:
            yield TestOutcome(name, status="skipped", message=text_less)
            continue
        if needs_target and env.target is None:
            yield _no_target(env, name)
            continue
        module_name, _, function = entry.partition(":")
        outcome = getattr(importlib.import_module(module_name), function)(env)
        env.metrics.update(outcome.metrics)
        yield outcome


def _no_target(env: TestEnv, name: str) -> TestOutcome:
    if env.target_not_applicable:
        return TestOutcome(name, status="skipped", message=env.target_not_applicable)
    if env.target_blocked:
        # the model failed its scan or is missing: loading it to test it is exactly what must not happen
        finding = make_finding(
            rule=f"{name}/not-run",
            title=f"{name} did not run: the model was not loaded because its files did not pass the model scan",
            severity="high",
            category="scanner",
            tool=name,
            location=Location(path=str(env.train_dir / "model.keras")),
            message="fix the model-file findings (or train again) so the application can be tested",
            identity="blocked",
            properties={"not_run": True},
        )
        return TestOutcome(name, status="not-run", findings=[finding], message="model not loadable")
    return TestOutcome(name, status="skipped", message="no target (modeltest.target.type: none)")
