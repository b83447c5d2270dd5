"""The configuration reference (docs/CONFIG.md), generated from the pydantic schema so it cannot drift.

Every key of every section of `mlsecops.yaml`: its type, its default and what it means (the
section's docstring and the comment beside the key in the schema's source). A test checks
that the committed file is what this writes.

Usage: python -m mlsecops.config.reference [--check] [OUTPUT]   (default OUTPUT: docs/CONFIG.md)
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

DEFAULT_OUTPUT = Path("docs/CONFIG.md")
_COMMENT = re.compile(r"^\s+(\w+)\s*:[^#]*#\s*(.+)$")
_LEADING_COMMENT = re.compile(r"^\s+#\s?(.*)$")
_FIELD = re.compile(r"^\s+(\w+)\s*:")


def _comments(model: type[BaseModel]) -> dict[str, str]:
    """The comment beside each field in the class source, or on the lines just above it."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        above: list[str] = []
        for line in lines:
            leading = _LEADING_COMMENT.match(line)
            if leading:
                above.append(leading.group(1).strip())
                continue
            field = _FIELD.match(line)
            inline = _COMMENT.match(line)
            if field and field.group(1) in model.model_fields:
                parts = [*above, inline.group(2).strip() if inline else ""]
                text = " ".join(part for part in parts if part)
                if text:
                    found[field.group(1)] = text
            above = []
    return found


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(arg) for arg in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " \\| ".join(_type_name(arg) for arg in args)
    if origin is list:
        return f"list[{_type_name(args[0])}]" if args else "list"
    if origin is dict:
        return f"map[{_type_name(args[0])}, {_type_name(args[1])}]" if args else "map"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "section"
        return {"str": "text", "int": "integer", "float": "number", "bool": "boolean", "Any": "any",
                "SecretRef": "secret reference"}.get(annotation.__name__, annotation.__name__)
    return str(annotation).replace("typing.", "")


def _default(field: Any) -> str:
    if field.default is not PydanticUndefined:
        value = field.default
    elif field.default_factory is not None:
        value = field.default_factory()
    else:
        return "(required)"
    if isinstance(value, BaseModel):
        return "(section)"
    if isinstance(value, Path):
        value = str(value)
    text = json.dumps(value, default=str)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"


def _limits(field: Any) -> str:
    shown = []
    for item in field.metadata:
        for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"), ("min_length", "length >=")):
            value = getattr(item, name, None)
            if value is not None:
                shown.append(f"{symbol} {value}")
    return f" ({', '.join(shown)})" if shown else ""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _variant(model: type[BaseModel]) -> str:
    """How one member of a union of sections is told apart: its `type` value, else its class name."""
    field = model.model_fields.get("type")
    if field is not None and typing.get_origin(field.annotation) is typing.Literal:
        return "type: " + " \\| ".join(str(arg) for arg in typing.get_args(field.annotation))
    return model.__name__


def _section(lines: list[str], path: str, model: type[BaseModel], seen: set[str]) -> None:
    comments = _comments(model)
    lines.append(f"## `{path}`\n")
    doc = inspect.cleandoc(model.__doc__ or "")
    if doc and not doc.startswith(("Usage docs", "A base class")):
        lines.append(doc.replace("\n\n", "\n").replace("\n", " ") + "\n")
    fields = {name: field for name, field in model.model_fields.items() if not field.exclude}
    if fields:
        lines.append("| key | type | default | meaning |")
        lines.append("|---|---|---|---|")
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in fields.items():
        meaning = (field.description or comments.get(name, "")).replace("|", "\\|")
        lines.append(f"| `{name}` | {_type_name(field.annotation)}{_limits(field)} | {_default(field)} | {meaning} |")
        models = _models_in(field.annotation)
        for sub in models:
            where = f"{path}.{name}" + ("[]" if typing.get_origin(field.annotation) is list else "")
            nested.append((where + (f" ({_variant(sub)})" if len(models) > 1 else ""), sub))
    if fields:
        lines.append("")
    # sections a plug-in registry declares (scan.options.<scanner>): the model names them
    plugin_sections = getattr(model, "reference_sections", None)
    if plugin_sections is not None:
        nested += [(f"{path}.{suffix}", sub) for suffix, sub in plugin_sections()]
    for sub_path, sub in nested:
        key = f"{sub.__module__}.{sub.__qualname__}"
        seen.add(key)
        _section(lines, sub_path, sub, seen)


def render() -> str:
    from mlsecops.config import Config

    lines = [
        "# mlsecops.yaml: configuration reference",
        "",
        "<!-- generated by `python -m mlsecops.config.reference` from the pydantic schema; do not edit by hand -->",
        "",
        "Every section and key of `mlsecops.yaml`, with its type, default and meaning. Text values may use",
        "`${ENV}`, `${ENV:-default}` and `${secret:...}` references (see the README). Relative paths are",
        "relative to the folder of the config file.",
        "",
    ]
    top = Config
    comments = _comments(top)
    lines.append("## top level\n")
    lines.append("| key | type | default | meaning |")
    lines.append("|---|---|---|---|")
    sections: list[tuple[str, type[BaseModel]]] = []
    for name, field in top.model_fields.items():
        if field.exclude:
            continue
        meaning = (field.description or comments.get(name, "")).replace("|", "\\|")
        lines.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | {meaning} |")
        sections += [(name, model) for model in _models_in(field.annotation)]
    lines.append("")
    seen: set[str] = set()
    for name, model in sections:
        _section(lines, name, model, seen)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(args):
        print("usage: python -m mlsecops.config.reference [--check] [OUTPUT]  (default: docs/CONFIG.md)")
        return 0
    check = "--check" in args
    args = [arg for arg in args if arg != "--check"]
    if len(args) > 1 or any(arg.startswith("-") for arg in args):
        print(f"config_reference: unexpected arguments {' '.join(args)}; usage: [--check] [OUTPUT]", file=sys.stderr)
        return 2
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    text = render()
    if check:
        current = output.read_text(encoding="utf-8") if output.is_file() else ""
        if current != text:
            print(f"{output}: out of date; run `python -m mlsecops.config.reference {output}`", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
