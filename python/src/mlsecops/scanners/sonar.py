"""`sonar`: SonarQube's quality gate, after running `sonar-scanner` when it is present.

Many teams run the analysis with the Jenkins SonarQube plugin; then only the gate is read.
With `sonar-scanner` on PATH (and `run_scanner` not false) the analysis runs first, and its
compute-engine task (`api/ce/task`) is awaited so the gate read is that of this analysis.
The gate comes from the Web API `api/qualitygates/project_status`. The token reaches the
scanner only as the `SONAR_TOKEN` environment variable and the server as basic-auth user.

Options (`scan.options.sonar`): `SonarOptions` (`host_url` and `project_key` are required).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.findings import Location, Severity, make_finding
from mlsecops.redact import register_secret, scrub, scrub_url
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.tools import find_binary, run_tool, work_dir

TOOL = "sonarqube"
POLL_SECONDS = 2.0


class SonarError(Exception):
    """The server could not be asked; the message is safe to show."""


class SonarClient:
    def __init__(self, host_url: str, token: str, *, verify_tls: bool = True, timeout: float = 30.0) -> None:
        self.host_url = host_url.rstrip("/")
        self.token = token
        self.verify_tls = verify_tls
        self.timeout = timeout

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        import requests

        url = f"{self.host_url}/{path}"
        try:
            response = requests.get(url, params=params, auth=(self.token, "") if self.token else None,
                                    timeout=self.timeout, verify=self.verify_tls)
        except requests.RequestException as exc:
            raise SonarError(f"{scrub_url(url)} unreachable ({exc.__class__.__name__})") from None
        if response.status_code in (401, 403):
            raise SonarError(f"{scrub_url(url)}: HTTP {response.status_code}, the token is missing or lacks "
                             "'Browse' permission on the project")
        if response.status_code != 200:
            raise SonarError(f"{scrub_url(url)}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise SonarError(f"{scrub_url(url)}: not a JSON answer") from None

    def wait_for_task(self, task_id: str, timeout: float) -> str:
        """The analysis id of a finished compute-engine task."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.get("api/ce/task", {"id": task_id}).get("task", {})
            status = task.get("status")
            if status == "SUCCESS":
                return str(task.get("analysisId", ""))
            if status in ("FAILED", "CANCELED"):
                raise SonarError(f"SonarQube analysis task {task_id} {status.lower()}")
            if time.monotonic() > deadline:
                raise SonarError(f"SonarQube analysis task {task_id} still {status} after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)

    def gate_status(self, params: dict[str, str]) -> dict[str, Any]:
        return self.get("api/qualitygates/project_status", params).get("projectStatus", {})


def read_report_task(path: Path) -> dict[str, str]:
    """sonar-scanner's `.scannerwork/report-task.txt`: key=value lines (ceTaskId, serverUrl, ...)."""
    entries = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        entries[key.strip()] = value.strip()
    return entries


class SonarOptions(ScannerOptions):
    host_url: str | None = Field(default=None, description="the SonarQube server (required)")
    project_key: str | None = Field(default=None, description="the project's key on the server (required)")
    token: str | None = Field(default=None, description="a user token (a ${secret:...} reference; "
                              "default: env SONAR_TOKEN)")
    branch: str | None = Field(default=None, description="the branch analysed and whose gate is read")
    pull_request: str | int | None = Field(default=None, description="the pull request whose gate is read")
    run_scanner: bool = Field(default=True, description="run sonar-scanner first when it is installed "
                              "(false: read the gate of an analysis run elsewhere)")
    binary: str | None = Field(default=None, description="path of sonar-scanner (default: found on PATH)")
    timeout: float | None = Field(default=None, gt=0, description="seconds for sonar-scanner, and again for "
                                  "the server's analysis task (default: 3600 and 600)")
    verify_tls: bool = Field(default=True, description="check the server's TLS certificate")
    request_timeout: float = Field(default=30.0, gt=0, description="seconds per Web API request")


class SonarScanner(Scanner):
    name = "sonar"
    category = "code"
    options_model: ClassVar[type[SonarOptions]] = SonarOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        outcome = ScanOutcome(scanner=self.name)
        host, key = options.host_url, options.project_key
        token = str(options.token or os.environ.get("SONAR_TOKEN", ""))
        register_secret(token)
        if not host or not key:
            outcome.status = "not-run"
            outcome.message = "scan.options.sonar.host_url and project_key are required"
            return outcome
        client = SonarClient(str(host), token, verify_tls=options.verify_tls, timeout=options.request_timeout)
        params = {"projectKey": str(key)}
        for value, param in ((options.branch, "branch"), (options.pull_request, "pullRequest")):
            if value:
                params[param] = str(value)
        try:
            analysis = self._analyse(targets, options, client, token, outcome)
            if analysis:
                params = {"analysisId": analysis}
            gate = client.gate_status(params)
        except SonarError as exc:
            outcome.status, outcome.message = "error", scrub(str(exc))
            return outcome
        outcome.scanned = 1
        outcome.findings.extend(gate_findings(gate, str(key), str(host)))
        return outcome

    @staticmethod
    def _analyse(targets: ScanTargets, options: SonarOptions, client: SonarClient, token: str,
                 outcome: ScanOutcome) -> str | None:
        binary = find_binary("sonar-scanner", options.binary)
        if binary is None or not options.run_scanner or not targets.paths:
            outcome.tool_version = "quality gate only (sonar-scanner not run)"
            return None
        root = Path(targets.paths[0])
        work = work_dir(targets) / "scannerwork"
        args = [binary, f"-Dsonar.projectKey={options.project_key}", f"-Dsonar.host.url={client.host_url}",
                f"-Dsonar.projectBaseDir={root}", f"-Dsonar.working.directory={work}",
                f"-Dsonar.exclusions={','.join(f'**/{p}/**' for p in targets.exclude)}"]
        if options.branch:
            args.append(f"-Dsonar.branch.name={options.branch}")
        run = run_tool(args, env={"SONAR_TOKEN": token}, timeout=options.timeout or 3600.0)
        outcome.tool_version = "sonar-scanner"
        task_file = work / "report-task.txt"
        if not task_file.is_file():
            raise SonarError(f"sonar-scanner did not finish an analysis (exit {run.returncode}): {run.stderr_tail}")
        task = read_report_task(task_file)
        return client.wait_for_task(task.get("ceTaskId", ""), options.timeout or 600.0)


def gate_findings(gate: dict[str, Any], key: str, host: str) -> list[Any]:
    status = str(gate.get("status", "NONE"))
    where = Location(path=f"sonarqube:{key}")
    dashboard = [f"{scrub_url(host.rstrip('/'))}/dashboard?id={key}"]
    if status == "OK":
        return []
    if status == "NONE":
        return [make_finding(rule="sonar/quality-gate-none", title="No SonarQube quality gate result",
                             severity=Severity.HIGH, category="code", tool=TOOL, location=where,
                             message=f"project {key} has no quality gate status: nothing to judge fails closed",
                             identity=key, references=dashboard)]
    findings = []
    for condition in gate.get("conditions", []):
        if condition.get("status") not in ("ERROR", "WARN"):
            continue
        metric = str(condition.get("metricKey"))
        findings.append(make_finding(
            rule=f"sonar/quality-gate/{metric}",
            title=f"Quality gate condition failed: {metric}",
            severity=Severity.HIGH if condition.get("status") == "ERROR" else Severity.LOW,
            category="code", tool=TOOL, location=where,
            message=(f"{metric} is {condition.get('actualValue')} ({condition.get('comparator')} "
                     f"{condition.get('errorThreshold')} fails the gate)"),
            identity=key, references=dashboard,
            properties={"gate_status": status, **{k: condition.get(k) for k in
                                                  ("actualValue", "comparator", "errorThreshold", "status")}},
        ))
    if status == "ERROR" and not findings:
        findings.append(make_finding(rule="sonar/quality-gate", title="SonarQube quality gate failed",
                                     severity=Severity.HIGH, category="code", tool=TOOL, location=where,
                                     message=f"project {key}: quality gate status ERROR", identity=key,
                                     references=dashboard))
    return findings
