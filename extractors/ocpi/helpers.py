"""OCPI transport: Token auth, the response envelope, version discovery and paging."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from extractors.common.errors import SourceError, redact_text
from extractors.common.http import retrying_session
from extractors.common.paging import checked_next
from extractors.ocpi.settings import SUCCESS, VERSION


@dataclass(frozen=True)
class Page:
    url: str  # as requested, so errors can name the page
    records: list[dict]


def auth_header(token: str, plain: bool = False) -> dict[str, str]:
    """OCPI 2.2 sends the credentials token base64-encoded; some partners still expect it plain."""
    value = token if plain else base64.b64encode(token.encode()).decode()
    return {"Authorization": f"Token {value}"}


def ocpi_datetime(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


class OcpiClient:
    def __init__(self, versions_url: str, token: str, plain_token: bool = False) -> None:
        self.versions_url = versions_url
        self._token = token
        self.session = retrying_session(auth_header(token, plain_token))

    def envelope(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, requests.Response]:
        """GET `url` and return the envelope's `data`; anything but success is an error naming the page."""
        try:
            resp = self.session.get(url, params=params)
        except requests.RequestException as exc:
            raise SourceError(f"request failed: {redact_text(str(exc), self._token)}", url) from exc
        page_url = resp.url
        try:
            body = resp.json()
        except ValueError:
            raise SourceError(
                f"HTTP {resp.status_code}: response is not valid JSON ({len(resp.content)} bytes, "
                f"starts {resp.text[:60]!r})",
                page_url,
            ) from None
        status = body.get("status_code") if isinstance(body, dict) else None
        message = body.get("status_message", "") if isinstance(body, dict) else ""
        if resp.status_code == 401:
            raise SourceError(f"HTTP 401: the OCPI token was refused ({message})", page_url)
        if resp.status_code != 200:
            raise SourceError(f"HTTP {resp.status_code}: {message or resp.reason}", page_url)
        if status != SUCCESS:
            raise SourceError(f"OCPI status_code {status} ({message!r}); expected {SUCCESS}", page_url)
        if "data" not in body:
            raise SourceError("OCPI envelope has no 'data'", page_url)
        return body["data"], resp

    def endpoints(self) -> dict[str, str]:
        """Module URLs by identifier, from a versions URL or directly from a version-details URL."""
        data, _ = self.envelope(self.versions_url)
        if isinstance(data, list):
            match = [v for v in data if v.get("version") == VERSION]
            if not match:
                offered = ", ".join(str(v.get("version")) for v in data)
                raise SourceError(f"server offers OCPI {offered or 'nothing'}, not {VERSION}", self.versions_url)
            data, _ = self.envelope(match[0]["url"])
        if not isinstance(data, dict) or "endpoints" not in data:
            raise SourceError("version details have no 'endpoints'", self.versions_url)
        return {e["identifier"]: e["url"] for e in data["endpoints"] if e.get("role", "SENDER") == "SENDER"}

    def pages(self, url: str, params: dict[str, Any]) -> Iterator[Page]:
        """Every page of a list endpoint. Follows `Link: rel=next`; if a server omits it, continues by
        offset while `X-Total-Count` says objects remain, using the page size the server set (`X-Limit`)."""
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        offset = int(params.get("offset", 0))
        while next_url:
            data, resp = self.envelope(next_url, next_params)
            if not isinstance(data, list):
                raise SourceError("list endpoint returned a non-list 'data'", resp.url)
            yield Page(resp.url, data)
            offset += len(data)
            link = checked_next(resp.url, resp.headers.get("Link"))
            total = resp.headers.get("X-Total-Count")
            if link:
                next_url, next_params = link, None
            elif data and total is not None and offset < int(total):
                limit = int(resp.headers.get("X-Limit") or len(data))
                next_url, next_params = url, {**params, "offset": offset, "limit": limit}
            else:
                next_url = None
