"""Errors that name the page they came from, with credentials redacted."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = {"token", "access_token", "api_key", "apikey", "key", "secret", "password"}


def redact_url(url: str) -> str:
    """Drop userinfo and secret-looking query values so URLs can be logged and raised."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(Token|Bearer)\s+[A-Za-z0-9+/=._-]{6,}", r"\1 ***", text)


class SourceError(RuntimeError):
    """A page or record the source cannot accept; the message names where and what."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = redact_url(url) if url else None
        super().__init__(f"{message} (url: {self.url})" if self.url else message)
