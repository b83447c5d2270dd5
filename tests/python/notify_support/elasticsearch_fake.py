"""Stands in for Elasticsearch: only POST /_bulk, with its NDJSON rules and realistic per-item answers.

Rejects what Elasticsearch rejects (wrong Content-Type: 406; a body not ending in a newline,
an action line that is not an action, a source that is not JSON: 400), stores accepted
documents by index and _id, and can be told to reject chosen documents with a mapping
error or to answer 429 for them once.
"""

from __future__ import annotations

import json

from .receiver import FakeService, Recorded, Reply

ACTIONS = {"index", "create", "update", "delete"}


class ElasticsearchFake(FakeService):
    def __init__(self, api_key: str | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.stored: dict[tuple[str, str], dict] = {}
        self.reject_ids: set[str] = set()  # answered 400 mapper_parsing_exception
        self.throttle_once: set[str] = set()  # answered 429 the first time
        self.receiver.route("POST", "/_bulk", self.bulk)

    def bulk(self, recorded: Recorded) -> Reply:
        if self.api_key and recorded.headers.get("authorization") != f"ApiKey {self.api_key}":
            return Reply(401, {"error": {"type": "security_exception", "reason": "missing authentication"},
                               "status": 401})
        if recorded.headers.get("content-type", "").split(";")[0] != "application/x-ndjson":
            return Reply(406, {"error": "Content-Type header is not supported", "status": 406})
        text = recorded.text()
        if not text.endswith("\n"):
            return _bad("The bulk request must be terminated by a newline [\\n]")
        lines = text[:-1].split("\n")
        if len(lines) % 2:
            return _bad("Validation Failed: 1: no requests added or a source line is missing;")
        items = []
        for action_line, source_line in zip(lines[::2], lines[1::2], strict=True):
            try:
                action = json.loads(action_line)
                source = json.loads(source_line)
            except ValueError:
                return _bad("Malformed action/metadata line or source: not JSON")
            if len(action) != 1 or next(iter(action)) not in ACTIONS or not isinstance(source, dict):
                return _bad(f"Malformed action/metadata line, expected one of {sorted(ACTIONS)}")
            op, meta = next(iter(action.items()))
            index, doc_id = meta["_index"], meta["_id"]
            if doc_id in self.throttle_once:
                self.throttle_once.discard(doc_id)
                items.append({op: {"_index": index, "_id": doc_id, "status": 429, "error": {
                    "type": "es_rejected_execution_exception", "reason": "rejected execution of bulk"}}})
                continue
            if doc_id in self.reject_ids:
                items.append({op: {"_index": index, "_id": doc_id, "status": 400, "error": {
                    "type": "mapper_parsing_exception", "reason": "failed to parse field [event.duration]"}}})
                continue
            existed = (index, doc_id) in self.stored
            self.stored[(index, doc_id)] = source
            items.append({op: {"_index": index, "_id": doc_id, "_version": 2 if existed else 1,
                               "result": "updated" if existed else "created", "status": 200 if existed else 201,
                               "_shards": {"total": 2, "successful": 1, "failed": 0}}})
        errors = any(item[next(iter(item))]["status"] >= 300 for item in items)
        return Reply(200, {"took": 3, "errors": errors, "items": items})


def _bad(reason: str) -> Reply:
    return Reply(400, {"error": {"type": "illegal_argument_exception", "reason": reason}, "status": 400})
