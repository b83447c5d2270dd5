"""Elasticsearch (ELK): the `_bulk` API, one document per stage result and per finding, ECS-style.

Documents carry `@timestamp`, `event.*` (kind, category, type, outcome, dataset, duration),
`labels.*` (project, version, branch, run, stage) and our own fields under `mlsecops.*`;
the index template shipped in resources/org/mlsecops/elasticsearch/ maps every one of them.
Ids are derived from the run and the stage or finding, so a retried or repeated notification
overwrites instead of duplicating. Items Elasticsearch rejects with 429 are retried; other
per-item errors are reported.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.config import SecretRef
from mlsecops.findings import Finding
from mlsecops.notify.errors import SinkError
from mlsecops.notify.event import gate_states, headline, severity_counts
from mlsecops.notify.http import MAX_BACKOFF_SECONDS
from mlsecops.notify.interface import RunEvent, Sink
from mlsecops.notify.sanitize import clean, clean_tree
from mlsecops.notify.settings import EVENTS, EventName, SinkSettings
from mlsecops.workspace import StageResult

ECS_VERSION = "8.11.0"
BATCH_DOCUMENTS = 500
_OUTCOME = {"passed": "success", "failed": "failure", "error": "failure"}  # stage status or run verdict -> ECS
Document = tuple[str, dict[str, Any]]  # (_id, source)


class ElasticsearchSettings(SinkSettings):
    """`type: elasticsearch` in `notify.sinks`."""

    credentials: ClassVar[tuple[str, ...]] = ("api_key", "password")
    events: list[EventName] = Field(default_factory=lambda: list(EVENTS))
    url: str = Field(min_length=1)
    index: str = Field(default="mlsecops-events", pattern=r"^[a-z0-9][a-z0-9._-]*$")
    api_key: SecretRef | None = None  # the encoded API key: `Authorization: ApiKey <value>`
    username: str | None = None
    password: SecretRef | None = None
    verify_tls: bool = True
    max_findings: int = Field(default=5000, ge=0, le=100000)


class ElasticsearchSink(Sink):
    name = "elasticsearch"
    settings_model = ElasticsearchSettings
    settings: ElasticsearchSettings

    def send(self, event: RunEvent) -> dict[str, Any]:
        documents = build_documents(event, self.settings.max_findings)
        headers = {"Content-Type": "application/x-ndjson", "Accept": "application/json"}
        auth = None
        if self.settings.api_key:
            headers["Authorization"] = f"ApiKey {self.credential('api_key')}"
        elif self.settings.username and self.settings.password:
            auth = (self.settings.username, self.credential("password"))
        indexed = 0
        rejected: list[str] = []
        for start in range(0, len(documents), BATCH_DOCUMENTS):
            batch = documents[start:start + BATCH_DOCUMENTS]
            ok, errors = self._bulk(batch, headers, auth)
            indexed += ok
            rejected.extend(errors)
        if rejected:
            raise SinkError(
                f"{self.settings.label}: {len(rejected)} of {len(documents)} documents rejected "
                f"(first: {rejected[0]})"
            )
        return {"index": self.settings.index, "documents": indexed}

    def _bulk(self, batch: list[Document], headers: dict[str, str], auth: Any) -> tuple[int, list[str]]:
        """Send a batch; resend only the items rejected with 429 (bounded); return (indexed, error texts)."""
        pending = batch
        indexed = 0
        for attempt in range(self.settings.retries + 1):
            response = self.http(
                "POST", f"{self.settings.url.rstrip('/')}/_bulk", data=ndjson(self.settings.index, pending),
                headers=headers, auth=auth, verify=self.settings.verify_tls,
            )
            try:
                answer = response.json()
                items = answer["items"]
            except (ValueError, KeyError, TypeError):
                raise SinkError(f"{self.settings.label}: _bulk answered without items") from None
            if len(items) != len(pending):
                raise SinkError(f"{self.settings.label}: _bulk answered {len(items)} items for {len(pending)} sent")
            retry: list[Document] = []
            errors: list[str] = []
            for document, item in zip(pending, items, strict=True):
                outcome = next(iter(item.values()))
                status = int(outcome.get("status", 500))
                if status < 300:
                    indexed += 1
                elif status == 429:
                    retry.append(document)
                else:
                    error = outcome.get("error") or {}
                    errors.append(clean(f"{status} {error.get('type', 'error')}: {error.get('reason', '')}")[:300])
            if not retry or attempt == self.settings.retries:
                return indexed, errors + [f"429 still rejected after {attempt + 1} attempts"] * len(retry)
            pending = retry
            time.sleep(min(0.5 * 2 ** attempt, MAX_BACKOFF_SECONDS))
        return indexed, []


def ndjson(index: str, documents: list[Document]) -> bytes:
    lines = []
    for doc_id, document in documents:
        lines.append(json.dumps({"index": {"_index": index, "_id": doc_id}}, separators=(",", ":")))
        lines.append(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_documents(event: RunEvent, max_findings: int) -> list[Document]:
    """(id, document) pairs, cleaned of secrets: one for the event itself, then (unless the run is only
    starting, when the workspace holds a previous run's results) one per stage result and per finding."""
    labels = {"project": event.project, "version": event.version, "branch": event.branch,
              "run_id": event.run_id, "notify_event": event.event}
    labels = {key: value for key, value in labels.items() if value}
    documents = [(_doc_id(event.run_id, "run", event.event), _run_document(event, labels))]
    if event.event == "started":
        return [(doc_id, clean_tree(doc)) for doc_id, doc in documents]
    documents += [(_doc_id(event.run_id, "stage", r.stage), _stage_document(event, r, labels)) for r in event.results]
    stage_of = {f.id: r.stage for r in event.results for f in r.findings}
    for finding in event.findings[:max_findings]:
        doc = _finding_document(event, finding, {**labels, "stage": stage_of.get(finding.id, "")})
        documents.append((_doc_id(event.run_id, "finding", finding.id), doc))
    return [(doc_id, clean_tree(doc)) for doc_id, doc in documents]


def _doc_id(run_id: str, kind: str, key: str) -> str:
    text = f"{run_id}:{kind}:{key}"
    return text if len(text) <= 200 else hashlib.sha256(text.encode()).hexdigest()


def _common(event: RunEvent, timestamp: str, labels: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@timestamp": timestamp or event.timestamp,
        "ecs": {"version": ECS_VERSION},
        "service": {"name": "mlsecops", "version": event.version},
        "labels": {key: value for key, value in labels.items() if value},
    }
    if event.build_url:
        document["url"] = {"full": event.build_url}
    return document


def _run_document(event: RunEvent, labels: dict[str, str]) -> dict[str, Any]:
    document = _common(event, event.timestamp, labels)
    document["event"] = {
        "kind": "event",
        "category": ["process"],
        "type": ["start"] if event.event == "started" else ["end"],
        "action": f"run-{event.event}",
        "outcome": _OUTCOME.get(event.verdict, "unknown"),
        "dataset": "mlsecops.run",
        "module": "mlsecops",
    }
    document["message"] = headline(event)
    document["mlsecops"] = {"run": {
        "verdict": event.verdict,
        "gates": [f"{name} {status or 'not run'}" for name, status in gate_states(event)],
        "findings": severity_counts(event.findings) if event.event != "started" else {},
    }}
    return document


def _stage_document(event: RunEvent, result: StageResult, labels: dict[str, str]) -> dict[str, Any]:
    document = _common(event, result.finished or result.started, {**labels, "stage": result.stage})
    document["event"] = {
        "kind": "event",
        "category": ["process"],
        "type": ["end"] if result.finished else ["start"],
        "action": f"stage-{result.stage}",
        "outcome": _OUTCOME.get(result.status, "unknown"),
        "dataset": "mlsecops.stage",
        "module": "mlsecops",
        "duration": int(result.duration_seconds * 1e9),  # ECS: nanoseconds
    }
    if result.started:
        document["event"]["start"] = result.started
    if result.finished:
        document["event"]["end"] = result.finished
    if result.reason:
        document["event"]["reason"] = result.reason[:1000]
    reason = f": {result.reason[:500]}" if result.reason else ""
    document["message"] = f"stage {result.stage} {result.status}{reason}"
    prefix = f"{result.stage}."
    document["mlsecops"] = {
        "stage": {
            "name": result.stage,
            "status": result.status,
            "findings": len(result.findings),
            "warnings": [w[:500] for w in result.warnings[:20]],
            "tools": [f"{name} {version}" for name, version in sorted(result.tools.items())],
        },
        "metrics": {name[len(prefix):].replace(".", "_"): value for name, value in event.metrics.items()
                    if name.startswith(prefix)},
    }
    return document


def _finding_document(event: RunEvent, finding: Finding, labels: dict[str, str]) -> dict[str, Any]:
    document = _common(event, event.timestamp, labels)
    document["event"] = {
        "kind": "state",
        "category": ["vulnerability"],
        "type": ["info"],
        "action": "finding",
        "dataset": "mlsecops.finding",
        "module": "mlsecops",
        "severity": finding.severity.rank,
    }
    document["message"] = finding.title if not finding.message else f"{finding.title}: {finding.message[:1000]}"
    document["vulnerability"] = {
        "id": finding.id,
        "severity": finding.severity.value.capitalize(),
        "category": [finding.category],
        "description": finding.title,
        "scanner": {"vendor": finding.tool},
    }
    if finding.cwe:
        document["vulnerability"].update(classification="CWE", enumeration=",".join(finding.cwe))
    if finding.references:
        document["vulnerability"]["reference"] = finding.references[0]
    document["rule"] = {"id": finding.rule, "name": finding.title, "ruleset": finding.tool}
    if finding.location.path:
        document["file"] = {"path": finding.location.path}
    document["mlsecops"] = {
        "finding": {
            "id": finding.id,
            "category": finding.category,
            "severity": finding.severity.value,
            "location": finding.location.display(),
            "cwe": finding.cwe,
            "owasp_llm": finding.owasp_llm,
            "tool": finding.tool,
        }
    }
    return document
