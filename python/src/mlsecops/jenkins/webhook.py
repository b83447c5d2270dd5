"""The webhook relay: authenticate a GitHub/GitLab delivery, filter it, start the Jenkins job once.

Replies: 201 build queued · 202 valid but ignored (unknown event, filtered out, replayed
delivery) · 200 GitHub ping · 400 malformed · 401 bad or missing signature (nothing started) ·
408 request not received within `read_timeout` · 411 no Content-Length · 413 body over the
limit (refused before reading) · 502 Jenkins could not queue the build after bounded retries
with backoff · 503 too many deliveries in progress, or too many connections from one client.

Slow senders: `read_timeout` bounds the whole request (request line, headers and body), not
each socket read, so a sender dripping a byte at a time is cut off at the deadline. A delivery
slot is taken only once the body has arrived, so senders that never finish cannot crowd out a
valid delivery; the connections one client address holds open are limited instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import ipaddress
import json
import os
import socket
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from mlsecops.errors import EnvironmentFailure, MlsecopsError, UsageError
from mlsecops.jenkins.events import IgnoredEvent, SourceEvent, check_wanted, parse_github, parse_gitlab
from mlsecops.jenkins.settings import WebhookConfig
from mlsecops.jenkins.signatures import github_signature_valid, gitlab_token_valid
from mlsecops.redact import redact, scrub

StartBuild = Callable[[str, Mapping[str, str]], int]


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


class DeliveryLog:
    """Delivery keys seen or in flight, oldest forgotten first, so memory stays bounded."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def reserve(self, *keys: str) -> bool:
        """True when none of the keys was seen; then all are remembered. A replay gets False."""
        with self._lock:
            if any(key in self._seen for key in keys):
                return False
            for key in keys:
                self._seen[key] = None
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return True

    def release(self, *keys: str) -> None:
        """Forget a delivery whose build could not be queued, so the sender's redelivery is processed."""
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)


class DeliverySlots:
    """At most `capacity` deliveries in progress; the count is shown on /healthz."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._in_use = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._in_use >= self._capacity:
                return False
            self._in_use += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._in_use -= 1

    @property
    def in_use(self) -> int:
        return self._in_use


# `webhook.max_connections_per_client` counts an IPv6 client as its /64 (one host has all of it);
# behind a reverse proxy every client is the proxy: raise it there.
CONNECTIONS_PER_DELIVERY_SLOT = 8  # all connections at once: this many per `max_concurrent_deliveries`


class ClientConnections:
    """Open connections per client address, and in all, each bounded."""

    def __init__(self, per_client: int, total: int) -> None:
        self._per_client = per_client
        self._total = total
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(address: str) -> str:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    def try_open(self, address: str) -> bool:
        key = self.key(address)
        with self._lock:
            if self._open.get(key, 0) >= self._per_client or sum(self._open.values()) >= self._total:
                return False
            self._open[key] = self._open.get(key, 0) + 1
            return True

    def close(self, address: str) -> None:
        key = self.key(address)
        with self._lock:
            left = self._open.get(key, 0) - 1
            if left > 0:
                self._open[key] = left
            else:
                self._open.pop(key, None)

    @property
    def open(self) -> int:
        with self._lock:
            return sum(self._open.values())


class _DeadlineReader(io.RawIOBase):
    """The request side of a connection, readable only until one deadline for the whole request.

    A socket timeout restarts at every read, so a byte every few seconds would keep a request
    alive forever; here each read may wait only for what is left of the deadline."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        super().__init__()
        self._connection = connection
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request not received in time")
        self._connection.settimeout(remaining)
        return self._connection.recv_into(buffer)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


class Relay:
    """Decides what one delivery does; knows nothing of sockets, so it is tested directly too."""

    def __init__(
        self,
        settings: WebhookConfig,
        start_build: StartBuild,
        secrets: Mapping[str, str | None] | None = None,
        log: Callable[[str], None] = lambda line: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.job:
            raise UsageError("webhook.job is not set: name the Jenkins job the relay starts")
        self.settings = settings
        self._start_build = start_build
        self._secrets = dict(secrets) if secrets is not None else {
            "github": os.environ.get(settings.github_secret_env) or None,
            "gitlab": os.environ.get(settings.gitlab_token_env) or None,
        }
        self.deliveries = DeliveryLog(settings.remembered_deliveries)
        self._log = log
        self._sleep = sleep

    @property
    def configured_providers(self) -> list[str]:
        return [provider for provider, secret in self._secrets.items() if secret]

    def handle(self, headers: Mapping[str, str], body: bytes) -> Reply:
        github_event = _header(headers, "X-GitHub-Event")
        gitlab_event = _header(headers, "X-Gitlab-Event")
        if github_event is not None:
            provider, event_header = "github", github_event
            authentic = github_signature_valid(
                self._secrets.get("github"), body, _header(headers, "X-Hub-Signature-256")
            )
            delivery = _header(headers, "X-GitHub-Delivery")
        elif gitlab_event is not None:
            provider, event_header = "gitlab", gitlab_event
            authentic = gitlab_token_valid(self._secrets.get("gitlab"), _header(headers, "X-Gitlab-Token"))
            delivery = _header(headers, "X-Gitlab-Event-UUID")
        else:
            return self._refuse("unknown", "no X-GitHub-Event or X-Gitlab-Event header")
        if not authentic:
            why = "no secret configured" if not self._secrets.get(provider) else "signature missing or wrong"
            return self._refuse(provider, why)

        # The delivery id header is not signed: a captured delivery resent under a new id is caught
        # by its body digest; a delivery without an id is keyed by its body alone.
        body_key = f"{provider}:body:{_digest(body)}"
        keys = (f"{provider}:id:{delivery}", body_key) if delivery else (body_key,)
        delivery_id = (delivery or body_key)[:100]  # for log lines only
        if not self.deliveries.reserve(*keys):
            self._log(f"{provider} delivery {delivery_id}: replay ignored")
            return Reply(202, {"status": "ignored", "reason": "delivery already processed"})
        try:
            reply = self._process(provider, event_header, headers, body, delivery_id)
        except BaseException:
            self.deliveries.release(*keys)
            raise
        if reply.status >= 500:
            self.deliveries.release(*keys)
        return reply

    def _refuse(self, provider: str, why: str) -> Reply:
        self._log(f"{provider} delivery refused (401): {why}")
        return Reply(401, {"status": "refused", "reason": "signature missing or invalid"})

    def _process(
        self, provider: str, event_header: str, headers: Mapping[str, str], body: bytes, delivery_id: str
    ) -> Reply:
        if provider == "github" and event_header == "ping":
            return Reply(200, {"status": "pong"})
        try:
            payload = _payload(headers, body)
        except ValueError as exc:
            return Reply(400, {"status": "rejected", "reason": str(exc)})
        try:
            event = parse_github(event_header, payload) if provider == "github" else parse_gitlab(event_header, payload)
            check_wanted(event, self.settings.events)
        except IgnoredEvent as exc:
            self._log(f"{provider} delivery {delivery_id}: ignored: {exc}")
            return Reply(202, {"status": "ignored", "reason": str(exc)})
        except (AttributeError, TypeError):  # e.g. "repository": "x" where an object belongs
            return Reply(400, {"status": "rejected", "reason": f"body is not a {provider} '{event_header}' event"})
        return self._start(event, delivery_id)

    def _start(self, event: SourceEvent, delivery_id: str) -> Reply:
        job = str(self.settings.job)
        parameters = event.job_parameters()
        attempts = self.settings.jenkins_retries + 1
        delay = self.settings.jenkins_backoff
        last_error = ""
        for attempt in range(1, attempts + 1):
            try:
                queue_item = self._start_build(job, parameters)
            except EnvironmentFailure as exc:
                last_error = scrub(str(exc))
                if attempt < attempts:
                    self._log(f"delivery {delivery_id}: attempt {attempt}/{attempts} failed, retry in {delay:g}s")
                    self._sleep(delay)
                    delay *= 2
                continue
            except MlsecopsError as exc:  # the job is unknown or the request bad: retrying cannot help
                last_error = scrub(str(exc))
                break
            self._log(f"{event.provider} delivery {delivery_id}: {event.name} {event.commit[:12]} -> "
                      f"job '{job}' queue item {queue_item}")
            return Reply(201, {"status": "started", "job": job, "queue_item": queue_item, "event": event.name})
        self._log(f"delivery {delivery_id}: Jenkins did not queue job '{job}': {last_error}")
        return Reply(502, {"status": "failed", "reason": "Jenkins did not queue the build"})


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _payload(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    content_type = (_header(headers, "Content-Type") or "application/json").split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="strict") if body else ""
    if content_type == "application/x-www-form-urlencoded":  # GitHub's optional form encoding
        text = (parse_qs(text).get("payload") or [""])[0]
    try:
        payload = json.loads(text)
    except ValueError:
        raise ValueError("body is not a JSON document") from None
    except RecursionError:  # json's parser recurses per nesting level: [[[[... a hundred thousand deep
        raise ValueError("body nests too deeply to be a webhook event") from None
    if not isinstance(payload, dict):
        raise ValueError("body is not a JSON object")
    return payload


class _Handler(BaseHTTPRequestHandler):
    server_version = "mlsecops-webhook"
    sys_version = ""
    relay: Relay
    max_body: int
    in_progress: DeliverySlots
    clients: ClientConnections
    log_line: Callable[[str], None]

    def setup(self) -> None:
        super().setup()
        # `timeout` (read_timeout) is the deadline of the whole request, from the connection on
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, time.monotonic() + self.timeout))
        self._answered = False

    def handle(self) -> None:
        address = self.client_address[0]
        self._admitted = self.clients.try_open(address)
        try:
            super().handle()
        except TimeoutError:  # the request line or headers did not arrive in time
            self._answer_quietly(Reply(408, {"status": "rejected", "reason": "request not received in time"}))
        except OSError as exc:  # the client went away: nothing to answer, nothing worth a traceback
            self.log_line(f"connection from {address} ended early ({exc.__class__.__name__})")
        finally:
            if self._admitted:
                self.clients.close(address)

    def _answer_quietly(self, reply: Reply) -> None:
        if self._answered:
            return
        with contextlib.suppress(OSError):  # the client may be gone as well
            self._send(reply, close=True)

    def _over_limit(self) -> bool:
        if self._admitted:
            return False
        self.log_line(f"connection from {self.client_address[0]} refused (503): too many open connections")
        self._send(Reply(503, {"status": "busy", "reason": "too many connections from this client"}), close=True,
                   extra_headers={"Retry-After": "5"})
        return True

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        if self._over_limit():
            return
        if self.path.split("?")[0] in ("/healthz", "/health"):
            self._send(Reply(200, {"status": "ok", "providers": self.relay.configured_providers,
                                   "deliveries_in_progress": self.in_progress.in_use,
                                   "connections": self.clients.open}))
        else:
            self._send(Reply(404, {"status": "not found"}))

    def do_POST(self) -> None:  # noqa: N802
        if self._over_limit():
            return
        body = self._receive()
        if body is None:
            return
        # a bounded number of deliveries in progress, counted once a body has arrived: a sender
        # that never finishes its body holds a connection (limited per client), never a slot
        if not self.in_progress.try_acquire():
            self.log_line("delivery refused (503): too many deliveries in progress")
            self._send(Reply(503, {"status": "busy", "reason": "too many deliveries in progress"}), close=True,
                       extra_headers={"Retry-After": "5"})
            return
        try:
            try:
                reply = self.relay.handle(dict(self.headers.items()), body)
            except Exception as exc:  # one line, never a traceback with payload data in it
                self.log_line(f"internal error: {exc.__class__.__name__}: {scrub(str(exc))[:200]}")
                reply = Reply(500, {"status": "error"})
        finally:
            self.in_progress.release()
        self._send(reply)

    def _receive(self) -> bytes | None:
        """The body, or None once a refusal was sent."""
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._send(Reply(411, {"status": "rejected", "reason": "Content-Length required"}), close=True)
            return None
        try:
            length = int(length_header)
        except ValueError:
            length = -1
        if length < 0:
            self._send(Reply(400, {"status": "rejected", "reason": "bad Content-Length"}), close=True)
            return None
        if length > self.max_body:
            # refused before reading a byte; the connection is closed so the unread body is dropped
            self.log_line(f"delivery refused (413): {length} bytes over the {self.max_body} limit")
            self._send(Reply(413, {"status": "rejected", "reason": f"body over {self.max_body} bytes"}), close=True)
            return None
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.log_line(f"delivery from {self.client_address[0]} refused (408): body not received in time")
            self._send(Reply(408, {"status": "rejected", "reason": "body not received in time"}), close=True)
            return None
        if len(body) != length:
            self._send(Reply(400, {"status": "rejected", "reason": "body shorter than Content-Length"}), close=True)
            return None
        return body

    def _send(self, reply: Reply, close: bool = False, extra_headers: Mapping[str, str] | None = None) -> None:
        self._answered = True
        self.connection.settimeout(self.timeout)  # the reader may have left a nearly spent deadline on it
        data = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        # the request line only: never headers (tokens) nor bodies
        self.log_line(scrub(format % args))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    log_line: Callable[[str], None]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line instead of socketserver's traceback on stderr: nothing a client does deserves more."""
        error = sys.exc_info()[1]
        self.log_line(f"connection from {client_address[0]}: {error.__class__.__name__}")


class WebhookServer:
    """A ThreadingHTTPServer bound to the configured address; `port` 0 picks a free port."""

    def __init__(self, relay: Relay, log: Callable[[str], None] = lambda line: None,
                 connections_per_client: int | None = None) -> None:
        settings = relay.settings
        if connections_per_client is None:
            connections_per_client = settings.max_connections_per_client
        clients = ClientConnections(
            per_client=connections_per_client,
            total=max(connections_per_client, CONNECTIONS_PER_DELIVERY_SLOT * settings.max_concurrent_deliveries),
        )
        handler = type(
            "WebhookHandler",
            (_Handler,),
            {"relay": relay, "max_body": settings.max_body_bytes, "timeout": settings.read_timeout,
             "in_progress": DeliverySlots(settings.max_concurrent_deliveries), "clients": clients,
             "log_line": staticmethod(log)},
        )
        self._server = _Server((settings.bind, settings.port), handler)
        self._server.log_line = log
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="mlsecops-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop a server started with `start()` (from another thread)."""
        self._server.shutdown()
        self.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def close(self) -> None:
        self._server.server_close()


def describe_secret_settings(settings: WebhookConfig) -> str:
    """Which providers are armed, for the start-up line (the secrets themselves shown masked)."""
    parts = []
    for provider, env_name in (("github", settings.github_secret_env), ("gitlab", settings.gitlab_token_env)):
        value = os.environ.get(env_name)
        parts.append(f"{provider}: {env_name}={redact(value)}" if value else f"{provider}: {env_name} unset")
    return ", ".join(parts)
