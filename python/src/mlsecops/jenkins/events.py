"""GitHub and GitLab webhook payloads turned into one event shape, and the filter over it.

Only the fields the pipeline needs are read: commit, branch, merge request id, event kind.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from mlsecops.jenkins.settings import PARAMETER_NAMES, EventFilter

_ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class SourceEvent:
    provider: str  # github | gitlab
    kind: str  # merge_request | push | tag
    action: str  # normalized: opened, reopened, updated, merged, closed, edited, pushed
    commit: str
    branch: str = ""
    target_branch: str = ""
    mr_id: str = ""
    tag: str = ""
    repository: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.action}" if self.kind == "merge_request" else self.kind

    def job_parameters(self) -> dict[str, str]:
        values = {
            "commit": self.commit,
            "branch": self.branch,
            "target_branch": self.target_branch,
            "mr_id": self.mr_id,
            "event": f"{self.provider}:{self.name}",
            "repository": self.repository,
            "tag": self.tag,
        }
        return {PARAMETER_NAMES[key]: value for key, value in values.items() if value}


class IgnoredEvent(Exception):
    """A delivery that is valid but not one the relay acts on; the text says why."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _ref_parts(ref: str) -> tuple[str, str]:
    if ref.startswith("refs/heads/"):
        return "branch", ref[len("refs/heads/") :]
    if ref.startswith("refs/tags/"):
        return "tag", ref[len("refs/tags/") :]
    return "other", ref


def _push_event(provider: str, payload: dict[str, Any], repository: str) -> SourceEvent:
    ref_kind, name = _ref_parts(_text(payload.get("ref")))
    commit = _text(payload.get("after") or payload.get("checkout_sha"))
    if payload.get("deleted") or not commit or commit == _ZERO_SHA:
        raise IgnoredEvent(f"{ref_kind} '{name}' was deleted")
    if ref_kind == "branch":
        return SourceEvent(provider, "push", "pushed", commit, branch=name, repository=repository)
    if ref_kind == "tag":
        return SourceEvent(provider, "tag", "pushed", commit, tag=name, repository=repository)
    raise IgnoredEvent(f"push to '{name}' is neither a branch nor a tag")


_GITHUB_PR_ACTIONS = {"opened": "opened", "reopened": "reopened", "synchronize": "updated", "edited": "edited"}


def parse_github(event_header: str, payload: dict[str, Any]) -> SourceEvent:
    repository = _text((payload.get("repository") or {}).get("full_name"))
    if event_header == "push":
        return _push_event("github", payload, repository)
    if event_header == "pull_request":
        pull = payload.get("pull_request") or {}
        raw_action = _text(payload.get("action"))
        if raw_action == "closed":
            action = "merged" if pull.get("merged") else "closed"
        else:
            action = _GITHUB_PR_ACTIONS.get(raw_action, raw_action)
        head = pull.get("head") or {}
        commit = _text(pull.get("merge_commit_sha") if action == "merged" else head.get("sha"))
        return SourceEvent(
            "github", "merge_request", action, commit,
            branch=_text(head.get("ref")), target_branch=_text((pull.get("base") or {}).get("ref")),
            mr_id=_text(pull.get("number") or payload.get("number")), repository=repository,
        )
    raise IgnoredEvent(f"GitHub event '{event_header}' is not handled")


_GITLAB_MR_ACTIONS = {"open": "opened", "reopen": "reopened", "merge": "merged", "close": "closed"}


def parse_gitlab(event_header: str, payload: dict[str, Any]) -> SourceEvent:
    repository = _text((payload.get("project") or {}).get("path_with_namespace"))
    if event_header in ("Push Hook", "Tag Push Hook"):
        return _push_event("gitlab", payload, repository)
    if event_header == "Merge Request Hook":
        attributes = payload.get("object_attributes") or {}
        raw_action = _text(attributes.get("action"))
        if raw_action == "update":
            # GitLab sends `update` for title edits too; `oldrev` is there only when commits were pushed
            action = "updated" if attributes.get("oldrev") else "edited"
        else:
            action = _GITLAB_MR_ACTIONS.get(raw_action, raw_action)
        last_commit = attributes.get("last_commit") or {}
        commit = _text(attributes.get("merge_commit_sha") if action == "merged" else None) or _text(
            last_commit.get("id")
        )
        return SourceEvent(
            "gitlab", "merge_request", action, commit,
            branch=_text(attributes.get("source_branch")), target_branch=_text(attributes.get("target_branch")),
            mr_id=_text(attributes.get("iid")), repository=repository,
        )
    raise IgnoredEvent(f"GitLab event '{event_header}' is not handled")


def _matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def check_wanted(event: SourceEvent, rules: EventFilter) -> None:
    """Raise IgnoredEvent unless the configured filter asks for a build of this event."""
    if event.kind == "merge_request":
        if event.action not in rules.merge_request:
            raise IgnoredEvent(f"merge request action '{event.action}' is not in webhook.events.merge_request")
    elif event.kind == "push":
        if not _matches(event.branch, rules.push_branches):
            raise IgnoredEvent(f"push to branch '{event.branch}' is not in webhook.events.push_branches")
    elif event.kind == "tag" and not _matches(event.tag, rules.tags):
        raise IgnoredEvent(f"tag '{event.tag}' is not in webhook.events.tags")
    if not event.commit:
        raise IgnoredEvent(f"{event.name} carries no commit id")
