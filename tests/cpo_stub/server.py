"""The stub's HTTP side: versions, version details, credentials and paginated module lists.

Paging follows transport_and_format: `offset`/`limit`, `Link: <…>; rel="next"`, `X-Total-Count`,
`X-Limit`; `date_from`/`date_to` filter on `last_updated`. 2.2.1 expects the token base64-encoded,
2.1.1 as is. Tokens are offered with the RECEIVER role (as 2.2.1 CPOs do) unless `send_tokens`.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE = 2  # small, so every list pages


@dataclass
class Cpo:
    version: str  # "2.2.1" or "2.1.1"
    token: str
    objects: dict[str, list[dict]]  # module -> objects
    party: tuple[str, str] = ("NL", "STB")
    send_tokens: bool = False
    requests: list[str] = field(default_factory=list)


def _token_ok(cpo: Cpo, header: str | None) -> bool:
    if not header or not header.startswith("Token "):
        return False
    value = header[len("Token ") :]
    if cpo.version == "2.1.1":
        return value == cpo.token
    return value == base64.b64encode(cpo.token.encode()).decode()


def _handler(cpo: Cpo):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, data, code: int = 1000, headers: dict | None = None) -> None:
            body = json.dumps({"data": data, "status_code": code, "timestamp": "2026-01-01T00:00:00Z"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            cpo.requests.append(self.path)
            if not _token_ok(cpo, self.headers.get("Authorization")):
                self._send(401, None, 2000)
                return
            base = f"http://{self.headers['Host']}/ocpi"
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/")
            if path == "/ocpi/versions":
                self._send(200, [{"version": cpo.version, "url": f"{base}/{cpo.version}"}])
            elif path == f"/ocpi/{cpo.version}":
                self._send(200, {"version": cpo.version, "endpoints": self._endpoints(base)})
            elif path == f"/ocpi/cpo/{cpo.version}/credentials":
                self._send(200, self._credentials(base))
            elif path.startswith(f"/ocpi/cpo/{cpo.version}/"):
                self._list(path.rsplit("/", 1)[-1], parse_qs(parts.query), base)
            else:
                self._send(404, None, 2000)

        def _endpoints(self, base: str) -> list[dict]:
            modules = ["credentials", *cpo.objects]
            if cpo.version == "2.1.1":
                return [{"identifier": m, "url": f"{base}/cpo/2.1.1/{m}"} for m in modules]
            out = []
            for m in modules:
                role = "RECEIVER" if m == "tokens" and not cpo.send_tokens else "SENDER"
                out.append({"identifier": m, "role": role, "url": f"{base}/cpo/2.2.1/{m}"})
            return out

        def _credentials(self, base: str) -> dict:
            country, party = cpo.party
            business = {"name": "Stub CPO"}
            if cpo.version == "2.1.1":
                return {
                    "token": "x",
                    "url": f"{base}/versions",
                    "business_details": business,
                    "country_code": country,
                    "party_id": party,
                }
            role = {"role": "CPO", "business_details": business, "party_id": party, "country_code": country}
            return {"token": "x", "url": f"{base}/versions", "roles": [role]}

        def _list(self, module: str, query: dict, base: str) -> None:
            items = sorted(cpo.objects.get(module, []), key=lambda o: o["last_updated"])
            lo, hi = query.get("date_from", [""])[0], query.get("date_to", ["9999"])[0]
            items = [o for o in items if lo <= o["last_updated"] < hi]
            offset = int(query.get("offset", ["0"])[0])
            limit = min(int(query.get("limit", [str(PAGE)])[0]), PAGE)
            headers = {"X-Total-Count": str(len(items)), "X-Limit": str(limit)}
            if offset + limit < len(items):
                params = {k: v[0] for k, v in query.items()} | {"offset": offset + limit, "limit": limit}
                headers["Link"] = f'<{base}/cpo/{cpo.version}/{module}?{urlencode(params)}>; rel="next"'
            self._send(200, items[offset : offset + limit], headers=headers)

    return Handler


class StubServer:
    def __init__(self, cpo: Cpo) -> None:
        self.cpo = cpo
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cpo))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def versions_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/ocpi/versions"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
