"""The telemetry API's transport: bearer auth, error bodies, keyset-cursor paging, window chunks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson

from extractors.common.errors import SourceError
from extractors.common.http import get, json_body, retrying_session
from extractors.telemetry.settings import MAX_WINDOW_DAYS, PAGE_LIMIT


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


class TelemetryClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/")
        self._token = token
        self.session = retrying_session({"Authorization": f"Bearer {token}"})

    def body(self, path: str, params: dict[str, Any] | None = None) -> tuple[dict, str]:
        resp = get(self.session, f"{self.base}/{path}", params, self._token)
        body = json_body(resp, orjson.loads)
        message = body.get("error") or body.get("message") if isinstance(body, dict) else None
        if resp.status_code == 401:
            raise SourceError(f"HTTP 401: the telemetry token was refused ({message})", resp.url)
        if resp.status_code != 200:
            raise SourceError(f"HTTP {resp.status_code}: {message or resp.reason}", resp.url)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise SourceError("response has no 'items' list", resp.url)
        return body, resp.url

    def pages(self, path: str, start: datetime, end: datetime) -> Iterator[tuple[str, list[dict]]]:
        """(page URL, items) for [start, end), in windows the API accepts, following `next_cursor`."""
        chunk_start = start
        while chunk_start < end:
            chunk_end = min(end, chunk_start + timedelta(days=MAX_WINDOW_DAYS))
            params: dict[str, Any] = {"from": iso(chunk_start), "to": iso(chunk_end), "limit": PAGE_LIMIT}
            while True:
                body, url = self.body(path, params)
                yield url, body["items"]
                cursor = body.get("next_cursor")
                if not cursor:
                    break
                params = {**params, "cursor": cursor}
            chunk_start = chunk_end

    def listing(self, path: str) -> tuple[str, list[dict]]:
        """A list endpoint without a window (charge points), every page of it."""
        body, url = self.body(path)
        items = list(body["items"])
        while body.get("next_cursor"):
            body, _ = self.body(path, {"cursor": body["next_cursor"]})
            items.extend(body["items"])
        return url, items
