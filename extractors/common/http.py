"""An HTTP session with dlt's retry policy (429 and 5xx retried, Retry-After honoured).

Retry settings come from dlt's `[runtime]` configuration (`RUNTIME__REQUEST_MAX_ATTEMPTS`, ...),
so operators tune every source the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import requests
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import RuntimeConfiguration
from dlt.sources.helpers.requests import Client

from extractors.common.errors import SourceError, redact_text

# (max attempts, timeout s) for sessions made inside `single_attempt()`; None: dlt's configuration.
_SINGLE_ATTEMPT: ContextVar[tuple[int, float] | None] = ContextVar("single_attempt", default=None)


@contextmanager
def single_attempt(timeout: float = 10) -> Iterator[None]:
    """Sessions made inside try once, with a short timeout: `chargelake doctor` wants a quick verdict
    per source, and the process's own runs keep their retry policy (a context, not a setting)."""
    token = _SINGLE_ATTEMPT.set((1, timeout))
    try:
        yield
    finally:
        _SINGLE_ATTEMPT.reset(token)


def retrying_session(headers: dict[str, str]) -> requests.Session:
    runtime = resolve_configuration(RuntimeConfiguration())
    max_attempts, timeout = runtime.request_max_attempts, runtime.request_timeout
    if (quick := _SINGLE_ATTEMPT.get()) is not None:
        max_attempts, timeout = quick
    client = Client(
        request_timeout=timeout,
        request_max_attempts=max_attempts,
        request_backoff_factor=runtime.request_backoff_factor,
        request_max_retry_delay=runtime.request_max_retry_delay,
        raise_for_status=False,  # callers turn error responses into errors that name the page
        session_attrs={"headers": headers},
    )
    return client.session


def _reason(exc: Exception) -> str:
    """The operating system's words for a failed connection ("Connection refused", "certificate
    verify failed"), not urllib3's page of nested reprs."""
    text = str(exc)
    found = re.findall(r"\[(?:Errno -?\d+|SSL[^\]]*)\] ([^'\")\]]+)", text)
    reason = found[-1] if found else text.splitlines()[0][:120]
    return re.sub(r"\s*\(_ssl\.c:\d+\)?", "", reason).strip()


def get(session: requests.Session, url: str, params: dict[str, Any] | None, *secrets: str | None) -> requests.Response:
    """GET with transport failures turned into one-line errors naming the URL (secrets redacted)."""
    try:
        return session.get(url, params=params)
    except requests.exceptions.SSLError as exc:
        raise SourceError(f"TLS failed ({_reason(exc)})", url) from exc
    except requests.exceptions.ConnectionError as exc:
        raise SourceError(f"cannot reach the host ({_reason(exc)})", url) from exc
    except requests.RequestException as exc:
        raise SourceError(f"request failed: {redact_text(str(exc), *secrets)}", url) from exc


def json_body(resp: requests.Response, parse: Callable[[bytes], Any]) -> Any:
    """The decoded body, or an error naming the page that says what arrived instead."""
    try:
        return parse(resp.content)
    except ValueError:
        raise SourceError(
            f"HTTP {resp.status_code}: response is not valid JSON ({len(resp.content)} bytes, "
            f"starts {resp.text[:60]!r})",
            resp.url,
        ) from None
