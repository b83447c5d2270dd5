"""Jinja chat templates (Hugging Face `chat_template`, `chat_template.jinja`, GGUF metadata), judged by structure.

A chat template is code that transformers, vLLM, llama.cpp servers and others render on every
request. Jinja's server-side template injection reaches Python through attribute walks
(`cycler.__init__.__globals__.os.popen`), through the `attr` filter, through subscripts and
through names built at render time (`'__glo' ~ 'bals__'`, `'\\x5f\\x5f'`, `|join`, `|reverse`).
The template is parsed with Jinja's own parser when jinja2 is installed (else tokenized), every
attribute or item name it reaches is folded from its constant parts, and a name no sandbox
allows (anything starting with `_`) or one that leads to the OS or to code is critical; a name
that cannot be folded (built from data at render time) is high. Nothing is ever rendered.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator
from typing import Any

from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

MAX_TEMPLATE_CHARS = 4 << 20
_MAX_FOLD = 4096
# Names a template reaches that lead to code, processes or the interpreter's internals. Words that are
# also ordinary data in chat templates (`system` is a role, `os` a key) are left to the dunder walk that
# any route to them needs.
_DANGEROUS_NAMES = frozenset((
    "builtins", "globals", "popen", "subprocess", "eval", "exec", "execfile", "import_module", "importlib",
    "getattr", "setattr", "mro", "subclasses", "func_globals", "f_globals", "f_locals", "f_back", "f_builtins",
    "gi_frame", "gi_code", "cr_frame", "tb_frame", "co_code", "environ", "check_output", "Popen", "getoutput",
    "load_module", "func_code", "im_func",
))
# Part of a dunder name (`__glo`, `bals__`); a bare "__" is ordinary text (a separator, markdown).
_DUNDER_PART = re.compile(r"__[A-Za-z0-9]|[A-Za-z0-9]__")
# Filters that read an attribute named by an argument.
_ATTRIBUTE_FILTERS = frozenset(("map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max"))
_FOLDING_FILTERS = {
    "lower": str.lower, "upper": str.upper, "string": str, "trim": str.strip, "title": str.title,
    "capitalize": str.capitalize, "reverse": lambda s: s[::-1],
}


def is_internal(name: str) -> bool:
    """A name Jinja's sandbox refuses (private or dunder), or one that reaches the OS or code."""
    return name.startswith("_") or name in _DANGEROUS_NAMES or "__" in name


def template_problems(text: str, where: str, key: str) -> list[Problem]:
    """What rendering this template could reach; one problem (the worst) per template."""
    if len(text) > MAX_TEMPLATE_CHARS:
        return [_problem(where, key, Severity.HIGH, ["template longer than the review limit"])]
    reasons, dynamic = _judge(text)
    if reasons:
        return [_problem(where, key, Severity.CRITICAL, reasons)]
    if dynamic:
        return [_problem(where, key, Severity.HIGH, dynamic)]
    return []


def _problem(where: str, key: str, severity: Severity, reasons: list[str]) -> Problem:
    title = ("Chat template reaches Python internals or the OS when rendered (server-side template injection)"
             if severity is Severity.CRITICAL else
             "Chat template reads attributes whose names are built at render time (possible template injection)")
    return Problem(key=f"chat-template:{key}", rule="model-file/template-injection", severity=severity,
                   title=title, detail=f"{where} ({key}): {'; '.join(dict.fromkeys(reasons))[:240]}")


@functools.cache
def _environment() -> Any:
    """Jinja's parser (imported lazily: about 0.1 s, paid once and only when a template is met); None without it."""
    try:
        from jinja2.sandbox import SandboxedEnvironment
    except ImportError:
        return None
    return SandboxedEnvironment()


def _judge(text: str) -> tuple[list[str], list[str]]:
    environment = _environment()
    if environment is None:
        return _judge_tokens(text)
    from jinja2 import TemplateSyntaxError

    try:
        tree = environment.parse(text)
    except (TemplateSyntaxError, RecursionError, ValueError):
        return _judge_tokens(text)  # a runtime with another parser may still read it: judged by its tokens
    return _AstJudge(tree).run()


class _AstJudge:
    def __init__(self, tree: Any) -> None:
        from jinja2 import nodes

        self.nodes = nodes
        self.tree = tree
        self.values: dict[str, str] = {}  # `{% set x = '...' %}` names whose value folds to a constant
        self.reasons: list[str] = []
        self.dynamic: list[str] = []

    def run(self) -> tuple[list[str], list[str]]:
        n = self.nodes
        for assign in self.tree.find_all(n.Assign):
            if isinstance(assign.target, n.Name):
                value = self.fold(assign.node)
                if value is not None:
                    self.values[assign.target.name] = value
        for node in self.tree.find_all(n.Node):
            self.visit(node)
        return self.reasons, self.dynamic

    def reach(self, name: str | None, how: str) -> None:
        if name is None:
            self.dynamic.append(f"{how} with a name built at render time")
        elif is_internal(name):
            self.reasons.append(f"{how} {name!r}")

    def visit(self, node: Any) -> None:
        n = self.nodes
        if isinstance(node, n.Getattr):
            self.reach(node.attr, "attribute")
        elif isinstance(node, n.Getitem):
            if isinstance(node.arg, n.Const) and not isinstance(node.arg.value, str):
                return
            key = self.fold(node.arg)
            if key is not None or self.builds_string(node.arg):
                self.reach(key, "item")
        elif isinstance(node, n.Filter):
            self.visit_filter(node)
        elif isinstance(node, n.Const) and isinstance(node.value, str) and _DUNDER_PART.search(node.value):
            self.reasons.append(f"string {node.value[:40]!r}")
        elif isinstance(node, n.Name) and node.ctx == "load" and node.name in ("__import__", "eval", "exec",
                                                                                "getattr", "import_module"):
            self.reasons.append(f"name {node.name!r}")

    def visit_filter(self, node: Any) -> None:
        args = [self.fold(arg) for arg in node.args]
        kwargs = {kw.key: self.fold(kw.value) for kw in node.kwargs}
        if node.name == "attr":
            self.reach(args[0] if args else None, "attr filter")
        elif node.name in _ATTRIBUTE_FILTERS:
            if "attribute" in kwargs:
                self.reach(kwargs["attribute"], f"{node.name}(attribute=)")
            if node.name == "map" and args[:1] == ["attr"]:
                self.reach(args[1] if len(args) > 1 else None, "map('attr')")
        for value in (*args, *kwargs.values()):
            if value is not None and value != node.name and _DUNDER_PART.search(value):
                self.reasons.append(f"{node.name} filter argument {value[:40]!r}")

    def builds_string(self, node: Any) -> bool:
        """An expression that assembles text (concatenation, formatting, joining): a name hidden in parts."""
        n = self.nodes
        return isinstance(node, n.Concat | n.Add | n.Mod | n.Mul) or (
            isinstance(node, n.Filter) and node.name in ("join", "format", "replace", "reverse", *_FOLDING_FILTERS))

    def fold(self, node: Any, depth: int = 0) -> str | None:
        """The constant text an expression evaluates to, when it is built from constants only."""
        n = self.nodes
        if depth > 32:
            return None
        if isinstance(node, n.Const):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, n.Name):
            return self.values.get(node.name)
        if isinstance(node, n.Concat):
            parts = [self.fold(part, depth + 1) for part in node.nodes]
            return _bounded("".join(parts)) if all(p is not None for p in parts) else None  # type: ignore[arg-type]
        if isinstance(node, n.Add):
            left, right = self.fold(node.left, depth + 1), self.fold(node.right, depth + 1)
            return _bounded(left + right) if left is not None and right is not None else None
        if isinstance(node, n.Mod):
            return self.format(node.left, node.right, depth)
        if isinstance(node, n.Mul) and isinstance(node.right, n.Const) and isinstance(node.right.value, int):
            text = self.fold(node.left, depth + 1)
            return _bounded(text * node.right.value) if text is not None and len(text) * node.right.value <= \
                _MAX_FOLD else None
        if isinstance(node, n.Filter):
            return self.fold_filter(node, depth)
        if isinstance(node, n.Getitem) and isinstance(node.arg, n.Slice):
            text = self.fold(node.node, depth + 1)
            bounds = [None if b is None else b.value if isinstance(b, n.Const) else False
                      for b in (node.arg.start, node.arg.stop, node.arg.step)]
            if text is None or False in bounds or not all(b is None or isinstance(b, int) for b in bounds):
                return None
            return text[slice(*bounds)] if bounds[2] != 0 else None
        if isinstance(node, n.Call) and isinstance(node.node, n.Getattr):
            return self.fold_method(node, depth)
        return None

    def fold_filter(self, node: Any, depth: int) -> str | None:
        n = self.nodes
        if node.name in _FOLDING_FILTERS:
            text = self.fold(node.node, depth + 1)
            return _FOLDING_FILTERS[node.name](text) if text is not None else None
        if node.name == "join":
            items = node.node.items if isinstance(node.node, n.List | n.Tuple) else None
            parts = [self.fold(item, depth + 1) for item in items or []]
            sep = self.fold(node.args[0], depth + 1) if node.args else ""
            if items is None or sep is None or any(p is None for p in parts):
                return None
            return _bounded(sep.join(parts))  # type: ignore[arg-type]
        if node.name == "replace" and len(node.args) >= 2:
            text, old, new = (self.fold(x, depth + 1) for x in (node.node, node.args[0], node.args[1]))
            return _bounded(text.replace(old, new)) if None not in (text, old, new) else None  # type: ignore[union-attr]
        if node.name == "format":
            return self.format(node.node, n.Tuple(node.args, "load"), depth)
        return None

    def fold_method(self, node: Any, depth: int) -> str | None:
        method, target = node.node.attr, self.fold(node.node.node, depth + 1)
        args = [self.fold(arg, depth + 1) for arg in node.args]
        if target is None or None in args:
            return None
        if method in ("lower", "upper", "strip", "title", "capitalize") and not args:
            return getattr(target, method)()
        if method == "replace" and len(args) == 2:
            return _bounded(target.replace(args[0], args[1]))  # type: ignore[arg-type]
        if method == "join" and not args:
            return None
        if method == "format":
            return _bounded(target.format(*args)) if "{" in target and len(target) < _MAX_FOLD else None
        return None

    def format(self, template: Any, values: Any, depth: int) -> str | None:
        """`'%c%c' % (95, 95)` and `'%s'|format(x)`: folded when every value is a constant."""
        n = self.nodes
        text = self.fold(template, depth + 1)
        items = values.items if isinstance(values, n.Tuple | n.List) else [values]
        args: list[Any] = []
        for item in items:
            if not isinstance(item, n.Const) or not isinstance(item.value, str | int | float):
                folded = self.fold(item, depth + 1)
                if folded is None:
                    return None
                args.append(folded)
            else:
                args.append(item.value)
        if text is None:
            return None
        try:
            return _bounded(text % tuple(args))
        except (TypeError, ValueError, OverflowError):
            return None


def _bounded(text: str) -> str | None:
    return text if len(text) <= _MAX_FOLD else None


# ---------------------------------------------------------------------- without jinja2: a tokenizer

_BLOCK = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_LITERAL = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_JOINED = re.compile(_LITERAL + r"(?:\s*[~+]\s*" + _LITERAL + ")+")
_ATTRIBUTE = re.compile(r"\.\s*([A-Za-z_]\w*)")
_ATTR_FILTER = re.compile(r"\|\s*attr\s*\(\s*([^)]*)\)")


def _judge_tokens(text: str) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    dynamic: list[str] = []
    for block in _blocks(text):
        for name in _ATTRIBUTE.findall(_STRING.sub("''", block)):
            if is_internal(name):
                reasons.append(f"attribute {name!r}")
        for literal in _literals(block):
            if _DUNDER_PART.search(literal) or literal in _DANGEROUS_NAMES:
                reasons.append(f"string {literal[:40]!r}")
        for argument in _ATTR_FILTER.findall(block):
            if not _STRING.fullmatch(argument.strip()):
                dynamic.append("attr filter with a name built at render time")
    return reasons, dynamic


def _blocks(text: str) -> Iterator[str]:
    for match in _BLOCK.finditer(text):
        yield match.group(1) if match.group(1) is not None else match.group(2)


def _literals(block: str) -> Iterator[str]:
    """String literals with their escapes decoded, and runs of literals joined by `~` or `+` as one."""
    for match in _STRING.finditer(block):
        yield _decode(match.group(1) if match.group(1) is not None else match.group(2))
    for run in _JOINED.finditer(block):
        yield "".join(_decode(m.group(1) if m.group(1) is not None else m.group(2))
                      for m in _STRING.finditer(run.group(0)))


def _decode(raw: str) -> str:
    try:
        return codecs.decode(raw, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return raw


# ---------------------------------------------------------------------- where templates live

TEMPLATE_KEYS = ("chat_template", "chat_templates")


def document_templates(document: Any) -> list[tuple[str, str]]:
    """(name, template) pairs of a Hugging Face JSON config: `chat_template` as a string or a list of
    {name, template}, as tokenizer_config.json, chat_template.json and processor_config.json hold them."""
    found: list[tuple[str, str]] = []
    if not isinstance(document, dict):
        return found
    for key in TEMPLATE_KEYS:
        value = document.get(key)
        if isinstance(value, str):
            found.append((key, value))
        elif isinstance(value, list | dict):
            entries = value.items() if isinstance(value, dict) else enumerate(value)
            for index, entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("template"), str):
                    found.append((f"{key}.{entry.get('name', index)}", entry["template"]))
                elif isinstance(entry, str):
                    found.append((f"{key}.{index}", entry))
    return found


def document_problems(document: Any, where: str) -> list[Problem]:
    problems: list[Problem] = []
    for name, template in document_templates(document):
        problems += template_problems(template, where, name)
    return problems
