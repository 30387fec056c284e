"""A failed run's alert reaches a webhook on loopback, signed so the receiver can trust it."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from orchestration.definitions import defs
from orchestration.defs.alerts.sensors import SIGNATURE_HEADER, failure_payload, post_alert


def test_the_alert_is_posted_as_json_with_an_hmac_of_its_body():
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get(SIGNATURE_HEADER)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        payload = failure_payload("ingest_daily", "run-1", "2026-03-28", "HTTP 401: the OCPI token was refused")
        status = post_alert(payload, f"http://127.0.0.1:{server.server_address[1]}/hook", secret="s3cret")
    finally:
        server.shutdown()
    assert status == 204
    ((body, signature),) = received
    assert json.loads(body) == payload
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


def test_failed_runs_are_watched_and_sources_have_their_own_pools():
    sensor = defs.resolve_sensor_def("alert_on_run_failure")
    assert sensor.default_status.value == "RUNNING"
    graph = defs.resolve_asset_graph()
    from dagster import AssetKey

    assert graph.get(AssetKey(["landing", "ocpi", "sessions"])).pools == {"cpms_ocpi"}
    assert graph.get(AssetKey(["landing", "telemetry", "meter_values"])).pools == {"cpms_telemetry"}
    assert graph.get(AssetKey(["raw", "ocpi", "sessions"])).pools == {"delta_publish"}
