"""`mlsecops config validate`: what later stages would reject, checked against the metric names and the policy.

Above the schema in the layers: it reads the metric names and the policy, which themselves read
the config. Scanner names and options are checked when the config is loaded (ScanConfig).
"""

from __future__ import annotations

from pathlib import Path

from mlsecops.config import Config
from mlsecops.errors import UsageError
from mlsecops.ml.metrics import METRIC_NAMES
from mlsecops.policy import load_policy


def check_references(config: Config) -> None:
    """What later stages would reject and needs nothing run to know: metric names, the policy.

    For `config validate`; each stage still checks its own part when it runs.
    """
    source = str(config.base_dir / config.config_file)
    if not config.evaluate.thresholds:
        raise UsageError(f"{source}: evaluate.thresholds is empty: set at least one metric threshold")
    for name in config.evaluate.thresholds:
        if name not in METRIC_NAMES:
            raise UsageError(
                f"{source}: evaluate.thresholds.{name}: unknown metric (known: {', '.join(METRIC_NAMES)})"
            )
    check_train_dataset(config, source)
    if config.train.kind in ("command", "pretrained") and config.train.command:
        from mlsecops.ml.trainers.command import check_program_files

        try:
            check_program_files(config.train.command, config.base_dir)
        except UsageError as exc:
            raise UsageError(f"{source}: {exc}") from None
    load_policy(policy_path(config))


def policy_path(config: Config) -> Path | None:
    """The project's policy file (None: the default policy); one missing is named by its key in the config."""
    if not config.policy:
        return None
    path = config.resolve_path(config.policy)
    if not path.is_file():
        raise UsageError(f"{config.config_file}: policy: {config.policy} not found")
    return path


def check_train_dataset(config: Config, source: str) -> None:
    """train.dataset must name a load source, else train fails only after load and scan ran.

    Left unset (its default "dataset") in a project without load sources, it is not judged: a
    scan-only project never trains.
    """
    train = config.train
    names = [item.name for item in config.load.sources]
    if train.kind == "none" or not train.dataset or train.dataset in names:
        return
    if names or "dataset" in train.model_fields_set:
        known = ", ".join(names) or "none"
        raise UsageError(f"{source}: train.dataset: '{train.dataset}' names no load source (load.sources: {known})")
