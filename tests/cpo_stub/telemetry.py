"""An independent telemetry API on loopback: serves the items it is given, nothing simulated.

It follows the API's documented contract only (README, `simulator/telemetry_openapi.json`): bearer
auth, `from`/`to` on the measurement `timestamp`, `limit` and an opaque `next_cursor`. Tests hand it
payloads a real charger sent, typed as the OCPP schemas type them, not as our simulator shapes them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class TelemetryStub:
    token: str
    items: dict[str, list[dict]]  # "meter-values" | "alarms" | "charge-points" -> items
    requests: list[str] = field(default_factory=list)


def _handler(stub: TelemetryStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            stub.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {stub.token}":
                self._send(401, {"error": "invalid token"})
                return
            parts = urlsplit(self.path)
            kind = parts.path.rstrip("/").rsplit("/", 1)[-1]
            if kind not in stub.items:
                self._send(404, {"error": f"no such list {kind!r}"})
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            items = stub.items[kind]
            if "from" in query:  # lists with a window filter on the measurement time
                items = [i for i in items if query["from"] <= i["timestamp"] < query["to"]]
            start = int(query.get("cursor") or 0)
            limit = int(query.get("limit") or 1000)
            page = items[start : start + limit]
            following = start + limit if start + limit < len(items) else None
            self._send(200, {"items": page, "next_cursor": str(following) if following else None})

    return Handler


def serve(stub: TelemetryStub) -> tuple[ThreadingHTTPServer, str]:
    """Start the stub on a free loopback port: (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/telemetry/v1"
