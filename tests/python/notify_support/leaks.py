"""What left the machine, per channel, and which planted values are in it."""

from __future__ import annotations

from .receiver import Receiver


def received_text(receivers: dict[str, Receiver]) -> dict[str, str]:
    """Every body and path each receiver got, as text, by channel name."""
    return {name: b"\n".join(receiver.bodies()).decode("utf-8", "replace") for name, receiver in receivers.items()}


def leaks(channels: dict[str, str], values: list[str], allowed: dict[str, str] | None = None) -> list[str]:
    """`channel: value #n` for each planted value found in a channel; `allowed` maps a value to its own channel."""
    allowed = allowed or {}
    return [f"{channel}: value #{number}" for number, value in enumerate(values) for channel, text in channels.items()
            if value in text and allowed.get(value) != channel]
