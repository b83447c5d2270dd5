"""The `mlsecops` command line: wires config, workspace and stages; holds no stage logic.

Heavy libraries (keras, torch, garak, boto3) are imported only inside the command that
needs them, so `mlsecops --help` stays instant.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from mlsecops import __version__
from mlsecops.errors import EXIT_ENVIRONMENT, EXIT_USAGE, MlsecopsError, UsageError
from mlsecops.notify.events import EventChoice  # resources/events.yaml: the one list of notification events

# Commands that live beside their concern: imported only when invoked, so `--help` stays instant.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "lock": ("mlsecops.commands.lock:lock_command", "Resolve every load source to a sha256 in mlsecops.lock."),
    "guard": ("mlsecops.commands.guard:guard", "Prompt-injection detector: check text, files or datasets."),
    "trigger": ("mlsecops.commands.jenkins:trigger", "Start a Jenkins job (optionally wait for its result)."),
    "webhook": ("mlsecops.commands.jenkins:webhook", "Relay GitHub/GitLab webhooks to Jenkins, signatures checked."),
    "redact": ("mlsecops.commands.redact:redact", "Copy a dataset with every PII entity replaced."),
    "redact-dataset": ("mlsecops.stages.redact:redact_stage_command",
                       "Stage 4b (redact.enabled): train.dataset with its PII replaced, for train."),
    "handoff": ("mlsecops.stores.handoff:handoff", "Jenkins: a large stage folder to the next agent via the store."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module_name, _, attribute = LAZY_COMMANDS[name][0].partition(":")
            try:
                return getattr(importlib.import_module(module_name), attribute)
            except (ImportError, AttributeError) as exc:
                return _unavailable_command(name, f"{exc.__class__.__name__}: {exc}")
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS:
                rows.append((name, LAZY_COMMANDS[name][1]))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit=formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _unavailable_command(name: str, cause: str) -> click.Command:
    @click.command(name=name, help="(not available in this installation)")
    def command() -> None:
        # say why, so a broken install is not mistaken for a missing feature
        raise UsageError(f"command '{name}' is not available in this installation ({cause})")

    return command


DEMO_RECORD = "last-used"  # in <workspace>/demo/: the demo the workspace's stages ran


class Runtime:
    """What the global options decided: where the config and the workspace are."""

    def __init__(self, config_path: str | None, workspace: str, demo: str | None) -> None:
        self.config_path = config_path
        self.workspace_path = workspace
        self.demo = demo
        self._config = None

    def workspace(self):
        from mlsecops.workspace import Workspace

        return Workspace(self.workspace_path)

    def use_demo(self, name: str) -> None:
        self.demo = name
        self._config = None

    def resolved_config_path(self) -> Path | None:
        demos = Path(self.workspace_path) / "demo"
        if self.demo:
            from mlsecops.demo import materialize

            path = materialize(self.demo, demos / self.demo)
            (demos / DEMO_RECORD).write_text(self.demo + "\n", encoding="utf-8")
            return path
        if self.config_path:
            return Path(self.config_path)
        if Path("mlsecops.yaml").is_file():
            return Path("mlsecops.yaml")
        # a config-less `run` ran a demo: later commands on its workspace (report, verify) use it too
        record = demos / DEMO_RECORD
        name = record.read_text(encoding="utf-8").strip() if record.is_file() else ""
        path = demos / name / "mlsecops.yaml"
        return path if name.replace("-", "").isalnum() and path.is_file() else None

    def config(self):
        """The config, with the secret references resolved that the running command uses (see SECRET_SCOPES)."""
        if self._config is None:
            from mlsecops.config import load_config

            path = self.resolved_config_path()
            if path is None:
                raise UsageError(
                    "no mlsecops.yaml in this folder: pass --config FILE, or --demo default for the embedded demo"
                )
            self._config = load_config(path, secret_scope(_running_command()))
        return self._config

    def stage_context(self, **options: Any):
        from mlsecops.stages.base import StageContext

        return StageContext(config=self.config(), workspace=self.workspace(), options=options, echo=click.echo)


def _running_command() -> str:
    """The top-level sub-command being run ("scan" for `mlsecops scan --only x`), "" outside a command."""
    ctx = click.get_current_context(silent=True)
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return names[-1] if names else ""


def secret_scope(command: str) -> tuple[str, ...] | None:
    """The config prefixes whose secret references `command` resolves; None (all) for any other command."""
    from mlsecops.config import SECRET_SCOPES

    return SECRET_SCOPES.get(command)


pass_runtime = click.make_pass_decorator(Runtime)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlsecops")
@click.option(
    "-c", "--config", "config_path", envvar="MLSECOPS_CONFIG", type=click.Path(dir_okay=False),
    help="Config file (default: ./mlsecops.yaml).",
)
@click.option(
    "-w", "--workspace", default=".mlsecops", envvar="MLSECOPS_WORKSPACE", show_default=True,
    help="Workspace folder: one sub-folder per stage.",
)
@click.option("--demo", metavar="NAME", help="Use the embedded demo project NAME (default, insecure, tabular, byo, "
              "pretrained, llm-endpoint, ...).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, workspace: str, demo: str | None) -> None:
    """mlsecops: take an ML/LLM model through a security pipeline and ship it only when every gate passes.

    \b
    Stages: load, scan, gate --stage security, train, evaluate, modeltest,
            gate --stage model, sign, store (notify around them); `run` does all.
    Exit codes: 0 passed, 1 gate failed, 2 bad usage/config/input, 3 environment failed.
    """
    ctx.obj = Runtime(config_path, workspace, demo)


# ---------------------------------------------------------------- config


@cli.group()
def config() -> None:
    """Validate or show mlsecops.yaml."""


@config.command("validate")
@pass_runtime
def config_validate(runtime: Runtime) -> None:
    """Check the config, its secret references, scanner and metric names and the policy file; exit 2 with one
    line naming the bad key."""
    from mlsecops.config.check import check_references

    check_references(runtime.config())
    click.echo(f"{runtime.resolved_config_path()}: valid")


@config.command("show")
@pass_runtime
def config_show(runtime: Runtime) -> None:
    """Print the effective config (defaults filled in, secrets masked)."""
    import yaml

    from mlsecops.config import masked_dump

    click.echo(yaml.safe_dump(masked_dump(runtime.config()), sort_keys=False))


@cli.group()
def demo() -> None:
    """The embedded demo project."""


@demo.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--variant", default="default", show_default=True, help="default, insecure, or another demo name.")
def demo_init(directory: str, variant: str) -> None:
    """Write the demo project (config, data, code) into DIRECTORY."""
    from mlsecops.demo import materialize

    path = materialize(variant, Path(directory))
    click.echo(f"demo '{variant}' written: {path}")


# ---------------------------------------------------------------- stages


def _stage(module: str, **options: Any) -> None:
    runtime = click.get_current_context().find_object(Runtime)
    stage = importlib.import_module(f"mlsecops.stages.{module}")
    stage.run(runtime.stage_context(**options))


@cli.command()
def load() -> None:
    """Stage 2: fetch allowlisted sources, verify their digests against the lock file."""
    _stage("load")


class ScanGroup(click.Group):
    """`scan` runs stage 3; `scan NAME PATH` runs one registered scanner alone."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from mlsecops.scanners import SCANNERS

        return sorted(SCANNERS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from mlsecops.scanners import SCANNERS

        if name not in SCANNERS:
            return None
        return _standalone_scan_command(name)


SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info", "never"]


def _standalone_scan_command(name: str) -> click.Command:
    @click.command(name=name, help=f"Run the '{name}' scanner alone on PATH and print its findings. Exit 1 when a "
                   "finding reaches --fail-on, 3 when the scanner could not run.")
    @click.argument("path", type=click.Path(exists=True))
    @click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="text")
    @click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="low", show_default=True,
                  help="Lowest severity that fails the run (exit 1); 'never' always exits 0 after printing.")
    def command(path: str, output_format: str, fail_on: str, **dataset_options: str | None) -> None:
        from mlsecops.stages.scan import scan_path

        if dataset_options.get("spans") is not None:  # `scan dataset --spans`: one line per entity, see dataset_pii
            from mlsecops.scanners.dataset_pii import spans_to

            with spans_to(str(dataset_options["spans"]), dataset_options.get("salt")):
                outcome = scan_path(name, Path(path), **_standalone_project(name))
        else:
            outcome = scan_path(name, Path(path), **_standalone_project(name))
        if output_format == "json":
            click.echo(json.dumps({**outcome.summary(), "findings": [f.to_dict() for f in outcome.findings]}, indent=2))
        else:
            for finding in outcome.findings:
                where = finding.location.display()
                click.echo(f"{finding.severity.value:8} {finding.rule:32} {where}  {finding.title}")
            click.echo(f"{name}: {outcome.status}, {len(outcome.findings)} finding(s), {outcome.scanned} scanned")
        _judge_standalone_scan(name, outcome, fail_on)

    if name == "dataset":
        command.params.extend([
            click.Option(["--spans"], metavar="OUT.jsonl", type=click.Path(dir_okay=False),
                         help="Also write one JSON line per entity: file, row, column, type, start, end, digest."),
            click.Option(["--salt"], envvar="MLSECOPS_PII_SALT", metavar="TEXT",
                         help="Salt of the --spans digests (env MLSECOPS_PII_SALT; default: random per run)."),
        ])
    return command


def _standalone_project(name: str) -> dict[str, Any]:
    """A scanner run alone inside a project (`--config`, or ./mlsecops.yaml) uses that project's
    `scan.options.<name>` and names files relative to its root, as the pipeline does (without a
    project, the working directory is the root)."""
    runtime = click.get_current_context().find_object(Runtime)
    if runtime is None or not (runtime.config_path or Path("mlsecops.yaml").is_file()):
        return {"project_root": Path(".")}
    config = runtime.config()
    return {"options": config.scan.options.get(name), "project_root": config.base_dir}


def _judge_standalone_scan(name: str, outcome, fail_on: str) -> None:
    """Exit as a gate would, like gitleaks or modelscan in a script: nothing to scan in PATH is bad
    input, a scanner that could not run is an environment failure (its results are incomplete), a
    finding at or above `fail_on` fails."""
    if fail_on == "never":
        return
    from mlsecops.errors import EnvironmentFailure, GateFailed, UsageError
    from mlsecops.findings import Severity

    # "nothing to scan" / "nothing to check": PATH held nothing this scanner reads (not a missing tool)
    nothing = outcome.status == "not-run" and outcome.message.startswith(("nothing to scan:", "nothing to check:"))
    # In the pipeline a project without pretrained models legitimately gives `models` nothing and it
    # "ran"; alone, PATH was given to be scanned as models, so no model file in it is bad input.
    no_model = name == "models" and outcome.status == "ran" and outcome.scanned == 0 and not outcome.findings
    if nothing or no_model:
        detail = outcome.message.split(":", 1)[1].strip() if nothing else "no model file"
        raise UsageError(f"{name}: nothing to scan in the given path ({detail})")
    # only empty datasets (0 bytes, a header alone): nothing to judge, bad input as `redact` says of them
    empty = [f for f in outcome.findings if f.properties.get("empty_input")]
    if empty and len(empty) == len(outcome.findings):
        more = f" (and {len(empty) - 1} more empty file(s))" if len(empty) > 1 else ""
        raise UsageError(f"{name}: nothing to judge: {empty[0].message.split(';')[0]}{more}")
    if outcome.status != "ran":
        reason = f": {outcome.message}" if outcome.message else ""
        raise EnvironmentFailure(f"{name}: the scanner did not run, nothing was judged{reason}")
    threshold = Severity(fail_on)
    failing = [f for f in outcome.findings if f.severity.at_least(threshold)]
    if failing:
        counts = ", ".join(f"{s.value}: {n}" for s in Severity if (n := sum(f.severity is s for f in failing)))
        raise GateFailed(f"{name}: {len(failing)} finding(s) at or above {fail_on} ({counts})")


@cli.group(cls=ScanGroup, invoke_without_command=True)
@click.option("--only", help="Comma-separated scanners to run (a parallel branch); results go to scan/<name>/.")
@click.pass_context
def scan(ctx: click.Context, only: str | None) -> None:
    """Stage 3: run the configured scanners over the source tree and the loaded artifacts."""
    if ctx.invoked_subcommand is None:
        _stage("scan", only=[s.strip() for s in only.split(",") if s.strip()] if only else None)


@cli.command()
@click.option("--stage", "gate_name", type=click.Choice(["security", "model"]),
              help="The gate: security or model (required).")
def gate(gate_name: str | None) -> None:
    """Stages 4 and 8: judge findings and metrics against the policy; exit 1 when the gate fails."""
    if gate_name is None:  # click's own message for a missing option spans several lines
        raise UsageError("gate: pass --stage security or --stage model")
    _stage("gate", gate=gate_name)


@cli.command()
def train() -> None:
    """Stage 5: train by train.kind (keras-text, sklearn, command, pretrained, none), after a passed security gate."""
    _stage("train")


@cli.command()
def evaluate() -> None:
    """Stage 6: metrics from train's held-out predictions against thresholds and the last release."""
    _stage("evaluate")


@cli.command()
@click.option("--garak-profile", type=click.Choice(["quick", "standard", "offline", "full"]),
              help="garak probe profile (default: modeltest.garak.profile).")
@click.option("--garak-spec", metavar="SPEC", help="garak selection spec, e.g. 'probes.dan,tag:owasp:llm01'.")
def modeltest(garak_profile: str | None, garak_spec: str | None) -> None:
    """Stage 7: model-file scanning, LLM probing, injection, poisoning and disclosure tests."""
    _stage("modeltest", garak_profile=garak_profile, garak_spec=garak_spec)


@cli.command()
def sign() -> None:
    """Stage 9: sign the model files and tokenizer (OpenSSF model signing)."""
    _stage("sign")


@cli.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--signature", type=click.Path(dir_okay=False), help="Bundle (default: PATH/model.sig).")
@click.option("--public-key", type=click.Path(dir_okay=False), help="PEM public key (default: beside the bundle).")
def verify(path: str, signature: str | None, public_key: str | None) -> None:
    """Check a stored model folder against its signature; name each changed, added or missing file."""
    from mlsecops.commands.verify import verify_command

    verify_command(Path(path), signature, public_key, click.echo)


@cli.command()
@click.option("--force", is_flag=True, help="Replace a release of the same version with different content.")
def store(force: bool) -> None:
    """Stage 10: upload the signed model, signature, reports and ML-BOM; verify after upload."""
    _stage("store", force=force)


@cli.command()
@click.option(
    "--event", type=EventChoice(), default="finished",
    show_default=True,
)
def notify(event: str) -> None:
    """Send the run's state to the configured sinks; never fails the build."""
    _stage("notify", event=event)


@cli.command()
@pass_runtime
def report(runtime: Runtime) -> None:
    """Write .mlsecops/reports/ from what the workspace holds."""
    from mlsecops.reports import write_reports

    paths = write_reports(runtime.workspace(), runtime.config())
    click.echo(f"reports written to {paths[0].parent}")


@cli.command()
@click.option("--demo", "demo_name", metavar="NAME", help="Run the embedded demo NAME (default when no config).")
@click.option("--from-stage", type=click.Choice(["load", "scan", "train"]), help="Start at this stage.")
@pass_runtime
def run(runtime: Runtime, demo_name: str | None, from_stage: str | None) -> None:
    """Every stage in order, stopping at the first failed gate (exit 1)."""
    if demo_name:
        runtime.use_demo(demo_name)
    elif runtime.resolved_config_path() is None:
        runtime.use_demo("default")
    from mlsecops.config.check import check_references
    from mlsecops.demo.services import demo_services
    from mlsecops.stages.run import run_pipeline

    # a demo that needs a server beside the pipeline (llm-endpoint) gets it for the run's length; the config
    # is read inside, where the demo's endpoint variable is set
    with demo_services(runtime.demo, runtime.resolved_config_path() if runtime.demo else None):
        check_references(runtime.config())  # a bad policy, waiver or train.dataset: refused before load
        run_pipeline(runtime.stage_context(), from_stage=from_stage)


def main(argv: list[str] | None = None) -> None:
    from mlsecops.redact import scrub

    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        cli.main(args=argv, prog_name="mlsecops", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"mlsecops: {scrub(exc.format_message())}", err=True)
        sys.exit(EXIT_USAGE)
    except click.Abort:
        click.echo("mlsecops: aborted", err=True)
        sys.exit(130)
    except MlsecopsError as exc:
        click.echo(f"mlsecops: {scrub(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("mlsecops: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: one line, the traceback only when asked for
        if os.environ.get("MLSECOPS_DEBUG"):
            raise
        click.echo(
            f"mlsecops: internal error: {exc.__class__.__name__}: {scrub(str(exc))[:300]} "
            "(set MLSECOPS_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(EXIT_ENVIRONMENT)
    sys.exit(0)


if __name__ == "__main__":
    # Run as `mlsecops.cli`, not `__main__`: lazy commands look up this module's Runtime class.
    from mlsecops.cli import main as _main

    _main()
