"""The schema of `mlsecops.yaml`: one section per stage, `${ENV}` interpolation, one clear error per bad field.

Values may reference the environment (`${NAME}`, `${NAME:-default}`) or a secret store
(`${secret:env://NAME}`, `${secret:file://path}`, `${secret:vault://mount/path#key}`,
`${secret:awssm://name#key}`). A command resolves only the secret references of the sections it
reads (SECRET_SCOPES); every other one stays a `SecretRef`, which shows only its reference text and
refuses to be resolved. Resolved secrets are registered for scrubbing so they never appear in
full in any output.

The bottom layer of the worker: plug-ins (notify, modeltest, webhook) declare their own sections,
named in PLUGIN_SECTIONS and imported only when the schema is first built (`config_model()`), so
this module imports none of them.

Layout: `base.py` (the section base class, error wording), `schema.py` (the sections),
`secrets.py` (secret references, their resolution and masking), `loading.py` (YAML read with
bounds, validation), `yaml_safe.py`, `check.py` (`config validate`), `reference.py` (docs/CONFIG.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlsecops.config.base import DEFAULT_CONFIG, DEFAULT_STORE_URL, Section, describe_problem
from mlsecops.config.loading import load_config, parse_config, parse_yaml
from mlsecops.config.schema import (
    DEFAULT_ESTIMATORS,
    PLUGIN_SECTIONS,
    ConfigBase,
    ConnectionConfig,
    EvaluateConfig,
    LoadConfig,
    ProjectConfig,
    RedactConfig,
    ScanConfig,
    SignConfig,
    SklearnTrainConfig,
    SourceConfig,
    StoreConfig,
    TrainConfig,
    config_model,
)
from mlsecops.config.secrets import SECRET_SCOPES, SecretRef, masked_dump

__all__ = [
    "DEFAULT_CONFIG", "DEFAULT_ESTIMATORS", "DEFAULT_STORE_URL", "PLUGIN_SECTIONS", "SECRET_SCOPES", "Config",
    "ConfigBase", "ConnectionConfig", "EvaluateConfig", "LoadConfig", "ProjectConfig", "RedactConfig", "ScanConfig",
    "SecretRef", "Section", "SignConfig", "SklearnTrainConfig", "SourceConfig", "StoreConfig", "TrainConfig",
    "config_model", "describe_problem", "load_config", "masked_dump", "parse_config", "parse_yaml",
]

if TYPE_CHECKING:
    Config = ConfigBase
else:

    def __getattr__(name: str) -> Any:  # `from mlsecops.config import Config` builds the schema on first use
        if name == "Config":
            return config_model()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
