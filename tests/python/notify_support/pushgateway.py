"""A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on 127.0.0.1, started per test module."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

BINARY = shutil.which("prometheus-pushgateway") or "/usr/bin/prometheus-pushgateway"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pushgateway:
    def __init__(self, url: str) -> None:
        self.url = url

    def groups(self) -> list[dict]:
        """Every pushed group with its metric families, as the Pushgateway's own API reports them."""
        answer = requests.get(f"{self.url}/api/v1/metrics", timeout=5).json()
        assert answer["status"] == "success"
        return answer["data"]

    def group(self, **labels: str) -> dict:
        matches = [g for g in self.groups() if g["labels"] == labels]
        assert len(matches) == 1, f"no single group {labels} in {[g['labels'] for g in self.groups()]}"
        return matches[0]

    def wipe(self) -> None:
        requests.put(f"{self.url}/api/v1/admin/wipe", timeout=5)


@contextmanager
def running_pushgateway(log_dir: Path) -> Iterator[Pushgateway]:
    """Start the binary on a free 127.0.0.1 port (no persistence file), wait until ready, stop it after."""
    if not Path(BINARY).exists():
        raise RuntimeError(f"{BINARY} is missing: apt-get install prometheus-pushgateway")
    port = _free_port()
    log = log_dir / "pushgateway.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BINARY, f"--web.listen-address=127.0.0.1:{port}", "--web.enable-admin-api"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pushgateway did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)
        yield Pushgateway(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def pushgateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pushgateway]:
    with running_pushgateway(tmp_path_factory.mktemp("pushgateway")) as gateway:
        yield gateway
