"""`${secret:file://path}`: a secret in a file (Jenkins file credential, Kubernetes secret volume).

The config may come from a merge request, so a reference may only read inside the folders an
operator allowed: `MLSECOPS_SECRET_FILE_ROOTS` (folders separated by `os.pathsep`), else the
project folder (the working directory) and the folder of the config file. Symlinks are resolved
before the check, only regular files are read, and at most MAX_SECRET_BYTES of them.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from mlsecops.errors import UsageError
from mlsecops.keys.interface import SecretProvider

ROOTS_ENV = "MLSECOPS_SECRET_FILE_ROOTS"
MAX_SECRET_BYTES = 1024 * 1024  # a key with its certificate chain fits; /dev/zero or a dataset does not

_config_folders: set[Path] = set()
_lock = threading.Lock()


def allow_config_folder(folder: Path) -> None:
    """The folder of a config file this process read: a default root for its file secrets."""
    with _lock:
        _config_folders.add(Path(folder).absolute())


def allowed_roots() -> list[Path]:
    """The folders file secrets may come from: the environment's list, else the defaults."""
    configured = os.environ.get(ROOTS_ENV, "")
    if configured.strip():
        return [Path(entry).absolute() for entry in configured.split(os.pathsep) if entry.strip()]
    with _lock:
        return [Path.cwd(), *sorted(_config_folders - {Path.cwd()})]


def _inside(path: Path, roots: list[Path]) -> bool:
    for root in roots:
        try:
            if path.is_relative_to(root.resolve()):
                return True
        except (OSError, RuntimeError):  # an unreadable or looping root allows nothing
            continue
    return False


class FileSecretProvider(SecretProvider):
    scheme = "file"

    def resolve(self, reference: str) -> str:
        where = f"secret file://{reference}"
        if not reference or "\x00" in reference:
            raise UsageError(f"{where}: not a file path")
        roots = allowed_roots()
        try:
            # checked before the file is touched: whether a file outside exists is not told either
            path = Path(reference).resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python 3.11)
            why = getattr(exc, "strerror", None) or exc.__class__.__name__
            raise UsageError(f"{where}: cannot read ({why})") from None
        if not _inside(path, roots):
            shown = os.pathsep.join(str(root) for root in roots)
            raise UsageError(f"{where}: outside the folders file secrets may come from ({shown}); "
                             f"set {ROOTS_ENV} to allow its folder")
        try:
            # non-blocking open: a FIFO planted under the name must not hang the run before the check
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise UsageError(f"{where}: not a regular file")
                data = handle.read(MAX_SECRET_BYTES + 1)
        except OSError as exc:
            why = exc.strerror or exc.__class__.__name__
            raise UsageError(f"{where}: cannot read ({why})") from None
        if len(data) > MAX_SECRET_BYTES:
            raise UsageError(f"{where}: larger than {MAX_SECRET_BYTES} bytes, not a secret")
        try:
            return data.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise UsageError(f"{where}: not UTF-8 text") from None
