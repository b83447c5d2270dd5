"""The worker's modules import each other in layers, without cycles.

The graph is read from the source with `ast`, so it sees what running the code would import,
including the imports inside functions that keep `mlsecops --help` light: a cycle through a
function-level import is still a cycle (the two modules cannot be understood, tested or moved
apart). Imports under `if TYPE_CHECKING:` count too: they couple the modules the same way.
An edge goes to the module named (`from a import b` names `a.b` when that is a module, else `a`),
as import-linter's graph does; a package's `__init__` is not implied by importing one of its modules.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "python" / "src"
PACKAGE = "mlsecops"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((SOURCE / PACKAGE).rglob("*.py"))}


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    # `from ..x import y` inside a.b.c (a module) is relative to its package a.b
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, name] if name else base)


def _imported(module: str, path: Path) -> set[str]:
    """The worker modules `module` imports anywhere in its file."""
    known = _modules()
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative(module, is_package, node.level, node.module) if node.level else node.module
            if base is None:
                continue
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {_nearest_module(target, known) for target in targets if target.split(".")[0] == PACKAGE} - {module}


def _nearest_module(name: str, known: dict[str, Path]) -> str:
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


@cache
def import_graph() -> dict[str, frozenset[str]]:
    return {module: frozenset(_imported(module, path)) for module, path in _modules().items()}


def strongly_connected(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the groups of modules that reach each other, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in graph:
                continue
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(groups, key=lambda group: (-len(group), group))


def _a_cycle(group: list[str], graph: dict[str, frozenset[str]]) -> list[str]:
    """One concrete cycle through the group's first module, for the failure message."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    pending = [start]
    while pending:
        node = pending.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                pending.append(child)
    return group


def _imports_of(prefix: str) -> dict[str, frozenset[str]]:
    return {module: targets for module, targets in import_graph().items()
            if module == prefix or module.startswith(f"{prefix}.")}


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    # stages.run imports its stages through importlib; cli imports each command's module inside it
    graph = import_graph()
    assert "mlsecops.config" in graph["mlsecops.cli"]
    assert "mlsecops.errors" in graph["mlsecops.config.loading"]
    assert "mlsecops.keys" in graph["mlsecops.config.secrets"]  # inside a function
    assert len(graph) > 100


def test_no_import_cycles_among_worker_modules() -> None:
    graph = import_graph()
    groups = strongly_connected(graph)
    report = "\n".join(
        f"{len(group)} modules: {', '.join(group)}\n  e.g. {' -> '.join(_a_cycle(group, graph))}" for group in groups
    )
    assert not groups, f"import cycles:\n{report}"


# Modules under stages/ that are no stage: what every stage shares (base, order), and `run`, which runs the stages in order.
STAGE_HELPERS = {f"{PACKAGE}.stages", f"{PACKAGE}.stages.base", f"{PACKAGE}.stages.order"}
STAGE_RUNNER = f"{PACKAGE}.stages.run"
KNOWN_STAGE_IMPORTS: set[tuple[str, str]] = set()  # none left: keep it so


def test_no_stage_imports_another_stage_or_the_cli() -> None:
    found = set()
    for module, targets in _imports_of(f"{PACKAGE}.stages").items():
        if module in STAGE_HELPERS or module == STAGE_RUNNER:
            continue
        for target in targets:
            if target == f"{PACKAGE}.cli":
                found.add((module.rsplit(".", 1)[1], "cli"))
            elif target.startswith(f"{PACKAGE}.stages.") and target not in STAGE_HELPERS:
                found.add((module.rsplit(".", 1)[1], target.rsplit(".", 1)[1]))
    assert sorted(found - KNOWN_STAGE_IMPORTS) == []


def test_the_stage_helpers_import_no_stage_and_the_runner_not_the_cli() -> None:
    graph = import_graph()
    for helper in STAGE_HELPERS:
        assert not {target for target in graph[helper] if target.startswith(f"{PACKAGE}.stages.")} - STAGE_HELPERS
    assert f"{PACKAGE}.cli" not in graph[STAGE_RUNNER]


def test_config_does_not_import_plugin_settings() -> None:
    plugins = (f"{PACKAGE}.notify", f"{PACKAGE}.modeltests", f"{PACKAGE}.jenkins")
    found = sorted(f"{module} -> {target}" for module, targets in _imports_of(f"{PACKAGE}.config").items()
                   for target in targets if target.startswith(plugins))
    assert found == []


def _importing(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{module} -> {target}" for module, targets in _imports_of(f"{PACKAGE}.{layer}").items()
                  for target in targets if target.startswith(tuple(f"{PACKAGE}.{name}" for name in forbidden)))


def test_engines_know_nothing_of_adapters_stages_tests_or_commands() -> None:
    assert _importing("engines", ("scanners", "stages", "modeltests", "commands", "cli", "reports", "notify")) == []


def test_adapters_and_model_tests_import_no_stage_or_command() -> None:
    for layer in ("scanners", "modeltests", "stores", "signing", "notify", "reports", "ml"):
        assert _importing(layer, ("stages", "commands", "cli")) == [], layer


def test_no_stage_imports_a_command() -> None:
    assert _importing("stages", ("commands",)) == []


def test_only_main_imports_the_cli() -> None:
    importers = sorted(module for module, targets in import_graph().items() if f"{PACKAGE}.cli" in targets)
    assert importers == [f"{PACKAGE}.__main__"]
