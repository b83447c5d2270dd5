"""One list of notification events for both sides, and one list of token formats for scanner and sinks."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from mlsecops.notify import events
from mlsecops.notify.sanitize import clean

REPO = Path(__file__).resolve().parents[2]
LIBRARY_COPY = REPO / "resources/org/mlsecops/events.yaml"


def test_the_worker_packages_a_byte_identical_copy_of_the_librarys_event_list():
    assert events.EVENTS_FILE.read_bytes() == LIBRARY_COPY.read_bytes(), (
        "python/src/mlsecops/resources/events.yaml differs from resources/org/mlsecops/events.yaml: copy it"
    )


def test_the_cli_and_the_sink_settings_offer_exactly_the_listed_events():
    import click
    from mlsecops.cli import cli
    from mlsecops.notify.settings import DEFAULT_EVENTS, EventName
    from mlsecops.notify.slack import SlackSettings

    option = next(param for param in cli.get_command(click.Context(cli), "notify").params if param.name == "event")
    assert tuple(option.type.choices) == events.event_names()
    assert typing.get_args(EventName) == events.event_names()
    assert tuple(DEFAULT_EVENTS) == events.default_events()
    slack = SlackSettings(type="slack", webhook_url="${secret:env://SLACK_WEBHOOK_URL}")
    assert tuple(slack.events) == events.default_events()


def test_the_jenkins_step_accepts_the_events_marked_for_it():
    step = (REPO / "vars/mlsecopsNotify.groovy").read_text(encoding="utf-8")
    if "org/mlsecops/events.yaml" in step:  # the step reads the list itself
        return
    literal = re.search(r"event in \[([^\]]*)\]", step)
    assert literal, "vars/mlsecopsNotify.groovy: neither reads events.yaml nor lists its events"
    assert tuple(re.findall(r"'([^']+)'", literal.group(1))) == events.step_events()


@pytest.mark.parametrize("token", [
    "xoxe-1234567890-abcdefghijkl",  # Slack's `xoxe` prefix, which the sanitizer's own copy had lost
    "ABIA" + "QWERTYUIOPASDFGH",  # an AWS key id prefix beyond AKIA/ASIA
    "glrt-" + "a1B2c3D4e5F6g7H8i9J0k",  # a GitLab runner token
    "github_pat_" + "A" * 22 + "_" + "b" * 59,
    "npm_" + "a1B2c3D4e5" * 3 + "a1B2c3",
    "GOCSPX-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4",
    "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3",
])
def test_a_sink_never_sends_a_token_the_secret_scanner_knows(token):
    sent = clean(f"stage failed: token {token} in the log")
    assert token not in sent and "****" in sent
    assert sent.startswith("stage failed: token ") and sent.endswith(" in the log")


def test_a_key_block_cut_short_and_an_e_mail_address_are_masked_too():
    sent = clean("jane.doe@example.com wrote -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB")
    assert "jane.doe" not in sent and "MHcCAQEEIB" not in sent and "BEGIN" not in sent


def test_ordinary_text_passes_unchanged():
    text = "gate model: failed (accuracy 0.81 < 0.85), see https://ci.example.com/job/42/"
    assert clean(text) == text
