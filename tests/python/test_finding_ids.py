"""Finding ids survive edits: they follow the rule, the path and the content around a finding, never its line,
so a waiver keeps matching after lines are added above the finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mlsecops import demo
from mlsecops.findings import Location, make_finding, number_repeats
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import ScanTargets
from scanner_support.fake_secrets import plant

pytestmark = pytest.mark.timeout(300)


# ---- the id itself ------------------------------------------------------------------------------------


def finding_at(line: int, *, context: str | None, path: str = "app/settings.py", column: str | None = None,
               place: str | None = None, identity: str = "v1"):
    return make_finding(rule="secret/x", title="t", severity="high", category="secret", tool="t",
                        location=Location(path=path, line=line, column=column), identity=identity,
                        context=context, place=place)


def test_with_its_context_given_a_finding_id_ignores_the_line_and_spacing():
    moved = finding_at(40, context="    password = 'x'  # db")
    assert moved.id == finding_at(3, context="password = 'x' # db").id
    assert moved.id != finding_at(3, context="password = 'y' # db").id
    assert moved.id != finding_at(3, context="password = 'x' # db", path="app/other.py").id


def test_a_path_is_compared_as_posix_without_a_leading_dot_slash():
    assert finding_at(1, context="", path="./data/reviews.csv").id == finding_at(9, context="",
                                                                                    path="data\\reviews.csv").id


def test_place_stands_in_for_a_column_that_moves():
    assert finding_at(1, context="", column="cell 3", place="cell").id == finding_at(
        1, context="", column="cell 4", place="cell").id
    assert finding_at(1, context="", column="text").id != finding_at(1, context="", column="comment").id


def test_without_context_the_line_still_counts_as_it_always_did():
    assert finding_at(1, context=None).id != finding_at(2, context=None).id


def test_the_same_content_twice_in_a_file_is_numbered_in_file_order():
    first, second = finding_at(20, context="token = 'a'"), finding_at(7, context="token = 'a'")
    number_repeats([first, second])
    assert second.id == finding_at(1, context="token = 'a'").id  # the earlier line keeps the plain id
    assert first.id != second.id
    again = [finding_at(21, context="token = 'a'"), finding_at(8, context="token = 'a'")]
    assert {f.id for f in number_repeats(again)} == {first.id, second.id}


# ---- every fixture edited: lines, rows and cells inserted above the findings ------------------------


def insert_above_everything(root: Path) -> int:
    """Edit every file of the tree the way a colleague would, above every finding; returns files edited."""
    edited = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".mlsecops" not in p.parts):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            header, _, rest = path.read_text(encoding="utf-8").partition("\n")
            columns = header.count(",") + 1
            path.write_text(f"{header}\n{','.join(['added row'] + ['x'] * (columns - 1))}\n{rest}", encoding="utf-8")
        elif suffix == ".jsonl":
            path.write_text('{"text": "an added record"}\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
        elif suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            for cell in notebook["cells"]:
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else source
                cell["source"] = ("# a comment added above\n" if cell["cell_type"] == "code" else "Added.\n") + source
            notebook["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "# An added title"})
            path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        elif suffix == ".json":
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("{", '{\n  "_added": "a key added above",', 1), encoding="utf-8")
        elif suffix in (".py", ".txt", ".yaml", ".yml", ".toml", ".cfg", ".sh", "") or path.name.startswith("."):
            path.write_text("# a comment added above\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        elif suffix == ".md":
            path.write_text("An added paragraph.\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            continue
        edited += 1
    return edited


def extra_secrets(root: Path) -> None:
    """Beyond the demo: a secret twice in one file, and a secret in a notebook output."""
    value, line = plant("github-pat")
    (root / "app" / "deploy.py").write_text(f"{line}\nimport os\n\n{line}")
    notebook = json.loads((root / "notebooks" / "explore.ipynb").read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "print(key)",
                              "outputs": [{"output_type": "stream", "name": "stdout", "text": value}]})
    (root / "notebooks" / "explore.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def scan_ids(name: str, root: Path) -> list[tuple[str, str, str]]:
    options = {"osv_dir": str(root.parent / "advisories")} if name == "osv-offline" else {}
    outcome = get_scanner(name).scan(ScanTargets(paths=[root], exclude=[".mlsecops", ".git"], options=options,
                                                 work_dir=root.parent / f"work-{name}"))
    assert outcome.status == "ran", outcome.message
    return sorted((f.id, f.rule, f.location.path) for f in outcome.findings)


ADVISORY = {  # an offline advisory against a package the demo pins, so osv-offline has findings to keep
    "id": "GHSA-test-ids0-0001", "modified": "2026-01-02T00:00:00Z", "summary": "test advisory",
    "database_specific": {"severity": "HIGH"},
}


def write_advisories(folder: Path, requirements: Path) -> None:
    folder.mkdir(exist_ok=True)
    pinned = next(line.split("==")[0].strip() for line in requirements.read_text().splitlines() if "==" in line)
    affected = [{"package": {"ecosystem": "PyPI", "name": pinned},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]
    (folder / "advisory.json").write_text(json.dumps({**ADVISORY, "affected": affected}))


@pytest.fixture(scope="module")
def demo_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = demo.materialize("insecure", tmp_path_factory.mktemp("demo") / "project").parent
    extra_secrets(root)
    return root


# Scanners that pass what surrounds their findings to make_finding (not the line number).
SCANNERS = [
    "secrets",
    "notebooks",
    "secrets-detect-secrets",
    "dataset",
    "bandit",
    "osv-offline",
]


@pytest.mark.parametrize("scanner", SCANNERS)
def test_every_finding_keeps_its_id_when_lines_are_inserted_above_it(demo_tree, tmp_path, scanner):
    if get_scanner(scanner).unavailable_reason():
        pytest.skip(get_scanner(scanner).unavailable_reason())
    root = tmp_path / "project"
    shutil.copytree(demo_tree, root)
    write_advisories(tmp_path / "advisories", root / "requirements.txt")
    before = scan_ids(scanner, root)
    assert before, f"{scanner} finds nothing in the demo: nothing to compare"

    assert insert_above_everything(root) >= 5
    after = scan_ids(scanner, root)

    kept = set(before) & set(after)
    assert len(kept) / len(before) == 1.0, f"ids changed: {sorted(set(before) - kept)}"
    assert len(after) == len(before)  # ... and nothing new appeared, nothing merged


def test_injection_findings_in_training_data_keep_their_ids_when_rows_are_inserted_above(tmp_path):
    from mlsecops.engines.guard.data_scan import scan_file
    from mlsecops.engines.guard.detector import InjectionGuard

    root = demo.materialize("injected-data", tmp_path / "project").parent
    detector = InjectionGuard()

    def ids() -> list[str]:
        return sorted(f.id for f in scan_file(detector, root / "data" / "tickets.csv", "data/tickets.csv", "data"))

    before = ids()
    assert before, "the injected-data demo plants injections: nothing to compare"
    assert insert_above_everything(root) >= 1
    assert ids() == before


def test_a_secret_twice_in_one_file_gets_two_ids(demo_tree):
    ids = [(i, path) for i, rule, path in scan_ids("secrets", demo_tree) if path == "app/deploy.py"]
    assert len(ids) == 2 and ids[0][0] != ids[1][0]


# ---- where a user reads the id a waiver needs --------------------------------------------------------


def test_summary_md_lists_each_finding_with_its_id(tmp_path):
    from mlsecops.reports import write_reports
    from reports_support import config, pii_finding, populated_workspace, secret_finding

    workspace = populated_workspace(tmp_path)
    write_reports(workspace, config(tmp_path))
    text = (workspace.reports_dir / "summary.md").read_text(encoding="utf-8")
    assert "| severity | category | rule | location | message | tool | id |" in text
    for finding in (secret_finding(), pii_finding()):
        assert next(line for line in text.splitlines() if finding.id in line).startswith("| ")


def test_the_console_summary_shows_the_id_of_each_top_finding(tmp_path):
    from notify_support.harness import notify_run
    from notify_support.workspace import failed_model_gate

    workspace = failed_model_gate(tmp_path / ".mlsecops")
    lines = notify_run(workspace, [], event="gate-failed").output
    top = [line.strip() for line in lines if line.startswith("    ") and not line.strip().startswith("...")]
    assert top and all(line.split()[-2] == "id" and len(line.split()[-1]) == 24 for line in top)


def test_sarif_names_a_loaded_repository_file_by_its_path_in_the_repository(tmp_path):
    from mlsecops.reports import write_reports
    from mlsecops.workspace import StageResult, Workspace
    from reports_support import config, read_json

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "reviews.csv").write_text("id,text\n1,call me at 212-555-0199\n")
    workspace = Workspace(tmp_path / ".mlsecops")
    workspace.root.mkdir()
    workspace.write_result(StageResult("load", details={"sources": [
        {"name": "reviews", "kind": "dataset", "path": "load/reviews/reviews.csv", "url": "file://data/reviews.csv"},
        {"name": "remote", "kind": "dataset", "path": "load/remote/r.csv", "url": "s3://bucket/r.csv"}]}).finish())
    in_loaded = make_finding(rule="pii/phone-number", title="Phone", severity="medium", category="data-pii",
                             tool="mlsecops-pii", location=Location(path="reviews.csv", line=2, column="text",
                                                                    artifact="reviews"), context="")
    in_tree = make_finding(rule="secret/x", title="Secret", severity="high", category="secret", tool="mlsecops-secrets",
                           location=Location(path="app/settings.py", line=3), context="")
    in_remote = make_finding(rule="pii/email", title="Email", severity="medium", category="data-pii",
                             tool="mlsecops-pii", location=Location(path="r.csv", line=2, artifact="remote"),
                             context="")
    workspace.write_result(StageResult("scan", findings=[in_loaded, in_tree, in_remote]).finish())
    write_reports(workspace, config(tmp_path))

    sarif = read_json(workspace.reports_dir / "findings.sarif")
    uris = {r["partialFingerprints"]["mlsecops/v1"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for run in sarif["runs"] for r in run["results"]}
    assert uris[in_loaded.id] == "data/reviews.csv"
    assert uris[in_tree.id] == "app/settings.py"
    assert uris[in_remote.id] == "r.csv"  # not a file of the repository: named as loaded
