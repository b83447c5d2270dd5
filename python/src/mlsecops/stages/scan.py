"""Stage 3: run the configured scanners over the source tree and the loaded artifacts.

It never fails by itself: it records findings, and a scanner that could not run becomes a
finding so that the gate fails closed on it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

from mlsecops.config import ScanConfig
from mlsecops.errors import UsageError
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScannerOptions, ScanOutcome, ScanTargets
from mlsecops.scanners.run import run_and_record, run_scanner
from mlsecops.stages.base import StageBody, StageContext, run_stage
from mlsecops.workspace import RESULT_FILE, StageResult, count_findings, merge_results


def _standalone_targets(name: str, path: Path, options: ScannerOptions | dict[str, Any] | None = None,
                        project_root: Path | None = None) -> ScanTargets:
    kind = get_scanner(name).standalone_kind
    options = options if options is not None else {}
    if kind is None:
        # the same defaults as the stage: never walk .git, .venv or our own workspace
        return ScanTargets(paths=[path], exclude=list(ScanConfig().exclude), options=options,
                           project_root=project_root)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    # each file given is an artifact, with the project's options; one inside the project is named by
    # its project path (its `file://` source, as the pipeline names a loaded one), whatever the working directory
    return ScanTargets(artifacts=[LoadedArtifact(name=f.name, kind=kind, path=f, url=_project_url(f, project_root))
                                  for f in files], options=options, project_root=project_root)


def _project_url(path: Path, project_root: Path | None) -> str:
    if project_root is None:
        return ""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(project_root)).as_posix()
    except ValueError:  # outside the project: named as before, from the working directory
        return ""
    return f"file://{relative}"


def scan_path(name: str, path: Path, options: dict[str, Any] | None = None,
              project_root: Path | None = None) -> ScanOutcome:
    """`mlsecops scan NAME PATH`: one scanner alone, no config or workspace needed (a project's
    `scan.options.<name>` and root are used when given)."""
    outcome = run_scanner(name, _standalone_targets(name, path, options, project_root))
    # Some scanners say "ran" over no input at all; alone, that is nothing to scan (a missing tool,
    # already not-run, keeps its own reason).
    if outcome.status == "ran" and not outcome.findings and _holds_no_file(path):
        outcome.status, outcome.message = "not-run", f"nothing to scan: {path} holds no regular file"
    return outcome


def _holds_no_file(path: Path) -> bool:
    if path.is_file():
        return False
    return not path.is_dir() or not any(p.is_file() for p in path.rglob("*"))


def _local_sources_loaded(ctx: StageContext, artifacts: list[LoadedArtifact]) -> list[Path]:
    from mlsecops.stores import absolute_file_url
    from mlsecops.stores.file import path_of_file_url

    loaded = {artifact.name for artifact in artifacts}
    return [
        path_of_file_url(absolute_file_url(source.url, ctx.config.base_dir.resolve()))
        for source in ctx.config.load.sources
        if source.name in loaded and source.url.lower().startswith("file://")
    ]


def run(ctx: StageContext) -> StageResult:
    """The whole scan writes `scan/`; `--only A,B` writes one branch folder per scanner, `scan/<name>/`."""
    only: list[str] | None = ctx.options.get("only")
    if not only:
        names = list(ctx.config.scan.scanners)
        _remove_superseded_branches(ctx, names)
        return run_stage("scan", _scan_body(names, None), ctx)
    names = list(dict.fromkeys(only))
    for name in names:
        get_scanner(name)  # an unknown name is bad usage, before anything is written under its name
    parts = [run_stage("scan", _scan_body([name], name), ctx, subdir=name) for name in names]
    return merge_results("scan", parts)


def _remove_superseded_branches(ctx: StageContext, names: list[str]) -> None:
    """A full scan supersedes earlier `scan --only` branches of the scanners it runs: the gate must
    not judge their older results beside it."""
    from mlsecops.scanners import SCANNERS

    scan_dir = ctx.workspace.stage_dir("scan", create=False)
    for name in names:
        branch = scan_dir / name
        if name in SCANNERS and (branch / RESULT_FILE).is_file():
            shutil.rmtree(branch)


def _scan_body(names: list[str], subdir: str | None) -> StageBody:
    def body(ctx: StageContext, result: StageResult) -> None:
        artifacts = ctx.loaded_artifacts()
        paths = [ctx.config.resolve_path(p) for p in ctx.config.scan.paths]
        stage_dir = ctx.workspace.stage_dir("scan" if subdir is None else f"scan/{subdir}")
        workspace_root = ctx.workspace.root.resolve()
        exclude = list(ctx.config.scan.exclude)
        # The workspace may sit inside the scanned tree: never scan our own output. A loaded
        # artifact is scanned as that artifact, so its source file in the tree is not scanned twice.
        inside_tree = [workspace_root, *_local_sources_loaded(ctx, artifacts)]
        for path in paths:
            for inner in inside_tree:
                with contextlib.suppress(ValueError):
                    relative = inner.relative_to(path.resolve())
                    exclude.append(relative.parts[0] if inner == workspace_root else relative.as_posix())
        if not names:
            raise UsageError("scan.scanners is empty: nothing would be scanned")
        for name in names:
            targets = ScanTargets(
                paths=paths,
                artifacts=artifacts,
                exclude=sorted(set(exclude)),
                options=ctx.config.scan.options.get(name, {}),
                work_dir=stage_dir / name,
                # files are named from the project root (where mlsecops.yaml sits), whatever scan.paths
                # lists: `src/app.py` under `paths: [src]`, as `mlsecops scan secrets src/` names it
                project_root=ctx.config.base_dir,
            )
            outcome = run_and_record(name, targets, result)
            ctx.echo(f"  scan {name:12} {outcome.status:8} {len(outcome.findings):4} finding(s), "
                     f"{outcome.scanned} scanned")
        count_findings(result)

    return body
