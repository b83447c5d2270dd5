"""`semgrep`: Semgrep with local rules only (no registry, no metrics), when it is installed.

The default rules are ours for ML code (`semgrep_rules/`: torch.load without weights_only,
pickle/joblib loads, trust_remote_code, unsafe YAML, Keras safe_mode=False); `config`
replaces them with the site's own rule files. Options (`scan.options.semgrep`): `SemgrepOptions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.findings import Location, Severity, make_finding, number_repeats
from mlsecops.scanners.files import option_path, tool_path
from mlsecops.scanners.interface import ScanOutcome, ScanTargets
from mlsecops.scanners.tools import ToolOptions, ToolScanner

TOOL = "semgrep"
DEFAULT_RULES = Path(__file__).with_name("semgrep_rules")
_SEVERITY = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW}


class SemgrepOptions(ToolOptions):
    config: str | list[str] = Field(default_factory=list, description="the site's rule file(s) or folder(s), "
                                    "in place of ours for ML code")


class SemgrepScanner(ToolScanner):
    name = "semgrep"
    category = "code"
    binaries = ("semgrep",)
    install_hint = "pip install semgrep in the worker image"

    env = {"SEMGREP_SEND_METRICS": "off"}
    options_model: ClassVar[type[SemgrepOptions]] = SemgrepOptions

    def command(self, binary: str, targets: ScanTargets, root: Path, report: Path) -> list[str]:
        configured = self.options_model.of(targets).config or [str(DEFAULT_RULES)]
        configs = [option_path(targets, c) for c in ([configured] if isinstance(configured, str) else configured)]
        return [binary, "scan", "--json", "--output", str(report), "--metrics", "off", "--disable-version-check",
                "--quiet", *[a for c in configs for a in ("--config", str(c))],
                *[a for p in targets.exclude for a in ("--exclude", p)], str(root)]

    def read(self, data: Any, root: Path, targets: ScanTargets, outcome: ScanOutcome) -> None:
        read_semgrep_report(data or {}, root, outcome, targets)


def read_semgrep_report(data: dict[str, Any], root: Path, outcome: ScanOutcome,
                        targets: ScanTargets | None = None) -> None:
    """Paths are named as `target_files` names files: from the project root when run alone inside one."""
    def _relative(path: str, root: Path) -> str:
        return tool_path(targets or ScanTargets(), root, path)

    for error in data.get("errors", []):
        where = "-" if error.get("path") in (None, "", "-") else _relative(str(error.get("path")), root)
        outcome.skipped.append(f"{where}: {str(error.get('message', error.get('type')))[:200]}")
    for result in data.get("results", []):
        path = _relative(str(result.get("path", "")), root)
        extra = result.get("extra", {})
        metadata = extra.get("metadata", {})
        cwe = [str(c).split(":")[0] for c in (metadata.get("cwe") or [])]
        outcome.findings.append(make_finding(
            rule=f"semgrep/{result.get('check_id')}",
            title=str(extra.get("message", result.get("check_id")))[:200],
            severity=_SEVERITY.get(str(extra.get("severity")), Severity.MEDIUM),
            category="code", tool=TOOL,
            location=Location(path=path, line=(result.get("start") or {}).get("line")),
            message=str(extra.get("message", "")),
            identity=str((result.get("start") or {}).get("col", "")),
            # the matched line's text, not its number: lines added above keep the id (and waivers)
            context=str(extra["lines"]).strip() if extra.get("lines") else None,
            cwe=cwe,
            references=[str(r) for r in metadata.get("references", [])][:5],
        ))
    number_repeats(outcome.findings)
