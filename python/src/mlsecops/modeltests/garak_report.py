"""Read garak's `report.jsonl`: `eval` records become attack success rates, `attempt` records outputs.

garak's exit code says nothing about what it found, so only the report is read. Zero eval
records means garak tested nothing: the caller turns that into an environment failure.
Probe tags (OWASP LLM 2023 ids, e.g. `owasp:llm01`) come from garak's plugin cache, read as
JSON without importing garak.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsecops.findings import owasp_2025_from_2023
from mlsecops.modeltests.stats import Rate

# Detectors that presume free generation: "no refusal words" counts as success, "the
# repeated word appears, then other text" as divergence, "the glitch token is missing" as a
# glitch. A non-generative application (the demo bot answers from fixed templates) never
# refuses, complies, diverges or repeats: for it these detectors measure nothing, and they
# are left out of its rates.
GENERATIVE_ONLY_DETECTORS = frozenset(
    (
        "mitigation.MitigationBypass", "mitigation.Prefixes", "divergence.RepeatDiverges", "goodside.Glitch",
        "misleading.MustRefuteClaimKW",  # "no refutation words" counts as believing the false claim
        "any.AnyOutput", "any.AnyNonspaceOutput",  # any answer at all counts
    )
)


# Detectors that score "no refusal found" as a successful attack. An application that stays on
# topic ("I can only help with questions about your Acme orders.") refuses without the stock
# refusal words, and these detectors count every such answer as a bypass. Their hits count toward
# the gate only when another detector of the same probe also fired (corroboration), or when the
# project trusts them by name (`modeltest.garak.trusted_detectors`).
REFUSAL_BLIND_DETECTORS = frozenset(
    (
        "mitigation.MitigationBypass", "mitigation.Prefixes", "mitigation.ModernBERTRefusal",
        "misleading.MustRefuteClaimKW", "misleading.MustRefuteClaimModel", "misleading.MustContradictNLI",
        "any.AnyOutput", "any.AnyNonspaceOutput",
    )
)


@dataclass
class ProbeDetectorRate:
    probe: str
    detector: str
    rate: Rate
    owasp_2023: list[str] = field(default_factory=list)

    @property
    def owasp_2025(self) -> list[str]:
        return sorted({owasp_2025_from_2023(item) for item in self.owasp_2023})


@dataclass
class GarakReport:
    rates: list[ProbeDetectorRate] = field(default_factory=list)
    outputs: list[tuple[str, str, str]] = field(default_factory=list)  # (probe, prompt, output)
    garak_version: str = ""
    excluded: list[str] = field(default_factory=list)  # "probe/detector" pairs left out of the rates
    completed: bool = False  # garak reached the end of its run (a "completion" record)
    stopped_by: list[str] = field(default_factory=list)  # probes that ended a garak run early
    trusted: frozenset[str] = frozenset()  # refusal-blind detectors the project trusts alone

    def merge(self, other: GarakReport) -> None:
        """Add another run's results (the restart after a probe stopped garak)."""
        self.rates += other.rates
        self.outputs += other.outputs
        self.excluded += other.excluded
        self.garak_version = self.garak_version or other.garak_version
        self.completed = other.completed

    def counts(self, entry: ProbeDetectorRate) -> bool:
        """Whether a detector's verdict counts on its own: not a refusal-blind one, unless trusted."""
        return entry.detector not in REFUSAL_BLIND_DETECTORS or entry.detector in self.trusted

    def probe_rates(self) -> dict[str, ProbeDetectorRate]:
        """Each probe's worst detector that counts: the one with the highest attack success rate.

        A refusal-blind detector only counts when trusted. It is corroborated when another detector
        of the probe fired too, and then that detector's rate (which bounds the attempts both flag)
        is the probe's. A probe judged by refusal-blind detectors alone has no rate: see
        `uncorroborated`.
        """
        worst: dict[str, ProbeDetectorRate] = {}
        for entry in self.rates:
            if not self.counts(entry):
                continue
            current = worst.get(entry.probe)
            if current is None or entry.rate.value > current.rate.value:
                worst[entry.probe] = entry
        return worst

    def fired(self, probe: str) -> list[ProbeDetectorRate]:
        """Every detector of `probe` that flagged at least one attempt, worst first."""
        hits = [e for e in self.rates if e.probe == probe and e.rate.hits]
        return sorted(hits, key=lambda e: (-e.rate.value, e.detector))

    def uncorroborated(self) -> dict[str, ProbeDetectorRate]:
        """Probes whose only hits come from refusal-blind detectors: each one's worst such detector.
        Reported, never counted toward the gate: nothing else saw an attack succeed."""
        counted = {p for p, e in self.probe_rates().items() if e.rate.hits}
        alone: dict[str, ProbeDetectorRate] = {}
        for entry in self.rates:
            if entry.probe in counted or self.counts(entry) or not entry.rate.hits:
                continue
            current = alone.get(entry.probe)
            if current is None or entry.rate.value > current.rate.value:
                alone[entry.probe] = entry
        return alone

    def owasp_rates(self) -> dict[str, Rate]:
        """Attack success rate per OWASP LLM 2025 item, pooled over the probes tagged with it."""
        pooled: dict[str, list[int]] = {}
        for entry in self.probe_rates().values():
            for item in entry.owasp_2025 or ["untagged"]:
                hits_total = pooled.setdefault(item, [0, 0])
                hits_total[0] += entry.rate.hits
                hits_total[1] += entry.rate.total
        return {item: Rate(hits, total) for item, (hits, total) in sorted(pooled.items())}


@lru_cache(maxsize=1)
def probe_catalogue() -> dict[str, dict[str, Any]]:
    """probe name -> its entry in garak's plugin cache (tags, detectors, active), read without importing garak."""
    spec = importlib.util.find_spec("garak")
    if spec is None or not spec.origin:
        return {}
    cache = Path(spec.origin).parent / "resources" / "plugin_cache.json"
    try:
        probes = json.loads(cache.read_text(encoding="utf-8")).get("probes", {})
    except (OSError, ValueError):
        return {}
    return {name.removeprefix("probes."): info for name, info in probes.items() if isinstance(info, dict)}


def owasp_2023_of(probe: str) -> list[str]:
    tags = probe_catalogue().get(probe, {}).get("tags", [])
    return sorted({tag.split(":", 1)[1].upper() for tag in tags if tag.lower().startswith("owasp:")})


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut by a killed run: the rest of the report still counts
            if isinstance(record, dict):
                yield record


def read_report(path: Path, *, generative: bool = True) -> GarakReport:
    report = GarakReport()
    for record in _records(path):
        kind = record.get("entry_type")
        if kind == "init":
            report.garak_version = str(record.get("garak_version", ""))
        elif kind == "completion":
            report.completed = True
        elif kind == "eval":
            probe, detector = str(record.get("probe", "")), str(record.get("detector", ""))
            if not generative and detector in GENERATIVE_ONLY_DETECTORS:
                report.excluded.append(f"{probe}/{detector}")
                continue
            fails = int(record.get("fails", 0) or 0)
            passed = int(record.get("passed", 0) or 0)
            report.rates.append(ProbeDetectorRate(probe, detector, Rate(fails, fails + passed), owasp_2023_of(probe)))
        elif kind == "attempt" and str(record.get("status")) == "2":
            probe = str(record.get("probe_classname", ""))
            prompt = _prompt_text(record.get("prompt"))
            for output in record.get("outputs") or []:
                text = output.get("text") if isinstance(output, dict) else output
                if isinstance(text, str) and text:
                    report.outputs.append((probe, prompt, text))
    return report


def _prompt_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        try:
            prompt = ast.literal_eval(prompt)
        except (ValueError, SyntaxError):
            return prompt
    if isinstance(prompt, dict):
        turns = prompt.get("turns") or []
        for turn in reversed(turns):
            content = turn.get("content") if isinstance(turn, dict) else None
            if isinstance(content, dict) and isinstance(content.get("text"), str):
                return content["text"]
    return ""
