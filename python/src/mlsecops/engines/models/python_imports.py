"""The modules a Python source imports relatively: what a loader that imports one file also imports."""

from __future__ import annotations

import ast
import posixpath

MAX_MODULES = 1000  # modules followed from one config or archive: a bound on crafted import webs


def relative_imports(module: str, source: bytes) -> list[str]:
    """Paths of the modules `module` imports relatively (`from .x import y`, `from . import x`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level < 1:
            continue
        base = posixpath.dirname(module)
        for _ in range(node.level - 1):
            base = posixpath.dirname(base)
        if node.module:
            path = posixpath.join(base, node.module.replace(".", "/"))
            found += [path + ".py", posixpath.join(path, "__init__.py")]
        else:
            found += [posixpath.join(base, alias.name + ".py") for alias in node.names]
    return found
