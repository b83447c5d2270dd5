"""docs/CONFIG.md is generated from the pydantic schema: it lists every key and cannot drift."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO_ROOT
from mlsecops.config import Config
from mlsecops.config.reference import main, render
from pydantic import BaseModel


def test_the_committed_reference_is_what_the_schema_generates():
    committed = (REPO_ROOT / "docs/CONFIG.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/CONFIG.md is out of date: run `python -m mlsecops.config.reference`"


def test_every_key_of_every_section_is_listed():
    text = render()

    def walk(model: type[BaseModel], path: str) -> None:
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            assert f"| `{name}` |" in text, f"{path}.{name}"
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                where = f"{path}.{name}" if path else name
                assert f"## `{where}`" in text, where
                walk(annotation, where)

    walk(Config, "")
    assert "## `train.sklearn`" in text and "`allowed_estimators`" in text
    assert "| `kind` | \"keras-text\" \\| \"sklearn\" \\| \"command\" \\| \"pretrained\" \\| \"none\"" in text


def test_check_mode_fails_on_a_stale_file(tmp_path: Path):
    stale = tmp_path / "CONFIG.md"
    stale.write_text("# old\n")
    assert main(["--check", str(stale)]) == 1
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
