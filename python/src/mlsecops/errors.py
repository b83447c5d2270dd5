"""The exceptions a user can cause, each mapped to one exit code and one line of output."""

from __future__ import annotations


class MlsecopsError(Exception):
    """Base of every error the CLI turns into one line and an exit code, never a traceback."""

    exit_code = 2


class GateFailed(MlsecopsError):
    """A gate or a threshold failed: the build must stop."""

    exit_code = 1


class UsageError(MlsecopsError):
    """Bad usage, bad configuration or bad input; the message names what and where."""

    exit_code = 2


class EnvironmentFailure(MlsecopsError):
    """The environment failed: a server unreachable after retries, a required tool missing."""

    exit_code = 3


EXIT_PASSED = 0
EXIT_GATE_FAILED = GateFailed.exit_code
EXIT_USAGE = UsageError.exit_code
EXIT_ENVIRONMENT = EnvironmentFailure.exit_code
