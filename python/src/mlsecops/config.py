"""The schema of `mlsecops.yaml`: one section per stage, `${ENV}` interpolation, one clear error per bad field.

Values may reference the environment (`${NAME}`, `${NAME:-default}`) or a secret store
(`${secret:env://NAME}`, `${secret:file://path}`, `${secret:vault://mount/path#key}`,
`${secret:awssm://name#key}`). A command resolves only the secret references of the sections it
reads (SECRET_SCOPES). Resolved secrets are registered for scrubbing so they never appear in
full in any output.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import MlsecopsError, UsageError
from .jenkins.settings import WebhookConfig
from .llm.settings import ModelTestSettings
from .notify.settings import AnySinkSettings, interpolate_plain_values
from .stage_manifest import manifest

DEFAULT_CONFIG = "mlsecops.yaml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class CredentialSection(Section):
    """A section that holds credentials: reading one still in its `${secret:...}` form fails.

    A command resolves only the secrets of the sections it reads (SECRET_SCOPES); should a
    stage read one more, this stops the literal reference from being sent as a credential.
    """

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if isinstance(value, str) and "${secret:" in value and name in type(self).model_fields:
            raise RuntimeError(
                f"{type(self).__name__}.{name}: its secret reference was not resolved for this command "
                "(SECRET_SCOPES in mlsecops/config.py misses the section)"
            )
        return value


class ProjectConfig(Section):
    name: str = "project"
    version: str = "0.0.0"
    description: str = ""


class SourceConfig(CredentialSection):
    name: str
    url: str
    kind: Literal["dataset", "model", "notebook", "requirements", "code", "other"] = "other"
    extract: bool = False  # unpack an archive (safely) after it has been verified


class ConnectionConfig(CredentialSection):
    """Settings of one store backend; credentials come from env or secret references."""

    endpoint_url: str | None = None
    region: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    verify_tls: bool = True
    timeout: float = 30.0
    retries: int = Field(default=4, ge=0, le=20)
    backoff_seconds: float = Field(default=0.5, ge=0)  # base of the exponential backoff (full jitter)
    ca_bundle: str | None = None  # PEM of a private CA (TLS to the store)
    passive: bool = True  # FTP: passive mode
    server_side_encryption: Literal["AES256", "aws:kms"] | None = None  # S3 SSE
    sse_kms_key_id: str | None = None
    multipart_threshold_mb: int = Field(default=64, ge=5)  # S3: multipart above this size
    multipart_chunk_mb: int = Field(default=16, ge=5)
    # S3: the checksum the server validates and reports back after an upload (crc32: the AWS SDKs' default)
    upload_checksum: Literal["sha256", "crc32"] = "crc32"
    options: dict[str, Any] = Field(default_factory=dict)


class LoadConfig(Section):
    sources: list[SourceConfig] = Field(default_factory=list)
    allowlist: list[str] = Field(default_factory=list)
    lock_file: str = "mlsecops.lock"
    require_lock: bool = True
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)
    # safe extraction of `extract: true` sources: an archive over a limit is refused
    archive_max_members: int = Field(default=20_000, ge=1)
    archive_max_total_mb: int = Field(default=4096, ge=1)
    archive_max_ratio: float = Field(default=200.0, gt=1)


class ScanConfig(Section):
    scanners: list[str] = Field(default_factory=lambda: ["secrets", "dataset", "models"])
    paths: list[str] = Field(default_factory=lambda: ["."])
    exclude: list[str] = Field(default_factory=lambda: [".git", ".mlsecops", ".venv", "node_modules"])
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)


# The estimators `train.kind: sklearn` may build, by import path: only classes that skops saves
# and loads without arbitrary code. A project widens or narrows it with train.sklearn.allowed_estimators.
DEFAULT_ESTIMATORS = (
    "sklearn.linear_model.LogisticRegression",
    "sklearn.linear_model.RidgeClassifier",
    "sklearn.linear_model.SGDClassifier",
    "sklearn.linear_model.LinearRegression",
    "sklearn.linear_model.Ridge",
    "sklearn.linear_model.Lasso",
    "sklearn.linear_model.ElasticNet",
    "sklearn.linear_model.SGDRegressor",
    "sklearn.svm.LinearSVC",
    "sklearn.naive_bayes.MultinomialNB",
    "sklearn.naive_bayes.ComplementNB",
    "sklearn.neighbors.KNeighborsClassifier",
    "sklearn.tree.DecisionTreeClassifier",
    "sklearn.tree.DecisionTreeRegressor",
    "sklearn.ensemble.RandomForestClassifier",
    "sklearn.ensemble.RandomForestRegressor",
    "sklearn.ensemble.ExtraTreesClassifier",
    "sklearn.ensemble.ExtraTreesRegressor",
    "sklearn.ensemble.GradientBoostingClassifier",
    "sklearn.ensemble.GradientBoostingRegressor",
    "sklearn.ensemble.HistGradientBoostingClassifier",
    "sklearn.ensemble.HistGradientBoostingRegressor",
    "sklearn.neural_network.MLPClassifier",
    "sklearn.neural_network.MLPRegressor",
)


class SklearnTrainConfig(Section):
    """`train.kind: sklearn`: one allowlisted estimator behind a standard preprocessing Pipeline."""

    estimator: str = "LogisticRegression"  # a class name or import path on allowed_estimators
    params: dict[str, Any] = Field(default_factory=dict)  # its hyper-parameters, as keyword arguments
    allowed_estimators: list[str] = Field(default_factory=lambda: list(DEFAULT_ESTIMATORS))
    # feature columns; ["*"] in numeric_columns: every column but the label and the other lists
    numeric_columns: list[str] = Field(default_factory=list)  # imputed (median) and standardised
    categorical_columns: list[str] = Field(default_factory=list)  # one-hot; empty is a category, unknown ignored
    text_columns: list[str] = Field(default_factory=list)  # TF-IDF of words, one vectorizer per column
    max_text_features: int = Field(default=20_000, ge=10)  # the most words each text column's TF-IDF keeps
    early_stopping: bool = True  # switched on for estimators that support it (HistGradientBoosting, SGD, MLP, ...)
    save_joblib: bool = False  # also model.joblib (a pickle: loading it runs code; skops is always written)


class TrainConfig(Section):
    # keras-text: the built-in Keras text classifier; sklearn: a scikit-learn estimator; command: the
    # team's own training program; pretrained: a model from a `kind: model` load source; none: an
    # LLM application tested through its endpoint only
    kind: Literal["keras-text", "sklearn", "command", "pretrained", "none"] = "keras-text"
    # classification or regression; auto: from the estimator (sklearn) or the predictions (command)
    task: Literal["auto", "classification", "regression"] = "auto"
    dataset: str = "dataset"  # name of a load source of kind dataset; "" for none (command, pretrained)
    dataset_file: str | None = None  # the file inside it when load extracted the source (an archive)
    text_column: str = "text"  # keras-text: the column holding the text
    label_column: str = "label"  # the label (classification) or value (regression) to predict
    folds: int = Field(default=3, ge=2, le=20)  # cross-validation folds over the training rows
    epochs: int = Field(default=8, ge=1)  # keras-text: the most epochs a fold trains (early stopping ends it sooner)
    batch_size: int = Field(default=64, ge=1)  # keras-text
    patience: int = Field(default=2, ge=0)  # keras-text: epochs without a better validation loss before stopping
    seed: int = 42  # of the split, the folds and the model (command: MLSECOPS_SEED)
    max_tokens: int = Field(default=5000, ge=10)  # keras-text: vocabulary size, padding and OOV included
    min_frequency: int = Field(default=2, ge=1)  # rarer words are OOV: one-off values (ids, PII) are not memorised
    sequence_length: int = Field(default=32, ge=4)  # keras-text: tokens per text (longer texts are cut)
    embedding_dim: int = Field(default=32, ge=2)  # keras-text
    hidden_units: int = Field(default=32, ge=1)  # keras-text
    dropout: float = Field(default=0.2, ge=0, lt=1)  # keras-text
    learning_rate: float = Field(default=0.005, gt=0)  # keras-text (Adam)
    test_size: float = Field(default=0.2, gt=0, lt=1)  # share of the rows held out for evaluate
    threads: int = Field(default=1, ge=1)  # torch CPU threads: small models train fastest (and reproducibly) on one
    sklearn: SklearnTrainConfig = Field(default_factory=SklearnTrainConfig)  # sklearn: estimator and features
    # command: the training program and its arguments (run in the config's folder; "python" is the
    # worker's interpreter); pretrained: an optional program that writes the predictions
    command: list[str] = Field(default_factory=list)
    command_env: dict[str, str] = Field(default_factory=dict)  # extra environment variables for it
    timeout_seconds: float = Field(default=3600.0, gt=0)  # command, pretrained: the program is stopped after it
    pretrained: str = ""  # pretrained: the load source (kind model) holding the model file(s)
    # none: the application's prompt/config files that form its release (globs relative to this file)
    bundle: list[str] = Field(default_factory=list)


class EvaluateConfig(Section):
    # classification: the lowest accepted value per metric (log_loss: the highest)
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"accuracy": 0.85, "f1_macro": 0.85, "roc_auc": 0.9}
    )
    # regression: the lowest accepted r2, the highest accepted mae / rmse
    regression_thresholds: dict[str, float] = Field(default_factory=lambda: {"r2": 0.5})
    regression_tolerance: float = Field(default=0.02, ge=0)  # how much worse than the baseline a metric may be
    # a previous evaluate/result.json or release manifest (path or file:// URL, relative to this file);
    # unset: the last release of this project in the configured store, when there is one
    baseline: str | None = None
    baseline_from_store: bool = True  # without a baseline: compare with the last release in the store


class ModelTestConfig(ModelTestSettings):
    """Stage 7: target, garak, injection, poisoning, disclosure, regression (see llm/settings.py)."""


class SignConfig(CredentialSection):
    method: Literal["key", "vault-kv", "vault-transit", "awssm", "awskms", "sigstore"] = "key"
    # key: a PEM EC private key file (key; none: a local key is generated once), a reference
    # (vault-kv: mount/path#field, awssm: name#field), a transit key ([mount/]name) or a KMS key id/alias
    key: str | None = None
    key_password: str | None = None
    public_key: str | None = None
    hash: Literal["sha256", "blake3"] = "sha256"
    endpoint_url: str | None = None  # Vault address or AWS endpoint; default: VAULT_ADDR / AWS_ENDPOINT_URL
    region: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    # globs relative to the project folder naming the files of the release; empty: the model files
    # train recorded (`details.model_files`). Every file matched is signed; a glob matching nothing is refused.
    paths: list[str] = Field(default_factory=list)


class StoreConfig(Section):
    url: str = "file://.mlsecops/store"  # this default means <workspace>/store
    force: bool = False
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)  # default: load.connections


class NotifyConfig(Section):
    """Notification sinks (see notify/settings.py); credentials stay secret references until notify runs."""

    sinks: list[AnySinkSettings] = Field(default_factory=list)
    reports_url: str = ""  # where the reports are browsable; default: the Jenkins build's archived artifacts

    @model_validator(mode="before")
    @classmethod
    def _interpolate(cls, data: Any) -> Any:
        return interpolate_plain_values(data)


class Config(Section):
    project: ProjectConfig = Field(default_factory=ProjectConfig)
    load: LoadConfig = Field(default_factory=LoadConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    policy: str | None = None  # a policy YAML file; none: the default policy shipped in the package
    train: TrainConfig = Field(default_factory=TrainConfig)
    evaluate: EvaluateConfig = Field(default_factory=EvaluateConfig)
    modeltest: ModelTestConfig = Field(default_factory=ModelTestConfig)
    sign: SignConfig = Field(default_factory=SignConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    # the Jenkins library's layer of this file (image, agents, credentials ids): the worker does not read it
    jenkins: dict[str, Any] = Field(default_factory=dict)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)  # the relay of `mlsecops webhook serve`
    # where the file was read from: relative paths in the config are relative to this folder
    base_dir: Path = Field(default=Path("."), exclude=True)
    secret_paths: list[str] = Field(default_factory=list, exclude=True)  # the keys whose secrets were resolved
    # the keys whose secret references this command does not use: still their literal `${secret:...}` text
    deferred_secret_paths: list[str] = Field(default_factory=list, exclude=True)
    config_file: str = Field(default=DEFAULT_CONFIG, exclude=True)  # its name in base_dir, for reports

    def resolve_path(self, value: str | Path) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


_REFERENCE = re.compile(r"\$\{([^}]+)\}")

# The parts of the config (dotted prefixes) each command reads, directly or through what it calls:
# only their secret references are resolved, because Jenkins binds a credential only around the
# stages that use it (README, "Credentials it expects"). Every other reference stays its literal
# `${secret:...}` text. A command missing here (run, config validate/show, anything new) resolves
# everything: a forgotten entry costs a credential too many, never a credential unresolved.
# The table is the stage manifest's (resources/stages.yaml, shared with the Jenkins library, which
# binds each stage's credentials from the same entries).
SECRET_SCOPES: dict[str, tuple[str, ...]] = manifest().secret_scopes()


@dataclass
class _Resolution:
    """Which secret references a parse resolves, and where it found them."""

    scope: tuple[str, ...] | None  # dotted prefixes; None: all
    resolved: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)

    def covers(self, where: str) -> bool:
        if self.scope is None:
            return True
        return any(where == prefix or where.startswith((f"{prefix}.", f"{prefix}[")) for prefix in self.scope)


# NotifyConfig interpolates from inside validation, where no argument reaches it: the parse in
# progress is found here. Outside a parse (a section validated alone) every reference resolves.
_resolution: ContextVar[_Resolution | None] = ContextVar("mlsecops_secret_resolution", default=None)


@contextmanager
def _resolving(resolution: _Resolution) -> Iterator[_Resolution]:
    token = _resolution.set(resolution)
    try:
        yield resolution
    finally:
        _resolution.reset(token)


def _secret(expression: str, where: str, secret_paths: list[str]) -> str:
    resolution = _resolution.get()
    if resolution is not None and not resolution.covers(where):
        resolution.deferred.append(where)
        return f"${{{expression}}}"
    from .keys import resolve_secret  # the secret providers; Vault and AWS load lazily

    try:
        value = resolve_secret(expression[len("secret:") :])
    except MlsecopsError as exc:  # the provider knows the reference, not which key holds it
        raise type(exc)(f"{where}: {exc}") from None
    secret_paths.append(where)
    if resolution is not None:  # also the notify section's, whose walk keeps no list
        resolution.resolved.append(where)
    return value


def _interpolate(value: str, where: str, secret_paths: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("secret:"):
            return _secret(expression, where, secret_paths)
        name, _, default = expression.partition(":-")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"{where}: bad reference ${{{expression}}}")
        if name in os.environ:
            return os.environ[name]
        if ":-" in expression:
            return default
        raise UsageError(f"{where}: environment variable {name} is not set")

    if "${secret:" in _REFERENCE.sub("", value):  # e.g. "${secret:env://X" missing its "}"
        raise UsageError(f"{where}: unterminated secret reference (no closing '}}')")
    return _REFERENCE.sub(replace, value)


def _walk(node: Any, where: str, secret_paths: list[str]) -> Any:
    if where == "notify":  # resolved by NotifyConfig itself: its credentials exist only around the notify stage
        return node
    if isinstance(node, dict):
        return {key: _walk(value, f"{where}.{key}" if where else str(key), secret_paths) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, f"{where}[{index}]", secret_paths) for index, item in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        return _interpolate(node, where, secret_paths)
    return node


def _format_validation_error(source: str, error: ValidationError) -> str:
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        text = f"{source}: unknown key '{where}'"
    else:
        text = f"{source}: {where}: {first['msg']}"
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return text


def _validate(data: dict[str, Any], source: str, resolution: _Resolution) -> Config:
    with _resolving(resolution):
        try:
            return Config.model_validate(_walk(data, "", []))
        except ValidationError as exc:
            raise UsageError(_format_validation_error(source, exc)) from None
        except MlsecopsError as exc:  # an unset variable or a secret that cannot be read: name the file too
            raise type(exc)(f"{source}: {exc}") from None


def parse_config(
    data: Any,
    source: str = DEFAULT_CONFIG,
    base_dir: Path | None = None,
    secrets: tuple[str, ...] | None = None,
) -> Config:
    """Validate the config; resolve the secret references under the `secrets` prefixes (None: all).

    The structure is checked before any secret is read, so a misspelt key is reported as such,
    not as the secret behind it that cannot be read. A secret reference must therefore sit in a
    text field: unresolved, it is validated as its literal text.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: the top level must be a mapping of sections")
    if base_dir is not None:  # its `${secret:file://...}` may read there (keys/file.py)
        from .keys.file import allow_config_folder

        allow_config_folder(base_dir)
    structure = _Resolution(scope=())
    config = _validate(data, source, structure)
    resolution = _Resolution(scope=secrets)
    if structure.deferred and (secrets is None or any(resolution.covers(where) for where in structure.deferred)):
        config = _validate(data, source, resolution)
    else:
        resolution.deferred = structure.deferred
    config.base_dir = base_dir or Path(".")
    config.secret_paths = resolution.resolved
    config.deferred_secret_paths = resolution.deferred
    return config


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, refusing a key given twice in one mapping: YAML keeps the last one silently, so a
    second `sign:` section would quietly replace the first (keys brought in by `<<:` may be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, every failure one UsageError naming `source` and, when known, the line.

    Nesting depth and alias expansion are bounded before anything is built (yaml_safe.py)."""
    from .yaml_safe import check_yaml_bounds

    try:
        check_yaml_bounds(text, source)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UsageError(f"{source}{place}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's constructors: a date such as 2026-02-30
        raise UsageError(f"{source}{_failing_scalar_line(text)}: invalid value ({exc})") from None


def _failing_scalar_line(text: str) -> str:
    """`:LINE` of the first scalar PyYAML cannot construct: its constructors raise without a position."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ""
    constructor = yaml.SafeLoader("")
    pending = [root] if root is not None else []
    seen: set[int] = set()  # an alias may make the tree a cycle
    while pending:
        node = pending.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError):
                return f":{node.start_mark.line + 1}"
        elif isinstance(node, yaml.SequenceNode):
            pending[:0] = node.value
        elif isinstance(node, yaml.MappingNode):
            pending[:0] = [part for pair in node.value for part in pair]
    return ""


def load_config(path: str | Path, secrets: tuple[str, ...] | None = None) -> Config:
    """Read and validate the file; resolve the secret references under the `secrets` prefixes (None: all)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config ({exc.__class__.__name__})") from None
    config = parse_config(parse_yaml(text, str(path)), str(path), path.parent, secrets)
    config.config_file = path.name
    return config


def check_references(config: Config) -> None:
    """What later stages would reject and needs nothing run to know: scanner and metric names, the policy.

    For `config validate`; each stage still checks its own part when it runs.
    """
    from .ml.metrics import METRIC_NAMES
    from .policy import load_policy
    from .scanners import SCANNERS

    source = str(config.base_dir / config.config_file)
    known = ", ".join(SCANNERS)
    for index, name in enumerate(config.scan.scanners):
        if name not in SCANNERS:
            raise UsageError(f"{source}: scan.scanners[{index}]: unknown scanner '{name}' (known: {known})")
    for name in config.scan.options:
        if name not in SCANNERS:
            raise UsageError(f"{source}: scan.options.{name}: unknown scanner (known: {known})")
    if not config.evaluate.thresholds:
        raise UsageError(f"{source}: evaluate.thresholds is empty: set at least one metric threshold")
    for name in config.evaluate.thresholds:
        if name not in METRIC_NAMES:
            raise UsageError(
                f"{source}: evaluate.thresholds.{name}: unknown metric (known: {', '.join(METRIC_NAMES)})"
            )
    load_policy(config.resolve_path(config.policy) if config.policy else None)


_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE)


def _looks_like_secret_key(key: str) -> bool:
    # `github_secret_env`, `api_key_env`: the NAME of a variable that holds a secret, shown as is
    return bool(_SECRET_KEY.search(key)) and not key.lower().endswith("_env")


def masked_dump(config: Config) -> dict[str, Any]:
    """The effective config for `config show`: every resolved secret masked wherever it appears.

    A key that received a secret is masked whole (the secret may be part of a URL), a credential
    key holding a literal is masked by its name, and any other text is scrubbed of every
    resolved secret value, e.g. one that reached a non-credential key through `${ENV}`.
    """
    from .redact import redact, scrub

    data = config.model_dump(mode="json")
    secret_paths = set(config.secret_paths)

    def mask(node: Any, where: str, key: str = "") -> Any:
        if isinstance(node, dict):
            return {name: mask(value, f"{where}.{name}" if where else str(name), str(name))
                    for name, value in node.items()}
        if isinstance(node, list):
            return [mask(item, f"{where}[{index}]", key) for index, item in enumerate(node)]
        if isinstance(node, str) and node and (where in secret_paths or _looks_like_secret_key(key)):
            return redact(node)
        if isinstance(node, str):
            return scrub(node)
        return node

    return mask(data, "")
