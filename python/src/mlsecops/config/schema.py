"""The sections of `mlsecops.yaml`: one per stage, plug-ins add theirs (PLUGIN_SECTIONS)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, ValidationInfo, create_model, field_validator

from mlsecops.config.base import DEFAULT_CONFIG, DEFAULT_STORE_URL, Section
from mlsecops.registry import load_plugin


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
    """What every store backend's connection settings share; each backend adds its own keys (its file in stores/).

    Credentials belong in `${secret:...}` references (resolved only for the commands that use the
    store) or `${ENV}`; a literal value is masked in every output like a resolved secret.
    """

    username: str | None = None  # default: the URL's userinfo, else anonymous (s3: the AWS credential chain)
    password: str | None = None  # a ${secret:...} reference
    verify_tls: bool = True  # false: any server certificate is accepted (a test server only)
    timeout: float = 30.0  # seconds per connect and per read
    retries: int = Field(default=4, ge=0, le=20)  # extra attempts after a transient failure
    backoff_seconds: float = Field(default=0.5, ge=0)  # base of the exponential backoff (full jitter)
    ca_bundle: str | None = None  # PEM of a private CA (TLS to the store)


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
    # the scanners `scan` runs, in this order: names of the scanner registry (`mlsecops scan --help` lists them)
    scanners: list[str] = Field(default_factory=lambda: ["secrets", "dataset", "models"])
    paths: list[str] = Field(default_factory=lambda: ["."])
    exclude: list[str] = Field(default_factory=lambda: [".git", ".mlsecops", ".venv", "node_modules"])
    # per scanner, by its registry name: its options, as its `scan.options.<name>` section below declares them
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("scanners")
    @classmethod
    def _registered(cls, names: list[str]) -> list[str]:
        from pydantic import ValidationError
        from pydantic_core import InitErrorDetails, PydanticCustomError

        scanners = registry("scanner")  # names only: no adapter is imported
        known = ", ".join(sorted(scanners))
        problems = [InitErrorDetails(type=PydanticCustomError("unknown_scanner", "unknown scanner '{name}' (known: "
                                                              "{known})", {"name": name, "known": known}),
                                     loc=(index,), input=name)
                    for index, name in enumerate(names) if name not in scanners]
        if problems:
            raise ValidationError.from_exception_data("ScanScanners", problems)
        return names

    @field_validator("options")
    @classmethod
    def _typed(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Each scanner's options validated by its own model: the adapters named are imported (they are
        light: their tools load when they scan)."""
        from pydantic import ValidationError
        from pydantic_core import InitErrorDetails, PydanticCustomError

        scanners = registry("scanner")
        typed: dict[str, Any] = {}
        problems: list[InitErrorDetails] = []
        for name, given in options.items():
            if name not in scanners:
                problem = PydanticCustomError("unknown_scanner", "unknown scanner (known: {known})",
                                              {"known": ", ".join(sorted(scanners))})
                problems.append(InitErrorDetails(type=problem, loc=(name,), input=given))
                continue
            try:
                typed[name] = plugin("scanner", name).options_model.model_validate(given)
            except ValidationError as exc:  # named under the scanner: scan.options.<name>.<key>
                problems += [InitErrorDetails(type=e["type"], loc=(name, *e["loc"]), input=e["input"],
                                              **({"ctx": e["ctx"]} if "ctx" in e else {})) for e in exc.errors()]
        if problems:
            raise ValidationError.from_exception_data("ScanOptions", problems)
        return typed

    @classmethod
    def reference_sections(cls) -> list[tuple[str, type[BaseModel]]]:
        """The sections documented below this one (docs/CONFIG.md): each registered scanner's options."""
        return [(f"options.{name}", plugin("scanner", name).options_model) for name in registry("scanner")]


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
    allowed_estimators: list[str] = Field(default_factory=lambda: list(DEFAULT_ESTIMATORS))  # import paths it may build
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
    # LLM application tested through its endpoint only (the names of the trainer registry, ml/trainers/__init__.py)
    kind: str = "keras-text"
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
    method: str = "key"  # the names of the signer registry (signing/__init__.py)
    # key: a PEM EC private key file (key; none: a local key is generated once), a reference
    # (vault-kv: mount/path#field, awssm: name#field), a transit key ([mount/]name) or a KMS key id/alias
    key: str | None = None
    key_password: str | None = None
    public_key: str | None = None
    hash: Literal["sha256", "blake3"] = "sha256"
    endpoint_url: str | None = None  # Vault address or AWS endpoint; default: VAULT_ADDR / AWS_ENDPOINT_URL
    region: str | None = None
    # the method's own options (its signer's `options_model`): unknown keys are refused
    options: Section = Field(default_factory=Section)
    # globs relative to the project folder naming the files of the release; empty: the model files
    # train recorded (`details.model_files`). Every file matched is signed; a glob matching nothing is refused.
    paths: list[str] = Field(default_factory=list)

    @field_validator("options", mode="before")
    @classmethod
    def _method_options(cls, value: Any, info: ValidationInfo) -> Any:
        """`options` validated by the model of the signer `method` names (its location kept in errors)."""
        method = info.data.get("method")
        if method not in registry("signer"):
            return {}  # `method` itself is reported: its options cannot be judged
        model = plugin("signer", method).options_model
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        return model.model_validate(value)


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
    "modeltest": "mlsecops.modeltests.settings:ModelTestSettings",
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


# The registries of plug-in names, by "module:attribute", imported when first needed (so this module
# imports none of them). The names a config accepts are theirs: `sign.method`, `train.kind`, the
# keys of `connections` and each backend's settings all come from these (`config_model()`).
PLUGIN_REGISTRIES: dict[str, str] = {
    "store": "mlsecops.stores:STORES",
    "signer": "mlsecops.signing:SIGNERS",
    "trainer": "mlsecops.ml.trainers:TRAINERS",
    "scanner": "mlsecops.scanners:SCANNERS",
}


def registry(kind: str) -> dict[str, str]:
    """One plug-in registry (name -> "module:Class") of PLUGIN_REGISTRIES."""
    return load_plugin(PLUGIN_REGISTRIES, kind, "plug-in registry")


def plugin(kind: str, name: str) -> Any:
    """The class (or function) registered as `name` in the `kind` registry, imported now."""
    return load_plugin(registry(kind), name, kind)


def _names(kind: str) -> Any:
    return Literal[tuple(registry(kind))]  # type: ignore[valid-type]


def _present(connections: BaseModel) -> dict[str, Any]:
    """The given backends' settings by scheme: what the stores look up (`connections.get(scheme)`)."""
    return {scheme: value for scheme in type(connections).model_fields
            if (value := getattr(connections, scheme)) is not None}


def _connections_type() -> Any:
    """`connections`: one optional entry per store scheme, validated by that backend's settings model."""
    fields: dict[str, Any] = {}
    for scheme in registry("store"):
        model = plugin("store", scheme).settings_model
        summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        fields[scheme] = (model | None, Field(default=None, description=f"{scheme}:// URLs. {summary}".strip()))
    model = create_model("Connections", __base__=Section, __module__=__name__,
                         __doc__="Connection settings by store scheme (the store registry, stores/__init__.py).",
                         **fields)
    return Annotated[model, AfterValidator(_present), PlainSerializer(lambda value: value, return_type=dict[str, Any])]


def _narrowed(section: type[Section], **types: Any) -> type[Section]:
    """`section` with the types of some fields derived from the registries (defaults and comments kept)."""
    fields: dict[str, Any] = {}
    for name, annotation in types.items():
        field = section.model_fields[name]
        factory = field.default_factory
        fields[name] = (annotation, Field(default_factory=factory) if factory else Field(default=field.default))
    return create_model(section.__name__, __base__=section, __module__=__name__, __doc__=section.__doc__, **fields)


def _registered_sections() -> dict[str, Any]:
    connections = _connections_type()
    options = tuple(dict.fromkeys(plugin("signer", name).options_model for name in registry("signer")))
    return {
        "load": _narrowed(LoadConfig, connections=connections),
        "store": _narrowed(StoreConfig, connections=connections),
        "train": _narrowed(TrainConfig, kind=_names("trainer")),
        "sign": _narrowed(SignConfig, method=_names("signer"), options=_union(options)),
    }


def _union(models: tuple[type[BaseModel], ...]) -> Any:
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return union


_building: list[bool] = []  # non-empty while config_model() runs


@cache
def config_model() -> type[ConfigBase]:
    """The schema of the whole file: ConfigBase with the plug-ins' sections in their places and the
    plug-in names (store schemes, signing methods, trainer kinds) taken from their registries.

    Building it imports the plug-in modules that hold settings models: such a module may not need
    the built schema (`from mlsecops.config import Config`) when it is imported, only in a function.
    """
    if _building:
        raise RuntimeError("a plug-in module imported while the config schema is built needs the schema: "
                           "import `Config` (or what imports it) inside the function that uses it")
    _building.append(True)
    try:
        sections = {name: load_plugin(PLUGIN_SECTIONS, name, "config section") for name in PLUGIN_SECTIONS}
        sections.update(_registered_sections())
    finally:
        _building.clear()
    fields: dict[str, Any] = {name: (model, Field(default_factory=model)) for name, model in sections.items()}
    return create_model("Config", __base__=ConfigBase, __module__=__name__, **fields)
