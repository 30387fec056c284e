"""The simulator as an HTTP service: byte-identical answers in any request order, per-token rate limits."""

import base64
import threading
from datetime import date

import requests

from extractors.ocpi.helpers import OcpiClient
from simulator.server import SimConfig, make_server

CONFIG = dict(seed=3, start=date(2026, 3, 27), end=date(2026, 3, 31), page_limit=7)
TOKEN = "chargelake-demo-token"
OCPI = {"Authorization": "Token " + base64.b64encode(TOKEN.encode()).decode()}
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def serve(**overrides):
    server = make_server(SimConfig(**{**CONFIG, **overrides}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def requests_to_make() -> list[tuple[str, dict, dict]]:
    day = {"date_from": "2026-03-28T00:00:00Z", "date_to": "2026-03-29T00:00:00Z"}
    out = [
        (f"/ocpi/cpo/2.2.1/{m}", {**day, "offset": o}, OCPI)
        for m in ("sessions", "cdrs", "locations", "tariffs", "tokens")
        for o in (0, 7, 14)
    ]
    tele = {"from": "2026-03-28T00:00:00Z", "to": "2026-03-29T00:00:00Z", "limit": 50}
    out += [(f"/telemetry/v1/{k}", tele, BEARER) for k in ("meter-values", "alarms")]
    return out


def test_responses_are_byte_identical_in_any_request_order():
    (a, url_a), (b, url_b) = serve(), serve()
    try:
        calls = requests_to_make()
        first = {
            i: requests.get(url_a + p, params=q, headers=h, timeout=30).content for i, (p, q, h) in enumerate(calls)
        }
        second = {
            i: requests.get(url_b + calls[i][0], params=calls[i][1], headers=calls[i][2], timeout=30).content
            for i in reversed(range(len(calls)))
        }
        assert first == second
        assert sum(len(v) for v in first.values()) > 10_000
    finally:
        a.shutdown()
        b.shutdown()


def test_rate_limit_per_token_answers_429_with_retry_after_and_clients_recover(monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    server, url = serve(rate_limit=2.0)
    try:
        statuses = [requests.get(url + "/ocpi/versions", headers=OCPI, timeout=10) for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and all(int(r.headers["Retry-After"]) >= 1 for r in limited)
        other = {"Authorization": "Token " + base64.b64encode(b"someone-else").decode()}
        assert requests.get(url + "/ocpi/versions", headers=other, timeout=10).status_code == 401  # own bucket
        client = OcpiClient(url + "/ocpi/versions", TOKEN)
        assert "sessions" in client.negotiate().endpoints  # retried through the 429s (Retry-After honoured)
    finally:
        server.shutdown()
