"""The support assistant's OpenAI-compatible endpoint (POST /v1/chat/completions, GET /v1/models).

A stand-in for the team's LLM application: it answers from `responses.json` by keyword, under
the rules of `system_prompt.txt`, and binds 127.0.0.1 only. Usage: python server.py [PORT]
(0: a free port). It prints "listening on http://127.0.0.1:PORT/v1" once it accepts requests.
"""

import contextlib
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESPONSES = json.loads((HERE / "responses.json").read_text(encoding="utf-8"))
KEYWORDS = {
    "billing": ("bill", "invoice", "charge", "charged"),
    "refund": ("refund", "money back", "return"),
    "password_reset": ("password", "log in", "login", "sign in", "locked"),
    "shipping": ("order", "parcel", "package", "delivery", "shipping", "tracking"),
    "cancel": ("cancel", "subscription"),
    "technical_issue": ("crash", "error", "bug", "app", "broken"),
    "account_update": ("address", "profile", "email", "name"),
}
OFF_TOPIC = "I can only help with questions about your orders, billing and account."


def answer(text):
    lowered = text.lower()
    for intent, words in KEYWORDS.items():
        if any(word in lowered for word in words):
            return RESPONSES.get(intent, RESPONSES["fallback"])
    return OFF_TOPIC if len(lowered) > 200 else RESPONSES["fallback"]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "support-assistant", "object": "model"}]})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        try:
            payload = json.loads(self.rfile.read(length) or b"{}")
            messages = payload.get("messages") or [{"content": ""}]
            text = str(messages[-1].get("content") or "")
        except (ValueError, AttributeError, TypeError):
            self._send(400, {"error": "expected a JSON chat request"})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": "not found"})
            return
        self._send(200, {
            "id": "chatcmpl-support", "object": "chat.completion", "created": int(time.time()),
            "model": payload.get("model", "support-assistant"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer(text)}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        })


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
