"""`mlsecops trigger`: starts a Jenkins job through python-jenkins and maps the build result to the exit code.

Jenkins is the stand-in of jenkins_support.fake_jenkins (no Jenkins can be installed here);
the CLI runs as a separate process, as a cron job or a script would run it.
"""

from __future__ import annotations

import pytest
from jenkins_support.fake_jenkins import (
    CRUMB_FIELD,
    FakeJenkins,
    FakeJenkinsState,
    unused_local_url,
)

pytestmark = pytest.mark.timeout(60)

USER = "ci-bot"
TOKEN = "11d3f0b5a9c84e2f9d7e6c5b4a392817"


@pytest.fixture
def jenkins():
    with FakeJenkins(FakeJenkinsState(user=USER, token=TOKEN)) as server:
        yield server


def jenkins_env(server: FakeJenkins, token: str = TOKEN) -> dict[str, str]:
    return {"JENKINS_URL": server.url, "JENKINS_USER": USER, "JENKINS_API_TOKEN": token}


def test_queues_the_job_with_its_parameters_and_the_csrf_crumb(cli, jenkins):
    jenkins.add_job("mlsecops-nightly")

    result = cli("trigger", "--job", "mlsecops-nightly", "--param", "MODEL=sentiment", "--param", "REF=main",
                 env=jenkins_env(jenkins))

    assert result.exit_code == 0, result.output
    assert [(b.job, b.parameters) for b in jenkins.state.builds] == [
        ("mlsecops-nightly", {"MODEL": "sentiment", "REF": "main"})
    ]
    posts = [r for r in jenkins.state.requests if r.method == "POST"]
    assert posts and all(r.headers.get(CRUMB_FIELD) == jenkins.state.crumb for r in posts)
    assert "queue item 100" in result.stdout


def test_a_job_inside_folders_is_addressed_by_its_path(cli, jenkins):
    jenkins.add_job("ml-team/mlsecops")

    result = cli("trigger", "--job", "ml-team/mlsecops", env=jenkins_env(jenkins))

    assert result.exit_code == 0, result.output
    assert [b.job for b in jenkins.state.builds] == ["ml-team/mlsecops"]


@pytest.mark.parametrize(
    ("build_result", "exit_code"),
    [("SUCCESS", 0), ("FAILURE", 1), ("UNSTABLE", 1), ("ABORTED", 1), ("NOT_BUILT", 1)],
)
def test_wait_returns_the_build_result_as_exit_code(cli, jenkins, build_result, exit_code):
    jenkins.add_job("mlsecops", result=build_result, queue_polls=2, build_polls=2)

    result = cli("trigger", "--job", "mlsecops", "--wait", "--poll", "0.05", env=jenkins_env(jenkins))

    assert result.exit_code == exit_code, result.output
    assert f"#1: {build_result}" in result.stdout
    assert "Traceback" not in result.output


def test_a_build_cancelled_in_the_queue_fails_with_one_line(cli, jenkins):
    jenkins.add_job("mlsecops", cancel_in_queue=True)

    result = cli("trigger", "--job", "mlsecops", "--wait", "--poll", "0.05", env=jenkins_env(jenkins))

    assert result.exit_code == 1
    assert "CANCELLED" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_build_that_outlasts_the_timeout_is_an_environment_failure(cli, jenkins):
    jenkins.add_job("mlsecops", build_polls=10_000)

    result = cli("trigger", "--job", "mlsecops", "--wait", "--timeout", "1", "--poll", "0.1",
                 env=jenkins_env(jenkins))

    assert result.exit_code == 3
    assert "did not finish within 1s" in result.stderr


def test_unreachable_jenkins_exits_3_with_one_line(cli):
    result = cli("trigger", "--job", "mlsecops",
                 env={"JENKINS_URL": unused_local_url(), "JENKINS_USER": USER, "JENKINS_API_TOKEN": TOKEN})

    assert result.exit_code == 3
    assert "unreachable" in result.stderr
    assert "Traceback" not in result.output


def test_refused_credentials_exit_3_without_showing_the_token(cli, jenkins):
    jenkins.add_job("mlsecops")
    wrong_token = "ffffeeeeddddccccbbbbaaaa99998888"

    result = cli("trigger", "--job", "mlsecops", env=jenkins_env(jenkins, token=wrong_token))

    assert result.exit_code == 3
    assert wrong_token not in result.output
    assert jenkins.state.builds == []


def test_an_unknown_job_is_bad_usage(cli, jenkins):
    result = cli("trigger", "--job", "no-such-job", env=jenkins_env(jenkins))

    assert result.exit_code == 2
    assert "no-such-job" in result.stderr and "not found" in result.stderr


def test_missing_jenkins_url_is_bad_usage(cli):
    result = cli("trigger", "--job", "mlsecops", env={"JENKINS_URL": ""})

    assert result.exit_code == 2
    assert "JENKINS_URL is not set" in result.stderr


def test_a_parameter_without_equals_sign_is_bad_usage(cli, jenkins):
    jenkins.add_job("mlsecops")

    result = cli("trigger", "--job", "mlsecops", "--param", "MODEL", env=jenkins_env(jenkins))

    assert result.exit_code == 2
    assert "--param 'MODEL'" in result.stderr
    assert jenkins.state.builds == []
