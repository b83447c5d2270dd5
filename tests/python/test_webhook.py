"""The webhook relay over real HTTP: signatures, replays, event filters, limits, and Jenkins failures.

The relay listens on 127.0.0.1 (port 0); Jenkins is the stand-in of jenkins_support.fake_jenkins
(no Jenkins can be installed here), reached through python-jenkins exactly as in production.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from jenkins_support.deliveries import (
    HEAD_SHA,
    MERGE_SHA,
    github_delivery,
    github_pull_request,
    github_push,
    github_raw_delivery,
    gitlab_delivery,
    gitlab_merge_request,
    gitlab_push,
)
from jenkins_support.fake_jenkins import FakeJenkins, FakeJenkinsState, unused_local_url
from mlsecops.jenkins.client import JenkinsClient, JenkinsEndpoint
from mlsecops.jenkins.settings import EventFilter, WebhookConfig
from mlsecops.jenkins.webhook import Relay, WebhookServer

pytestmark = pytest.mark.timeout(60)

GITHUB_SECRET = "gh-hook-secret-5f2a9c81d7e6"
GITLAB_TOKEN = "gl-hook-token-0b7e4d2c9a18"
JOB = "ml-team/mlsecops"


class QuicklyStoppedServer(WebhookServer):
    """The relay's server, checking for `stop()` every 10 ms instead of the served relay's 0.2 s.

    `stop()` waits for that check: at 0.2 s it was most of the time of a test here, with nothing to assert.
    """

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.01)


class RelayUnderTest:
    """A relay on a free local port in front of a Jenkins; remembers the backoff sleeps it asked for."""

    def __init__(self, jenkins_url: str, **settings: object) -> None:
        self.settings = WebhookConfig(bind="127.0.0.1", port=0, job=JOB, jenkins_backoff=0.01, **settings)
        self.sleeps: list[float] = []
        self.log: list[str] = []
        endpoint = JenkinsEndpoint(url=jenkins_url, user=None, token=None, timeout=5)
        self.relay = Relay(
            self.settings,
            lambda job, parameters: JenkinsClient(endpoint, connect_retries=0).start(job, parameters),
            secrets={"github": GITHUB_SECRET, "gitlab": GITLAB_TOKEN},
            log=self.log.append,
            sleep=self.sleeps.append,
        )
        self.server = QuicklyStoppedServer(self.relay, log=self.log.append)

    def post(self, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        host, port = self.server.address
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            connection.request("POST", "/webhook", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()


@pytest.fixture
def jenkins():
    with FakeJenkins(FakeJenkinsState()) as server:
        server.add_job(JOB)
        yield server


@pytest.fixture
def relay(jenkins):
    under_test = RelayUnderTest(jenkins.url)
    under_test.server.start()
    yield under_test
    under_test.server.stop()


# ---------------------------------------------------------------- signatures


def test_a_valid_github_merge_request_event_starts_exactly_one_build_with_its_parameters(relay, jenkins):
    status, body = relay.post(*github_delivery("pull_request", github_pull_request("opened"), GITHUB_SECRET))

    assert status == 201, body
    assert [(b.job, b.parameters) for b in jenkins.state.builds] == [(JOB, {
        "MLSECOPS_COMMIT": HEAD_SHA,
        "MLSECOPS_BRANCH": "feature/tokenizer",
        "MLSECOPS_TARGET_BRANCH": "main",
        "MLSECOPS_MR_ID": "42",
        "MLSECOPS_EVENT": "github:merge_request:opened",
        "MLSECOPS_REPOSITORY": "ml/sentiment",
    })]
    assert body["queue_item"] == jenkins.state.builds[0].queue_item


def test_a_forged_github_signature_starts_nothing(relay, jenkins):
    status, _ = relay.post(*github_delivery("pull_request", github_pull_request(), "not-the-secret"))

    assert status == 401
    assert jenkins.state.builds == []
    assert not [r for r in jenkins.state.requests if r.method == "POST"]


def test_a_github_body_altered_after_signing_is_refused(relay, jenkins):
    headers, body = github_delivery("pull_request", github_pull_request(), GITHUB_SECRET)
    tampered = body.replace(b"feature/tokenizer", b"feature/backdoor")

    status, _ = relay.post(headers, tampered)

    assert status == 401
    assert jenkins.state.builds == []


def test_a_missing_github_signature_is_refused(relay, jenkins):
    status, _ = relay.post(*github_delivery("pull_request", github_pull_request(), secret=None))

    assert status == 401
    assert jenkins.state.builds == []


def test_a_wrong_or_missing_gitlab_token_is_refused(relay, jenkins):
    wrong, _ = relay.post(*gitlab_delivery("Merge Request Hook", gitlab_merge_request(), "guessed-token"))
    missing, _ = relay.post(*gitlab_delivery("Merge Request Hook", gitlab_merge_request(), None))

    assert (wrong, missing) == (401, 401)
    assert jenkins.state.builds == []


def test_a_delivery_from_neither_github_nor_gitlab_is_refused(relay, jenkins):
    status, _ = relay.post({"Content-Type": "application/json"}, b'{"ref": "refs/heads/main"}')

    assert status == 401
    assert jenkins.state.builds == []


def test_refusals_never_log_the_secret_or_the_offered_token(relay):
    relay.post(*gitlab_delivery("Merge Request Hook", gitlab_merge_request(), "offered-token-abcdef"))

    logged = "\n".join(relay.log)
    assert "refused" in logged
    assert "offered-token-abcdef" not in logged and GITLAB_TOKEN not in logged


def test_a_provider_without_a_configured_secret_refuses_everything(jenkins):
    under_test = RelayUnderTest(jenkins.url)
    under_test.relay._secrets = {"github": None, "gitlab": GITLAB_TOKEN}

    reply = under_test.relay.handle(*github_delivery("pull_request", github_pull_request(), ""))

    assert reply.status == 401
    assert jenkins.state.builds == []
    under_test.server.close()


# ---------------------------------------------------------------- replays


def test_a_replayed_delivery_starts_nothing_more(relay, jenkins):
    headers, body = github_delivery("pull_request", github_pull_request(), GITHUB_SECRET, delivery_id="d-1")

    first, _ = relay.post(headers, body)
    second, reply = relay.post(headers, body)

    assert (first, second) == (201, 202)
    assert reply["reason"] == "delivery already processed"
    assert len(jenkins.state.builds) == 1


def test_a_gitlab_replay_is_recognised_by_its_event_uuid(relay, jenkins):
    headers, body = gitlab_delivery("Merge Request Hook", gitlab_merge_request("open"), GITLAB_TOKEN,
                                    delivery_id="0d4c1e0a-uuid")
    statuses = [relay.post(headers, body)[0] for _ in range(3)]

    assert statuses == [201, 202, 202]
    assert len(jenkins.state.builds) == 1


def test_a_delivery_without_an_id_is_deduplicated_by_its_body(relay, jenkins):
    headers, body = github_delivery("push", github_push(), GITHUB_SECRET)
    del headers["X-GitHub-Delivery"]

    assert [relay.post(headers, body)[0] for _ in range(2)] == [201, 202]
    assert len(jenkins.state.builds) == 1


def test_concurrent_copies_of_one_delivery_start_one_build(relay, jenkins):
    from concurrent.futures import ThreadPoolExecutor

    delivery = github_delivery("pull_request", github_pull_request(), GITHUB_SECRET, delivery_id="burst")
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: relay.post(*delivery)[0], range(8)))

    assert statuses == [201] + [202] * 7
    assert len(jenkins.state.builds) == 1


def test_a_captured_delivery_resent_under_a_new_id_is_a_replay(relay, jenkins):
    headers, body = github_delivery("pull_request", github_pull_request(), GITHUB_SECRET, delivery_id="original")
    first, _ = relay.post(headers, body)

    second, reply = relay.post({**headers, "X-GitHub-Delivery": "forged-new-id"}, body)

    assert (first, second) == (201, 202)
    assert reply["reason"] == "delivery already processed"
    assert len(jenkins.state.builds) == 1


def test_remembered_deliveries_are_bounded(jenkins):
    under_test = RelayUnderTest(jenkins.url, remembered_deliveries=3)
    for index in range(10):
        headers, body = github_delivery("issues", {"number": index}, GITHUB_SECRET, delivery_id=f"d-{index}")
        assert under_test.relay.handle(headers, body).status == 202

    assert len(under_test.relay.deliveries) == 3
    under_test.server.close()


# ---------------------------------------------------------------- event filtering


def test_an_unknown_event_is_acknowledged_and_ignored(relay, jenkins):
    status, body = relay.post(*github_delivery("issues", {"action": "opened"}, GITHUB_SECRET))

    assert status == 202
    assert body["status"] == "ignored"
    assert jenkins.state.builds == []


def test_github_ping_is_answered_without_a_build(relay, jenkins):
    status, body = relay.post(*github_delivery("ping", {"zen": "Keep it simple."}, GITHUB_SECRET))

    assert (status, body["status"]) == (200, "pong")
    assert jenkins.state.builds == []


@pytest.mark.parametrize(
    ("event", "payload", "started"),
    [
        ("push", github_push("refs/heads/main"), True),
        ("push", github_push("refs/heads/experiment"), False),
        ("push", github_push("refs/heads/main", after="0" * 40, deleted=True), False),
        ("push", github_push("refs/tags/v1.2.0"), True),
        ("push", github_push("refs/tags/nightly-3"), False),
        ("pull_request", github_pull_request("synchronize"), True),
        ("pull_request", github_pull_request("closed", merged=False), False),
        ("pull_request", github_pull_request("labeled"), False),
    ],
)
def test_github_events_are_filtered_by_the_configured_rules(relay, jenkins, event, payload, started):
    status, _ = relay.post(*github_delivery(event, payload, GITHUB_SECRET))

    assert status == (201 if started else 202)
    assert len(jenkins.state.builds) == (1 if started else 0)


def test_a_merged_pull_request_builds_the_merge_commit(relay, jenkins):
    status, _ = relay.post(*github_delivery("pull_request", github_pull_request("closed", merged=True), GITHUB_SECRET))

    assert status == 201
    parameters = jenkins.state.builds[0].parameters
    assert parameters["MLSECOPS_COMMIT"] == MERGE_SHA
    assert parameters["MLSECOPS_EVENT"] == "github:merge_request:merged"


def test_a_tag_push_passes_the_tag_name(relay, jenkins):
    relay.post(*github_delivery("push", github_push("refs/tags/v1.2.0"), GITHUB_SECRET))

    parameters = jenkins.state.builds[0].parameters
    assert parameters["MLSECOPS_TAG"] == "v1.2.0"
    assert parameters["MLSECOPS_EVENT"] == "github:tag"
    assert "MLSECOPS_BRANCH" not in parameters


@pytest.mark.parametrize(
    ("event", "payload", "started"),
    [
        ("Merge Request Hook", gitlab_merge_request("open"), True),
        ("Merge Request Hook", gitlab_merge_request("update", oldrev="a" * 40), True),
        ("Merge Request Hook", gitlab_merge_request("update"), False),  # a title edit, no new commit
        ("Merge Request Hook", gitlab_merge_request("merge"), True),
        ("Merge Request Hook", gitlab_merge_request("close"), False),
        ("Push Hook", gitlab_push("refs/heads/main"), True),
        ("Push Hook", gitlab_push("refs/heads/wip"), False),
        ("Tag Push Hook", gitlab_push("refs/tags/v2.0.0"), True),
        ("Pipeline Hook", {"object_kind": "pipeline"}, False),
    ],
)
def test_gitlab_events_are_filtered_by_the_configured_rules(relay, jenkins, event, payload, started):
    status, _ = relay.post(*gitlab_delivery(event, payload, GITLAB_TOKEN))

    assert status == (201 if started else 202)
    assert len(jenkins.state.builds) == (1 if started else 0)


def test_a_gitlab_merge_request_passes_commit_branch_and_iid(relay, jenkins):
    relay.post(*gitlab_delivery("Merge Request Hook", gitlab_merge_request("open", iid=7), GITLAB_TOKEN))

    parameters = jenkins.state.builds[0].parameters
    assert (parameters["MLSECOPS_COMMIT"], parameters["MLSECOPS_BRANCH"], parameters["MLSECOPS_MR_ID"]) == (
        HEAD_SHA, "feature/tokenizer", "7")
    assert parameters["MLSECOPS_EVENT"] == "gitlab:merge_request:opened"


def test_branch_patterns_in_the_config_select_pushes(jenkins):
    under_test = RelayUnderTest(jenkins.url, events=EventFilter(push_branches=["release/*"], tags=[]))

    release = under_test.relay.handle(*github_delivery("push", github_push("refs/heads/release/1.4"), GITHUB_SECRET))
    main = under_test.relay.handle(*github_delivery("push", github_push("refs/heads/main"), GITHUB_SECRET))
    tag = under_test.relay.handle(*github_delivery("push", github_push("refs/tags/v1.0"), GITHUB_SECRET))

    assert (release.status, main.status, tag.status) == (201, 202, 202)
    assert [b.parameters["MLSECOPS_BRANCH"] for b in jenkins.state.builds] == ["release/1.4"]
    under_test.server.close()


def test_a_form_encoded_github_delivery_is_read_like_json(relay, jenkins):
    body = urlencode({"payload": json.dumps(github_pull_request())}).encode()

    status, _ = relay.post(*github_raw_delivery("pull_request", body, GITHUB_SECRET,
                                                content_type="application/x-www-form-urlencoded"))

    assert status == 201
    assert jenkins.state.builds[0].parameters["MLSECOPS_MR_ID"] == "42"


def test_a_signed_body_that_is_not_json_is_a_bad_request(relay, jenkins):
    status, _ = relay.post(*github_raw_delivery("push", b"not json", GITHUB_SECRET))

    assert status == 400
    assert jenkins.state.builds == []


# ---------------------------------------------------------------- limits


def _raw_request(address: tuple[str, int], head: bytes) -> bytes:
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(head)
        return connection.recv(4096)


def test_an_oversized_payload_is_refused_before_its_body_is_read(relay, jenkins):
    # headers only: the relay must answer 413 from Content-Length without waiting for 50 MB
    head = (b"POST /webhook HTTP/1.1\r\nHost: relay\r\nX-GitHub-Event: push\r\n"
            b"Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n")

    answer = _raw_request(relay.server.address, head)

    assert answer.startswith((b"HTTP/1.0 413", b"HTTP/1.1 413"))
    assert jenkins.state.builds == []


def test_a_payload_at_the_limit_is_accepted_and_one_byte_more_is_not(jenkins):
    under_test = RelayUnderTest(jenkins.url, max_body_bytes=2048)
    under_test.server.start()
    try:
        payload = github_push()
        _, body = github_delivery("push", payload, GITHUB_SECRET)
        payload["padding"] = "x" * (2048 - len(body) - len(', "padding": ""'))
        at_limit = github_delivery("push", payload, GITHUB_SECRET)
        payload["padding"] += "x"
        over_limit = github_delivery("push", payload, GITHUB_SECRET)

        assert len(at_limit[1]) == 2048
        assert under_test.post(*at_limit)[0] == 201
        assert under_test.post(*over_limit)[0] == 413
        assert len(jenkins.state.builds) == 1
    finally:
        under_test.server.stop()


def test_a_request_without_content_length_is_refused(relay, jenkins):
    head = (b"POST /webhook HTTP/1.1\r\nHost: relay\r\nX-GitHub-Event: push\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")

    answer = _raw_request(relay.server.address, head)

    assert b" 411 " in answer.split(b"\r\n")[0]
    assert jenkins.state.builds == []


def test_a_sender_that_stalls_mid_body_is_dropped_after_the_read_timeout(jenkins):
    under_test = RelayUnderTest(jenkins.url, read_timeout=0.3)
    under_test.server.start()
    try:
        head = (b"POST /webhook HTTP/1.1\r\nHost: relay\r\nX-GitHub-Event: push\r\n"
                b"Content-Length: 100\r\n\r\n{\"ref\":")
        answer = _raw_request(under_test.server.address, head)
    finally:
        under_test.server.stop()

    assert b" 408 " in answer.split(b"\r\n")[0]
    assert jenkins.state.builds == []


def test_deliveries_beyond_the_concurrency_limit_are_told_to_retry(jenkins):
    under_test = RelayUnderTest(jenkins.url, max_concurrent_deliveries=1, read_timeout=5)
    release = threading.Event()
    start_build = under_test.relay._start_build

    def slow_jenkins(job: str, parameters: dict) -> int:
        release.wait(10)  # holds the only slot: a delivery whose build is still being queued
        return start_build(job, parameters)

    under_test.relay._start_build = slow_jenkins
    under_test.server.start()
    try:
        first = threading.Thread(target=under_test.post, args=github_delivery("push", github_push(), GITHUB_SECRET))
        first.start()
        _wait_until_in_progress(under_test, 1)
        status, body = under_test.post(*github_delivery("push", github_push(after="b" * 40), GITHUB_SECRET))
        release.set()
        first.join(10)
    finally:
        release.set()
        under_test.server.stop()

    assert (status, body["status"]) == (503, "busy")
    assert len(jenkins.state.builds) == 1


def _health(under_test: RelayUnderTest) -> dict:
    host, port = under_test.server.address
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200
        return json.loads(response.read())
    finally:
        connection.close()


def _wait_until_in_progress(under_test: RelayUnderTest, count: int) -> None:
    deadline = time.monotonic() + 10
    while _health(under_test)["deliveries_in_progress"] != count:
        assert time.monotonic() < deadline, "the slow delivery never started"
        time.sleep(0.02)


def test_health_endpoint_names_the_armed_providers(relay):
    # the probe's own connection is the one open
    assert _health(relay) == {"status": "ok", "providers": ["github", "gitlab"], "deliveries_in_progress": 0,
                              "connections": 1}


# ---------------------------------------------------------------- Jenkins failures


def test_jenkins_down_gives_502_after_bounded_retries_with_backoff():
    under_test = RelayUnderTest(unused_local_url(), jenkins_retries=3)
    under_test.server.start()
    try:
        status, body = under_test.post(*github_delivery("pull_request", github_pull_request(), GITHUB_SECRET))
    finally:
        under_test.server.stop()

    assert status == 502
    assert body["status"] == "failed"
    assert under_test.sleeps == [0.01, 0.02, 0.04]  # 4 attempts, doubling backoff


def test_a_jenkins_hiccup_is_absorbed_by_the_retries(relay, jenkins):
    jenkins.state.fail_build_requests = 2

    status, _ = relay.post(*github_delivery("pull_request", github_pull_request(), GITHUB_SECRET))

    assert status == 201
    assert len(jenkins.state.builds) == 1
    assert relay.sleeps == [0.01, 0.02]


def test_a_delivery_that_failed_on_jenkins_can_be_redelivered(jenkins):
    under_test = RelayUnderTest(jenkins.url, jenkins_retries=0)
    jenkins.state.fail_build_requests = 1
    delivery = github_delivery("pull_request", github_pull_request(), GITHUB_SECRET, delivery_id="redeliver-me")

    first = under_test.relay.handle(*delivery)
    second = under_test.relay.handle(*delivery)
    third = under_test.relay.handle(*delivery)

    assert (first.status, second.status, third.status) == (502, 201, 202)
    assert len(jenkins.state.builds) == 1
    under_test.server.close()


def test_an_unknown_jenkins_job_is_not_retried(jenkins):
    under_test = RelayUnderTest(jenkins.url)
    under_test.relay.settings = under_test.settings.model_copy(update={"job": "no-such-job"})

    reply = under_test.relay.handle(*github_delivery("pull_request", github_pull_request(), GITHUB_SECRET))

    assert reply.status == 502
    assert under_test.sleeps == []
    under_test.server.close()
