"""Safe extraction of archive artifacts (zip, tar, tar.gz/bz2/xz), checked member by member first.

Refused, naming the member: absolute paths, '..' parts, links pointing outside (or paths that
pass through a link), devices, FIFOs and other special files, duplicate names, encrypted
zip members, sparse files, and bombs (member count, total size, compression ratio, sizes that
lie in the headers, and tar extended headers - GNU long names, PAX records - whose declared
size is checked before a byte of them is read). Every check runs before a byte is written;
extraction goes to a temp folder that is renamed into place only when complete, so a refused
archive leaves nothing behind. The format is read from the magic bytes, never from the file name.

Symbolic links are checked twice: as text while planning, and against the real filesystem as
each one is created and again once all exist, because a chain of links that each look harmless
as text (`l -> .`, then `u -> l/..`) climbs out only when resolved.
"""

from __future__ import annotations

import lzma
import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlsecops.errors import UsageError

_CHUNK = 1024 * 1024
_RATIO_FLOOR_BYTES = 10 * 1024 * 1024  # small files compress well and are harmless
_LINK_TARGET_MAX = 4096
# tar extended headers are read whole into memory by tarfile: bound them before it reads them.
# A GNU long name or link is a path (PATH_MAX is 4096); a PAX header holds a few records (path,
# times, ids, xattrs). The bound also caps the cost of tarfile's PAX record parsing, which is
# quadratic in the header size on crafted input.
_EXTENDED_HEADER_MAX = 16 * 1024
_EXTENDED_TOTAL_MAX = 8 * 1024 * 1024  # over the whole archive: global PAX headers accumulate
_EXTENDED_CHAIN_MAX = 8  # headers in a row before a member: tarfile reads a chain recursively
_EXTENDED_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE,
                   tarfile.SOLARIS_XHDTYPE)
# what a damaged archive raises from the standard library's readers and decompressors
_DAMAGED = (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError,
            NotImplementedError, ValueError, RecursionError)


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 20_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0  # uncompressed / compressed, over the whole archive and per member


class UnsafeArchive(UsageError):
    """A refused archive: exit 2 naming the archive and the member."""

    def __init__(self, archive: Path, member: str, why: str) -> None:
        self.member = member
        super().__init__(f"{archive.name}: refused member '{member[:200]}': {why}; nothing extracted")


def archive_format(path: Path) -> str | None:
    """'zip', 'tar' (plain or compressed) or None, from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b" or head[:3] == b"BZh" or head[:6] == b"\xfd7zXZ\x00":
        return "tar"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


@dataclass
class _Plan:
    """What pass one accepted: names in archive order, links and their targets."""

    archive: Path
    limits: ArchiveLimits
    seen: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    members: int = 0
    total: int = 0

    def refuse(self, member: str, why: str) -> UnsafeArchive:
        return UnsafeArchive(self.archive, member, why)

    def name(self, raw: str) -> str | None:
        """The member's safe relative path, None for the archive's own root entry ('./')."""
        if "\x00" in raw:
            raise self.refuse(raw, "NUL byte in the name")
        name = raw.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            raise self.refuse(raw, "absolute path")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.refuse(raw, "path climbs out with '..'")
        if not parts:
            return None
        rel = "/".join(parts)
        self._through_link(raw, rel)
        return rel

    def _through_link(self, raw: str, rel: str) -> None:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in self.links:
                raise self.refuse(raw, "path passes through a link")

    def count(self, raw: str, size: int, compressed: int | None = None) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise self.refuse(raw, f"more than {self.limits.max_members} members")
        if size < 0:
            raise self.refuse(raw, "negative size")
        self.total += size
        if self.total > self.limits.max_total_bytes:
            raise self.refuse(raw, f"total size over {self.limits.max_total_bytes} bytes")
        if compressed is not None and size > _RATIO_FLOOR_BYTES and size > self.limits.max_ratio * max(compressed, 1):
            raise self.refuse(raw, f"compression ratio over {self.limits.max_ratio:g}")
        archive_size = max(self.archive.stat().st_size, 1)
        if self.total > _RATIO_FLOOR_BYTES and self.total > self.limits.max_ratio * archive_size:
            raise self.refuse(raw, f"archive expands over {self.limits.max_ratio:g} times its size")

    def claim(self, raw: str, rel: str) -> None:
        if rel in self.seen:
            raise self.refuse(raw, "duplicate name (would overwrite another member)")
        self.seen.add(rel)

    def link(self, raw: str, rel: str, target: str) -> None:
        """A symbolic link is kept only if its target, read from where it sits, stays inside."""
        if not target or target.startswith("/") or "\x00" in target:
            raise self.refuse(raw, "link to an absolute or empty target")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
        if resolved == ".." or resolved.startswith("../"):
            raise self.refuse(raw, f"link points outside the archive ({target[:100]})")
        if any(rel_other.startswith(rel + "/") for rel_other in self.seen):
            raise self.refuse(raw, "link replaces a folder that holds other members")
        self._through_link(raw, resolved + "/x")
        self.links.add(rel)


def safe_extract(archive: Path, dest: Path, limits: ArchiveLimits | None = None) -> list[str]:
    """Check every member, then extract into `dest` (created); return the extracted relative paths."""
    limits = limits or ArchiveLimits()
    kind = archive_format(archive)
    if kind is None:
        raise UsageError(f"{archive.name}: not a zip or tar archive (unknown magic bytes)")
    plan = _Plan(archive, limits)
    tmp = dest.parent / f".{dest.name}.extract-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        if kind == "zip":
            _check_zip(archive, plan)
            tmp.mkdir(parents=True)
            written = _extract_zip(archive, tmp, plan)
        else:
            _check_tar(archive, plan)
            tmp.mkdir(parents=True)
            written = _extract_tar(archive, tmp, plan)
        _check_links_resolved(tmp, plan)
        dest.mkdir(parents=True, exist_ok=True)
        for entry in sorted(tmp.iterdir()):
            if (dest / entry.name).exists() or (dest / entry.name).is_symlink():
                raise UnsafeArchive(archive, entry.name, "collides with a file already in the target folder")
        for entry in sorted(tmp.iterdir()):
            entry.rename(dest / entry.name)
        return written
    except UsageError:
        raise
    except _DAMAGED as exc:
        raise UsageError(f"{archive.name}: damaged or unreadable archive ({exc.__class__.__name__})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ zip


def _check_zip(archive: Path, plan: _Plan) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > plan.limits.max_members:
            raise plan.refuse(infos[plan.limits.max_members].filename, f"more than {plan.limits.max_members} members")
        for info in infos:
            rel = plan.name(info.filename)
            if rel is None:
                continue
            mode = info.external_attr >> 16
            if info.flag_bits & 0x1:
                raise plan.refuse(info.filename, "encrypted member (cannot be inspected)")
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                raise plan.refuse(info.filename, "device, FIFO or socket")
            plan.count(info.filename, info.file_size, info.compress_size)
            plan.claim(info.filename, rel)
            if stat.S_ISLNK(mode):
                if info.file_size > _LINK_TARGET_MAX:
                    raise plan.refuse(info.filename, "link target too long")
                plan.link(info.filename, rel, zf.read(info).decode("utf-8", "replace"))
            elif not info.is_dir():
                plan.files.add(rel)


def _extract_zip(archive: Path, root: Path, plan: _Plan) -> list[str]:
    written: list[str] = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = _rel(info.filename)
            if rel is None:
                continue
            target = root / rel
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif rel in plan.links:
                target.parent.mkdir(parents=True, exist_ok=True)
                _make_link(root, rel, zf.read(info).decode("utf-8", "replace"), plan, info.filename)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source:
                    _copy_bounded(source, target, info.file_size, plan, info.filename)
                written.append(rel)
    return written


# ------------------------------------------------------------------ tar


class _HeaderRefused(Exception):
    """Raised from inside tarfile's header parsing; turned into UnsafeArchive by `_tar_members`."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(why)
        self.name = name
        self.why = why


@dataclass
class _HeaderBudget:
    extended_bytes: int = 0
    chain: int = 0


def _bounded_tarinfo(budget: _HeaderBudget) -> type[tarfile.TarInfo]:
    """A TarInfo whose extended headers are checked from their 512-byte header block, before
    tarfile reads their content (it reads a GNU long name or a PAX header whole: a 1.5 GiB one
    from a 1.5 MB .tar.gz would be 1.5 GiB of memory). `_proc_member` is where tarfile
    dispatches on the type with only the header block read, in every Python since 2.x."""

    class BoundedTarInfo(tarfile.TarInfo):
        def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
            if self.type in _EXTENDED_TYPES:
                if self.size > _EXTENDED_HEADER_MAX:
                    raise _HeaderRefused(self.name, f"extended tar header of {self.size} bytes "
                                                    f"(over {_EXTENDED_HEADER_MAX})")
                budget.extended_bytes += self.size
                budget.chain += 1
                if budget.extended_bytes > _EXTENDED_TOTAL_MAX:
                    raise _HeaderRefused(self.name, f"extended tar headers over {_EXTENDED_TOTAL_MAX} bytes in all")
                if budget.chain > _EXTENDED_CHAIN_MAX:
                    raise _HeaderRefused(self.name, f"more than {_EXTENDED_CHAIN_MAX} extended headers in a row")
            elif self.type == tarfile.GNUTYPE_SPARSE:
                raise _HeaderRefused(self.name, "sparse file (its map is unbounded)")
            else:
                budget.chain = 0
            return super()._proc_member(tarfile_)

        # PAX-declared GNU sparse maps (formats 0.0, 0.1, 1.0): version 1.0 reads its map unbounded
        def _proc_gnusparse_00(self, next_: tarfile.TarInfo, pax_headers: dict, buf: bytes) -> None:
            raise _HeaderRefused(next_.name, "sparse file (its map is unbounded)")

        def _proc_gnusparse_01(self, next_: tarfile.TarInfo, pax_headers: dict) -> None:
            raise _HeaderRefused(next_.name, "sparse file (its map is unbounded)")

        def _proc_gnusparse_10(self, next_: tarfile.TarInfo, pax_headers: dict, tarfile_: tarfile.TarFile) -> None:
            raise _HeaderRefused(next_.name, "sparse file (its map is unbounded)")

    return BoundedTarInfo


def _tar_members(archive: Path) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    # streaming mode: one forward pass, never seeks back, so header sizes are checked before
    # the data behind them is decompressed
    try:
        with tarfile.open(archive, mode="r|*", tarinfo=_bounded_tarinfo(_HeaderBudget())) as tf:
            for member in tf:
                yield tf, member
    except _HeaderRefused as refused:
        raise UnsafeArchive(archive, refused.name, refused.why) from None


def _check_tar(archive: Path, plan: _Plan) -> None:
    for _tf, member in _tar_members(archive):
        rel = plan.name(member.name)
        if rel is None:
            continue
        if member.ischr() or member.isblk() or member.isfifo():
            raise plan.refuse(member.name, "device or FIFO")
        if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
            raise plan.refuse(member.name, f"unsupported member type {member.type!r}")
        plan.count(member.name, member.size if member.isreg() else 0)
        plan.claim(member.name, rel)
        if member.issym():
            plan.link(member.name, rel, member.linkname)
        elif member.islnk():
            target = _rel(member.linkname)
            if target is None or target not in plan.files:
                raise plan.refuse(member.name, "hard link to something that is not an earlier file of the archive")
            plan.files.add(rel)
        elif member.isreg():
            plan.files.add(rel)


def _extract_tar(archive: Path, root: Path, plan: _Plan) -> list[str]:
    written: list[str] = []
    for tf, member in _tar_members(archive):
        rel = _rel(member.name)
        if rel is None:
            continue
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if member.isdir():
            target.mkdir(exist_ok=True)
        elif member.issym():
            _make_link(root, rel, member.linkname, plan, member.name)
        elif member.islnk():
            source = root / str(_rel(member.linkname))
            # an earlier regular file of this archive (planned so); checked on disk all the same
            if source.is_symlink() or not source.is_file() or not _inside(source, root):
                raise plan.refuse(member.name, "hard link to something that is not an earlier file of the archive")
            shutil.copyfile(source, target, follow_symlinks=False)  # a copy: links would share edits
            written.append(rel)
        else:
            source = tf.extractfile(member)
            if source is None:
                raise plan.refuse(member.name, "unreadable member")
            with source:
                _copy_bounded(source, target, member.size, plan, member.name)
            written.append(rel)
    return written


# ------------------------------------------------------------------ shared


def _inside(path: Path, root: Path, *, strict: bool = False) -> bool:
    """`path`, with every link resolved, is `root` or lies under it; a loop or (strict) a dangling link is not."""
    try:
        return Path(path).resolve(strict=strict).is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11)
        return False


def _make_link(root: Path, rel: str, target: str, plan: _Plan, member: str) -> None:
    """Create the planned link, then resolve it on disk: the text check cannot see earlier links."""
    link = root / rel
    os.symlink(target, link)
    if not _inside(link, root):
        raise plan.refuse(member, f"link resolves outside the archive through other links ({target[:100]})")


def _check_links_resolved(root: Path, plan: _Plan) -> None:
    """Once every member exists, each link must resolve to something inside: a link made later can
    turn an earlier one outward (`u -> l/..` before `l -> .`), and a dangling link could later
    reach whatever appears at its target in the destination folder."""
    for rel in sorted(plan.links):
        link = root / rel
        if not _inside(link, root):
            raise plan.refuse(rel, f"link resolves outside the archive ({os.readlink(link)[:100]})")
        if not _inside(link, root, strict=True):
            raise plan.refuse(rel, f"link to nothing in the archive, or a link loop ({os.readlink(link)[:100]})")


def _rel(raw: str) -> str | None:
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts) or None


def _copy_bounded(source, target: Path, declared: int, plan: _Plan, member: str) -> None:
    """Copy at most the declared size: a header that lies about it is a bomb."""
    copied = 0
    with open(target, "wb") as sink:
        while chunk := source.read(_CHUNK):
            copied += len(chunk)
            if copied > declared:
                raise plan.refuse(member, "holds more data than its header declares")
            sink.write(chunk)
    os.chmod(target, 0o644)
