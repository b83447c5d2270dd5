"""Prompt-injection test of the application: canary-guarded prompts with attack payloads.

Each prompt carries a fresh canary in its instructions followed by an injection payload from
the guard's evaluation set; an answer holding the canary is a leak (LLM01, and LLM07 system
prompt leakage). Data that reaches the model (training rows, templates, RAG documents) is
scanned by the guard for indirect injection.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from mlsecops.engines.guard.data_scan import scan_file
from mlsecops.engines.guard.detector import InjectionGuard, canary_leaked, canary_prompt, make_canary
from mlsecops.errors import MlsecopsError
from mlsecops.findings import Location, make_finding, owasp_tags
from mlsecops.modeltests.base import GatheredOutput, TestEnv, TestOutcome
from mlsecops.modeltests.stats import Rate


def attack_payloads(limit: int) -> list[str]:
    """Injection texts of the shipped evaluation set, spread over its categories."""
    text = resources.files("mlsecops.engines.guard").joinpath("data", "guard_eval.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    by_category: dict[str, list[str]] = {}
    for row in rows:
        if row["label"] == "injection":
            by_category.setdefault(row["category"], []).append(row["text"])
    picked: list[str] = []
    while len(picked) < limit and any(by_category.values()):
        for texts in by_category.values():
            if texts and len(picked) < limit:
                picked.append(texts.pop(0))
    return picked


def dataset_shown(env: TestEnv, dataset: Path) -> str:
    """How findings name the training set: by its path from the project root when load fetched it from
    the project (`file://data/tickets.csv` -> `data/tickets.csv`, as the scanners name that file, so
    SARIF links it), else by its file name (a remote source has no path in the repository)."""
    from mlsecops.scanners.files import source_in_project
    from mlsecops.scanners.interface import LoadedArtifact, ScanTargets
    from mlsecops.workspace import Workspace

    try:
        # the load stage's record of the copy it fetched: the workspace holds the stage folders
        loaded = Workspace(env.stage_dir.parent).optional_result("load")
    except MlsecopsError:  # an unreadable record: the file name still says which file
        loaded = None
    targets = ScanTargets(project_root=env.project_dir)
    for entry in loaded.details.get("sources", []) if loaded else []:
        copy = env.stage_dir.parent / str(entry.get("path", ""))
        if entry.get("path") and copy.resolve() == dataset.resolve():
            source = source_in_project(targets, LoadedArtifact(str(entry.get("name", "")), "dataset", copy,
                                                               url=str(entry.get("url", ""))))
            if source:
                return source
    return dataset.name


def _data_files(env: TestEnv) -> list[tuple[Path, str, str]]:
    files = []
    if env.dataset is not None:
        files.append((env.dataset, dataset_shown(env, env.dataset), "training data"))
    for pattern in env.settings.injection.scan_paths:
        for path in sorted(env.project_dir.glob(pattern)):
            if path.is_file():
                files.append((path, path.relative_to(env.project_dir).as_posix(), "prompt template or RAG document"))
    responses = env.project_dir / env.settings.target.responses_file
    if env.settings.target.type == "demo" and responses.is_file():
        files.append((responses, env.settings.target.responses_file, "response templates"))
    return files


def run_test(env: TestEnv) -> TestOutcome:
    outcome = TestOutcome("injection")
    detector = InjectionGuard()
    for path, shown, kind in _data_files(env):
        outcome.findings.extend(scan_file(detector, path, shown, kind))
    payloads = attack_payloads(env.settings.injection.max_payloads)
    leaks = 0
    for number, payload in enumerate(payloads, start=1):
        canary = make_canary()
        answer = env.target.ask(canary_prompt(canary, payload))
        env.outputs.append(GatheredOutput(f"injection:{number}", payload, answer))
        if canary_leaked(canary, answer):
            leaks += 1
            outcome.findings.append(
                make_finding(
                    rule="llm/canary-leak",
                    title="Prompt injection made the application reveal its instructions (canary leaked)",
                    severity="high",
                    category="llm-probe",
                    tool="guard",
                    location=Location(path=env.target.name),
                    message=f"payload {number} of the injection set made {env.target.name} repeat the canary "
                    "planted in its instructions",
                    evidence=payload[:160],
                    identity=f"canary:{number}",
                    cwe=["CWE-1427"],
                    owasp_llm=[*owasp_tags("LLM01", "LLM01"), "LLM07:2025"],
                )
            )
    rate = Rate(leaks, len(payloads))
    outcome.metrics["injection_canary_leak_rate"] = round(rate.value, 4)
    # a leaked canary is a successful prompt injection (LLM01) and a system prompt leak (LLM07)
    for item in ("LLM01", "LLM07"):
        hits = int(env.metrics.get(f"attack_hits.{item}", 0)) + leaks
        attempts = int(env.metrics.get(f"attack_attempts.{item}", 0)) + len(payloads)
        outcome.metrics[f"attack_hits.{item}"] = hits
        outcome.metrics[f"attack_attempts.{item}"] = attempts
        outcome.metrics[f"attack_success_rate.{item}"] = round(hits / attempts, 4) if attempts else 0.0
    outcome.details = {"canary_leaks": rate.to_dict(), "data_files": len(_data_files(env))}
    outcome.message = f"{leaks}/{len(payloads)} canary leaks; {len(outcome.findings) - leaks} injection(s) in data"
    return outcome
