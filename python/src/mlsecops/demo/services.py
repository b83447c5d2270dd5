"""What a demo needs running beside the pipeline: the llm-endpoint demo's application server.

`mlsecops run --demo llm-endpoint` starts the project's `app/server.py` on a free port of
127.0.0.1, points the config at it through MLSECOPS_DEMO_ENDPOINT, and stops it when the run
ends, passed or not. Run stage by stage, a user starts the server the same way
(`python app/server.py 8765`, the config's default port).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlsecops.errors import EnvironmentFailure

ENDPOINT_VARIABLE = "MLSECOPS_DEMO_ENDPOINT"
SERVER = "app/server.py"
START_SECONDS = 15.0


@contextmanager
def endpoint_server(project_dir: Path) -> Iterator[str]:
    """The project's server on a free port; yields its base URL (…/v1) and stops it afterwards."""
    process = subprocess.Popen(
        [sys.executable, SERVER, "0"], cwd=project_dir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, start_new_session=True,
    )
    try:
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline() if process.stdout else ""),
                                  daemon=True)
        reader.start()
        reader.join(START_SECONDS)
        line = first[0].strip() if first else ""
        if not line.startswith("listening on "):
            raise EnvironmentFailure(f"{project_dir / SERVER}: the demo's endpoint did not start within "
                                     f"{START_SECONDS:g} s")
        yield line.removeprefix("listening on ")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@contextmanager
def demo_services(name: str | None, config_path: Path | None) -> Iterator[None]:
    """Start what demo `name` needs for a whole run (nothing for most demos)."""
    if name != "llm-endpoint" or config_path is None:
        yield
        return
    previous = os.environ.get(ENDPOINT_VARIABLE)
    with endpoint_server(config_path.parent) as url:
        os.environ[ENDPOINT_VARIABLE] = url
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(ENDPOINT_VARIABLE, None)
            else:
                os.environ[ENDPOINT_VARIABLE] = previous
