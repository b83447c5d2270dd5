"""Debian's nginx(-light) as a Nexus-style raw repository: WebDAV PUT/DELETE, GET, basic auth, JSON index.

Nexus itself is not installable here; nginx with `dav_methods PUT DELETE`,
`create_full_put_path on` and `auth_basic` answers the same PUT/GET/HEAD/DELETE calls
under /repository/<repo>/. Everything (config, pid, temp and data) lives under a /tmp
prefix, and workers run as the invoking user, so nothing needs to read /root.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .moto_server import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class NginxNexus:
    url: str  # nexus+http://127.0.0.1:PORT/repository/raw-models
    port: int
    data: Path  # the repository's files on disk
    username: str
    password: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


def _ssha(password: str) -> str:
    salt = os.urandom(8)
    return (
        "{SSHA}"
        + base64.b64encode(
            hashlib.sha1(password.encode() + salt).digest() + salt
        ).decode()
    )


def _config(prefix: Path, port: int, limit_rate: str | None, rest_port: int | None) -> str:
    user = "user root;" if os.geteuid() == 0 else ""
    rate = f"limit_rate {limit_rate};" if limit_rate else ""
    rest = f"location /service/rest/ {{ proxy_pass http://127.0.0.1:{rest_port}; }}" if rest_port else ""
    return f"""
{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  client_max_body_size 0;
  sendfile on;
  server {{
    listen 127.0.0.1:{port};
    location /repository/ {{
      root {prefix}/data;
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      autoindex on;
      autoindex_format json;
      auth_basic "nexus";
      auth_basic_user_file {prefix}/htpasswd;
      {rate}
    }}
    {rest}
  }}
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen, prefix: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"nginx exited: {(prefix / 'error.log').read_text(errors='replace')[-500:]}"
            )
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening within 10 s")


@contextmanager
def nginx_nexus(
    repository: str = "raw-models", limit_rate: str | None = None, rest_port: int | None = None
) -> Iterator[NginxNexus]:
    """nginx on a free port; `rest_port`: proxy /service/rest/ there (servers/nexus_rest.py)."""
    prefix = Path(tempfile.mkdtemp(prefix="mlsecops-nginx-"))
    try:
        (prefix / "data/repository" / repository).mkdir(parents=True)
        username, password = "deployer", "nexus-" + os.urandom(6).hex()
        (prefix / "htpasswd").write_text(f"{username}:{_ssha(password)}\n")
        port = free_port()
        (prefix / "nginx.conf").write_text(_config(prefix, port, limit_rate, rest_port))
        process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(prefix),
                "-c",
                str(prefix / "nginx.conf"),
                "-e",
                str(prefix / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = NginxNexus(
            url=f"nexus+http://127.0.0.1:{port}/repository/{repository}",
            port=port,
            data=prefix / "data/repository" / repository,
            username=username,
            password=password,
            process=process,
        )
        try:
            _wait_for_port(port, process, prefix)
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
