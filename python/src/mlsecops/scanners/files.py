"""Walking scan targets: exclusions, binary and lock-file awareness, bounded chunked reads.

Every tree scanner goes through here so that they agree on what a target file is and report
what they passed over the same way (`ScanOutcome.skipped`), never silently.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mlsecops.findings import Finding, Location, Severity, make_finding
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets

# Lock files hold integrity hashes that look like secrets; only provider-prefixed rules apply there.
LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "Cargo.lock",
        "go.sum",
        "composer.lock",
        "Gemfile.lock",
        "packages.lock.json",
        "mix.lock",
    }
)


@dataclass(frozen=True)
class TargetFile:
    path: Path  # where to read it
    display: str  # how findings name it: relative to the scanned root, stable across checkouts
    artifact: str | None = None  # the loaded artifact it belongs to, if any


def is_excluded(relative: str, patterns: list[str]) -> bool:
    """A pattern excludes a path when it matches the whole relative path or any one of its parts."""
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


@dataclass(frozen=True)
class LinkNote:
    """A symbolic link the walk did not scan through: it leads out of the walked folder, or nowhere."""

    display: str
    target: str  # what the link says, not what it reaches
    artifact: str | None
    broken: bool  # dangling or a loop: nothing to read


def walk(root: Path, exclude: list[str], *, prefix: str = "", artifact: str | None = None,
         links: list[LinkNote] | None = None) -> Iterator[TargetFile]:
    """Regular files under `root` (or `root` itself), sorted, excluded paths pruned.

    A symbolic link whose target stays under `root` is scanned as its target, once: not again
    when the target is walked anyway, under the link's name when it is not (an excluded folder).
    Training reads through links, so one leading out of `root` is noted in `links`, as is a
    broken one; neither is followed.
    """
    if root.is_file():
        yield TargetFile(root, prefix or root.name, artifact)
        return
    seen: set[Path] = set()
    pending: list[tuple[Path, str]] = []  # links, resolved once every regular file is known
    for directory, subdirs, names in os.walk(root, followlinks=False):
        relative_dir = os.path.relpath(directory, root)
        relative_dir = "" if relative_dir == "." else relative_dir.replace(os.sep, "/")
        subdirs[:] = sorted(d for d in subdirs if not is_excluded(_join(relative_dir, d), exclude))
        pending += [(Path(directory) / d, _join(relative_dir, d))
                    for d in subdirs if (Path(directory) / d).is_symlink()]
        for name in sorted(names):
            relative = _join(relative_dir, name)
            path = Path(directory) / name
            if is_excluded(relative, exclude):
                continue
            if path.is_symlink():
                pending.append((path, relative))
            elif path.is_file():
                seen.add(path.resolve())
                yield TargetFile(path, _join(prefix, relative), artifact)
    yield from _through_links(root, pending, seen, prefix, artifact, links)


def _through_links(root: Path, pending: list[tuple[Path, str]], seen: set[Path], prefix: str,
                   artifact: str | None, links: list[LinkNote] | None) -> Iterator[TargetFile]:
    real_root = root.resolve()
    for link, relative in pending:
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError in Python 3.11)
            if links is not None:
                links.append(LinkNote(_join(prefix, relative), _readlink(link), artifact, broken=True))
            continue
        if not target.is_relative_to(real_root):
            if links is not None:
                links.append(LinkNote(_join(prefix, relative), _readlink(link), artifact, broken=False))
            continue
        # inside: its target's files, those the walk has not scanned already (links in it are not followed)
        found = [(target, "")] if target.is_file() else sorted(
            (Path(d) / n, os.path.relpath(Path(d) / n, target).replace(os.sep, "/"))
            for d, _, names in os.walk(target, followlinks=False) for n in names)
        for path, below in found:
            real = path.resolve()
            if path.is_symlink() or not path.is_file() or real in seen:
                continue
            seen.add(real)
            yield TargetFile(real, _join(prefix, f"{relative}/{below}" if below else relative), artifact)


def _readlink(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def _join(left: str, right: str) -> str:
    return f"{left}/{right}" if left else right


def target_files(targets: ScanTargets, kinds: tuple[str, ...] = (), *,
                 tree_filter: Callable[[Path], bool] | None = None,
                 skipped: list[str] | None = None,
                 findings: list[Finding] | None = None) -> list[TargetFile]:
    """Files of `targets.paths` (those `tree_filter` accepts) plus every file of the loaded artifacts of `kinds`.

    A loaded artifact that is a copy of a file of the tree (same bytes: the load stage fetched
    it from the checkout) is scanned once, under its tree path, and noted in `skipped`.
    A link leading out of its folder is a finding in `findings` (without that list, a `skipped`
    line); a broken link is noted in `skipped`.
    """
    notes: list[LinkNote] = []
    tree = [t for root in targets.paths
            for t in walk(Path(root), targets.exclude, prefix=_root_prefix(targets, Path(root)), links=notes)
            if tree_filter is None or tree_filter(t.path)]
    by_size: dict[int, list[TargetFile]] = {}
    for target in tree:
        by_size.setdefault(_size(target.path), []).append(target)
    found = list(tree)
    for artifact in targets.artifacts_of(*kinds):
        source = source_in_project(targets, artifact)
        for target in artifact_files(artifact, targets.exclude, links=notes, prefix=source):
            inside = project_prefix(targets, target.path) if target.display == target.path.name else None
            # a file given alone inside a project (`scan dataset data/x.csv`, no source or its own path as
            # source): its project path; a copy the load stage fetched from the project is named by its
            # source path (above), as the tree names that file; one fetched from elsewhere keeps its name
            if source is None and inside and artifact.url in ("", f"file://{inside}"):
                target = TargetFile(target.path, inside, target.artifact)
            twin = next((t for t in by_size.get(_size(target.path), []) if _same_bytes(t.path, target.path)), None)
            if twin is None:
                found.append(target)
            elif skipped is not None:
                skipped.append(f"{target.display}: same bytes as {twin.display} in the tree, scanned once there")
    for note in notes:
        if not note.broken and findings is not None:
            findings.append(outside_link_finding(note))
        elif skipped is not None:
            what = "broken link (dangling or a loop)" if note.broken else "link leads out of the scanned folder"
            skipped.append(f"{note.display}: {what}, not followed")
    return found


def project_prefix(targets: ScanTargets, path: Path) -> str | None:
    """`path` relative to the project root (`targets.project_root`, set when a scanner runs alone
    inside a project), "" for the root itself; None without a root or for a path outside it."""
    root = targets.project_root
    if not root:
        return None
    # abspath, not resolve: a project reached through a symbolic link keeps the names it is known by
    for scanned, base in ((os.path.abspath(path), os.path.abspath(root)), (Path(path).resolve(), Path(root).resolve())):
        with contextlib.suppress(ValueError):
            relative = Path(scanned).relative_to(base).as_posix()
            return "" if relative == "." else relative
    return None


def _root_prefix(targets: ScanTargets, root: Path) -> str:
    """How a scanned root's files are named: from the project root when there is one (`scan secrets src/`
    names `src/conf.py` as the pipeline scanning the project does, so ids and baselines match), else
    from the root itself (a file by its name)."""
    prefix = project_prefix(targets, root)
    if prefix:
        return prefix
    return "" if root.is_dir() else root.name


def reported_file(root: Path, reported: str) -> Path:
    """The absolute path of a file an external tool reported while scanning `root` (see `tool_path`)."""
    given = root.as_posix().rstrip("/")
    text = reported.replace(os.sep, "/")
    candidates: list[Path] = []
    if Path(text).is_absolute() or (given not in ("", ".") and (text == given or text.startswith(given + "/"))):
        candidates.append(Path(os.path.abspath(text)))  # absolute, or prefixed by the root as given
    if not Path(text).is_absolute():
        candidates.append(Path(os.path.abspath(root / text.removeprefix("./"))) if root.is_dir()
                          else Path(os.path.abspath(root)))
    # `sub/x` under root `sub` may be sub/x or sub/sub/x: the one that exists
    return next((c for c in candidates if c.exists()), candidates[0])


def tool_path(targets: ScanTargets, root: Path, reported: str) -> str:
    """A path an external tool reported while scanning `root`, named as `target_files` names it: from
    the project root when there is one, else from `root`. Tools report paths absolute, relative to
    `root`, or prefixed by `root` as it was given on their command line (relative to the working
    directory); a path outside both keeps its own name."""
    if not reported:
        return reported
    absolute = reported_file(root, reported)
    inside = project_prefix(targets, absolute)
    if inside:
        return inside
    for base in (Path(os.path.abspath(root)), Path(root).resolve()):
        with contextlib.suppress(ValueError):
            relative = absolute.relative_to(base).as_posix()
            return root.name if relative == "." else relative
    return reported.replace(os.sep, "/")


def outside_link_finding(note: LinkNote) -> Finding:
    """A link out of the scanned folder: its target was not scanned, yet training reads through it."""
    return make_finding(
        rule="provenance/link-outside-tree",
        title="Symbolic link leads out of the scanned folder",
        severity=Severity.HIGH,
        category="provenance",
        tool="mlsecops",
        location=Location(path=note.display, artifact=note.artifact),
        message=(f"{note.display} -> {note.target[:200]}: its target lies outside the scanned folder and was "
                 "not scanned, yet anything reading the folder reads it; replace the link with the file"),
        identity="link-outside-tree",
        properties={"not_scanned": True, "link_target": note.target[:200]},
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _same_bytes(left: Path, right: Path) -> bool:
    from mlsecops.hashing import file_sha256

    try:
        return left.resolve() == right.resolve() or file_sha256(left) == file_sha256(right)
    except OSError:
        return False


def artifact_files(artifact: LoadedArtifact, exclude: list[str],
                   links: list[LinkNote] | None = None, prefix: str | None = None) -> Iterator[TargetFile]:
    """A file artifact is named by its file name; a folder's files by artifact name and relative path
    (`prefix` names either instead: the artifact's source path in the project)."""
    path = Path(artifact.path)
    if path.is_file():
        yield TargetFile(path, prefix or path.name, artifact.name)
    else:
        yield from walk(path, exclude, prefix=prefix or artifact.name, artifact=artifact.name, links=links)


def source_in_project(targets: ScanTargets, artifact: LoadedArtifact) -> str | None:
    """The path, from the project root, of the project file or folder a loaded artifact was fetched from
    (`file://data/x.csv`, or an absolute `file://` URL inside the project); None for any other source.
    Its findings then carry the name and id a scan of the tree (or of that path alone) gives them."""
    url = artifact.url
    if not url.lower().startswith("file://"):
        return None
    text = url[len("file://"):].replace("\\", "/")
    if text.startswith("/"):
        inside = project_prefix(targets, Path(text))
        return inside or None
    while text.startswith("./"):
        text = text[2:]
    text = text.rstrip("/")
    if not text or ".." in text.split("/") or ":" in text:
        return None
    return text


def not_scanned_finding(target: TargetFile, reason: str, *, category: str, tool: str, looked_for: str) -> Finding:
    """A file the scanner should have read but could not: a finding, not a `skipped` line, so the gate
    fails closed (the shape of the models scanner's "not scanned"). `reason` names a class of problem
    (e.g. an exception's class), never the file's content."""
    return make_finding(
        rule=f"{category}/not-scanned",
        title=f"File not scanned for {looked_for}: {reason}",
        severity=Severity.HIGH,
        category=category,
        tool=tool,
        location=Location(path=target.display, artifact=target.artifact),
        message=f"{target.display}: not scanned for {looked_for} ({reason}); make it readable or exclude it",
        identity="not-scanned",
        properties={"not_scanned": True, "reason": reason},
    )


def is_lock_file(path: Path) -> bool:
    return path.name in LOCK_FILES


def option_path(targets: ScanTargets, value: str | Path) -> Path:
    """A path from a scanner option: absolute as given; relative to the working directory when it exists
    there, else to the first scanned path (the repository root, where mlsecops.yaml usually sits)."""
    path = Path(value)
    if path.is_absolute() or path.exists():
        return path
    root = targets.project_root  # run alone inside a project: where mlsecops.yaml sits
    if root and (Path(root) / path).exists():
        return Path(root) / path
    if not targets.paths:
        return path
    return Path(targets.paths[0]) / path
