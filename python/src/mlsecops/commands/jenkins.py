"""`mlsecops trigger` and `mlsecops webhook serve`: the trigger side of the pipeline.

Kept light: click only at import time; python-jenkins loads when a command talks to Jenkins.
"""

from __future__ import annotations

import signal

import click

from mlsecops.errors import UsageError


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param '{value}': expected KEY=VALUE")
        parameters[key.strip()] = text
    return parameters


@click.command()
@click.option("--job", required=True, metavar="NAME", help="Jenkins job, folders separated by '/' (team/mlsecops).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Build parameter; repeatable.")
@click.option("--wait", is_flag=True, help="Wait for the build; its result becomes the exit code.")
@click.option("--timeout", type=click.FloatRange(min=1), default=3600, show_default=True,
              help="Seconds to wait for the build with --wait.")
@click.option("--poll", type=click.FloatRange(min=0.05), default=5, show_default=True,
              help="Seconds between status checks with --wait.")
def trigger(job: str, params: tuple[str, ...], wait: bool, timeout: float, poll: float) -> None:
    """Start a Jenkins job (JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN from the environment).

    \b
    Exit codes: 0 queued (or, with --wait, SUCCESS); 1 FAILURE, UNSTABLE, ABORTED or NOT_BUILT;
    2 bad usage or unknown job; 3 Jenkins unreachable or the build did not finish in time.
    """
    from mlsecops.jenkins.client import JenkinsClient, JenkinsEndpoint, raise_for_result, wait_for_build

    parameters = _parse_params(params)
    client = JenkinsClient(JenkinsEndpoint.from_env())
    queue_item = client.start(job, parameters)
    click.echo(f"job '{job}' queued at {client.endpoint.display} (queue item {queue_item})")
    if not wait:
        return
    outcome = wait_for_build(client, job, queue_item, timeout=timeout, poll_interval=poll)
    where = f" {outcome.url}" if outcome.url else ""
    click.echo(f"job '{job}' #{outcome.number}: {outcome.result}{where}")
    raise_for_result(outcome)


@click.group()
def webhook() -> None:
    """Relay GitHub/GitLab webhooks to Jenkins (settings: the `webhook:` section of the config)."""


@webhook.command("serve")
@click.option("--bind", help="Address to listen on (default: webhook.bind, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: webhook.port, 8088; 0 picks one).")
@click.option("--job", help="Jenkins job to start (default: webhook.job).")
@click.pass_context
def webhook_serve(ctx: click.Context, bind: str | None, port: int | None, job: str | None) -> None:
    """Listen for webhooks; start the Jenkins job for wanted events.

    \b
    Secrets come from the environment only: GITHUB_WEBHOOK_SECRET (HMAC of X-Hub-Signature-256)
    and GITLAB_WEBHOOK_TOKEN (X-Gitlab-Token), or the variables the config names.
    Jenkins: JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN.
    """
    from mlsecops.errors import EnvironmentFailure
    from mlsecops.jenkins.client import JenkinsClient, JenkinsEndpoint
    from mlsecops.jenkins.webhook import Relay, WebhookServer, describe_secret_settings

    settings = _webhook_settings(ctx)
    overrides = {key: value for key, value in {"bind": bind, "port": port, "job": job}.items() if value is not None}
    settings = settings.model_copy(update=overrides)
    if not settings.job:
        raise UsageError("no Jenkins job to start: set webhook.job in the config or pass --job")
    endpoint = JenkinsEndpoint.from_env(timeout=settings.jenkins_timeout)

    def start_build(job_name: str, parameters: dict[str, str]) -> int:
        # a fresh client per delivery: python-jenkins' crumb and session are not shared across threads;
        # no connect retries of its own: the relay retries with backoff
        return JenkinsClient(endpoint, connect_retries=0).start(job_name, parameters)

    def log(line: str) -> None:
        click.echo(f"webhook: {line}", err=True)

    relay = Relay(settings, start_build, log=log)
    if not relay.configured_providers:
        raise UsageError(
            f"no webhook secret set: export {settings.github_secret_env} and/or {settings.gitlab_token_env}"
        )
    try:
        server = WebhookServer(relay, log=log)
    except OSError as exc:
        raise EnvironmentFailure(f"cannot listen on {settings.bind}:{settings.port}: {exc.strerror}") from None
    host, bound_port = server.address
    click.echo(f"webhook relay on http://{host}:{bound_port}/ -> job '{settings.job}' at {endpoint.display} "
               f"({describe_secret_settings(settings)})", err=True)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # `docker stop` ends the relay cleanly
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("webhook: stopped", err=True)
    finally:
        server.close()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _webhook_settings(ctx: click.Context):
    """The `webhook:` section of the config when there is one; the defaults otherwise."""
    from mlsecops.jenkins.settings import WebhookConfig

    runtime = ctx.find_root().obj
    if runtime is not None and runtime.resolved_config_path() is not None:
        return runtime.config().webhook
    return WebhookConfig()
