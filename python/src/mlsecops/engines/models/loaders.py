"""Loader configs that make "loading the model" run repository code or an arbitrary callable, and tokenizer
regexes that hang the loader.

- diffusers `model_index.json`: a component `[library, Class]` whose library is not a known package is a
  module of the repository (`unet/my_unet.py`) that `DiffusionPipeline.from_pretrained` imports.
- sentence-transformers `modules.json`: a module `type` outside `sentence_transformers.` is imported
  (a `custom_st.py` beside it, or any importable module).
- transformers `custom_generate/`: `generate(custom_generate=..., trust_remote_code=True)` imports its code.
- Hydra / NeMo `_target_` (YAML or JSON): `hydra.utils.instantiate` calls whatever it names.
- MLflow `MLmodel`: a `python_function` `loader_module` outside `mlflow.` or shipped `code` paths are
  imported by `mlflow.pyfunc.load_model`.
- `tokenizer.json` `{"Regex": ...}` patterns: the tokenizers library runs them with a backtracking engine
  (Oniguruma) on every input; nested unbounded quantifiers (`(a+)+`, `(\\w+\\s?)*`, `(a|a)*`) take
  exponential time, a denial of service of the loader and of serving (CWE-1333).
Everything is read as text (JSON, or YAML composed into nodes without expanding aliases); nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlsecops.engines.models.problems import Problem
from mlsecops.findings import Severity

# diffusers' loadable libraries (LOADABLE_CLASSES) and what pipelines put beside them
_DIFFUSERS_LIBRARIES = frozenset(("diffusers", "transformers", "onnxruntime.training", "onnxruntime"))
# Hydra targets loaded as data containers only; anything else is an arbitrary callable
TRUSTED_TARGETS = frozenset(
    ("torch.optim.Adam", "torch.optim.AdamW", "torch.optim.SGD", "omegaconf.DictConfig", "omegaconf.ListConfig")
)
MAX_NODES = 200_000
MAX_REGEX_CHARS = 4096
MAX_CONFIG_CHARS = 8 << 20
LOADER_JSON_NAMES = frozenset(("model_index.json", "modules.json"))


def _problem(key: str, rule: str, title: str, detail: str, severity: Severity = Severity.HIGH) -> Problem:
    return Problem(key=key, rule=rule, severity=severity, title=title, detail=detail)


def _remote(key: str, title: str, detail: str) -> Problem:
    return _problem(key, "model-file/loader-runs-code", title, detail)


# ---------------------------------------------------------------------- JSON / YAML documents


def document_problems(document: Any, where: str, name: str,
                      trusted: frozenset[tuple[str, str]] = frozenset(), folder: Path | None = None) -> list[Problem]:
    """Problems of a parsed loader config named `name` (basename, lower case); `folder` is where it lies on
    disk (None for an archive member)."""
    out: list[Problem] = []
    if name == "model_index.json" and isinstance(document, dict):
        out += _diffusers(document, where, folder)
    if name == "modules.json" and isinstance(document, list):
        out += _sentence_transformers(document, where)
    if name == "mlmodel" and isinstance(document, dict):
        out += _mlflow(document, where)
    out += target_problems(document, where, trusted)
    out += regex_problems(document, where)
    return out


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _diffusers(document: dict[str, Any], where: str, folder: Path | None) -> list[Problem]:
    """diffusers imports `<component>/<library>.py` of the repository when it exists (a custom component);
    other names are diffusers pipeline modules (`stable_diffusion` in older indexes) or installed packages."""
    out = []
    for component, value in document.items():
        if component.startswith("_") and component != "_class_name":
            continue
        if component == "_class_name":
            # `["pipeline", "MyPipeline"]`: a custom pipeline module of the repository
            if isinstance(value, list) and value and isinstance(value[0], str):
                out.append(_remote(f"diffusers-custom-pipeline:{value[0][:80]}",
                                   f"diffusers pipeline class comes from the repository module {value[0][:80]}.py",
                                   where))
            continue
        if not (isinstance(value, list) and len(value) == 2) or value[0] is None:
            continue
        library = str(value[0])
        if library in _DIFFUSERS_LIBRARIES:
            continue
        beside = folder is not None and _IDENTIFIER.match(library) is not None and (
            (folder / component / f"{library}.py").is_file() or (folder / f"{library}.py").is_file())
        # unknown without its folder (an archive member) or not a plain module name: fail closed
        if beside or folder is None or _IDENTIFIER.match(library) is None:
            out.append(_remote(f"diffusers-custom-component:{component[:80]}",
                               f"diffusers component {component[:60]!r} is imported from the module "
                               f"{library[:80]!r} (repository code runs when the pipeline is loaded)", where))
        else:
            out.append(_problem(f"diffusers-module:{component[:80]}", "model-file/loader-runs-code",
                                f"diffusers component {component[:60]!r} names the module {library[:80]!r}: a "
                                "diffusers pipeline module, or an installed package imported on load", where,
                                Severity.MEDIUM))
    return out


def _sentence_transformers(document: list[Any], where: str) -> list[Problem]:
    out = []
    for entry in document[:1000]:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if isinstance(kind, str) and not kind.startswith("sentence_transformers."):
            out.append(_remote(f"sentence-transformers-module:{kind[:80]}",
                               f"sentence-transformers module type {kind[:80]!r} is imported from outside the "
                               "library (repository code runs when the model is loaded)", where))
    return out


def _mlflow(document: dict[str, Any], where: str) -> list[Problem]:
    flavors = document.get("flavors")
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    if not isinstance(pyfunc, dict):
        return []
    out = []
    loader = pyfunc.get("loader_module")
    if isinstance(loader, str) and not loader.startswith("mlflow."):
        out.append(_remote(f"mlflow-loader-module:{loader[:80]}",
                           f"MLflow python_function loader_module {loader[:80]!r} is imported by "
                           "mlflow.pyfunc.load_model (code outside mlflow)", where))
    if pyfunc.get("code"):
        out.append(_remote("mlflow-code-paths", f"MLflow model ships code paths ({str(pyfunc['code'])[:80]!r}) that "
                           "mlflow.pyfunc.load_model puts on sys.path and imports", where))
    return out


def _walk(node: Any) -> Iterator[dict[Any, Any]]:
    pending, seen = [node], 0
    while pending and seen < MAX_NODES:
        current = pending.pop()
        seen += 1
        if isinstance(current, dict):
            yield current
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)


def target_problems(document: Any, where: str, trusted: frozenset[tuple[str, str]] = frozenset()) -> list[Problem]:
    """Hydra `_target_`: `instantiate` imports and calls it with the config's arguments."""
    out: dict[str, Problem] = {}
    for node in _walk(document):
        target = node.get("_target_")
        if target is None:
            continue
        name = str(target)
        module, _, attr = name.rpartition(".")
        if name in TRUSTED_TARGETS or (module, attr) in trusted:
            continue
        out.setdefault(name, _remote(f"hydra-target:{name[:120]}",
                                     f"config '_target_: {name[:120]}' is instantiated on load (Hydra/NeMo call an "
                                     "arbitrary callable with the config's arguments)", where,
                                     ))
    return list(out.values())


# ---------------------------------------------------------------------- YAML without alias expansion


def yaml_document(text: str) -> Any:
    """The YAML as plain containers; an alias is the node it names (shared, never copied), a cycle stops."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    budget = [MAX_NODES]

    def convert(current: Any, active: frozenset[int]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("YAML document larger than the review limit")
        if id(current) in active:
            return None
        inner = active | {id(current)}
        if isinstance(current, yaml.MappingNode):
            return {str(k.value) if isinstance(k, yaml.ScalarNode) else "?": convert(v, inner)
                    for k, v in current.value}
        if isinstance(current, yaml.SequenceNode):
            return [convert(v, inner) for v in current.value]
        return current.value if isinstance(current, yaml.ScalarNode) else None

    return convert(node, frozenset()) if node is not None else None


# Tags PyYAML's unsafe constructors act on (yaml.load with Loader=Loader/UnsafeLoader/FullLoader in older
# releases, yaml.unsafe_load, yaml.full_load before 5.4): import a module, call a callable, build an object.
_PYTHON_TAG = "tag:yaml.org,2002:python/"
_RUNS = ("object/apply:", "object/new:", "object:", "name:", "module:")
MAX_YAML_EVENTS = 500_000


def python_tag_problems(text: str, where: str) -> list[Problem]:
    """`!!python/object/apply:os.system` and its kin, found from the parser's events (tags resolved through
    `%TAG` directives); nothing is constructed. A text the parser rejects is searched for the tag prefix."""
    import yaml

    tags: list[str] = []
    try:
        for count, event in enumerate(yaml.parse(text, Loader=yaml.SafeLoader)):
            if count > MAX_YAML_EVENTS:
                break
            tag = getattr(event, "tag", None)
            if isinstance(tag, str) and tag.startswith(_PYTHON_TAG):
                tags.append(tag[len(_PYTHON_TAG):])
    except (yaml.YAMLError, RecursionError):
        tags += [m.group(1) for m in re.finditer(r"!!python/([\w/.:]+)", text[:MAX_CONFIG_CHARS])]
    out: dict[str, Problem] = {}
    for tag in tags[:1000]:
        runs = tag.startswith(_RUNS)
        out.setdefault(tag[:120], _problem(
            f"yaml-python-tag:{tag[:120]}", "model-file/yaml-python-tag",
            f"YAML tag !!python/{tag[:120]} "
            + ("imports and calls or builds a Python object when the file is read with yaml.load/unsafe_load/"
               "full_load (older PyYAML)" if runs else "is a Python-specific tag only unsafe YAML loaders accept"),
            where, Severity.CRITICAL if runs else Severity.HIGH))
    return list(out.values())


# ---------------------------------------------------------------------- tokenizer regexes


def regex_problems(document: Any, where: str) -> list[Problem]:
    out: dict[str, Problem] = {}
    for node in _walk(document):
        pattern = node.get("Regex")
        if not isinstance(pattern, str) or len(node) != 1:
            continue
        why = catastrophic(pattern)
        if why:
            out.setdefault(pattern[:80], _problem(
                f"regex-dos:{pattern[:80]}", "model-file/regex-dos",
                f"tokenizer regex {pattern[:80]!r} backtracks catastrophically ({why}): a short input hangs "
                "loading and serving (ReDoS, CWE-1333)", where))
    return list(out.values())


_UNICODE_CLASS = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]")


def catastrophic(pattern: str) -> str | None:
    """Star height above one, or an unbounded repeat of alternatives that can match the same text."""
    if len(pattern) > MAX_REGEX_CHARS:
        return "pattern longer than the review limit"
    from re import _constants as const  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    # Oniguruma's \p{L} is a character class for this analysis: stand in \w, structure unchanged
    try:
        parsed = parser.parse(_UNICODE_CLASS.sub(r"\\w", pattern))
    except (re.error, RecursionError, OverflowError, ValueError):
        return None  # a syntax Python cannot parse: judged by the loader, not as a hang
    found: list[str] = []

    def unbounded(maximum: int) -> bool:
        return maximum == const.MAXREPEAT or maximum > 64

    def repeats(items: Any, depth: int = 0) -> Iterator[tuple[Any, Any]]:
        if depth > 50:
            return
        for op, arg in items:
            if op in (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT):
                yield op, arg
            for child in _children(op, arg, const):
                yield from repeats(child, depth + 1)

    for op, (_low, high, body) in repeats(parsed):
        if op == const.POSSESSIVE_REPEAT or not unbounded(high):
            continue
        # a variable-width repeat inside (fixed counts like (\d{3})+ split only one way)
        inner = [h for iop, (lo, h, _) in repeats(body) if iop != const.POSSESSIVE_REPEAT and h > 1 and h != lo]
        if inner:
            found.append("a quantified group repeats another quantifier")
            break
        if _overlapping_branches(body, const):
            found.append("a repeated alternation whose branches match the same text")
            break
    return found[0] if found else None


def _children(op: Any, arg: Any, const: Any) -> Iterator[Any]:
    if op in (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT):
        yield arg[2]
    elif op == const.SUBPATTERN:
        yield arg[3]
    elif op == const.ATOMIC_GROUP:
        yield arg
    elif op == const.BRANCH:
        yield from arg[1]
    elif op in (const.ASSERT, const.ASSERT_NOT):
        yield arg[1]


def _overlapping_branches(body: Any, const: Any, depth: int = 0) -> bool:
    """An alternation the repeat can match one text through in several ways. Python factors common prefixes
    out (`a|aa` -> `a(?:|a)`), so an empty alternative is one such case, equal alternatives another."""
    if depth > 50:
        return False
    for op, arg in body:
        if op == const.BRANCH:
            branches = [list(branch) for branch in arg[1]]
            if any(not branch for branch in branches):
                return True
            firsts = [_first(branch, const) for branch in branches]
            for index, first in enumerate(firsts):
                for offset, other in enumerate(firsts[index + 1:], start=index + 1):
                    if branches[index] == branches[offset] or (
                            first is not None and other is not None and first & other):
                        return True
        for child in _children(op, arg, const):
            if _overlapping_branches(child, const, depth + 1):
                return True
    return False


def _first(items: list[Any], const: Any) -> set[int] | None:
    """The characters a branch can start with; None when that is too broad to tell (classes, `.`)."""
    if not items:
        return None
    op, arg = items[0]
    if op == const.LITERAL:
        return {arg}
    if op == const.SUBPATTERN:
        return _first(list(arg[3]), const)
    if op in (const.MAX_REPEAT, const.MIN_REPEAT) and arg[0] >= 1:
        return _first(list(arg[2]), const)
    if op == const.IN and all(k in (const.LITERAL, const.RANGE) for k, _ in arg):
        chars: set[int] = set()
        for kind, value in arg:
            if kind == const.LITERAL:
                chars.add(value)
            elif value[1] - value[0] > 4096:
                return None
            else:
                chars.update(range(value[0], value[1] + 1))
        return chars
    return None
