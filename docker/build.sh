#!/usr/bin/env bash
# Build (and with --test, smoke-test) the worker image with podman on a machine without a
# Docker engine or a reachable container registry.
#
#   bash docker/build.sh            build mlsecops-worker:<version>
#   bash docker/build.sh --test     build, then run `mlsecops --version` and the demo's scan stage in it
#   bash docker/build.sh --base     only prepare the podman config and the base image
#   bash docker/build.sh --config   only write the podman config (printed as export lines)
#
# A user with a real Docker engine needs none of this: `docker build -f docker/Dockerfile .`
#
# Why each piece exists:
#   - podman reads containers.conf/storage.conf written here (CONTAINERS_CONF,
#     CONTAINERS_STORAGE_CONF) before its first command, so the graph root never lands in a
#     default location and the runtime settings that work in a nested sandbox are used.
#   - no registry is reachable: the base image is a debootstrap'ed Debian bookworm rootfs
#     (its python3 is 3.11) imported under the Dockerfile's FROM name, built with --pull=never.
#   - pip in the build uses the host's CA bundle (a build secret, never a layer) and the host's
#     local indexes / find-links (mounted read-only), so it only needs PyPI for what they miss.
#
# Environment:
#   MLSECOPS_PODMAN_ROOT  folder for podman config, storage and the base rootfs (/var/tmp/mlsecops-podman)
#   MLSECOPS_IMAGE        image name (mlsecops-worker); tagged :<version> and :latest
#   DEBIAN_MIRROR         mirror for debootstrap (http://deb.debian.org/debian)
#   GITLEAKS_VERSION/GITLEAKS_SHA256, TRIVY_VERSION/TRIVY_SHA256: optional binaries (build args)
#   TORCH_VARIANT         cpu (default) or, for GPU agents, cuda / cu126 / cu128 ... (the Dockerfile's build
#                         arg); a GPU image is tagged <version>-<variant> and latest-<variant>
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${MLSECOPS_PODMAN_ROOT:-/var/tmp/mlsecops-podman}"
IMAGE="${MLSECOPS_IMAGE:-mlsecops-worker}"
BASE_TAG="docker.io/library/python:3.11-slim-bookworm"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "$1"; exit "${2:-3}"; }


# ------------------------------------------------------------------ podman configuration
write_podman_config() {
  mkdir -p "$ROOT/storage" "$ROOT/run" "$ROOT/tmp"
  # Native overlay works on a plain ext4/xfs graph root; fuse-overlayfs is the fallback where
  # the kernel refuses overlay-on-overlay (MLSECOPS_PODMAN_FUSE=1 forces it).
  local mount_program=""
  if [[ "${MLSECOPS_PODMAN_FUSE:-0}" == "1" ]]; then
    mount_program='mount_program = "/usr/bin/fuse-overlayfs"'
  fi
  cat >"$ROOT/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$ROOT/storage"
runroot = "$ROOT/run"

[storage.options.overlay]
$mount_program
EOF
  cat >"$ROOT/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$ROOT/events.log"
image_parallel_copies = 2
EOF
  export CONTAINERS_CONF="$ROOT/containers.conf"
  export CONTAINERS_STORAGE_CONF="$ROOT/storage.conf"
  export TMPDIR="$ROOT/tmp"
}

# ------------------------------------------------------------------ base image
make_base_image() {
  if podman image exists "$BASE_TAG"; then
    log "base image $BASE_TAG present"
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  local rootfs="$ROOT/rootfs-bookworm"
  rm -rf "$rootfs"
  log "debootstrap bookworm into $rootfs (a few minutes)"
  # python3-venv brings ensurepip, so `python3 -m venv` behaves as in the official image.
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$MIRROR" >"$ROOT/debootstrap.log" 2>&1 \
    || die "debootstrap failed: see $ROOT/debootstrap.log"
  # The official image keeps python under /usr/local/bin; scripts that call it by that path work too.
  ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python3"
  ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  log "importing the rootfs as $BASE_TAG"
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"
}

# ------------------------------------------------------------------ the worker image
pip_build_args() {
  # The host's pip settings, so the build sees the same local wheels the venv was made from.
  local extra_index find_links
  extra_index="$(pip_setting extra-index-url)"
  find_links="$(pip_setting find-links)"
  # unset here: the Dockerfile's defaults (PyPI plus the PyTorch CPU index) apply
  if [[ -n "$extra_index" ]]; then
    BUILD_ARGS+=(--build-arg "PIP_EXTRA_INDEX_URL=${extra_index}")
  fi
  if [[ -n "$find_links" ]]; then
    BUILD_ARGS+=(--build-arg "PIP_FIND_LINKS=${find_links}")
  fi
  local word path
  for word in $extra_index $find_links; do
    path="${word#file://}"
    path="${path%/simple}"
    path="${path%/}"
    if [[ "$path" == /* && -d "$path" ]]; then
      VOLUMES+=(--volume "$path:$path:ro")
    fi
  done
  local cert="${PIP_CERT:-$(pip_setting cert)}"
  cert="${cert:-/etc/ssl/certs/ca-certificates.crt}"
  if [[ -f "$cert" ]]; then
    BUILD_ARGS+=(--secret "id=pip_cert,src=$cert")
  fi
}

pip_setting() {
  # `pip config get` fails when a key is unset; an env var (PIP_FIND_LINKS=...) wins over files.
  local key="$1" env_name
  env_name="PIP_$(tr 'a-z-' 'A-Z_' <<<"$key")"
  if [[ -n "${!env_name:-}" ]]; then
    printf '%s' "${!env_name}"
    return
  fi
  local pip="$REPO_ROOT/.venv/bin/pip"
  [[ -x "$pip" ]] || pip="$(command -v pip3 || true)"
  [[ -n "$pip" ]] || return 0
  "$pip" config get "global.$key" 2>/dev/null || true
}

build_image() {
  local version revision variant suffix=""
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO_ROOT/python/pyproject.toml" | head -1)"
  revision="$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  variant="${TORCH_VARIANT:-cpu}"
  [[ "$variant" =~ ^(cpu|cuda|cu[0-9]+)$ ]] \
    || die "TORCH_VARIANT must be cpu, cuda or a CUDA tag such as cu128, not '$variant'" 2
  [[ "$variant" == cpu ]] || suffix="-$variant"
  BUILD_ARGS=(
    --build-arg "PYTHON_IMAGE=$BASE_TAG"
    --build-arg "VERSION=$version"
    --build-arg "REVISION=$revision"
    --build-arg "TORCH_VARIANT=$variant"
  )
  if [[ -n "${MLSECOPS_SOURCE_URL:-}" ]]; then
    BUILD_ARGS+=(--build-arg "SOURCE=$MLSECOPS_SOURCE_URL")
  fi
  VOLUMES=()
  pip_build_args
  local name
  for name in GITLEAKS_VERSION GITLEAKS_SHA256 TRIVY_VERSION TRIVY_SHA256; do
    if [[ -n "${!name:-}" ]]; then
      BUILD_ARGS+=(--build-arg "$name=${!name}")
    fi
  done
  log "building $IMAGE:$version$suffix (revision ${revision:0:12}, torch $variant)"
  local started=$SECONDS
  # The builder stage gets a tag of its own so its layers (the multi-GB dependency install) stay
  # cached: untagged stages would be pruned as dangling below. The second build reuses them.
  podman_build --target builder -t "$IMAGE:builder-cache$suffix"
  podman_build -t "$IMAGE:$version$suffix" -t "$IMAGE:latest$suffix"
  local size
  size="$(podman image inspect --format '{{.Size}}' "$IMAGE:$version$suffix")"
  log "built $IMAGE:$version$suffix in $((SECONDS - started))s, size $((size / 1024 / 1024)) MiB"
  # earlier builds leave untagged multi-GB images behind (no tag, no child): not a cache any more
  podman image prune --force >/dev/null || log "could not prune old untagged images"
  IMAGE_REF="$IMAGE:$version$suffix"
}

podman_build() {
  podman build --pull=never --network=host --layers --format docker \
    "${BUILD_ARGS[@]}" "${VOLUMES[@]}" -f "$REPO_ROOT/docker/Dockerfile" "$@" "$REPO_ROOT"
}

# ------------------------------------------------------------------ smoke test
source_digest() {
  # one digest over every module of the package, run on the host and inside the image alike
  find mlsecops -name '*.py' -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}

test_image() {
  local started=$SECONDS
  log "running mlsecops --version in $IMAGE_REF"
  podman run --rm --network=none --no-healthcheck "$IMAGE_REF" --version
  log "checking the user and the offline settings in $IMAGE_REF"
  podman run --rm --network=none --no-healthcheck --entrypoint /bin/sh "$IMAGE_REF" \
    -c 'test "$(id -u)" != 0 && test "$HF_HUB_OFFLINE" = 1 && test -w "$XDG_CACHE_HOME"' \
    || die "the image runs as root, or is not set up to stay offline with a writable cache" 1
  log "checking that the image holds the worker's current source"
  local here there
  here="$(cd "$REPO_ROOT/python/src" && source_digest)"
  there="$(podman run --rm --network=none --no-healthcheck --entrypoint /bin/sh "$IMAGE_REF" \
    -c "cd /opt/mlsecops/lib/python3.11/site-packages && $(declare -f source_digest); source_digest")"
  [[ "$here" == "$there" ]] \
    || die "the image's mlsecops package differs from python/src (a stale layer, or files changed during the build)" 1
  log "checking that the garak probe profiles ship in $IMAGE_REF"
  podman run --rm --network=none --no-healthcheck --entrypoint /opt/mlsecops/bin/python "$IMAGE_REF" \
    -c 'from mlsecops.modeltests.garak_runner import PROFILES, profiles_dir as d; assert all((d() / f"{p}.yaml").is_file() for p in PROFILES), d()' \
    || die "the image lacks the garak probe profiles" 1
  log "running the demo's load and scan stages in $IMAGE_REF (no network)"
  # The image's ENTRYPOINT is mlsecops; a shell runs the two stages in one workspace.
  podman run --rm --network=none --no-healthcheck --entrypoint /bin/sh "$IMAGE_REF" \
    -c 'mlsecops --demo default load && mlsecops --demo default scan && test -s .mlsecops/scan/result.json'
  log "image test passed in $((SECONDS - started))s"
}

# ------------------------------------------------------------------ main
# Everything runs from main, called on the last line: bash has read the whole file before it
# starts, so editing the script during a long build cannot derail the running one.
main() {
  local mode="build"
  case "${1:-}" in
    "") ;;
    --test) mode="test" ;;
    --base) mode="base" ;;
    --config) mode="config" ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (use --test, --base, --config or nothing)" 2 ;;
  esac
  write_podman_config
  if [[ "$mode" == "config" ]]; then
    printf 'export CONTAINERS_CONF=%q CONTAINERS_STORAGE_CONF=%q\n' "$CONTAINERS_CONF" "$CONTAINERS_STORAGE_CONF"
    exit 0
  fi
  command -v podman >/dev/null || die "podman is not installed (apt-get install podman runc fuse-overlayfs uidmap debootstrap)"
  make_base_image
  if [[ "$mode" == "base" ]]; then exit 0; fi
  build_image
  if [[ "$mode" == "test" ]]; then test_image; fi
}

main "$@"
