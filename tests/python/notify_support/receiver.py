"""A recording HTTP server on 127.0.0.1 that answers from a route table.

It stands in for services with no installable server here (Slack, Telegram, PagerDuty,
DefectDojo, Elasticsearch): each fake registers only the endpoints the sink uses, checks
what the real service would reject, and answers what the real service answers.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8")

    def form(self) -> dict[str, tuple[str | None, bytes]]:
        """multipart/form-data fields: name -> (filename, content)."""
        raw = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
        return fields


@dataclass
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "text/plain; charset=utf-8"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


Handler = Callable[[Recorded], Reply]


class Receiver:
    """Routes are (method, path prefix) -> handler; the longest matching prefix wins."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Recorded] = []
        self._server: ThreadingHTTPServer | None = None

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        self.routes[(method, prefix)] = handler

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def bodies(self) -> list[bytes]:
        return [r.body for r in self.requests] + [r.path.encode() for r in self.requests]

    def _handle(self, recorded: Recorded) -> Reply:
        self.requests.append(recorded)
        matches = [(prefix, handler) for (method, prefix), handler in self.routes.items()
                   if method == recorded.method and recorded.path.startswith(prefix)]
        if not matches:
            return Reply(404, {"detail": "Not found."})
        return max(matches, key=lambda m: len(m[0]))[1](recorded)

    def start(self) -> Receiver:
        receiver = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                reply = receiver._handle(recorded)
                payload, content_type = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", content_type))
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class FakeService:
    """A stand-in service: its own state plus a Receiver with the routes it implements."""

    def __init__(self) -> None:
        self.receiver = Receiver()

    def start(self):
        self.receiver.start()
        return self

    def stop(self) -> None:
        self.receiver.stop()

    @property
    def url(self) -> str:
        return self.receiver.url
