"""Scanners and symbolic links in what they scan (a checkout, a loaded folder): followed when they stay
inside, once; reported when they lead out; never silently passed over, since training reads through them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mlsecops.scanners.files import target_files
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

pytestmark = pytest.mark.timeout(60)

TOKEN = "ghp_" + "R8f2Kd9sLq3Zx7Vb1Nm4Tc6Yh0Wj5Pe2Ua8G"  # a made-up GitHub token shape


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data/train.csv").write_text("text,label\nhello,0\n")
    (root / "vendor").mkdir()
    (root / "vendor/settings.env").write_text(f"TOKEN={TOKEN}\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/tickets.csv").write_text("api_key,password\nsecret,hunter2\n")
    return root


def _displays(files) -> list[str]:
    return sorted(f.display for f in files)


def test_a_link_to_a_file_of_the_tree_is_scanned_once_as_its_target(tree):
    (tree / "latest.csv").symlink_to("data/train.csv")
    (tree / "current").symlink_to("data", target_is_directory=True)

    files = target_files(ScanTargets(paths=[tree]))

    assert _displays(files) == ["data/train.csv", "vendor/settings.env"]


def test_a_link_into_an_excluded_folder_is_scanned_under_the_links_name(tree):
    (tree / "settings.env").symlink_to("vendor/settings.env")

    files = target_files(ScanTargets(paths=[tree], exclude=["vendor"]))

    assert _displays(files) == ["data/train.csv", "settings.env"]
    linked = next(f for f in files if f.display == "settings.env")
    assert linked.path == (tree / "vendor/settings.env").resolve()


def test_a_link_leading_out_of_the_tree_is_a_high_provenance_finding(tree):
    (tree / "data/tickets.csv").symlink_to(tree.parent / "outside/tickets.csv")
    (tree / "more").symlink_to(tree.parent / "outside", target_is_directory=True)
    findings: list = []
    skipped: list[str] = []

    files = target_files(ScanTargets(paths=[tree]), skipped=skipped, findings=findings)

    assert _displays(files) == ["data/train.csv", "vendor/settings.env"]  # not read through the link
    assert sorted(f.location.path for f in findings) == ["data/tickets.csv", "more"]
    finding = next(f for f in findings if f.location.path == "data/tickets.csv")
    assert (finding.rule, finding.severity.value, finding.category) == (
        "provenance/link-outside-tree", "high", "provenance")
    assert "outside/tickets.csv" in finding.message and skipped == []


def test_without_a_findings_list_an_outward_link_is_still_reported_as_skipped(tree):
    (tree / "tickets.csv").symlink_to(tree.parent / "outside/tickets.csv")
    skipped: list[str] = []

    target_files(ScanTargets(paths=[tree]), skipped=skipped)

    assert skipped == ["tickets.csv: link leads out of the scanned folder, not followed"]


def test_broken_links_and_loops_are_noted_not_followed(tree):
    (tree / "gone.csv").symlink_to("missing.csv")
    (tree / "a").symlink_to("b")
    (tree / "b").symlink_to("a")
    findings: list = []
    skipped: list[str] = []

    target_files(ScanTargets(paths=[tree]), skipped=skipped, findings=findings)

    assert findings == []
    assert sorted(skipped) == [f"{name}: broken link (dangling or a loop), not followed" for name in ("a", "b", "gone.csv")]


def test_a_loaded_folder_with_a_link_out_is_reported_under_its_artifact(tree, tmp_path):
    loaded = tmp_path / "ws/load/tickets"
    loaded.mkdir(parents=True)
    (loaded / "tickets.csv").symlink_to(tree.parent / "outside/tickets.csv")
    findings: list = []

    target_files(ScanTargets(artifacts=[LoadedArtifact("tickets", "dataset", loaded)]), ("dataset",),
                 findings=findings)

    assert [(f.location.path, f.location.artifact) for f in findings] == [("tickets/tickets.csv", "tickets")]


def test_the_secrets_scanner_finds_a_token_reached_through_an_inside_link(tree):
    from mlsecops.scanners.run import run_scanner

    (tree / "settings.env").symlink_to("vendor/settings.env")

    outcome = run_scanner("secrets", ScanTargets(paths=[tree], exclude=["vendor"]))

    assert outcome.status == "ran"
    assert [f.location.path for f in outcome.findings if f.category == "secret"] == ["settings.env"]
