"""Hugging Face remote code: a config whose `auto_map` or `custom_pipelines` names Python modules.

`from_pretrained(..., trust_remote_code=True)` imports `modeling_*.py`, `configuration_*.py`,
`tokenization_*.py` (whatever `auto_map` names) from the model folder, or from another repository
(`repo--module.Class`): arbitrary code runs when the model is loaded. That alone is a finding to
review; the named files are read as source (parsed, never imported) and calls that reach the
shell, the network or dynamic code make it critical.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

MAX_SOURCE_BYTES = 8 << 20
# Modules whose import in model code means shell, process or network access.
_DANGEROUS_IMPORTS = frozenset(
    ("subprocess", "socket", "urllib", "urllib2", "urllib3", "requests", "httpx", "http", "ftplib", "telnetlib",
     "pty", "ctypes", "marshal", "pickle", "shutil", "webbrowser", "paramiko", "smtplib", "importlib", "runpy")
)
_DANGEROUS_CALLS = frozenset(("exec", "eval", "compile", "__import__", "execfile"))
_DANGEROUS_OS = frozenset(
    ("system", "popen", "execv", "execve", "execl", "execlp", "execvp", "execvpe", "spawnl", "spawnv", "spawnve",
     "posix_spawn", "posix_spawnp", "fork", "startfile", "putenv", "remove", "unlink", "rmdir")
)


def has_auto_map(document: Any) -> bool:
    """`auto_map` (Auto classes) or `custom_pipelines` (pipeline implementations): both make
    `trust_remote_code` import Python modules named by the config."""
    return isinstance(document, dict) and (
        (isinstance(document.get("auto_map"), dict | list) and bool(document["auto_map"]))
        or bool(remote_code_modules(document)))


def _remote_refs(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        return
    auto_map = document.get("auto_map")
    if isinstance(auto_map, dict | list):
        yield from _strings(auto_map)
    pipelines = document.get("custom_pipelines")
    if isinstance(pipelines, dict):
        # {"task": {"impl": "module.PipelineClass", "pt": [...], "tf": [...]}}: `impl` is imported
        for task in pipelines.values():
            if isinstance(task, dict) and isinstance(task.get("impl"), str):
                yield task["impl"]


def remote_code_modules(document: Any) -> list[str]:
    """The module references `auto_map` and `custom_pipelines` name: `modeling_x.Cls` -> `modeling_x`,
    `repo--modeling_x.Cls` kept whole."""
    found: list[str] = []
    for value in _remote_refs(document):
        module = value.rsplit(".", 1)[0] if "." in value else value
        if module and module not in found:
            found.append(module)
    return found


def _strings(node: Any, depth: int = 0) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, depth + 1)


def remote_code_problems(document: Any, where: str, folder: Path | None) -> list[Problem]:
    if not has_auto_map(document):
        return []
    modules = remote_code_modules(document)
    dangerous: list[str] = []
    reviewed: list[str] = []
    elsewhere = [m for m in modules if "--" in m]
    # the named modules and, as transformers copies and imports them too, their relative imports
    from mlsecops.engines.models.python_imports import MAX_MODULES, relative_imports

    pending = [module.replace(".", "/") + ".py" for module in modules if "--" not in module]
    while pending and folder is not None and len(reviewed) < MAX_MODULES:
        relative = pending.pop(0)
        source = folder / relative
        if relative in reviewed or relative.startswith("../") or not source.is_file():
            continue
        reviewed.append(relative)
        dangerous += [f"{relative}: {what}" for what in source_problems(source)]
        try:
            text = source.read_bytes() if source.stat().st_size <= MAX_SOURCE_BYTES else b""
        except OSError:
            continue
        pending += [str(Path(p)) for p in relative_imports(relative, text)]
    named = ", ".join(f"{m}.py" for m in modules[:6]) or "modules"
    via = "auto_map" if isinstance(document.get("auto_map"), dict | list) and document["auto_map"] else \
        "custom_pipelines"
    detail = f"{where}: {via} names {named}"
    if elsewhere:
        detail += f"; code from another repository: {', '.join(elsewhere[:3])}"
    if dangerous:
        detail += f"; dangerous code: {'; '.join(dangerous[:6])}"
    title = (f"Hugging Face config needs trust_remote_code: loading it imports {named} (Python code to be "
             "reviewed before the model is loaded)")
    if dangerous:
        title = f"Hugging Face remote code that trust_remote_code would import reaches the shell, network or eval " \
                f"({named})"
    return [Problem(
        key="hf-remote-code", rule="model-file/hf-remote-code",
        severity=Severity.CRITICAL if dangerous or elsewhere else Severity.HIGH, title=title, detail=detail,
    )]


def source_problems(path: Path) -> list[str]:
    """What a remote-code module does beyond model maths: shell, process, network, dynamic code."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return ["source larger than the review limit"]
        data = path.read_bytes()
    except OSError:
        return ["source that does not parse as Python"]
    return source_bytes_problems(data)


def source_bytes_problems(data: bytes) -> list[str]:
    """`source_problems` of source text already read (an archive member): parsed, never compiled or run."""
    if len(data) > MAX_SOURCE_BYTES:
        return ["source larger than the review limit"]
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ["source that does not parse as Python"]
    found: list[str] = []
    for node in ast.walk(tree):
        what = _dangerous_node(node)
        if what and not any(f.startswith(f"{what} (") for f in found):
            found.append(f"{what} (line {getattr(node, 'lineno', '?')})")
    return found


def _dangerous_node(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        if isinstance(node, ast.ImportFrom) and node.module in ("os", "posix", "nt", "builtins"):
            names = [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            root, _, attr = name.partition(".")
            if root in _DANGEROUS_IMPORTS or (root in ("os", "posix", "nt") and attr in _DANGEROUS_OS) or (
                root == "builtins" and attr in _DANGEROUS_CALLS
            ):
                return f"imports {name}"
        return None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in _DANGEROUS_CALLS:
            return f"calls {func.id}()"
        if isinstance(func, ast.Attribute):
            base = func.value.id if isinstance(func.value, ast.Name) else ""
            if base in ("os", "posix", "nt") and func.attr in _DANGEROUS_OS:
                return f"calls {base}.{func.attr}()"
            if func.attr in _DANGEROUS_CALLS and base in ("builtins", "__builtins__"):
                return f"calls {base}.{func.attr}()"
    return None
