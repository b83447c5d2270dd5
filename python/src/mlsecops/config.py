"""The schema of `mlsecops.yaml`: one section per stage, `${ENV}` interpolation, one clear error per bad field.

Values may reference the environment (`${NAME}`, `${NAME:-default}`) or a secret store
(`${secret:env://NAME}`, `${secret:file://path}`, `${secret:vault://mount/path#key}`,
`${secret:awssm://name#key}`). Resolved secrets are registered for scrubbing so they never
appear in full in any output.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import UsageError
from .jenkins.settings import WebhookConfig
from .llm.settings import ModelTestSettings
from .notify.settings import AnySinkSettings, interpolate_plain_values

DEFAULT_CONFIG = "mlsecops.yaml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


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


class TrainConfig(Section):
    dataset: str = "dataset"  # name of a load source of kind dataset
    dataset_file: str | None = None  # the file inside it when load extracted the source (an archive)
    text_column: str = "text"
    label_column: str = "label"
    folds: int = Field(default=3, ge=2, le=20)
    epochs: int = Field(default=8, ge=1)
    batch_size: int = Field(default=64, ge=1)
    patience: int = Field(default=2, ge=0)
    seed: int = 42
    max_tokens: int = Field(default=5000, ge=10)
    min_frequency: int = Field(default=2, ge=1)  # rarer words are OOV: one-off values (ids, PII) are not memorised
    sequence_length: int = Field(default=32, ge=4)
    embedding_dim: int = Field(default=32, ge=2)
    hidden_units: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.2, ge=0, lt=1)
    learning_rate: float = Field(default=0.005, gt=0)
    test_size: float = Field(default=0.2, gt=0, lt=1)
    threads: int = Field(default=1, ge=1)  # torch CPU threads: small models train fastest (and reproducibly) on one


class EvaluateConfig(Section):
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"accuracy": 0.85, "f1_macro": 0.85, "roc_auc": 0.9}
    )
    regression_tolerance: float = Field(default=0.02, ge=0)
    # a previous evaluate/result.json or release manifest (path or file:// URL, relative to this file);
    # unset: the last release of this project in the configured store, when there is one
    baseline: str | None = None
    baseline_from_store: bool = True


class ModelTestConfig(ModelTestSettings):
    """Stage 7: target, garak, injection, poisoning, disclosure, regression (see llm/settings.py)."""


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
    secret_paths: list[str] = Field(default_factory=list, exclude=True)
    config_file: str = Field(default=DEFAULT_CONFIG, exclude=True)  # its name in base_dir, for reports

    def resolve_path(self, value: str | Path) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


_REFERENCE = re.compile(r"\$\{([^}]+)\}")


def _interpolate(value: str, where: str, secret_paths: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("secret:"):
            from .keys import resolve_secret  # the secret providers; Vault and AWS load lazily

            secret_paths.append(where)
            return resolve_secret(expression[len("secret:") :], where=where)
        name, _, default = expression.partition(":-")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"{where}: bad reference ${{{expression}}}")
        if name in os.environ:
            return os.environ[name]
        if ":-" in expression:
            return default
        raise UsageError(f"{where}: environment variable {name} is not set")

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


def parse_config(data: Any, source: str = DEFAULT_CONFIG, base_dir: Path | None = None) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: the top level must be a mapping of sections")
    secret_paths: list[str] = []
    data = _walk(data, "", secret_paths)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise UsageError(_format_validation_error(source, exc)) from None
    config.base_dir = base_dir or Path(".")
    config.secret_paths = secret_paths
    return config


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UsageError(f"{path}{place}: {problem}") from None
    config = parse_config(data, str(path), path.parent)
    config.config_file = path.name
    return config


_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE)


def masked_dump(config: Config) -> dict[str, Any]:
    """The effective config with every secret value masked: for `config show` and reports."""
    from .redact import redact

    data = config.model_dump(mode="json")
    secret_paths = set(config.secret_paths)

    def mask(node: Any, where: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                path = f"{where}.{key}" if where else str(key)
                if isinstance(value, str) and value and (path in secret_paths or _SECRET_KEY.search(str(key))):
                    out[key] = redact(value, keep=0)
                else:
                    out[key] = mask(value, path)
            return out
        if isinstance(node, list):
            return [mask(item, f"{where}[{index}]") for index, item in enumerate(node)]
        if isinstance(node, str) and where in secret_paths:
            return redact(node, keep=0)
        return node

    return mask(data, "")
