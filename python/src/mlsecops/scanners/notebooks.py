"""`notebooks`: Jupyter notebooks, cell by cell (our NB Defense, which does not install on Python >= 3.11).

Code and markdown cells and their outputs (stdout/stderr streams, tracebacks, text/HTML/JSON
results) are searched for secrets and PII; base64 images and other binary outputs are
passed over on purpose. Code cells are also checked for risky shell use: piping a download
into a shell, unpinned `%pip install`, installs from URLs or plain-HTTP indexes, sudo. A
finding names the cell (and output) and the line inside it. A notebook nbformat cannot read
is reported as skipped and its raw text still searched for secrets.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from mlsecops.engines.multipattern import engine_version
from mlsecops.engines.pii.engine import ENTITY_TYPES, PiiEngine
from mlsecops.engines.secrets.engine import SecretsEngine
from mlsecops.findings import Finding, Location, Severity, make_finding, number_repeats, value_digest
from mlsecops.redact import redact, scrub_url
from mlsecops.scanners.dataset_pii import ENTITY_TITLES
from mlsecops.scanners.dataset_pii import SEVERITY as PII_SEVERITY
from mlsecops.scanners.files import target_files
from mlsecops.scanners.interface import Scanner, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.secrets import secret_finding

TOOL = "mlsecops-notebooks"
TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json", "application/javascript")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PIPE_TO_SHELL = re.compile(r"\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b")
_INSTALL = re.compile(
    r"^\s*(?:[!%]|%%bash\s*$)?\s*(?:(?:python3?\s+-m\s+)?pip3?|conda|mamba|uv\s+pip)\s+install\b(.*)$"
)
_SUDO = re.compile(r"^\s*!\s*sudo\b")
_PIN = re.compile(r"(===?|@\s*\S+\.whl$)")


@dataclass(frozen=True)
class TextPart:
    place: str  # "cell 3" or "cell 3 output 1"
    text: str
    code: bool  # a code cell's source: shell rules apply


class NotebookOptions(ScannerOptions):
    disable_rules: list[str] = Field(default_factory=list, description="secret rule ids not applied")
    entities: list[str] = Field(default_factory=list, description="the PII entity types reported "
                                "(empty: all but API_KEY, which the secret rules report)")


class NotebookScanner(Scanner):
    name = "notebooks"
    category = "notebook"
    options_model: ClassVar[type[NotebookOptions]] = NotebookOptions

    def scan(self, targets: ScanTargets) -> ScanOutcome:
        options = self.options_model.of(targets)
        secrets = SecretsEngine(options.disable_rules)
        # secrets are the secrets engine's: the PII engine's API_KEY type would report them twice
        pii = PiiEngine(options.entities or [t for t in ENTITY_TYPES if t != "API_KEY"])
        outcome = ScanOutcome(scanner=self.name,
                              tool_version=f"{_nbformat_version()}; {engine_version(secrets.backend)}")
        files = [t for t in target_files(targets, ("notebook",), skipped=outcome.skipped, findings=outcome.findings)
                 if t.path.suffix == ".ipynb"]
        if not files:
            outcome.status, outcome.message = "not-run", "nothing to scan: no .ipynb notebook"
            return outcome
        for target in files:
            try:
                parts = list(notebook_parts(target.path))
            except NotebookError as exc:
                outcome.skipped.append(f"{target.display}: {exc}; its raw text was searched for secrets only")
                outcome.findings.extend(number_repeats([
                    secret_finding(hit, Location(path=target.display, line=hit.line, artifact=target.artifact),
                                   tool=TOOL) for hit in secrets.scan_file(target.path)]))
                continue
            outcome.scanned += 1
            found: list[Finding] = []
            for part in parts:
                location = Location(path=target.display, column=part.place, artifact=target.artifact)
                found.extend(self._part_findings(part, location, secrets, pii))
            # ids leave out the cell's number ("cell 3" moves when a cell is inserted above): the same
            # value twice in one notebook is numbered in notebook order, cell by cell
            outcome.findings.extend(number_repeats(found, in_given_order=True))
        return outcome

    @staticmethod
    def _part_findings(part: TextPart, where: Location, secrets: SecretsEngine, pii: PiiEngine) -> list[Finding]:
        data = part.text.encode("utf-8", "replace")
        found: list[Finding] = []
        for hit in secrets.scan_bytes(data):
            found.append(secret_finding(hit, _at(where, hit.line), tool=TOOL, place=_kind(part), cell=part.place))
        for entity in pii.find(data):
            line = data.count(b"\n", 0, entity.start) + 1
            value = entity.value.decode("utf-8", "replace")
            found.append(make_finding(
                rule=f"notebook/pii/{entity.type.lower().replace('_', '-')}",
                title=f"{ENTITY_TITLES.get(entity.type, entity.type)} in a notebook {_kind(part)}",
                severity=PII_SEVERITY.get(entity.type, Severity.MEDIUM),
                category="secret" if entity.type == "API_KEY" else "data-pii", tool=TOOL, location=_at(where, line),
                message=f"{entity.type} in {part.place}: clear outputs and remove personal data before committing",
                evidence=redact(value), identity=value_digest(value), cwe=["CWE-359"],
                context="", place=_kind(part),
            ))
        if part.code:
            found.extend(shell_findings(part.text, where))
        return found


def _kind(part: TextPart) -> str:
    return "output" if "output" in part.place else "cell"


def _at(where: Location, line: int) -> Location:
    return Location(path=where.path, line=line, column=where.column, artifact=where.artifact)


class NotebookError(Exception):
    pass


def _nbformat_version() -> str:
    from importlib.metadata import version

    return f"nbformat {version('nbformat')}"


def _read_notebook(path: Path) -> dict[str, Any]:
    """The notebook as nbformat 4. Version 4 is read as the JSON it is: importing nbformat costs seconds
    (its schema validator's dependencies), so only older notebooks go through its converter."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError("not UTF-8 text") from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise NotebookError("not a readable notebook (NotJSONError)") from None  # nbformat's name for it
    if isinstance(document, dict) and document.get("nbformat") == 4:
        cells = document.get("cells", [])
        if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
            raise NotebookError("not a readable notebook (cells is not a list of cells)")
        return document
    import nbformat

    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, validation and conversion errors alike
        raise NotebookError(f"not a readable notebook ({exc.__class__.__name__})") from None


def notebook_parts(path: Path) -> Iterator[TextPart]:
    notebook = _read_notebook(path)
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        yield TextPart(f"cell {index}", source, cell.get("cell_type") == "code")
        for number, output in enumerate(cell.get("outputs", []) or []):
            text = _output_text(output)
            if text:
                yield TextPart(f"cell {index} output {number}", text, False)


def _output_text(output: dict[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _joined(output.get("text", ""))
    if kind == "error":
        lines = [f"{output.get('ename', '')}: {output.get('evalue', '')}", *(output.get("traceback") or [])]
        return _ANSI.sub("", "\n".join(str(line) for line in lines))
    data = output.get("data") or {}
    return "\n".join(_joined(data[m]) if not isinstance(data[m], dict) else _json_text(data[m])
                     for m in TEXT_MIME if m in data)  # image/* and other base64 payloads are not text


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _json_text(value: dict[str, Any]) -> str:
    import json

    return json.dumps(value, indent=1)


def shell_findings(source: str, where: Location) -> list[Finding]:
    findings = []
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if _PIPE_TO_SHELL.search(stripped) and (stripped.startswith(("!", "%")) or _in_shell_cell(source)):
            findings.append(_shell("pipe-to-shell", "A download is piped into a shell", Severity.HIGH, where, number,
                                   "the notebook runs whatever the server returns; download, verify a digest, "
                                   "then run", stripped, cwe="CWE-494"))
        install = _INSTALL.match(line)
        if install and (stripped.startswith(("!", "%")) or _in_shell_cell(source)):
            findings.extend(_install_findings(install.group(1), where, number))
        if _SUDO.match(line):
            findings.append(_shell("sudo", "A notebook cell runs sudo", Severity.MEDIUM, where, number,
                                   "notebooks should not need root on the host", stripped, cwe="CWE-250"))
    return findings


def _in_shell_cell(source: str) -> bool:
    return source.lstrip().startswith(("%%bash", "%%sh", "%%script bash", "%%script sh"))


def _install_findings(arguments: str, where: Location, line: int) -> list[Finding]:
    try:
        words = shlex.split(arguments, comments=True)
    except ValueError:
        words = arguments.split()
    findings = []
    options_with_value = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-r", "--requirement",
                          "-c", "--constraint", "--trusted-host", "-t", "--target", "--prefix", "-e", "--editable"}
    skip_next = False
    for index, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        previous = words[index - 1] if index else ""
        if word in options_with_value:
            skip_next = word not in ("-e", "--editable")
            if word == "--trusted-host" or (index + 1 < len(words) and words[index + 1].startswith("http://")):
                findings.append(_shell("insecure-index", "Package index without TLS verification", Severity.HIGH,
                                       where, line, "packages from a plain-HTTP or trusted-host index can be swapped "
                                       "in transit", f"{word} {words[index + 1] if index + 1 < len(words) else ''}",
                                       cwe="CWE-319"))
            continue
        if word.startswith("-") or previous in ("-r", "--requirement", "-c", "--constraint"):
            continue
        if "://" in word or word.startswith("git+"):
            findings.append(_shell("install-from-url", "Package installed from a URL", Severity.MEDIUM, where, line,
                                   "a URL install bypasses the index and its pins; mirror the artifact and pin it by "
                                   "hash", word, cwe="CWE-829"))
        elif not _PIN.search(word) and not word.startswith((".", "/")):
            findings.append(_shell("unpinned-install", f"Unpinned install of {word}", Severity.MEDIUM, where, line,
                                   "pin it (name==version), or install from the project's lock file", word,
                                   cwe="CWE-1357"))
    return findings


def _shell(rule: str, title: str, severity: Severity, where: Location, line: int, advice: str, text: str,
           *, cwe: str) -> Finding:
    return make_finding(rule=f"notebook/{rule}", title=title, severity=severity, category="notebook", tool=TOOL,
                        location=_at(where, line), message=f"{where.column}: {advice}",
                        evidence=masked_command(text)[:200], identity=value_digest(text), cwe=[cwe],
                        context="", place="cell")


def masked_command(text: str) -> str:
    """A shell line fit to show: URL credentials dropped and any secret in it (a curl header) redacted."""
    shown = scrub_url(text)
    for hit in SecretsEngine().scan_bytes(shown.encode("utf-8", "replace")):
        shown = shown.replace(hit.text, redact(hit.text))
    return shown
