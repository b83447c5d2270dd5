"""The base of every config section (unknown keys rejected) and the wording of validation problems."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

DEFAULT_CONFIG = "mlsecops.yaml"


DEFAULT_STORE_URL = "file://.mlsecops/store"  # store.url's default, which means <workspace>/store


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


# pydantic's wording of a type error names our classes ("instance of ProjectConfig"): say what a
# YAML author writes instead
_PLAIN_PROBLEMS = {
    "missing": "required",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
}


def describe_problem(problem: Any) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in plain words, without class names."""
    plain = _PLAIN_PROBLEMS.get(problem["type"])
    if plain:
        return plain
    message = str(problem["msg"]).removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    return message


def _format_validation_error(source: str, error: ValidationError) -> str:
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        text = f"{source}: unknown key '{where}'"
    else:
        text = f"{source}: {where}: {describe_problem(first)}"
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return text

