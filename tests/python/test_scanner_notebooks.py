"""The notebook scanner: secrets and PII in cells and outputs, risky shell use, broken notebooks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets
from scanner_support.fake_secrets import plant

# nbformat (an independent writer of the notebooks) imports jsonschema's format checkers, seconds of CPU:
# imported when a test writes a notebook, and these tests run on one xdist worker with the other schema users.
pytestmark = pytest.mark.xdist_group("jsonschema")


def write_notebook(path: Path, cells: list) -> Path:
    import nbformat

    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return path


def new_code_cell(source: str, **fields):
    import nbformat

    return nbformat.v4.new_code_cell(source, **fields)


def new_markdown_cell(source: str):
    import nbformat

    return nbformat.v4.new_markdown_cell(source)


def new_output(output_type: str, **fields):
    import nbformat

    return nbformat.v4.new_output(output_type, **fields)


def scan_notebook(path: Path):
    return get_scanner("notebooks").scan(ScanTargets(artifacts=[LoadedArtifact(path.name, "notebook", path)]))


def places(outcome) -> list[tuple[str, str | None, int | None]]:
    return [(f.rule, f.location.column, f.location.line) for f in outcome.findings]


def test_secrets_in_code_cells_are_found_with_cell_and_line(tmp_path):
    token, line = plant("huggingface-token")
    path = write_notebook(tmp_path / "nb.ipynb", [new_markdown_cell("# intro"),
                                                  new_code_cell(f"import os\n\n{line}")])
    outcome = scan_notebook(path)
    assert places(outcome) == [("secret/huggingface-token", "cell 1", 3)]
    assert token not in json.dumps([f.to_dict() for f in outcome.findings])


def test_pii_and_secrets_in_outputs_are_found_and_images_are_not_read(tmp_path):
    token, _ = plant("github-pat")
    picture = base64.b64encode(b"\x89PNG" + token.encode()).decode()  # even a token inside an image is not text
    outputs = [
        new_output("stream", name="stdout", text="loaded 3 rows\nfirst: ann@example.org\n"),
        new_output("error", ename="HTTPError", evalue="401",
                   traceback=["\x1b[31mHTTPError\x1b[0m", f"Authorization: token {token}"]),
        new_output("display_data", data={"image/png": picture, "text/html": "<b>SSN 219-45-6789</b>"}),
    ]
    path = write_notebook(tmp_path / "nb.ipynb", [new_code_cell("df.head()", outputs=outputs)])
    outcome = scan_notebook(path)
    assert places(outcome) == [
        ("notebook/pii/email-address", "cell 0 output 0", 2),
        ("secret/github-pat", "cell 0 output 1", 3),
        ("notebook/pii/us-ssn", "cell 0 output 2", 1),
    ]
    assert not {token, "ann@example.org", "219-45-6789"} & {v for f in outcome.findings for v in (f.evidence,)}


@pytest.mark.parametrize(("source", "rule"), [
    ("!curl -fsSL https://get.example.com/install.sh | sudo bash", "notebook/pipe-to-shell"),
    ("%%bash\nwget -qO- https://x.example/i.sh | sh", "notebook/pipe-to-shell"),
    ("%pip install transformers", "notebook/unpinned-install"),
    ("!pip install -q numpy==2.0.0 pandas", "notebook/unpinned-install"),
    ("!pip install git+https://github.com/org/repo.git", "notebook/install-from-url"),
    ("%pip install --index-url http://mirror.local/simple torch==2.3.0", "notebook/insecure-index"),
    ("!sudo apt-get install -y graphviz", "notebook/sudo"),
])
def test_risky_shell_use_in_code_cells_is_flagged(tmp_path, source, rule):
    path = write_notebook(tmp_path / "nb.ipynb", [new_code_cell("x = 1"), new_code_cell(source)])
    assert rule in [f.rule for f in scan_notebook(path).findings]


def test_pinned_installs_and_plain_code_are_not_flagged(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [
        new_code_cell("%pip install numpy==2.0.0 'pandas==2.2.2'\n!pip install -r requirements.txt"),
        new_markdown_cell("Run `pip install transformers` yourself if needed"),
        new_code_cell("print('curl is a tool | sh is a shell')"),
    ])
    assert scan_notebook(path).findings == []


def test_an_unpinned_install_names_the_package_and_line(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [new_code_cell("import sys\n%pip install numpy==2.0.0 pandas")])
    [finding] = scan_notebook(path).findings
    assert (finding.title, finding.location.column, finding.location.line) == (
        "Unpinned install of pandas", "cell 0", 2)


def test_a_corrupt_notebook_is_reported_and_its_raw_text_still_searched(tmp_path):
    _, line = plant("stripe-key")
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [{"source": "' + line.strip().replace('"', "'") + '"')  # truncated JSON
    outcome = scan_notebook(path)
    assert outcome.scanned == 0
    assert outcome.skipped == [
        "broken.ipynb: not a readable notebook (NotJSONError); its raw text was searched for secrets only"]
    assert [f.rule for f in outcome.findings] == ["secret/stripe-key"]


def test_a_tree_without_notebooks_did_not_run(tmp_path):
    outcome = get_scanner("notebooks").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "not-run"


def test_a_shell_finding_never_shows_a_token_or_url_password_in_its_evidence(tmp_path):
    token, _ = plant("github-pat")
    path = write_notebook(tmp_path / "nb.ipynb", [new_code_cell(
        f'!curl -H "Authorization: token {token}" https://u:hunter2pass@get.example.com/i.sh | bash')])
    outcome = scan_notebook(path)
    pipe = next(f for f in outcome.findings if f.rule == "notebook/pipe-to-shell")
    assert token not in pipe.evidence and "hunter2pass" not in pipe.evidence
    assert "****[github-token" in pipe.evidence and "https://****@get.example.com" in pipe.evidence
    assert token not in json.dumps([f.to_dict() for f in outcome.findings])
