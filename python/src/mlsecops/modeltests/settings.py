"""The `modeltest:` section of mlsecops.yaml: which tests stage 7 runs and against what target.

Only pydantic here: the config schema loads this module (config.PLUGIN_SECTIONS) on every command.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class TargetSettings(_Section):
    """The LLM application under test.

    demo: the trained model served as the demo support bot (tokenizer + model -> intent -> template);
    rest: any HTTP endpoint (garak's `rest` generator); openai: an OpenAI-compatible chat endpoint;
    none: no application (model-file and data tests only).
    """

    type: Literal["demo", "rest", "openai", "none"] = "demo"
    url: str = ""  # rest: the endpoint; openai: the base URL (…/v1)
    model: str = ""  # openai: the model name
    api_key_env: str = ""  # name of the environment variable holding the key (never the key itself)
    method: Literal["get", "post", "put"] = "post"
    headers: dict[str, str] = Field(default_factory=dict)  # "$KEY" is replaced by the key, inside garak
    request_template: dict[str, Any] | str = Field(default_factory=lambda: {"prompt": "$INPUT"})
    response_field: str = ""  # JSON field (or JSONPath starting with $) holding the answer; "" = raw text
    responses_file: str = "app/responses.json"  # demo: intent -> response template
    timeout_seconds: float = Field(default=10.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    generative: bool = False  # a generator of free text (memorization test applies)


class GarakSettings(_Section):
    enabled: bool = True
    profile: Literal["offline", "standard", "full", "quick"] = "quick"
    probes: list[str] = Field(default_factory=list)  # explicit probes; win over the profile
    spec: str = ""  # a garak selection spec ("probes.dan,tag:owasp:llm01"); wins over probes and profile
    prompts_per_probe: int = Field(default=3, ge=1)  # garak's soft_probe_prompt_cap
    generations: int = Field(default=1, ge=1)
    timeout_seconds: float = Field(default=900.0, gt=0)
    parallel_attempts: int = Field(default=0, ge=0)  # 0: sequential
    # detectors known to misfire on on-topic refusals (MitigationBypass, ...) count alone only when named here
    trusted_detectors: list[str] = Field(default_factory=list)


class InjectionSettings(_Section):
    enabled: bool = True
    scan_paths: list[str] = Field(default_factory=list)  # prompt templates, RAG documents (globs)
    max_payloads: int = Field(default=20, ge=1)  # canary-guarded attacks sent to the target


class PoisoningSettings(_Section):
    enabled: bool = True
    min_token_count: int = Field(default=5, ge=2)  # a trigger must appear at least this often
    max_token_fraction: float = Field(default=0.05, gt=0, le=1)  # ...and in at most this share of rows
    min_purity: float = Field(default=0.95, gt=0.5, le=1)  # share of its rows carrying one label
    min_lift: float = Field(default=3.0, ge=1)  # purity over that label's base rate
    near_duplicate_threshold: float = Field(default=0.9, gt=0, le=1)
    max_conflict_fraction: float = Field(default=0.02, ge=0, le=1)  # conflicting duplicates above this share
    label_shift_threshold: float = Field(default=0.1, gt=0, le=1)  # total variation vs the previous version
    previous_dataset: str = ""  # the previous version of the training set (path); "" = look in the store


class DisclosureSettings(_Section):
    enabled: bool = True
    memorization: bool = True  # generative targets: prompt with prefixes of sensitive training records
    memorization_prefix_fraction: float = Field(default=0.5, gt=0, lt=1)
    max_records: int = Field(default=20, ge=1)


class RegressionSettings(_Section):
    enabled: bool = True
    baseline: str = ""  # a release folder, its findings.json or a modeltest/result.json; "" = the store's last
    # read as the policy's gates.model.regression_tolerance, with a warning: the policy is where it belongs
    metric_tolerance: float = Field(default=0.02, ge=0)


class ModelTestSettings(_Section):
    """Stage 7: target, garak, injection, poisoning, disclosure, regression (see modeltests/settings.py)."""

    model_scanners: list[str] = Field(default_factory=lambda: ["models"])
    target: TargetSettings = Field(default_factory=TargetSettings)
    garak: GarakSettings = Field(default_factory=GarakSettings)
    injection: InjectionSettings = Field(default_factory=InjectionSettings)
    poisoning: PoisoningSettings = Field(default_factory=PoisoningSettings)
    disclosure: DisclosureSettings = Field(default_factory=DisclosureSettings)
    regression: RegressionSettings = Field(default_factory=RegressionSettings)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)  # per model scanner
