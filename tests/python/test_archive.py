"""Safe extraction: each hostile archive is refused naming the member, and nothing is extracted."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from mlsecops.archive import ArchiveLimits, UnsafeArchive, safe_extract


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def _zip(path: Path, members: dict[str, bytes], mode: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def _refused(archive: Path, dest: Path, member: str, limits: ArchiveLimits | None = None) -> str:
    with pytest.raises(UnsafeArchive) as caught:
        safe_extract(archive, dest, limits)
    assert caught.value.member == member
    assert f"'{member}'" in str(caught.value)
    assert not dest.exists() or not any(dest.iterdir())
    assert not any(p.name.startswith(f".{dest.name}.extract") for p in dest.parent.iterdir())
    return str(caught.value)


def test_a_clean_tar_gz_and_zip_are_extracted_with_their_folders(tmp_path):
    tgz = _tar(tmp_path / "a.tgz", [(_info("data/train.csv"), b"a,b\n"), (_info("README"), b"hi")])
    assert sorted(safe_extract(tgz, tmp_path / "t")) == ["README", "data/train.csv"]
    assert (tmp_path / "t/data/train.csv").read_bytes() == b"a,b\n"
    zipped = _zip(tmp_path / "a.zip", {"nb/x.ipynb": b"{}", "req.txt": b"numpy\n"})
    assert sorted(safe_extract(zipped, tmp_path / "z")) == ["nb/x.ipynb", "req.txt"]


def test_an_inside_symlink_is_kept_and_a_hard_link_becomes_a_copy(tmp_path):
    tgz = _tar(
        tmp_path / "l.tgz",
        [(_info("a/real.txt"), b"real"), (_info("a/alias", tarfile.SYMTYPE, "real.txt"), None),
         (_info("copy.txt", tarfile.LNKTYPE, "a/real.txt"), None)],
    )
    safe_extract(tgz, tmp_path / "out")
    assert (tmp_path / "out/a/alias").is_symlink() and (tmp_path / "out/a/alias").read_bytes() == b"real"
    assert not (tmp_path / "out/copy.txt").is_symlink() and (tmp_path / "out/copy.txt").read_bytes() == b"real"


@pytest.mark.parametrize(
    "member,why",
    [("/etc/cron.d/evil", "absolute path"), ("../../evil.sh", "climbs out"), ("ok/../../evil.sh", "climbs out")],
)
def test_paths_that_escape_are_refused_in_tar(tmp_path, member, why):
    tgz = _tar(tmp_path / "e.tgz", [(_info("fine.txt"), b"x"), (_info(member), b"evil")])
    assert why in _refused(tgz, tmp_path / "out", member)


@pytest.mark.parametrize("member", ["/abs.txt", "../up.txt", "a\\..\\..\\win.txt", "C:/Windows/evil.dll"])
def test_paths_that_escape_are_refused_in_zip(tmp_path, member):
    _refused(_zip(tmp_path / "e.zip", {"fine.txt": b"x", member: b"evil"}), tmp_path / "out", member)


def test_a_symlink_pointing_outside_is_refused(tmp_path):
    tgz = _tar(tmp_path / "s.tgz", [(_info("data/link", tarfile.SYMTYPE, "../../../etc/passwd"), None)])
    assert "points outside" in _refused(tgz, tmp_path / "out", "data/link")


def test_an_absolute_symlink_is_refused_in_zip_too(tmp_path):
    zipped = _zip(tmp_path / "s.zip", {"link": b"/etc/shadow"}, mode=stat.S_IFLNK | 0o777)
    _refused(zipped, tmp_path / "out", "link")


def test_writing_through_an_inside_link_is_refused(tmp_path):
    # 'd' -> '.' looks harmless, but 'd/x' -> '../y' would then resolve outside
    tgz = _tar(
        tmp_path / "t.tgz",
        [(_info("d", tarfile.SYMTYPE, "."), None), (_info("d/x", tarfile.SYMTYPE, "../y"), None)],
    )
    assert "passes through a link" in _refused(tgz, tmp_path / "out", "d/x")


def test_a_hard_link_to_a_file_outside_is_refused(tmp_path):
    tgz = _tar(tmp_path / "h.tgz", [(_info("passwd", tarfile.LNKTYPE, "/etc/passwd"), None)])
    _refused(tgz, tmp_path / "out", "passwd")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_devices_and_fifos_are_refused(tmp_path, kind):
    tgz = _tar(tmp_path / "d.tgz", [(_info("ok.txt"), b"x"), (_info("dev/node", kind), None)])
    assert "device or FIFO" in _refused(tgz, tmp_path / "out", "dev/node")


def test_a_duplicate_member_that_would_overwrite_is_refused(tmp_path):
    tgz = _tar(tmp_path / "dup.tgz", [(_info("model.h5"), b"good"), (_info("model.h5"), b"evil")])
    _refused(tgz, tmp_path / "out", "model.h5")


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    zipped = _zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * (64 * 1024 * 1024)})
    assert "ratio" in _refused(zipped, tmp_path / "out", "zeros.bin")


def test_a_tar_gz_bomb_is_refused_before_its_data_is_decompressed(tmp_path):
    big = _info("huge.bin")
    tgz = _tar(tmp_path / "bomb.tgz", [(big, b"\0" * (32 * 1024 * 1024))])
    assert "expands over" in _refused(tgz, tmp_path / "out", "huge.bin")


def test_total_size_and_member_count_limits(tmp_path):
    tgz = _tar(tmp_path / "many.tgz", [(_info(f"f{i}"), b"x" * 100) for i in range(5)])
    assert "more than 3 members" in _refused(tgz, tmp_path / "a", "f3", ArchiveLimits(max_members=3))
    assert "total size" in _refused(tgz, tmp_path / "b", "f2", ArchiveLimits(max_total_bytes=250))


def test_a_header_that_lies_about_the_size_is_caught_while_copying(tmp_path):
    zipped = _zip(tmp_path / "liar.zip", {"a.txt": b"A" * 1000})
    raw = bytearray(zipped.read_bytes())
    # shrink the declared size in the central directory: the data holds more than declared
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    zipped.write_bytes(bytes(raw))
    with pytest.raises(Exception) as caught:  # zipfile or our bound, whichever sees it first
        safe_extract(zipped, tmp_path / "out")
    assert "a.txt" in str(caught.value) or "damaged" in str(caught.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_not_an_archive_is_bad_input_whatever_its_name(tmp_path):
    fake = tmp_path / "model.tar.gz"
    fake.write_bytes(b"just text")
    with pytest.raises(Exception, match="not a zip or tar archive"):
        safe_extract(fake, tmp_path / "out")


def test_a_member_colliding_with_the_downloaded_archive_is_refused(tmp_path):
    dest = tmp_path / "src"
    dest.mkdir()
    tgz = _tar(dest / "code.tgz", [(_info("code.tgz"), b"replacement")])
    with pytest.raises(UnsafeArchive, match="collides"):
        safe_extract(tgz, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["code.tgz"]
