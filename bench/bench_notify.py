"""`mlsecops notify` beside the raw tool a user would otherwise script: `curl` pushing a metrics file.

Both push to a real Pushgateway (Debian's prometheus-pushgateway) on 127.0.0.1. mlsecops' number
includes what curl's does not: reading every stage result of the workspace, building the
event, rendering and scrubbing the exposition, the console summary and result.json. The curl
side pushes a file mlsecops rendered beforehand (same body, same grouping key).

Usage: python bench/bench_notify.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))


def median_seconds(command: list[str], runs: int, cwd: Path, env: dict[str, str]) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    from mlsecops.notify.event import build_event
    from mlsecops.notify.pushgateway import exposition, grouping_path
    from notify_support.pushgateway import running_pushgateway
    from notify_support.workspace import failed_model_gate

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace = failed_model_gate(root / ".mlsecops", findings_per_scan=200)
        (root / "mlsecops.yaml").write_text("project: {name: fraud-detector, version: 1.4.0}\n")
        with running_pushgateway(root) as gateway:
            (root / "mlsecops.yaml").write_text(
                "project: {name: fraud-detector, version: 1.4.0}\n"
                f"notify:\n  sinks:\n    - {{type: pushgateway, url: '{gateway.url}'}}\n"
            )
            env = {**os.environ, "BRANCH_NAME": "bench"}
            os.environ["BRANCH_NAME"] = "bench"
            body = root / "metrics.txt"
            body.write_text(exposition(build_event("gate-failed", workspace, "fraud-detector", "1.4.0")).render())
            url = gateway.url + grouping_path("mlsecops", "fraud-detector", "bench")
            ours = median_seconds([str(Path(sys.executable).parent / "mlsecops"), "notify", "--event", "gate-failed"],
                                  args.runs, root, env)
            curl = median_seconds(["curl", "-sS", "-f", "-X", "PUT", "--data-binary", f"@{body}", url],
                                  args.runs, root, env)
            series = len([line for line in body.read_text().splitlines() if not line.startswith("#")])
            stages = len(workspace.all_results())
    print(f"push of one run ({stages} stage results, 205 findings, {series} series), median of {args.runs}:")
    print(f"  mlsecops notify (CLI, end to end) {ours * 1000:8.1f} ms")
    print(f"  curl PUT of the rendered file      {curl * 1000:8.1f} ms")
    print(f"  ratio mlsecops / curl              {ours / curl:8.2f}x")


if __name__ == "__main__":
    main()
