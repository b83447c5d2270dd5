"""A stand-in Jenkins for tests: no Jenkins can be installed here.

It implements only the endpoints python-jenkins calls for `build_job`, `get_queue_item` and
`get_build_info`, with Jenkins' own shapes and rules:

    GET  /crumbIssuer/api/json                    CSRF crumb (POSTs without it get 403)
    POST /job/<name>[/job/<name>...]/build        queue a build; 201 with Location: .../queue/item/<n>/
    POST /job/<name>.../buildWithParameters?k=v   the same, with parameters from the query string
    GET  /queue/item/<n>/api/json                 `why` while waiting, then `executable` {number, url}
    GET  /job/<name>.../<number>/api/json         `building` until done, then `result`
    GET  /job/<name>.../api/json                  job info (name, url, nextBuildNumber)

Basic authentication is checked when a user is configured; a wrong token gets 401 as on Jenkins.
Every request is recorded so tests can assert what reached the server.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

CRUMB_FIELD = "Jenkins-Crumb"


@dataclass
class FakeJob:
    name: str
    result: str = "SUCCESS"  # what every build of this job ends with
    queue_polls: int = 1  # queue item polls answered with `why` before the build starts
    build_polls: int = 1  # build info polls answered with building=true before the result
    cancel_in_queue: bool = False


@dataclass
class QueuedBuild:
    job: str
    parameters: dict[str, str]
    queue_item: int
    number: int
    queue_polls_left: int
    build_polls_left: int
    cancelled: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class FakeJenkinsState:
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    user: str | None = None
    token: str | None = None
    crumb: str = "c0ffee-crumb"
    builds: list[QueuedBuild] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    fail_build_requests: int = 0  # answer this many build POSTs with 503 before accepting
    lock: threading.Lock = field(default_factory=threading.Lock)


_JOB_PATH = re.compile(r"^/((?:job/[^/]+/?)+)")


def _job_name(job_path: str) -> str:
    # "job/team/job/mlsecops/" -> "team/mlsecops"
    parts = [part for part in job_path.split("/") if part]
    return "/".join(parts[1::2])


class _Handler(BaseHTTPRequestHandler):
    state: FakeJenkinsState
    base_url: str

    def log_message(self, format: str, *args: Any) -> None:
        return

    # ------------------------------------------------------------ plumbing
    def _reply(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        if self.state.user is None:
            return True
        expected = base64.b64encode(f"{self.state.user}:{self.state.token}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"

    def _record(self) -> None:
        with self.state.lock:
            self.state.requests.append(RecordedRequest(self.command, self.path, dict(self.headers.items())))

    # ------------------------------------------------------------ GET
    def do_GET(self) -> None:
        self._record()
        if not self._authorized():
            self._reply(401)
            return
        path = urlsplit(self.path).path
        if path == "/crumbIssuer/api/json":
            self._reply(200, {"crumb": self.state.crumb, "crumbRequestField": CRUMB_FIELD})
            return
        queue_match = re.fullmatch(r"/queue/item/(\d+)/api/json", path)
        if queue_match:
            self._queue_item(int(queue_match.group(1)))
            return
        job_match = _JOB_PATH.match(path)
        if job_match:
            name = _job_name(job_match.group(1))
            rest = path[job_match.end() :].strip("/")
            job = self.state.jobs.get(name)
            if job is None:
                self._reply(404)
            elif rest == "api/json":
                self._reply(200, {"name": name.split("/")[-1], "fullName": name, "url": f"{self.base_url}/job/{name}/",
                                  "nextBuildNumber": self._next_number(name)})
            elif re.fullmatch(r"\d+/api/json", rest):
                self._build_info(name, int(rest.split("/")[0]))
            else:
                self._reply(404)
            return
        self._reply(404)

    def _queue_item(self, number: int) -> None:
        with self.state.lock:
            build = next((b for b in self.state.builds if b.queue_item == number), None)
            if build is None:
                self._reply(404)
                return
            if build.cancelled:
                self._reply(200, {"id": number, "cancelled": True, "why": None})
                return
            if build.queue_polls_left > 0:
                build.queue_polls_left -= 1
                self._reply(200, {"id": number, "why": "Waiting for next available executor", "executable": None})
                return
            url = f"{self.base_url}/job/{build.job}/{build.number}/"
            self._reply(200, {"id": number, "why": None, "executable": {"number": build.number, "url": url}})

    def _build_info(self, job_name: str, number: int) -> None:
        with self.state.lock:
            build = next((b for b in self.state.builds if b.job == job_name and b.number == number), None)
            if build is None or build.queue_polls_left > 0:
                self._reply(404)
                return
            url = f"{self.base_url}/job/{job_name}/{number}/"
            if build.build_polls_left > 0:
                build.build_polls_left -= 1
                self._reply(200, {"number": number, "building": True, "result": None, "url": url})
                return
            result = self.state.jobs[job_name].result
            self._reply(200, {"number": number, "building": False, "result": result, "url": url})

    def _next_number(self, job_name: str) -> int:
        return 1 + sum(1 for build in self.state.builds if build.job == job_name)

    # ------------------------------------------------------------ POST
    def do_POST(self) -> None:
        self._record()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if not self._authorized():
            self._reply(401)
            return
        if self.headers.get(CRUMB_FIELD) != self.state.crumb:
            self._reply(403, {"message": "No valid crumb was included in the request"})
            return
        parts = urlsplit(self.path)
        job_match = _JOB_PATH.match(parts.path)
        rest = parts.path[job_match.end() :].strip("/") if job_match else ""
        if not job_match or rest not in ("build", "buildWithParameters"):
            self._reply(404)
            return
        name = _job_name(job_match.group(1))
        job = self.state.jobs.get(name)
        if job is None:
            self._reply(404)
            return
        with self.state.lock:
            if self.state.fail_build_requests > 0:
                self.state.fail_build_requests -= 1
                self._reply(503)
                return
            queue_item = 100 + len(self.state.builds)
            self.state.builds.append(QueuedBuild(
                job=name, parameters=dict(parse_qsl(parts.query, keep_blank_values=True)), queue_item=queue_item,
                number=self._next_number(name), queue_polls_left=job.queue_polls, build_polls_left=job.build_polls,
                cancelled=job.cancel_in_queue,
            ))
        self._reply(201, headers={"Location": f"{self.base_url}/queue/item/{queue_item}/"})


class FakeJenkins:
    """The server on 127.0.0.1 and a free port; `state` holds jobs, builds and recorded requests."""

    def __init__(self, state: FakeJenkinsState) -> None:
        self.state = state
        handler = type("FakeJenkinsHandler", (_Handler,), {"state": state, "base_url": ""})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        handler.base_url = self.url.rstrip("/")
        # `shutdown()` waits for serve_forever's next poll: every test stops one of these servers
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def add_job(self, name: str, **options: Any) -> FakeJob:
        job = FakeJob(name, **options)
        self.state.jobs[name] = job
        return job

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def unused_local_url() -> str:
    """A 127.0.0.1 URL nothing listens on: a port the OS gave out and that was closed again."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
