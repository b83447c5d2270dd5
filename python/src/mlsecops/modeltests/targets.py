"""The application under test: the demo support bot, a REST endpoint, or an OpenAI-compatible API.

Every target answers `ask(prompt)` with bounded retries and a timeout; one that does not
answer, answers garbage or times out raises EnvironmentFailure naming it (exit 3), never
hangs. `garak_target()` says how garak's own generator reaches the same application.
Keys come from the environment variable the config names; they are never written anywhere.
"""

from __future__ import annotations

import json
import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlsecops.errors import EnvironmentFailure, MlsecopsError, UsageError
from mlsecops.modeltests.settings import TargetSettings
from mlsecops.redact import register_secret, scrub, scrub_url


@dataclass
class GarakTarget:
    """garak's --target_type/--target_name plus generator options and the environment they need."""

    target_type: str
    target_name: str
    generator_options: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


class Target(ABC):
    name: str
    generative = False

    def possible_outputs(self) -> dict[str, str]:
        """For a target with a closed set of answers, all of them (key -> text); {} when open-ended."""
        return {}

    @abstractmethod
    def _answer(self, prompt: str) -> str:
        """One attempt; raise on any failure."""

    @abstractmethod
    def garak_target(self) -> GarakTarget: ...

    def __init__(self, retries: int = 2, timeout: float = 10.0) -> None:
        self.retries = retries
        self.timeout = timeout

    def ask(self, prompt: str) -> str:
        last = ""
        for attempt in range(self.retries + 1):
            try:
                answer = self._answer(prompt)
            except MlsecopsError:
                raise  # a usage or environment error of ours, not a failed attempt
            except Exception as exc:  # noqa: BLE001 - any failure of the target counts as an attempt
                last = f"{exc.__class__.__name__}: {scrub(str(exc))[:160]}"
            else:
                if isinstance(answer, str):
                    return answer
                last = f"answer is {type(answer).__name__}, not text"
            if attempt < self.retries:
                time.sleep(min(0.2 * 2**attempt, 2.0))
        raise EnvironmentFailure(f"target {self.name} did not answer after {self.retries + 1} attempt(s): {last}")


class DemoBotTarget(Target):
    """The trained model served as the demo's support bot: text -> intent -> response template."""

    generative = False

    def __init__(self, model_dir: Path, responses: dict[str, str], retries: int = 0) -> None:
        super().__init__(retries=retries)
        self.model_dir = model_dir
        self.responses = responses
        self.name = f"demo support bot ({model_dir})"
        self._bot: Any = None

    def _answer(self, prompt: str) -> str:
        if self._bot is None:
            from mlsecops.demo.bot import SupportBot

            self._bot = SupportBot(self.model_dir, self.responses)
        return self._bot.answer(prompt)

    def possible_outputs(self) -> dict[str, str]:
        """Everything this bot can ever say: it answers only with its templates."""
        return dict(self.responses)

    def garak_target(self) -> GarakTarget:
        return GarakTarget(
            "function",
            "mlsecops.demo.bot#garak_reply",
            env={"MLSECOPS_DEMO_BOT_MODEL_DIR": str(self.model_dir.resolve()),
                 "MLSECOPS_DEMO_BOT_RESPONSES": json.dumps(self.responses)},
        )


def _api_key(settings: TargetSettings) -> str:
    if not settings.api_key_env:
        return ""
    value = os.environ.get(settings.api_key_env, "")
    if not value:
        raise UsageError(f"modeltest.target.api_key_env: environment variable {settings.api_key_env} is not set")
    register_secret(value)
    return value


def _field(data: Any, path: str) -> Any:
    """A value from a JSON answer: "field", "a.b.0.c" or "$.a.b"."""
    for part in [p for p in path.removeprefix("$").split(".") if p]:
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise ValueError(f"answer has no field {path!r}")
    return data


class RestTarget(Target):
    """Any HTTP endpoint: the prompt goes into `request_template` at "$INPUT"."""

    def __init__(self, settings: TargetSettings) -> None:
        super().__init__(settings.retries, settings.timeout_seconds)
        if not settings.url:
            raise UsageError("modeltest.target.url: a rest target needs a url")
        self.settings = settings
        self.name = scrub_url(settings.url)
        self.key = _api_key(settings)

    def _headers(self) -> dict[str, str]:
        return {k: v.replace("$KEY", self.key) for k, v in self.settings.headers.items()}

    def _body(self, prompt: str) -> Any:
        template = self.settings.request_template
        if isinstance(template, str):
            return template.replace("$INPUT", prompt)
        return json.loads(json.dumps(template).replace("$INPUT", json.dumps(prompt)[1:-1]))

    def _answer(self, prompt: str) -> str:
        import requests

        body = self._body(prompt)
        response = requests.request(
            self.settings.method.upper(), self.settings.url, headers=self._headers(), timeout=self.timeout,
            **({"data": body} if isinstance(body, str) else {"json": body}),
        )
        response.raise_for_status()
        if not self.settings.response_field:
            return response.text
        value = _field(response.json(), self.settings.response_field)
        if not isinstance(value, str):
            raise ValueError(f"field {self.settings.response_field!r} is not text")
        return value

    def garak_target(self) -> GarakTarget:
        settings = self.settings
        options: dict[str, Any] = {
            "uri": settings.url,
            "method": settings.method,
            "headers": dict(settings.headers),
            "request_timeout": int(settings.timeout_seconds),
            "response_json": bool(settings.response_field),
        }
        if settings.response_field:
            options["response_json_field"] = settings.response_field
        if isinstance(settings.request_template, str):
            options["req_template"] = settings.request_template
        else:
            options["req_template_json_object"] = settings.request_template
        env = {}
        if self.key:
            options["key_env_var"] = "REST_API_KEY"
            env["REST_API_KEY"] = self.key  # garak substitutes $KEY itself: the key never enters its config file
        return GarakTarget("rest", "mlsecops-target", {"rest": {"RestGenerator": options}}, env)


class OpenAITarget(Target):
    """An OpenAI-compatible chat completions endpoint."""

    generative = True

    def __init__(self, settings: TargetSettings) -> None:
        super().__init__(settings.retries, settings.timeout_seconds)
        if not settings.url or not settings.model:
            raise UsageError("modeltest.target: an openai target needs url (the base URL, …/v1) and model")
        self.settings = settings
        self.name = f"{scrub_url(settings.url)} ({settings.model})"
        self.key = _api_key(settings)

    def _answer(self, prompt: str) -> str:
        import requests

        response = requests.post(
            self.settings.url.rstrip("/") + "/chat/completions",
            headers={"Authorization": f"Bearer {self.key}"} if self.key else {},
            json={"model": self.settings.model, "messages": [{"role": "user", "content": prompt}]},
            timeout=self.timeout,
        )
        response.raise_for_status()
        content = _field(response.json(), "choices.0.message.content")
        if not isinstance(content, str):
            raise ValueError("answer has no message content")
        return content

    def garak_target(self) -> GarakTarget:
        options = {"uri": self.settings.url.rstrip("/"), "model": self.settings.model,
                   "suppressed_params": ["n", "stop"], "max_tokens": 256}
        env = {"OPENAICOMPATIBLE_API_KEY": self.key or "unused"}
        generators = {"openai": {"OpenAICompatible": options}}
        return GarakTarget("openai.OpenAICompatible", self.settings.model, generators, env)


def make_target(settings: TargetSettings, model_dir: Path, responses: dict[str, str]) -> Target | None:
    if settings.type == "none":
        return None
    if settings.type == "demo":
        return DemoBotTarget(model_dir, responses)
    if settings.type == "rest":
        return RestTarget(settings)
    return OpenAITarget(settings)


def probe_target(target: Target) -> None:
    """One harmless question before any test: a dead target is exit 3 now, not 500 timeouts later."""
    answer = target.ask("Hello, can you help me with my order?")
    if not answer.strip():
        raise EnvironmentFailure(f"target {target.name} answered with empty text")
    if len(answer) > 1_000_000:
        raise EnvironmentFailure(f"target {target.name} answered with {len(answer)} characters: not a chat answer")
