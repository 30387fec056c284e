"""Fault events since the last export: outages starting (OCPP Faulted or Unavailable, a lost
connection) and alarms (critical or error severity, any OCPP error code), as a CSV under
`reports/faults/` and, when CHARGELAKE_FAULTS_WEBHOOK_URL is set, POSTed as JSON signed with
HMAC-SHA256 (CHARGELAKE_FAULTS_WEBHOOK_SECRET, header X-ChargeLake-Signature) for a ticketing tool.

"Since the last export" is by the time events were *received*, kept in
`reports/faults/_watermark.json`: a charger's late upload is exported when it arrives, once. The
watermark advances only after the webhook accepted the events (or when there is no webhook), so a
failed delivery is retried by the next export and nothing is lost.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from chargelake.lake import Lake
from orchestration.defs.alerts.sensors import post_alert

EVENTS = """
select
    alarms.alarm_id as event_id,
    alarms.charge_point_id,
    charge_points.evse_uid,
    charge_points.location_id,
    alarms.connector_id,
    alarms.event_type,
    alarms.status,
    alarms.error_code,
    alarms.severity,
    alarms.info,
    alarms.occurred_at_utc,
    alarms.received_at_utc
from staging.stg_telemetry__alarms as alarms
left join (
    select charge_point_id, evse_uid, location_id
    from staging.stg_telemetry__charge_points
    qualify row_number() over (partition by charge_point_id order by snapshot_date desc) = 1
) as charge_points using (charge_point_id)
where alarms.received_at_utc > ?
    and (
        (alarms.event_type = 'StatusNotification' and alarms.status in ('Faulted', 'Unavailable'))
        or alarms.event_type = 'ConnectionLost'
        or alarms.severity in ('critical', 'error')
        or coalesce(alarms.error_code, 'NoError') <> 'NoError'
    )
qualify row_number() over (partition by alarms.alarm_id order by alarms.received_at_utc) = 1
order by alarms.received_at_utc, alarms.alarm_id
"""
EPOCH = datetime(1970, 1, 1)


class WebhookRefusedError(RuntimeError):
    """The webhook did not accept the events; the watermark stays, the next export retries them."""


def _watermark(lake: Lake) -> datetime:
    fs, path = lake.filesystem(), lake.path("reports", "faults", "_watermark.json")
    if not fs.exists(path):
        return EPOCH
    with fs.open(path) as fh:
        return datetime.fromisoformat(json.load(fh)["received_at_utc"])


def export_fault_events(
    warehouse_path: str, lake: Lake, webhook_url: str | None = None, webhook_secret: str | None = None
) -> dict:
    """`webhook_url`/`webhook_secret`: Settings.faults_webhook_url/_secret (CHARGELAKE_FAULTS_WEBHOOK_*)."""
    since = _watermark(lake)
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        events = con.execute(EVENTS, [since]).df()
    finally:
        con.close()
    out = {"since_received_at_utc": since.isoformat(), "events": len(events), "csv": None, "webhook_status": None}
    if events.empty:
        return out
    fs = lake.filesystem()
    until = events["received_at_utc"].max().to_pydatetime()
    folder = lake.path("reports", "faults")
    fs.makedirs(folder, exist_ok=True)
    out["csv"] = f"{folder}/fault_events_{until:%Y%m%dT%H%M%S}.csv"
    with fs.open(out["csv"], "w") as fh:
        events.to_csv(fh, index=False)
    if url := webhook_url:
        payload = {
            "event": "fault_events",
            "since_received_at_utc": since.isoformat(),
            "until_received_at_utc": until.isoformat(),
            "events": json.loads(events.to_json(orient="records", date_format="iso")),
        }
        status = post_alert(payload, url, webhook_secret)
        out["webhook_status"] = status
        if not 200 <= status < 300:
            raise WebhookRefusedError(
                f"the fault-events webhook answered HTTP {status}: it will get them again next time"
            )
    with fs.open(lake.path("reports", "faults", "_watermark.json"), "w") as fh:
        json.dump({"received_at_utc": until.isoformat(), "exported_at_utc": datetime.now(UTC).isoformat()}, fh)
    out["until_received_at_utc"] = until.isoformat()
    return out
