"""The `webhook:` section of mlsecops.yaml: which events start which Jenkins job, and the relay's limits.

Secrets never live in the file: it names the environment variables that hold them.
Kept free of heavy imports: the config schema loads this module (config.PLUGIN_SECTIONS) for every command.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The names of the Jenkins job parameters the relay fills; the pipeline declares them.
PARAMETER_NAMES: dict[str, str] = {
    "commit": "MLSECOPS_COMMIT",
    "branch": "MLSECOPS_BRANCH",
    "target_branch": "MLSECOPS_TARGET_BRANCH",
    "mr_id": "MLSECOPS_MR_ID",
    "event": "MLSECOPS_EVENT",
    "repository": "MLSECOPS_REPOSITORY",
    "tag": "MLSECOPS_TAG",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class EventFilter(_Strict):
    """Which deliveries start a build; everything else is acknowledged (202) and ignored."""

    # normalized actions: opened, reopened, updated (new commits), merged, closed, edited
    merge_request: list[str] = Field(default_factory=lambda: ["opened", "reopened", "updated", "merged"])
    # branch names or fnmatch patterns; an empty list ignores pushes
    push_branches: list[str] = Field(default_factory=lambda: ["main", "master"])
    # tag names or fnmatch patterns; an empty list ignores tags
    tags: list[str] = Field(default_factory=lambda: ["v*"])


class WebhookConfig(_Strict):
    bind: str = "127.0.0.1"
    port: int = Field(default=8088, ge=0, le=65535)
    job: str | None = None  # the Jenkins job (folder/job) to start
    events: EventFilter = Field(default_factory=EventFilter)
    github_secret_env: str = "GITHUB_WEBHOOK_SECRET"  # noqa: S105 - names of env vars, not secrets
    gitlab_token_env: str = "GITLAB_WEBHOOK_TOKEN"  # noqa: S105
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    read_timeout: float = Field(default=10.0, gt=0)  # a client that stalls mid-body is dropped
    max_concurrent_deliveries: int = Field(default=32, ge=1)  # more at once get 503 and Retry-After
    # open connections one client address (IPv6: its /64) may hold: slow senders cannot starve the relay
    max_connections_per_client: int = Field(default=8, ge=1)
    jenkins_retries: int = Field(default=3, ge=0, le=10)
    jenkins_backoff: float = Field(default=0.5, ge=0)  # seconds, doubled per retry
    jenkins_timeout: float = Field(default=10.0, gt=0)
    remembered_deliveries: int = Field(default=10_000, ge=1)  # replay protection, bounded memory
