"""Webhook deliveries as GitHub and GitLab send them: headers and raw JSON bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

HEAD_SHA = "9f1c2e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4"
MERGE_SHA = "1111111111111111111111111111111111111111"


def github_pull_request(action: str = "opened", merged: bool = False, number: int = 42) -> dict[str, Any]:
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "merged": merged,
            "merge_commit_sha": MERGE_SHA,
            "head": {"ref": "feature/tokenizer", "sha": HEAD_SHA},
            "base": {"ref": "main", "sha": "0" * 39 + "1"},
        },
        "repository": {"full_name": "ml/sentiment"},
    }


def github_push(ref: str = "refs/heads/main", after: str = HEAD_SHA, deleted: bool = False) -> dict[str, Any]:
    return {"ref": ref, "after": after, "deleted": deleted, "repository": {"full_name": "ml/sentiment"}}


def gitlab_merge_request(action: str = "open", oldrev: str | None = None, iid: int = 7) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "iid": iid,
        "action": action,
        "source_branch": "feature/tokenizer",
        "target_branch": "main",
        "last_commit": {"id": HEAD_SHA},
        "merge_commit_sha": MERGE_SHA if action == "merge" else None,
    }
    if oldrev:
        attributes["oldrev"] = oldrev
    return {"object_kind": "merge_request", "object_attributes": attributes,
            "project": {"path_with_namespace": "ml/sentiment"}}


def gitlab_push(ref: str = "refs/heads/main", after: str = HEAD_SHA) -> dict[str, Any]:
    return {"object_kind": "push", "ref": ref, "after": after, "checkout_sha": after,
            "project": {"path_with_namespace": "ml/sentiment"}}


def github_delivery(event: str, payload: dict[str, Any], secret: str | None,
                    delivery_id: str | None = None) -> tuple[dict[str, str], bytes]:
    return github_raw_delivery(event, json.dumps(payload).encode(), secret, delivery_id)


def github_raw_delivery(event: str, body: bytes, secret: str | None, delivery_id: str | None = None,
                        content_type: str = "application/json") -> tuple[dict[str, str], bytes]:
    """Any body, signed as GitHub signs it: HMAC-SHA256 of the raw bytes with the hook's secret."""
    headers = {"Content-Type": content_type, "X-GitHub-Event": event,
               "X-GitHub-Delivery": delivery_id or str(uuid.uuid4())}
    if secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return headers, body


def gitlab_delivery(event: str, payload: dict[str, Any], token: str | None,
                    delivery_id: str | None = None) -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Gitlab-Event": event,
               "X-Gitlab-Event-UUID": delivery_id or str(uuid.uuid4())}
    if token is not None:
        headers["X-Gitlab-Token"] = token
    return headers, body
