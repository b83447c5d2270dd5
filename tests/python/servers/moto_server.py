"""moto's real HTTP server (S3, KMS, Secrets Manager, IAM) on 127.0.0.1, for tests that talk to AWS APIs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests

FAKE_KEY_ID = "AKIAMLSECOPSTEST0001"
FAKE_SECRET = "mlsecops-test-secret-key-not-real"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's server on a free port; yield its endpoint URL; stop it.

    The app and server of moto's ThreadedMotoServer, served with a 10 ms shutdown poll: moto's own polls
    every 0.5 s, and stopping waits for the next poll.
    """
    import threading

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def require_auth(endpoint: str, enabled: bool) -> None:
    """Make moto check credentials (no IAM user exists, so every key is refused) or stop checking."""
    requests.post(
        f"{endpoint}/moto-api/reset-auth", data=b"0" if enabled else b"inf", timeout=10
    ).raise_for_status()


def aws_env(monkeypatch, endpoint: str) -> None:
    """What a Jenkins agent would export: credentials and endpoint, only as environment variables."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextmanager
def moto_server_process() -> Iterator[str]:
    """moto's server in its own process: for benchmarks, so that its Python work does not share our GIL."""
    import subprocess
    import sys
    import time

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
