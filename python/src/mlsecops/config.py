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
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, ValidationError, create_model
from pydantic_core import core_schema

from .errors import MlsecopsError, UsageError
from .registry import load_plugin
from .stage_manifest import manifest

DEFAULT_CONFIG = "mlsecops.yaml"
DEFAULT_STORE_URL = "file://.mlsecops/store"  # store.url's default, which means <workspace>/store


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


_REFERENCE = re.compile(r"\$\{([^}]+)\}")
_ONE_SECRET_REFERENCE = re.compile(r"\$\{secret:[a-z][a-z0-9+.-]*://[^}]+\}")


class SecretRef:
    """A `${secret:...}` reference in the config, resolved when read: `reveal()` returns the value.

    Its str, repr and format show the reference text (which names where the secret lives, never
    the secret), so a log line or a dump never holds the value. A reference outside the running
    command's secret scopes (SECRET_SCOPES) refuses to be revealed: a stage that reads one more
    section than the stage manifest says fails with a clear line instead of sending the reference
    text as a credential. As a field type it accepts only a reference, never a literal value.
    """

    __slots__ = ("text", "where", "in_scope", "_value")

    def __init__(self, text: str, where: str = "", in_scope: bool = True) -> None:
        self.text = text  # `${secret:...}`, possibly within other text (`https://u:${secret:env://P}@host`)
        self.where = where  # the dotted key, for messages
        self.in_scope = in_scope
        self._value: str | None = None

    def reveal(self) -> str:
        """The value, resolved (and registered for scrubbing) on the first call."""
        if not self.in_scope:
            raise RuntimeError(
                f"{self.where or 'a secret reference'}: its secret reference was not resolved for this command "
                "(the stage manifest's `secrets` of the command miss the section)"
            )
        if self._value is None:
            self._value = _expand(self.text, self.where, secrets=True, resolved=[])
        return self._value

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __repr__(self) -> str:
        return f"SecretRef({self.text!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._from_field, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def _from_field(cls, value: Any) -> SecretRef:
        if isinstance(value, SecretRef):
            return value
        if isinstance(value, str) and _ONE_SECRET_REFERENCE.fullmatch(value.strip()):
            return cls(value.strip())
        raise ValueError("a credential must be a secret reference such as ${secret:env://NAME}, not a literal value")


class ProjectConfig(Section):
    name: str = "project"
    version: str = "0.0.0"
    description: str = ""


class SourceConfig(Section):
    name: str
    url: str
    kind: Literal["dataset", "model", "notebook", "requirements", "code", "other"] = "other"
    extract: bool = False  # unpack an archive (safely) after it has been verified


class ConnectionConfig(Section):
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


class RedactConfig(Section):
    # stage 4b (`redact-dataset`, Jenkins: between the security gate and train): train reads a copy of
    # train.dataset with every PII entity replaced, as `mlsecops redact` writes it
    enabled: bool = False
    methods: dict[str, str] = Field(default_factory=dict)  # entity type -> token | mask | hash
    default_method: Literal["token", "mask", "hash"] = "token"  # for the types without a method
    entities: list[str] = Field(default_factory=list)  # the entity types replaced; [] = all
    phone_region: str = "US"  # region of national phone numbers
    salt: str = ""  # of `hash` (a ${secret:...} reference); "" = $MLSECOPS_PII_SALT, else random per run


class EvaluateConfig(Section):
    # the model gate's metric bounds when set here (in place of the default policy's): classification:
    # the lowest accepted value per metric (log_loss: the highest)
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"accuracy": 0.85, "f1_macro": 0.85, "roc_auc": 0.9}
    )
    # regression: the lowest accepted r2, the highest accepted mae / rmse
    regression_thresholds: dict[str, float] = Field(default_factory=lambda: {"r2": 0.5})
    # read as the policy's gates.model.regression_tolerance, with a warning: the policy is where it belongs
    regression_tolerance: float = Field(default=0.02, ge=0)
    # a release folder, its manifest.json or findings.json, or an evaluate/result.json (path or file://
    # URL, relative to this file);
    # unset: the last release of this project in the configured store, when there is one
    baseline: str | None = None
    baseline_from_store: bool = True  # without a baseline: compare with the last release in the store


class SignConfig(Section):
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
    url: str = DEFAULT_STORE_URL  # this default means <workspace>/store
    force: bool = False
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)  # default: load.connections
    # Jenkins: where stage folders above jenkins.stashMaxMb travel between agents ("" = url);
    # a shared store (s3://, nexus://, an NFS file:// path), not the workspace's default
    handoff_url: str = ""


# The sections that plug-ins declare, in their folders: name -> "module:Class" (registry.py). The
# schema takes each in the place its placeholder holds in ConfigBase (the order of the reference docs).
PLUGIN_SECTIONS: dict[str, str] = {
    "modeltest": "mlsecops.llm.settings:ModelTestSettings",
    "notify": "mlsecops.notify.settings:NotifyConfig",
    "webhook": "mlsecops.jenkins.settings:WebhookConfig",
}


class ConfigBase(Section):
    """The whole file; the plug-in sections' placeholders are replaced by their models in `Config`."""

    project: ProjectConfig = Field(default_factory=ProjectConfig)
    load: LoadConfig = Field(default_factory=LoadConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    policy: str | None = None  # a policy YAML file; none: the default policy shipped in the package
    train: TrainConfig = Field(default_factory=TrainConfig)
    redact: RedactConfig = Field(default_factory=RedactConfig)
    evaluate: EvaluateConfig = Field(default_factory=EvaluateConfig)
    modeltest: Section = Field(default_factory=Section)
    sign: SignConfig = Field(default_factory=SignConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    notify: Section = Field(default_factory=Section)
    # the Jenkins library's layer of this file (image, agents, credentials ids): the worker does not read it
    jenkins: dict[str, Any] = Field(default_factory=dict)
    webhook: Section = Field(default_factory=Section)  # the relay of `mlsecops webhook serve`
    # where the file was read from: relative paths in the config are relative to this folder
    base_dir: Path = Field(default=Path("."), exclude=True)
    secret_paths: list[str] = Field(default_factory=list, exclude=True)  # the keys whose secrets were resolved
    # the keys whose secret references this command does not use: SecretRefs that refuse to be revealed
    deferred_secret_paths: list[str] = Field(default_factory=list, exclude=True)
    config_file: str = Field(default=DEFAULT_CONFIG, exclude=True)  # its name in base_dir, for reports

    def resolve_path(self, value: str | Path) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


@cache
def config_model() -> type[ConfigBase]:
    """The schema of the whole file: ConfigBase with the plug-ins' sections in their places."""
    sections = {name: load_plugin(PLUGIN_SECTIONS, name, "config section") for name in PLUGIN_SECTIONS}
    fields: dict[str, Any] = {name: (model, Field(default_factory=model)) for name, model in sections.items()}
    return create_model("Config", __base__=ConfigBase, __module__=__name__, **fields)


if TYPE_CHECKING:
    Config = ConfigBase
else:

    def __getattr__(name: str) -> Any:  # `from mlsecops.config import Config` builds the schema on first use
        if name == "Config":
            return config_model()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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


def _resolve_secret(expression: str, where: str) -> str:
    from .keys import resolve_secret  # the secret providers; Vault and AWS load lazily

    try:
        return resolve_secret(expression[len("secret:") :])
    except MlsecopsError as exc:  # the provider knows the reference, not which key holds it
        raise type(exc)(f"{where}: {exc}") from None


def _expand(value: str, where: str, secrets: bool, resolved: list[str]) -> str:
    """`${ENV}` references replaced; `${secret:...}` ones resolved when `secrets`, else kept as they are.

    One pass over the text as written, so text that a variable or secret brings in is never read as a reference.
    """

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("secret:"):
            if not secrets:
                return match.group(0)
            resolved.append(where)
            return _resolve_secret(expression, where)
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


def _has_secret(value: str) -> bool:
    return any(match.group(1).startswith("secret:") for match in _REFERENCE.finditer(value))


def _walk(node: Any, where: str, text: Callable[[str, str], Any]) -> Any:
    """The raw config with `text(value, key)` applied to every string holding a `${...}` reference."""
    if isinstance(node, dict):
        return {key: _walk(value, f"{where}.{key}" if where else str(key), text) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, f"{where}[{index}]", text) for index, item in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        return text(node, where)
    return node


def _values(node: Any, where: str = "") -> Iterator[tuple[str, Any, Any, Any]]:
    """Every value of a validated config as (key, container, its name or index there, value)."""
    if isinstance(node, BaseModel):
        items: Iterator[tuple[Any, Any]] = ((name, getattr(node, name)) for name in type(node).model_fields)
    elif isinstance(node, dict):
        items = iter(list(node.items()))
    elif isinstance(node, list):
        items = iter(list(enumerate(node)))
    else:
        return
    for key, value in items:
        path = f"{where}[{key}]" if isinstance(node, list) else (f"{where}.{key}" if where else str(key))
        yield path, node, key, value
        yield from _values(value, path)


def _replace(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, BaseModel):
        object.__setattr__(container, key, value)  # as validated, only its type changes: no second validation
    else:
        container[key] = value


# pydantic's wording of a type error names our classes ("instance of ProjectConfig"): say what a
# YAML author writes instead
_PLAIN_PROBLEMS = {
    "missing": "required",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
}


def describe_problem(problem: Any) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in plain words, without class names."""
    plain = _PLAIN_PROBLEMS.get(problem["type"])
    if plain:
        return plain
    message = str(problem["msg"]).removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    return message


def _format_validation_error(source: str, error: ValidationError) -> str:
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        text = f"{source}: unknown key '{where}'"
    else:
        text = f"{source}: {where}: {describe_problem(first)}"
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return text


def _validate(data: dict[str, Any], source: str, text: Callable[[str, str], Any]) -> Config:
    try:
        return config_model().model_validate(_walk(data, "", text))
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
    text field: unresolved, it is validated as its literal text. A field typed SecretRef (a
    notification credential) keeps its reference, resolved when read; any other reference the
    command does not use becomes a SecretRef that refuses to be revealed.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: the top level must be a mapping of sections")
    if base_dir is not None:  # its `${secret:file://...}` may read there (keys/file.py)
        from .keys.file import allow_config_folder

        allow_config_folder(base_dir)
    written: dict[str, str] = {}  # key -> its text as written, for each text holding a secret reference

    def environment_only(value: str, where: str) -> str:
        if _has_secret(value):
            written[where] = value
        return _expand(value, where, secrets=False, resolved=[])

    config = _validate(data, source, environment_only)
    resolution = _Resolution(scope=secrets)
    typed = {where for where, _, _, value in _values(config) if isinstance(value, SecretRef)}
    wanted = {where for where in written if where not in typed and resolution.covers(where)}
    if wanted:

        def in_scope(value: str, where: str) -> str:
            return _expand(value, where, secrets=where in wanted, resolved=resolution.resolved)

        config = _validate(data, source, in_scope)
    for where, container, key, value in list(_values(config)):
        if isinstance(value, SecretRef):
            value.where, value.in_scope = where, resolution.covers(where)
        elif where in written and where not in wanted:
            resolution.deferred.append(where)
            _replace(container, key, SecretRef(written[where], where, in_scope=False))
    _check_release_name(config, source)
    config.base_dir = base_dir or Path(".")
    config.secret_paths = resolution.resolved
    config.deferred_secret_paths = resolution.deferred
    return config


def _check_release_name(config: Config, source: str) -> None:
    """project.name/project.version is the release's place in the store: refused here, before any
    stage runs, rather than by the store after a full training run (the rules of stores.check_key)."""
    project = config.project
    for key, value in (("project.name", project.name), ("project.version", project.version)):
        text = value.replace("\\", "/")
        parts = (text.rstrip("/") if key == "project.version" else text).split("/")  # the store's key: name/version
        if not value.strip() or "\x00" in value or any(part in ("", ".", "..") for part in parts):
            raise UsageError(f"{source}: {key}: '{value}' cannot name a release in the store "
                             "(empty, absolute or with '.'/'..' parts)")


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


_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE)


def _looks_like_secret_key(key: str) -> bool:
    # `github_secret_env`, `api_key_env`: the NAME of a variable that holds a secret, shown as is
    return bool(_SECRET_KEY.search(key)) and not key.lower().endswith("_env")


def _reference_text(value: Any) -> str:
    """How a dump shows a SecretRef left in a text field (a reference this command does not use)."""
    if isinstance(value, SecretRef):
        return str(value)
    raise TypeError(f"cannot show a {type(value).__name__} in the config")


def masked_dump(config: Config) -> dict[str, Any]:
    """The effective config for `config show`: every resolved secret masked wherever it appears.

    A key that received a secret is masked whole (the secret may be part of a URL), a credential
    key holding a literal is masked by its name, and any other text is scrubbed of every
    resolved secret value, e.g. one that reached a non-credential key through `${ENV}`.
    """
    from .redact import redact, scrub

    data = config.model_dump(mode="json", fallback=_reference_text, warnings=False)
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
