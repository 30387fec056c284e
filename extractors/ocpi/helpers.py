"""OCPI transport: Token auth, the response envelope, version negotiation and paging."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import requests

from extractors.common.errors import SourceError
from extractors.common.http import get, json_body, retrying_session
from extractors.common.paging import checked_next
from extractors.ocpi.settings import MAX_CRAWLS, SUCCESS, SUPPORTED_VERSIONS


@dataclass(frozen=True)
class Page:
    url: str  # as requested, so errors can name the page
    records: list[dict]


@dataclass
class Negotiated:
    """What the CPO and we agreed on: version, module URLs, the CPO's own party, what is not sent."""

    version: str
    endpoints: dict[str, str]
    party: tuple[str, str] | None = None  # (country_code, party_id) from the CPO's credentials
    not_sent: dict[str, str] = field(default_factory=dict)  # module -> why it is skipped


def auth_header(token: str, plain: bool = False) -> dict[str, str]:
    """OCPI 2.2 sends the credentials token base64-encoded; 2.1.1 (and some 2.2 partners) send it as is."""
    value = token if plain else base64.b64encode(token.encode()).decode()
    return {"Authorization": f"Token {value}"}


def ocpi_datetime(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


class OcpiClient:
    def __init__(self, versions_url: str, token: str, plain_token: bool | None = None) -> None:
        """`plain_token`: None to follow the version (base64 for 2.2.x, plain for 2.1.1), else forced."""
        self.versions_url = versions_url
        self._token = token
        self._forced_plain = plain_token
        self.session = retrying_session(auth_header(token, bool(plain_token)))

    def _use_plain(self, plain: bool) -> None:
        self.session.headers.update(auth_header(self._token, plain))

    def envelope(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, requests.Response]:
        """GET `url` and return the envelope's `data`; anything but success is an error naming the page."""
        resp = get(self.session, url, params, self._token)
        page_url = resp.url
        # Numbers as Decimal: prices and energy must arrive exactly as the CPO wrote them.
        body = json_body(resp, lambda content: json.loads(content, parse_float=Decimal))
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

    def _discover(self) -> Any:
        """The versions (or version details) document. A CPO that refuses the base64 token may speak
        2.1.1, which sends the token as is: try that before giving up."""
        try:
            data, _ = self.envelope(self.versions_url)
            return data
        except SourceError as exc:
            if self._forced_plain is not None or "HTTP 401" not in str(exc):
                raise
            self._use_plain(True)
            try:
                data, _ = self.envelope(self.versions_url)
            except SourceError:
                raise exc from None
            return data

    def negotiate(self) -> Negotiated:
        """Pick the highest version both sides speak, and the modules the CPO sends."""
        data = self._discover()
        if isinstance(data, list):
            offered = {str(v.get("version")): v.get("url") for v in data if isinstance(v, dict)}
            mutual = sorted((v for v in offered if v in SUPPORTED_VERSIONS), key=_version_key, reverse=True)
            if not mutual:
                raise SourceError(
                    f"server offers OCPI {', '.join(offered) or 'nothing'}; ChargeLake speaks "
                    f"{', '.join(SUPPORTED_VERSIONS)}",
                    self.versions_url,
                )
            version = mutual[0]
            if self._forced_plain is None:
                self._use_plain(version == "2.1.1")
            data, _ = self.envelope(offered[version])
        if not isinstance(data, dict) or "endpoints" not in data:
            raise SourceError("version details have no 'endpoints'", self.versions_url)
        version = str(data.get("version", ""))
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"version details are for OCPI {version or '?'}, not one we speak", self.versions_url)
        if self._forced_plain is None:
            self._use_plain(version == "2.1.1")
        return self._modules(version, data["endpoints"])

    def _modules(self, version: str, endpoints: list[dict]) -> Negotiated:
        sent: dict[str, str] = {}
        received: set[str] = set()
        for e in endpoints:
            if e.get("role", "SENDER") == "SENDER":  # 2.1.1 endpoints have no role
                sent[e["identifier"]] = e["url"]
            else:
                received.add(e["identifier"])
        out = Negotiated(version, sent)
        for module in received - set(sent):
            out.not_sent[module] = f"the CPO only receives {module} (RECEIVER role)"
        if version == "2.1.1" and "tokens" in sent:
            # 2.1.1's tokens endpoint on a CPO is where eMSPs push tokens: nothing to pull there.
            del sent["tokens"]
            out.not_sent["tokens"] = "OCPI 2.1.1 CPOs receive tokens from eMSPs; there is nothing to pull"
        if "credentials" in sent:
            out.party = self._own_party(sent["credentials"])
        return out

    def _own_party(self, url: str) -> tuple[str, str] | None:
        """The CPO's country_code/party_id (2.1.1 objects carry none): 2.2 lists roles, 2.1.1 has them flat."""
        try:
            data, _ = self.envelope(url)
        except SourceError:
            return None
        if not isinstance(data, dict):
            return None
        roles = data.get("roles") or [data]
        cpo = [r for r in roles if isinstance(r, dict) and r.get("role", "CPO") == "CPO" and r.get("party_id")]
        return (str(cpo[0]["country_code"]), str(cpo[0]["party_id"])) if cpo else None

    def pages(self, url: str, params: dict[str, Any], stats: dict[str, Any] | None = None) -> Iterator[Page]:
        """Every page of a list endpoint, read again while `X-Total-Count` changed during the crawl
        (offset paging skips an object when another moves ahead of it). The caller drops the
        identical versions the re-reads return."""
        for attempt in range(1, MAX_CRAWLS + 1):
            totals: list[int] = []
            yield from self._crawl(url, params, totals)
            if len(set(totals)) <= 1:
                return
            if stats is not None:
                stats.setdefault("recrawls", 0)
                stats["recrawls"] += 1
                stats.setdefault("total_count_changes", []).append(sorted(set(totals)))
            if attempt == MAX_CRAWLS:
                raise SourceError(
                    f"X-Total-Count kept changing during {MAX_CRAWLS} crawls ({sorted(set(totals))}): "
                    "objects are changing faster than they can be read; run the day again later",
                    url,
                )

    def _crawl(self, url: str, params: dict[str, Any], totals: list[int]) -> Iterator[Page]:
        """One pass. Follows `Link: rel=next`; if a server omits it, continues by offset while
        `X-Total-Count` says objects remain, using the page size the server set (`X-Limit`)."""
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
            if total is not None and total.strip().isdigit():
                totals.append(int(total))
            if link:
                next_url, next_params = link, None
            elif data and total is not None and offset < int(total):
                limit = int(resp.headers.get("X-Limit") or len(data))
                next_url, next_params = url, {**params, "offset": offset, "limit": limit}
            else:
                next_url = None
