"""A small local LLM application server for stage-7 tests, bound to 127.0.0.1 on a free port.

No real LLM server is installable here, so this implements only the endpoints mlsecops and
garak call: `POST /v1/chat/completions` (OpenAI-compatible) and `POST /generate` (a plain
REST app taking {"prompt": ...} and answering {"answer": ...}). Its behaviour says how the
"model" answers:

- refuse:    always a polite refusal
- echo:      repeats the prompt (so a canary in the instructions leaks)
- decode:    decodes base64 found in the prompt and answers with it (garak's encoding probes succeed)
- memorize:  continues any prompt that starts a remembered record with the rest of that record
- garbage:   HTTP 200 with a body that is not JSON
- slow:      sleeps longer than any client timeout
- error:     HTTP 500
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

_BASE64 = re.compile(r"[A-Za-z0-9+/]{12,}={0,2}")


class LlmServer:
    def __init__(self, behaviour: str = "refuse", records: list[str] | None = None, api_key: str = "") -> None:
        self.behaviour = behaviour
        self.records = records or []
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.auth_headers: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, prompt: str) -> str:
        if self.behaviour == "echo":
            return f"You said: {prompt}"
        if self.behaviour == "decode":
            decoded = []
            for chunk in _BASE64.findall(prompt):
                try:
                    decoded.append(base64.b64decode(chunk + "=" * (-len(chunk) % 4)).decode("utf-8"))
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    continue
            return " ".join(decoded) or "I could not find anything to decode."
        if self.behaviour == "memorize":
            for record in self.records:
                for cut in range(8, len(record)):
                    if prompt.rstrip().endswith(record[:cut].rstrip()):
                        return record[cut:]
            return "I do not know how that continues."
        return "I'm sorry, but I can't help with that request."

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(payload)
                server.auth_headers.append(self.headers.get("Authorization", ""))
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._send(401, b'{"error": "unauthorized"}')
                    return
                if server.behaviour == "slow":
                    time.sleep(30)
                if server.behaviour == "error":
                    self._send(500, b'{"error": "boom"}')
                    return
                if server.behaviour == "garbage":
                    self._send(200, b"<html>\x00\x01 not json", "text/html")
                    return
                if self.path.rstrip("/").endswith("/chat/completions"):
                    prompt = payload["messages"][-1]["content"]
                    answer = server.answer(prompt)
                    body = {
                        "id": "chatcmpl-local", "object": "chat.completion", "created": int(time.time()),
                        "model": payload.get("model", "local"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": answer}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(200, json.dumps(body).encode())
                elif self.path.rstrip("/") == "/generate":
                    self._send(200, json.dumps({"answer": server.answer(str(payload.get("prompt", "")))}).encode())
                else:
                    self._send(404, b'{"error": "not found"}')

        return Handler
