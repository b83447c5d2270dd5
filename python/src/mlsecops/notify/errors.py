"""The failures a sink reports: apart from the interface, so the HTTP helper and the sinks share them."""

from __future__ import annotations


class SinkError(Exception):
    """A sink could not deliver; the message is already scrubbed and names no credential."""


class TransientSinkError(SinkError):
    """Every attempt met a timeout, a dropped connection, 429 or 5xx: a later attempt may get through."""
