"""A local stand-in for a SonarQube server (none is installable here), on 127.0.0.1.

It implements only the two Web API endpoints the `sonar` adapter uses, with SonarQube's
answers and its token-as-basic-auth-user authentication:
  GET /api/qualitygates/project_status?projectKey=... | analysisId=...
  GET /api/ce/task?id=...
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from json_http import QuietJsonHandler, local_server


@dataclass
class SonarState:
    token: str
    gate: dict[str, Any] = field(default_factory=lambda: {"status": "OK", "conditions": []})
    tasks: dict[str, list[str]] = field(default_factory=dict)  # task id -> statuses returned in turn
    requests: list[tuple[str, dict[str, list[str]], str]] = field(default_factory=list)  # path, query, auth user


@contextmanager
def sonar_server(state: SonarState) -> Iterator[str]:
    class Handler(QuietJsonHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            header = self.headers.get("Authorization", "")
            user = base64.b64decode(header[6:]).decode().split(":")[0] if header.startswith("Basic ") else ""
            state.requests.append((url.path, query, user))
            if user != state.token:
                self._reply(401, {"errors": [{"msg": "Authentication required"}]})
            elif url.path == "/api/qualitygates/project_status":
                if not ({"projectKey", "analysisId"} & set(query)):
                    self._reply(400, {"errors": [{"msg": "Either 'analysisId', 'projectId' or 'projectKey' "
                                                         "must be provided"}]})
                else:
                    self._reply(200, {"projectStatus": state.gate})
            elif url.path == "/api/ce/task":
                task_id = query.get("id", [""])[0]
                statuses = state.tasks.get(task_id)
                if not statuses:
                    self._reply(404, {"errors": [{"msg": f"No activity found for task '{task_id}'"}]})
                    return
                status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
                self._reply(200, {"task": {"id": task_id, "status": status, "analysisId": f"AN-{task_id}"}})
            else:
                self._reply(404, {"errors": [{"msg": "Unknown url"}]})

    with local_server(Handler) as url:
        yield url
