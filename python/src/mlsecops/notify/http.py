"""HTTP for sinks: a timeout on every request, bounded retries on transient failures, no leaks.

Transient: a connection failure, a timeout, HTTP 429 and 5xx (Retry-After is honoured up to a
cap). Anything else is final. Error messages name the sink and the status, never the URL:
Slack webhook URLs and Telegram bot paths are credentials.
"""

from __future__ import annotations

import time
from typing import Any

from mlsecops.notify.errors import SinkError, TransientSinkError
from mlsecops.notify.sanitize import clean

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 8.0
_BODY_EXCERPT = 200


def request(
    label: str,
    method: str,
    url: str,
    *,
    timeout: float,
    retries: int,
    ok_statuses: tuple[int, ...] = (200, 201, 202, 204),
    backoff: float = 0.5,
    deadline: float | None = None,
    **kwargs: Any,
):
    """Send one request with bounded retries; return the response with an accepted status or raise SinkError.

    `deadline` (time.monotonic()) caps the sink's whole delivery: no attempt starts after it,
    and no attempt waits past it.
    """
    import requests  # lazy: keeps `mlsecops --help` instant

    attempts = retries + 1
    last_problem = ""
    for attempt in range(1, attempts + 1):
        remaining = timeout if deadline is None else min(timeout, deadline - time.monotonic())
        if remaining <= 0:
            raise SinkError(f"{label}: out of time ({last_problem or 'time budget spent'})")
        try:
            response = requests.request(method, url, timeout=remaining, allow_redirects=False, **kwargs)
        except requests.Timeout:
            last_problem = f"timed out after {remaining:g}s"
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as exc:
            raise SinkError(f"{label}: not a usable URL ({exc.__class__.__name__})") from None  # no retry can help
        except requests.RequestException as exc:
            last_problem = f"connection failed ({exc.__class__.__name__})"
        else:
            if response.status_code in ok_statuses:
                return response
            last_problem = f"HTTP {response.status_code}: {excerpt(response.text)}"
            if response.status_code not in RETRY_STATUSES:
                raise SinkError(f"{label}: {last_problem}")
            if attempt < attempts:
                _sleep(_delay(response.headers.get("Retry-After"), backoff, attempt), deadline)
                continue
        if attempt < attempts:
            pause_before_retry(attempt, deadline, backoff)
    raise TransientSinkError(f"{label}: {last_problem} (after {attempts} attempt{'s' if attempts > 1 else ''})")


def pause_before_retry(attempt: int, deadline: float | None, backoff: float = 0.5) -> None:
    """Exponential backoff after failed attempt number `attempt`, never past the sink's deadline."""
    _sleep(min(backoff * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS), deadline)


def _sleep(seconds: float, deadline: float | None) -> None:
    if deadline is not None:
        seconds = min(seconds, max(deadline - time.monotonic(), 0.0))
    time.sleep(seconds)


def _delay(retry_after: str | None, backoff: float, attempt: int) -> float:
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), MAX_BACKOFF_SECONDS)
        except ValueError:
            pass  # an HTTP date: fall back to our own backoff
    return min(backoff * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return clean(text[:_BODY_EXCERPT] + ("..." if len(text) > _BODY_EXCERPT else ""))
