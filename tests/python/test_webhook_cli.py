"""`mlsecops webhook serve` as a process: settings from the config's `webhook:` section, secrets from env.

Jenkins is the stand-in of jenkins_support.fake_jenkins (no Jenkins can be installed here).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jenkins_support.deliveries import HEAD_SHA, gitlab_delivery, gitlab_merge_request
from jenkins_support.fake_jenkins import FakeJenkins, FakeJenkinsState

pytestmark = pytest.mark.timeout(60)

GITLAB_TOKEN = "gl-token-for-the-cli-test-93ab"


def start_relay(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen, str]:
    """Start the relay on a free port; returns the process and the address line it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mlsecops.cli", *args],
        cwd=tmp_path, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        if "webhook relay on" in line:
            return process, line
    process.kill()
    raise AssertionError(f"relay did not start: {process.stderr.read()}")


def test_serve_relays_a_gitlab_merge_request_from_the_configured_section(tmp_path):
    (tmp_path / "relay.yaml").write_text(
        "webhook:\n"
        "  job: ml-team/mlsecops\n"
        "  port: 0\n"
        "  gitlab_token_env: RELAY_GITLAB_TOKEN\n"
        "  events:\n"
        "    merge_request: [opened]\n"
    )
    with FakeJenkins(FakeJenkinsState()) as jenkins:
        jenkins.add_job("ml-team/mlsecops")
        env = {"JENKINS_URL": jenkins.url, "RELAY_GITLAB_TOKEN": GITLAB_TOKEN}
        process, line = start_relay(tmp_path, env, "-c", "relay.yaml", "webhook", "serve")
        try:
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            assert match, line
            assert GITLAB_TOKEN not in line
            connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
            headers, body = gitlab_delivery("Merge Request Hook", gitlab_merge_request("open"), GITLAB_TOKEN)
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            assert (response.status, json.loads(response.read())["status"]) == (201, "started")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)

        assert [(b.job, b.parameters["MLSECOPS_COMMIT"]) for b in jenkins.state.builds] == [
            ("ml-team/mlsecops", HEAD_SHA)
        ]
        assert process.returncode == 0
        assert GITLAB_TOKEN not in stderr


def test_serve_without_any_webhook_secret_refuses_to_start(cli):
    result = cli("webhook", "serve", "--job", "mlsecops", "--port", "0",
                 env={"JENKINS_URL": "http://127.0.0.1:9/", "GITHUB_WEBHOOK_SECRET": "", "GITLAB_WEBHOOK_TOKEN": ""})

    assert result.exit_code == 2
    assert "no webhook secret set" in result.stderr


def test_serve_without_a_job_is_bad_usage(cli):
    result = cli("webhook", "serve", "--port", "0",
                 env={"JENKINS_URL": "http://127.0.0.1:9/", "GITHUB_WEBHOOK_SECRET": "s3cr3t-value"})

    assert result.exit_code == 2
    assert "no Jenkins job" in result.stderr


def test_an_unknown_key_in_the_webhook_section_is_named(cli, tmp_path):
    (tmp_path / "relay.yaml").write_text("webhook:\n  jobb: typo\n")

    result = cli("-c", "relay.yaml", "webhook", "serve")

    assert result.exit_code == 2
    assert "webhook.jobb" in result.stderr
