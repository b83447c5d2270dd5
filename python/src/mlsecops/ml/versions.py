"""Versions of the ML tools, read from package metadata (nothing is imported)."""

from __future__ import annotations

import platform
from importlib import metadata

ML_PACKAGES = ("keras", "torch", "scikit-learn", "numpy", "h5py")


def tool_versions(packages: tuple[str, ...] = ML_PACKAGES) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
