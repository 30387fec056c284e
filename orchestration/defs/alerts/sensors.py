"""Telling someone when a run fails: every failed Dagster run is logged, and POSTed as JSON to
CHARGELAKE_ALERT_WEBHOOK_URL when it is set, signed with HMAC-SHA256 of the body under
CHARGELAKE_ALERT_WEBHOOK_SECRET (header `X-ChargeLake-Signature: sha256=<hex>`) so the receiver can
check it came from this deployment. An alert that cannot be delivered is logged, never raised: the
failed run is the news, not the alert."""

from __future__ import annotations

import hashlib
import hmac
import json

import requests
from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from chargelake.config import Settings

SIGNATURE_HEADER = "X-ChargeLake-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_alert(payload: dict, url: str, secret: str | None = None, timeout: float = 10) -> int:
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return requests.post(url, data=body, headers=headers, timeout=timeout).status_code


def failure_payload(job: str, run_id: str, partition: str | None, error: str) -> dict:
    return {"event": "run_failed", "job": job, "run_id": run_id, "partition": partition, "error": error}


@run_failure_sensor(
    name="alert_on_run_failure",
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Logs every failed run and POSTs it to CHARGELAKE_ALERT_WEBHOOK_URL (HMAC-signed) if set.",
)
def alert_on_run_failure(context: RunFailureSensorContext):
    run = context.dagster_run
    error = context.failure_event.message or "the run failed"
    payload = failure_payload(run.job_name, run.run_id, run.tags.get("dagster/partition"), error)
    context.log.error(f"run failed: {payload}")
    settings = Settings.from_env(needs_key=False)  # a sensor, not a step: resolved when it fires
    url = settings.alert_webhook_url
    if not url:
        return
    try:
        status = post_alert(payload, url, settings.alert_webhook_secret)
        context.log.info(f"alert POSTed to the webhook: HTTP {status}")
    except requests.RequestException as exc:
        context.log.error(f"the alert could not be delivered to the webhook: {exc}")
