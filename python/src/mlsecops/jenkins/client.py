"""Starting Jenkins jobs and waiting for their builds, through python-jenkins.

The credentials come from the environment only (JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN);
python-jenkins fetches the CSRF crumb before the first POST. Errors become one line with the
exit code the CLI contract asks for: unreachable -> 3, unknown job or bad input -> 2.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mlsecops.errors import EnvironmentFailure, GateFailed, UsageError
from mlsecops.redact import register_secret, scrub, scrub_url

URL_ENV = "JENKINS_URL"
USER_ENV = "JENKINS_USER"
TOKEN_ENV = "JENKINS_API_TOKEN"  # noqa: S105 - the name of the variable, not a secret

# The one build result that passes; every other (FAILURE, UNSTABLE, ABORTED, NOT_BUILT) stops the caller.
PASSING_RESULTS = frozenset({"SUCCESS"})


@dataclass(frozen=True)
class JenkinsEndpoint:
    url: str
    user: str | None
    token: str | None
    timeout: float = 10.0

    @classmethod
    def from_env(cls, timeout: float = 10.0) -> JenkinsEndpoint:
        url = os.environ.get(URL_ENV, "").strip()
        if not url:
            raise UsageError(f"{URL_ENV} is not set: export the Jenkins base URL (and {USER_ENV}, {TOKEN_ENV})")
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{URL_ENV}: '{scrub_url(url)}' is not an http(s) URL")
        user = os.environ.get(USER_ENV) or None
        token = os.environ.get(TOKEN_ENV) or None
        if bool(user) != bool(token):
            raise UsageError(f"set both {USER_ENV} and {TOKEN_ENV}, or neither (anonymous)")
        register_secret(token)
        return cls(url=url, user=user, token=token, timeout=timeout)

    @property
    def display(self) -> str:
        return scrub_url(self.url)


@dataclass(frozen=True)
class BuildOutcome:
    job: str
    queue_item: int
    number: int | None = None
    result: str | None = None
    url: str | None = None


class JenkinsClient:
    """The few python-jenkins calls the trigger and the webhook relay need, with errors mapped."""

    def __init__(self, endpoint: JenkinsEndpoint, connect_retries: int = 2) -> None:
        import jenkins  # python-jenkins pulls in requests; loaded only when a command talks to Jenkins

        self.endpoint = endpoint
        self._jenkins_module = jenkins
        # connect_retries: urllib3 retries of refused connections (nothing was sent, so a POST is safe)
        self._server = jenkins.Jenkins(
            endpoint.url, username=endpoint.user, password=endpoint.token, timeout=endpoint.timeout,
            retries=connect_retries,
        )

    def start(self, job: str, parameters: Mapping[str, str]) -> int:
        """Queue one build of `job`; returns the queue item number."""
        return self._call(f"start job '{job}'", lambda: self._server.build_job(job, dict(parameters) or None))

    def queue_item(self, number: int) -> dict[str, Any]:
        return self._call(f"read queue item {number}", lambda: self._server.get_queue_item(number))

    def build_info(self, job: str, number: int) -> dict[str, Any]:
        return self._call(f"read build {job} #{number}", lambda: self._server.get_build_info(job, number))

    def _call(self, what: str, action: Callable[[], Any]) -> Any:
        import requests

        errors = self._jenkins_module
        try:
            return action()
        except errors.NotFoundException:
            raise UsageError(f"Jenkins at {self.endpoint.display}: cannot {what}: not found") from None
        except errors.TimeoutException:
            raise EnvironmentFailure(f"Jenkins at {self.endpoint.display}: cannot {what}: timed out") from None
        except errors.JenkinsException as exc:
            # python-jenkins puts the server's reply into the message; keep its first line only
            first_line = scrub(str(exc)).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
            raise EnvironmentFailure(f"Jenkins at {self.endpoint.display}: cannot {what}: {first_line}") from None
        except requests.RequestException as exc:
            raise EnvironmentFailure(
                f"Jenkins at {self.endpoint.display} is unreachable: cannot {what} ({exc.__class__.__name__})"
            ) from None


def wait_for_build(
    client: JenkinsClient,
    job: str,
    queue_item: int,
    timeout: float,
    poll_interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> BuildOutcome:
    """Follow a queue item to its build and the build to its result, within `timeout` seconds."""
    deadline = clock() + timeout
    number: int | None = None
    while True:
        if number is None:
            item = client.queue_item(queue_item)
            if item.get("cancelled"):
                return BuildOutcome(job, queue_item, result="CANCELLED")
            executable = item.get("executable") or {}
            if "number" in executable:
                number = int(executable["number"])
        if number is not None:
            info = client.build_info(job, number)
            if not info.get("building") and info.get("result"):
                return BuildOutcome(job, queue_item, number, str(info["result"]), info.get("url"))
        if clock() >= deadline:
            where = f"build #{number}" if number is not None else f"queue item {queue_item}"
            raise EnvironmentFailure(f"Jenkins job '{job}': {where} did not finish within {timeout:g}s")
        sleep(min(poll_interval, max(0.0, deadline - clock())))


def raise_for_result(outcome: BuildOutcome) -> None:
    """SUCCESS passes; every other result stops the caller with exit code 1 and one line."""
    if outcome.result in PASSING_RESULTS:
        return
    build = f"#{outcome.number}" if outcome.number is not None else f"(queue item {outcome.queue_item})"
    if outcome.result in {"ABORTED", "NOT_BUILT", "CANCELLED"}:
        raise GateFailed(f"Jenkins job '{outcome.job}' {build} did not run to the end: {outcome.result}")
    raise GateFailed(f"Jenkins job '{outcome.job}' {build} finished {outcome.result}")
