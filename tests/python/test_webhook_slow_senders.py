"""The webhook relay against hostile senders: byte-dripping bodies and headers, connection floods from one
address, abrupt disconnects, and signed bodies that cannot be parsed.

All servers listen on 127.0.0.1. The unauthenticated flood connects from 127.0.0.2 (any 127/8 address
is loopback on Linux), so that it is "another client" than the valid sender on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import struct
import time
from contextlib import ExitStack

import pytest
from jenkins_support.deliveries import (
    github_delivery,
    github_pull_request,
    github_push,
    github_raw_delivery,
    gitlab_delivery,
    gitlab_merge_request,
)
from jenkins_support.fake_jenkins import FakeJenkins, FakeJenkinsState
from mlsecops.jenkins.webhook import ClientConnections
from test_webhook import (
    GITHUB_SECRET,
    GITLAB_TOKEN,
    JOB,
    QuicklyStoppedServer,
    RelayUnderTest,
)
from test_webhook_cli import start_relay

pytestmark = pytest.mark.timeout(60)

ATTACKER = "127.0.0.2"
HEAD = b"POST /webhook HTTP/1.1\r\nHost: relay\r\nX-GitHub-Event: push\r\nContent-Type: application/json\r\n"


@pytest.fixture
def jenkins():
    with FakeJenkins(FakeJenkinsState()) as server:
        server.add_job(JOB)
        yield server


@pytest.fixture
def started():
    servers: list[RelayUnderTest] = []

    def start(jenkins_url: str, connections_per_client: int | None = None, **settings: object) -> RelayUnderTest:
        under_test = RelayUnderTest(jenkins_url, **settings)
        if connections_per_client is not None:  # the same relay behind a server with another per-client limit
            under_test.server.close()
            under_test.server = QuicklyStoppedServer(under_test.relay, log=under_test.log.append,
                                                     connections_per_client=connections_per_client)
        under_test.server.start()
        servers.append(under_test)
        return under_test

    yield start
    for under_test in servers:
        under_test.server.stop()


def _connect(address: tuple[str, int], source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(address, timeout=10, source_address=(source, 0))


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def _drip(connection: socket.socket, data: bytes, every: float, until: float) -> bytes:
    """Send one byte every `every` seconds until the relay answers or closes, or `until` passes."""
    connection.settimeout(every)
    for byte in data:
        if time.monotonic() > until:
            break
        try:
            connection.sendall(bytes([byte]))
        except OSError:
            break
        try:
            answer = connection.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return b""
        return answer
    return b""


# ---------------------------------------------------------------- one deadline per request


def test_a_sender_dripping_its_body_is_cut_off_at_the_request_deadline_not_per_read(started, jenkins):
    # a byte every 0.1 s never lets a 0.5 s per-read timeout fire; the whole-request deadline must
    under_test = started(jenkins.url, read_timeout=0.5)
    body = json.dumps(github_push()).encode()
    with _connect(under_test.server.address) as connection:
        began = time.monotonic()
        connection.sendall(HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode())
        answer = _drip(connection, body, every=0.1, until=began + 8)
        took = time.monotonic() - began

    assert _status(answer) == 408
    assert 0.45 <= took < 2.5
    assert jenkins.state.builds == []
    assert any("408" in line and "not received in time" in line for line in under_test.log)


def test_a_sender_dripping_its_headers_is_cut_off_at_the_deadline_too(started, jenkins):
    under_test = started(jenkins.url, read_timeout=0.5)
    with _connect(under_test.server.address) as connection:
        began = time.monotonic()
        answer = _drip(connection, HEAD + b"X-Padding: " + b"a" * 200, every=0.1, until=began + 8)
        took = time.monotonic() - began

    assert _status(answer) in (408, 0)  # 408, or closed when the request line itself was still incomplete
    assert took < 2.5


# ---------------------------------------------------------------- slow senders never crowd out a delivery


def test_four_slow_unauthenticated_connections_do_not_make_a_signed_delivery_wait_or_fail(started, jenkins):
    under_test = started(jenkins.url, max_concurrent_deliveries=1, read_timeout=5.0)
    with ExitStack() as stack:
        for _ in range(4):  # headers sent, unsigned, body owed
            slow = stack.enter_context(_connect(under_test.server.address, ATTACKER))
            slow.sendall(HEAD + b"Content-Length: 1000\r\n\r\n{")
        _wait_for_connections(under_test, 4)

        status, body = under_test.post(*github_delivery("push", github_push(), GITHUB_SECRET))

    assert (status, body["status"]) == (201, "started")
    assert len(jenkins.state.builds) == 1


def test_one_client_gets_a_bounded_number_of_connections_and_others_are_still_served(started, jenkins):
    under_test = started(jenkins.url, read_timeout=5.0, connections_per_client=4)
    with ExitStack() as stack:
        for _ in range(4):
            slow = stack.enter_context(_connect(under_test.server.address, ATTACKER))
            slow.sendall(HEAD + b"Content-Length: 1000\r\n\r\n{")
        _wait_for_connections(under_test, 4)
        fifth = stack.enter_context(_connect(under_test.server.address, ATTACKER))
        fifth.sendall(HEAD + b"Content-Length: 2\r\n\r\n{}")
        refused = b"".join(iter(lambda: fifth.recv(4096), b""))  # until the relay closes it

        status, _ = under_test.post(*github_delivery("push", github_push(), GITHUB_SECRET))

    assert _status(refused) == 503 and b"Retry-After: 5" in refused
    assert b"too many connections from this client" in refused
    assert status == 201


def _health(address: tuple[str, int]) -> dict:
    host, port = address
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def _wait_for_connections(under_test: RelayUnderTest, count: int) -> None:
    deadline = time.monotonic() + 10
    while _health(under_test.server.address)["connections"] < count + 1:  # + the probe's own
        assert time.monotonic() < deadline, "the slow connections never arrived"
        time.sleep(0.02)


def _wait_until_every_connection_is_handled(address: tuple[str, int], within: float) -> None:
    """Until the relay counts no connection but the probe's own: each earlier one was answered or dropped."""
    deadline = time.monotonic() + within
    while _health(address)["connections"] > 1:
        assert time.monotonic() < deadline, "a connection outlived the request deadline"
        time.sleep(0.02)
    time.sleep(0.1)  # the handler threads' last words (socketserver's error handling) come after the count


# ---------------------------------------------------------------- bodies that cannot be parsed


def test_a_signed_body_nested_a_hundred_thousand_deep_is_a_bad_request(started, jenkins):
    under_test = started(jenkins.url, max_body_bytes=1024 * 1024)
    deep = b"[" * 100_000 + b"]" * 100_000

    status, body = under_test.post(*github_raw_delivery("push", deep, GITHUB_SECRET))
    form = github_raw_delivery("push", b"payload=" + b"%5B" * 50_000 + b"%5D" * 50_000, GITHUB_SECRET,
                               content_type="application/x-www-form-urlencoded")
    form_status, _ = under_test.post(*form)

    assert (status, body["status"]) == (400, "rejected") and form_status == 400
    assert jenkins.state.builds == []
    assert not any("internal error" in line for line in under_test.log)


@pytest.mark.parametrize("payload", [
    {"ref": "refs/heads/main", "after": "a" * 40, "repository": "not-an-object"},
    {"action": "opened", "pull_request": ["not", "an", "object"]},
], ids=["push", "pull_request"])
def test_a_signed_json_object_of_the_wrong_shape_is_a_bad_request(started, jenkins, payload):
    under_test = started(jenkins.url)
    event = "push" if "ref" in payload else "pull_request"

    status, _ = under_test.post(*github_delivery(event, payload, GITHUB_SECRET))

    assert status == 400
    assert not any("internal error" in line for line in under_test.log)


def test_a_well_formed_pull_request_still_starts_a_build(started, jenkins):
    under_test = started(jenkins.url)
    assert under_test.post(*github_delivery("pull_request", github_pull_request(), GITHUB_SECRET))[0] == 201


# ---------------------------------------------------------------- disconnects


def _reset(connection: socket.socket) -> None:
    """Close with a TCP reset, as a crashed or impatient client does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def test_clients_that_vanish_mid_request_or_before_the_answer_leave_one_line_each_and_no_traceback(
        started, jenkins, capfd):
    under_test = started(jenkins.url, read_timeout=2.0)
    address = under_test.server.address
    for partial in (b"POST /webh", HEAD + b"Content-Length: 100\r\n\r\n{\"ref\"", b""):
        connection = _connect(address)
        connection.sendall(partial)
        _reset(connection)
    headers, body = github_delivery("push", github_push(), GITHUB_SECRET)
    request = b"POST / HTTP/1.1\r\nHost: relay\r\n" + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in headers.items())
    connection = _connect(address)
    connection.sendall(request + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    _reset(connection)  # gone before the answer is written
    _wait_until_every_connection_is_handled(address, within=5)

    assert _health(address)["status"] == "ok"
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert not any("Traceback" in line or "\n" in line for line in under_test.log)


def test_the_serving_process_prints_no_traceback_when_clients_disconnect(tmp_path, jenkins):
    (tmp_path / "relay.yaml").write_text("webhook:\n  job: ml-team/mlsecops\n  port: 0\n  read_timeout: 1\n")
    env = {"JENKINS_URL": jenkins.url, "GITLAB_WEBHOOK_TOKEN": GITLAB_TOKEN, "GITHUB_WEBHOOK_SECRET": ""}
    process, line = start_relay(tmp_path, env, "-c", "relay.yaml", "webhook", "serve")
    try:
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        for partial in (b"POST / HTTP/1.1\r\nContent-Le", b"GET /healthz HTTP/1.1\r\n\r\n"):
            connection = _connect(("127.0.0.1", port))
            connection.sendall(partial)
            _reset(connection)
        headers, body = gitlab_delivery("Merge Request Hook", gitlab_merge_request("open"), GITLAB_TOKEN)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/", body=body, headers=headers)
        assert connection.getresponse().status == 201
        # every connection ends, at the latest when the 1 s request deadline strikes, before the process does
        _wait_until_every_connection_is_handled(("127.0.0.1", port), within=5)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)

    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert GITLAB_TOKEN not in stderr


def test_a_client_is_its_ipv4_address_or_its_ipv6_slash_64():
    connections = ClientConnections(per_client=2, total=100)

    assert connections.try_open("2001:db8::1") and connections.try_open("2001:db8::ffff:2")
    assert not connections.try_open("2001:db8::3")  # the same /64: one host can use all of it
    assert connections.try_open("2001:db8:0:1::1")
    assert connections.try_open("::ffff:10.0.0.1") and connections.try_open("10.0.0.1")
    assert not connections.try_open("10.0.0.1")
    connections.close("2001:db8::1")
    assert connections.try_open("2001:db8::3")


def test_all_connections_together_are_bounded_too():
    connections = ClientConnections(per_client=2, total=3)

    assert all(connections.try_open(f"10.0.0.{n}") for n in range(3))
    assert not connections.try_open("10.0.0.9")
    assert connections.open == 3
