"""HTTP server speaking OCPI 2.2.1 as a CPO, on loopback.

Paths: `/ocpi/versions`, `/ocpi/2.2.1` (version details), `/ocpi/cpo/2.2.1/<module>` (paginated
lists with `date_from`/`date_to` on `last_updated`, `offset`/`limit`, `Link`, `X-Total-Count`,
`X-Limit`). `/_sim/faults` (POST/DELETE) lets tests inject failures; see `simulator.faults`.
"""

from __future__ import annotations

import base64
import json
import threading
import time as clock
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from simulator import carbon_api, ocpi
from simulator.faults import RECORD_KINDS, FaultPlan
from simulator.network import Network, build_network
from simulator.ratelimit import RateLimiter
from simulator.telemetry_api import OPENAPI, ApiError, TelemetryStore
from simulator.timefmt import iso, parse_iso

VERSION = "2.2.1"
UTC = ZoneInfo("UTC")


@dataclass
class SimConfig:
    seed: int = 42
    sites: int = 3
    evses_per_site: int = 4
    start: date = date(2026, 1, 5)
    end: date = date(2026, 1, 12)  # exclusive
    now: datetime | None = None  # default: end of window
    token: str = "chargelake-demo-token"
    accept_plain_token: bool = False
    page_limit: int = 100
    telemetry_token: str | None = None  # default: the OCPI token
    meter_interval_minutes: int = 15
    rate_limit: float = 0.0  # requests per second per token; 0: unlimited
    tamper_signed_pct: float = 10.0  # signed CDRs whose End reading is altered after signing (signing.py)

    @property
    def effective_now(self) -> datetime:
        return self.now or datetime.combine(self.end, time(0), UTC)

    def build(self) -> Network:
        created = datetime.combine(self.start, time(0), UTC)
        ends = datetime.combine(self.end, time(0), UTC)
        network = build_network(self.seed, created, self.sites, self.evses_per_site, ends_at=ends)
        network.tampered_signed_pct = self.tamper_signed_pct
        return network


@dataclass
class SimState:
    config: SimConfig
    network: Network
    faults: FaultPlan = field(default_factory=FaultPlan)
    now: datetime | None = None  # the simulator's clock; moved by /_sim/clock and the advance_clock fault
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.now = self.now or self.config.effective_now
        self.telemetry = TelemetryStore(self.network, timedelta(minutes=self.config.meter_interval_minutes))
        self.limiter = RateLimiter(self.config.rate_limit)

    def listing(self, module: str, date_from: datetime | None, date_to: datetime | None) -> list[dict]:
        now = self.now
        key = (module, date_from, date_to, now)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        cfg = self.config
        # Sessions are generated per local day; a day either side covers every time zone and
        # sessions that end (and so are last updated) after midnight.
        first = (date_from.date() if date_from else cfg.start) - timedelta(days=2)
        last = (date_to.date() if date_to else cfg.end) + timedelta(days=1)
        first, last = max(first, cfg.start - timedelta(days=1)), min(last, cfg.end)
        items = ocpi.objects(self.network, module, now, first, last)
        lo = iso(date_from) if date_from else ""
        hi = iso(date_to) if date_to else "9999"
        items = [o for o in items if lo <= o["last_updated"] < hi]
        with self._lock:
            self._cache[key] = items
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return items


def envelope(data, status_code: int = 1000, message: str = "Success", now: datetime | None = None) -> dict:
    """OCPI response envelope; the timestamp is the simulator's clock, so responses are reproducible."""
    return {
        "data": data,
        "status_code": status_code,
        "status_message": message,
        "timestamp": iso(now or datetime.now(UTC)),
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "ChargeLakeSimulator/0.1"
    protocol_version = "HTTP/1.1"
    state: SimState  # set on the subclass made by make_server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- plumbing -------------------------------------------------------------------------
    def _envelope(self, data, status_code: int = 1000, message: str = "Success") -> dict:
        return envelope(data, status_code, message, self.state.now)

    def _send(self, status: int, body: dict | list, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        self._send_raw(status, payload, headers)

    def _send_raw(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def _http_fault(self, fault, body: dict) -> bool:
        """Answer an injected http_500/503/429 (with Retry-After) in the API's own error shape."""
        if fault is None or fault.kind not in ("http_500", "http_503", "http_429"):
            return False
        status = int(fault.kind.removeprefix("http_"))
        self._send(status, body, {"Retry-After": "1"} if status == 429 else None)
        return True

    def _base(self, host: str | None = None) -> str:
        bound, port = self.server.server_address[:2]
        return f"http://{host or bound}:{port}"

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Token "):
            return False
        value = header[len("Token ") :].strip()
        expected = self.state.config.token
        if value == base64.b64encode(expected.encode()).decode():
            return True
        return self.state.config.accept_plain_token and value == expected

    # -- routes ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        try:
            self._get()
        except Exception as exc:  # a simulator bug must surface as an answer, not a dropped connection
            self._send(500, {"error": f"simulator error: {type(exc).__name__}: {exc}"})
            raise

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        wait = self.state.limiter.retry_after(self.headers.get("Authorization", ""))
        if wait is not None and not path.endswith("openapi.json"):
            body = (
                {"error": "rate limited"}
                if path.startswith("/telemetry/")
                else self._envelope(None, 2000, "Rate limited")
            )
            self._send(429, body, {"Retry-After": str(wait)})
            return
        if path.startswith("/telemetry/v1"):
            self._telemetry(path.removeprefix("/telemetry/v1"), parse_qs(url.query))
            return
        if path.startswith("/carbon/"):
            self._carbon(path.removeprefix("/carbon/"), {k: v[0] for k, v in parse_qs(url.query).items()})
            return
        if not self._authorised():
            self._send(401, self._envelope(None, 2000, "Unauthorized: missing or invalid Token"))
            return
        if path == "/ocpi/versions":
            self._send(200, self._envelope([{"version": VERSION, "url": f"{self._base()}/ocpi/{VERSION}"}]))
        elif path == f"/ocpi/{VERSION}":
            endpoints = [
                {"identifier": m, "role": "SENDER", "url": f"{self._base()}/ocpi/cpo/{VERSION}/{m}"}
                for m in ocpi.MODULES
            ]
            self._send(200, self._envelope({"version": VERSION, "endpoints": endpoints}))
        elif path.startswith(f"/ocpi/cpo/{VERSION}/") and path.rsplit("/", 1)[1] in ocpi.MODULES:
            self._list(path.rsplit("/", 1)[1], parse_qs(url.query))
        else:
            self._send(404, self._envelope(None, 2000, f"Unknown path {url.path}"))

    def _list(self, module: str, query: dict[str, list[str]]) -> None:
        def arg(name: str) -> str | None:
            return query.get(name, [None])[0]

        try:
            date_from = parse_iso(arg("date_from")) if arg("date_from") else None
            date_to = parse_iso(arg("date_to")) if arg("date_to") else None
            offset = int(arg("offset") or 0)
            requested = int(arg("limit") or self.state.config.page_limit)
        except ValueError as exc:
            self._send(400, self._envelope(None, 2001, f"Invalid parameter: {exc}"))
            return
        fault = self.state.faults.take(module, offset)
        if fault is not None and fault.kind == "advance_clock":
            self.state.now += timedelta(minutes=fault.minutes)
            fault = None
        if fault is not None and fault.kind == "envelope_error":
            self._send(200, self._envelope(None, 3000, "Injected failure"))
            return
        if self._http_fault(fault, self._envelope(None, 3000, "Injected HTTP error")):
            return
        items = self.state.listing(module, date_from, date_to)
        limit = max(1, min(requested, self.state.config.page_limit))
        page = items[offset : offset + limit]
        if fault is not None and fault.kind in RECORD_KINDS - {"duplicate"}:
            page = fault.corrupt(page)
        elif fault is not None and fault.kind == "duplicate":
            page = fault.duplicate_from(items[max(0, offset - limit) : offset], page)
        elif fault is not None and fault.kind == "slow":
            clock.sleep(fault.delay_ms / 1000)
        headers = {"X-Total-Count": str(len(items)), "X-Limit": str(limit)}
        if offset + limit < len(items):
            params = {"offset": offset + limit, "limit": limit}
            params.update({k: v for k, v in (("date_from", arg("date_from")), ("date_to", arg("date_to"))) if v})
            host = "elsewhere.invalid" if fault is not None and fault.kind == "foreign_link" else None
            nxt = f"{self._base(host)}/ocpi/cpo/{VERSION}/{module}/?{urlencode(params)}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        if fault is not None and fault.kind == "truncated_json":
            payload = json.dumps(self._envelope(page), separators=(",", ":")).encode()
            self._send_raw(200, payload[: len(payload) // 2], headers)
            return
        self._send(200, self._envelope(page), headers)

    def _telemetry(self, path: str, query: dict[str, list[str]]) -> None:
        if path == "/openapi.json":
            self._send_raw(200, OPENAPI.read_bytes())
            return
        cfg = self.state.config
        expected = f"Bearer {cfg.telemetry_token or cfg.token}"
        if self.headers.get("Authorization", "") != expected:
            self._send(401, {"error": "missing or invalid bearer token"})
            return
        if path == "/charge-points":
            self._send(200, {"items": self.state.telemetry.charge_points()})
            return
        if path not in ("/meter-values", "/alarms"):
            self._send(404, {"error": f"unknown path /telemetry/v1{path}"})
            return
        kind = path.lstrip("/")
        params = {k: v[0] for k, v in query.items()}
        fault = self.state.faults.take(kind, 0 if not params.get("cursor") else 1)
        if self._http_fault(fault, {"error": "injected failure"}):
            return
        try:
            body = self.state.telemetry.page(kind, params, self.state.now, cfg.start - timedelta(days=1), cfg.end)
        except ApiError as exc:
            self._send(exc.status, {"error": str(exc)})
            return
        if fault is not None and fault.kind == "slow":
            clock.sleep(fault.delay_ms / 1000)
        elif fault is not None and fault.kind == "truncated_json":
            body = body[: len(body) // 2]
        self._send_raw(200, body)

    def _carbon(self, path: str, params: dict[str, str]) -> None:
        """GB Carbon Intensity API shapes (public, no token) and Electricity-Maps-style (auth-token)."""
        cfg, parts = self.state.config, path.split("/")
        source = "carbon-gb" if parts[0] == "gb" else "carbon-em"
        fault = self.state.faults.take(source, 0)
        if self._http_fault(fault, {"error": "injected failure"}):
            return
        try:
            if parts[:2] == ["gb", "intensity"] and len(parts) == 4:
                body = carbon_api.gb_national(parts[2], parts[3], self.state.now, cfg.seed)
            elif parts[:3] == ["gb", "regional", "intensity"] and len(parts) == 7 and parts[5] == "regionid":
                body = carbon_api.gb_regional(parts[3], parts[4], int(parts[6]), cfg.seed)
            elif parts[:3] == ["em", "v3", "carbon-intensity"] and len(parts) == 4:
                if self.headers.get("auth-token") != (cfg.telemetry_token or cfg.token):
                    self._send(401, {"error": "missing or invalid auth-token"})
                    return
                zone = params.get("zone", "")
                if parts[3] == "past-range":
                    body = carbon_api.em_past_range(
                        zone, params.get("start", ""), params.get("end", ""), self.state.now, cfg.seed
                    )
                elif parts[3] == "history":
                    body = carbon_api.em_history(zone, self.state.now, cfg.seed)
                else:
                    raise carbon_api.CarbonApiError(404, f"unknown endpoint {parts[3]}")
            else:
                raise carbon_api.CarbonApiError(404, f"unknown path /carbon/{path}")
        except carbon_api.CarbonApiError as exc:
            error = {"code": f"{exc.status}", "message": str(exc)} if source == "carbon-gb" else str(exc)
            self._send(exc.status, {"error": error})
            return
        except ValueError as exc:
            self._send(400, {"error": str(exc)})
            return
        self._send(200, body)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        if path not in ("/_sim/faults", "/_sim/clock") or not self._authorised():
            self._send(404 if self._authorised() else 401, self._envelope(None, 2000, "Not found"))
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if path == "/_sim/clock":
                self.state.now = parse_iso(body["now"])
                self._send(200, self._envelope({"now": iso(self.state.now)}))
            else:
                self.state.faults.add_many(body.get("rules", []))
                self._send(200, self._envelope({"rules": len(self.state.faults.rules)}))
        except (KeyError, ValueError, TypeError) as exc:
            self._send(400, self._envelope(None, 2001, f"Invalid control request: {exc}"))

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path.rstrip("/") == "/_sim/faults" and self._authorised():
            self.state.faults.clear()
            self._send(200, self._envelope(None))
        else:
            self._send(404, self._envelope(None, 2000, "Not found"))


def make_server(config: SimConfig, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    state = SimState(config, config.build())
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
