"""An HTTP session with dlt's retry policy (429 and 5xx retried, Retry-After honoured).

Retry settings come from dlt's `[runtime]` configuration (`RUNTIME__REQUEST_MAX_ATTEMPTS`, ...),
so operators tune every source the same way.
"""

from __future__ import annotations

import requests
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import RuntimeConfiguration
from dlt.sources.helpers.requests import Client


def retrying_session(headers: dict[str, str]) -> requests.Session:
    runtime = resolve_configuration(RuntimeConfiguration())
    client = Client(
        request_timeout=runtime.request_timeout,
        request_max_attempts=runtime.request_max_attempts,
        request_backoff_factor=runtime.request_backoff_factor,
        request_max_retry_delay=runtime.request_max_retry_delay,
        raise_for_status=False,  # callers turn error responses into errors that name the page
        session_attrs={"headers": headers},
    )
    return client.session
