"""A small stand-in for Nexus 3's asset search API: Nexus itself is not installable here.

It implements only the one endpoint mlsecops calls, over the files the nginx raw repository
(servers/nginx_nexus.py, which proxies /service/rest/ to it) holds on disk:
  GET /service/rest/v1/search/assets?repository=R&name=N[&continuationToken=T]
with Nexus' JSON shape ({"items": [{"path", "repository", "checksum": {...}}],
"continuationToken"}). `name` matches the asset's name exactly or with a trailing `*`;
Nexus 3.88 and later name raw assets with a leading '/', earlier releases without one
(`legacy_names`). Checksums are computed from the stored bytes, as Nexus records them at
upload; `sha256` is left out to act as a release before 3.68, and `reported_sha256` makes the
server report a chosen value for a path. Requests without an Authorization header get 401.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from json_http import QuietJsonHandler, local_server


@dataclass
class NexusRestState:
    data: Path  # the folder holding one sub-folder per repository
    page_size: int = 2
    legacy_names: bool = False
    with_sha256: bool = True
    reported_sha256: dict[str, str] = field(default_factory=dict)  # asset path -> the sha256 to claim
    searches: list[str] = field(default_factory=list)  # every `name` asked for


def _checksums(path: Path, with_sha256: bool) -> dict[str, str]:
    data = path.read_bytes()
    checksums = {"sha1": hashlib.sha1(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}
    if with_sha256:
        checksums["sha256"] = hashlib.sha256(data).hexdigest()
    return checksums


def _matches(name: str, pattern: str) -> bool:
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def _handler(state: NexusRestState) -> type[QuietJsonHandler]:
    class Handler(QuietJsonHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/service/rest/v1/search/assets":
                return self._reply(404, {"message": "not found"})
            if not self.headers.get("Authorization"):
                return self._reply(401, {"message": "authentication required"})
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            pattern = query.get("name", "*")
            state.searches.append(pattern)
            repository = query.get("repository", "")
            root = state.data / repository
            prefix = "" if state.legacy_names else "/"
            names = sorted(f"{prefix}{p.relative_to(root).as_posix()}" for p in root.rglob("*") if p.is_file())
            chosen = [name for name in names if _matches(name, pattern)]
            start = int(query.get("continuationToken", "0"))
            page = chosen[start : start + state.page_size]
            items = []
            for name in page:
                checksums = _checksums(root / name.lstrip("/"), state.with_sha256)
                if name.lstrip("/") in state.reported_sha256:
                    checksums["sha256"] = state.reported_sha256[name.lstrip("/")]
                items.append({"path": name, "repository": repository, "format": "raw", "checksum": checksums})
            more = start + state.page_size < len(chosen)
            self._reply(200, {"items": items, "continuationToken": str(start + state.page_size) if more else None})

    return Handler


@contextmanager
def nexus_rest(data: Path, **settings) -> Iterator[tuple[int, NexusRestState]]:
    """Serve the search API over `data` on 127.0.0.1; yields (port, state)."""
    state = NexusRestState(data=data, **settings)
    with local_server(_handler(state)) as url:
        yield int(url.rsplit(":", 1)[1]), state
