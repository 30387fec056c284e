"""OCPP-J message logs of the simulated network, as a CSMS or its broker writes them to storage.

The same messages the telemetry API serves (same unique ids, payloads and receive times), written as
CALL frames with the CSMS's CALLRESULT after each, one JSON line per message:

    {"charge_point_id": "CP-LOC001-E01", "received_at": "2026-03-28T10:15:02Z", "ocpp_version": "1.6",
     "message": [2, "LOC001-E01-20260328-1-0003", "MeterValues", {"connectorId": 1, ...}]}

in `<out>/<received day>/<charge point>.jsonl.gz` (or `.jsonl` with `plain`). A 1.6 charger's transaction
is framed by StartTransaction (answered with the transaction id) and StopTransaction, without meter
values of their own (the same sampled values as the API, no more). Status changes become
StatusNotification frames (2.0.1 chargers report 2.0.1's connector statuses); connection losses and
load limits are the CSMS's own events, not OCPP messages, and are not in the logs. Each charger's
first day starts with its BootNotification.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import orjson

from simulator.network import Network
from simulator.registers import Registers
from simulator.sessions import SimSession, sessions_for_evse_day
from simulator.telemetry import charge_point_id, charger_profile, meter_messages, status_events
from simulator.timefmt import iso

# OCPP 2.0.1 ConnectorStatusEnumType has five values; 1.6's in-use states are all "Occupied".
STATUS_201 = {
    "Preparing": "Occupied",
    "Charging": "Occupied",
    "SuspendedEV": "Occupied",
    "SuspendedEVSE": "Occupied",
    "Finishing": "Occupied",
}
LOOKBACK_DAYS = 3  # messages sampled this long before a day can still be received on it (offline chargers)


def _status_payload(event: dict, version: str, evse_number: int) -> dict:
    if version == "1.6":
        payload = {
            "connectorId": event["connector_id"],
            "errorCode": event.get("error_code") or "NoError",
            "status": event["status"],
            "timestamp": event["timestamp"],
        }
        if event.get("info"):
            payload["info"] = event["info"]
        return payload
    return {
        "timestamp": event["timestamp"],
        "connectorStatus": STATUS_201.get(event["status"], event["status"]),
        "evseId": evse_number,
        "connectorId": event["connector_id"],
    }


def _boot(version: str) -> tuple[str, dict]:
    if version == "1.6":
        return "BootNotification", {"chargePointVendor": "Simulated", "chargePointModel": "SIM-16"}
    return "BootNotification", {"reason": "PowerUp", "chargingStation": {"vendorName": "Simulated", "model": "SIM-201"}}


def _register_wh(item: dict) -> int:
    """The energy register of a 1.6 MeterValues item (its first sampled value), in whole Wh."""
    return round(float(item["message"]["meterValue"][0]["sampledValue"][0]["value"]))


def start_transaction(session: SimSession, item: dict) -> tuple[str, str, dict, dict]:
    """OCPP 1.6 StartTransaction.req and the central system's answer with the transaction id it
    assigns: (frame id, action, request, answer)."""
    request = {
        "connectorId": int(session.connector_id),
        "idTag": session.token.uid,
        "meterStart": _register_wh(item),
        "timestamp": item["timestamp"],
    }
    answer = {"transactionId": item["transaction_id"], "idTagInfo": {"status": "Accepted"}}
    return f"start-{session.id}", "StartTransaction", request, answer


def stop_transaction(session: SimSession, item: dict) -> tuple[str, str, dict, dict]:
    request = {
        "transactionId": item["transaction_id"],
        "idTag": session.token.uid,
        "meterStop": _register_wh(item),
        "timestamp": item["timestamp"],
        "reason": "Local",
    }
    return f"stop-{session.id}", "StopTransaction", request, {"idTagInfo": {"status": "Accepted"}}


def log_lines(network: Network, interval: timedelta, start: date, end: date, now: datetime) -> dict[tuple, list]:
    """(received day, charge point) -> [(received_at, line)] for messages received in [start, end)
    and by `now`, each CALL followed by its CALLRESULT."""
    registers = Registers(network)
    out: dict[tuple, list] = defaultdict(list)
    lo, hi, seen = iso(datetime.combine(start, datetime.min.time())), end.isoformat(), iso(now)

    def add(cp: str, version: str, received: str, frame_id: str, action: str, payload: dict, reply=None) -> None:
        if not (lo[:10] <= received[:10] < hi and received <= seen):
            return
        call = {"charge_point_id": cp, "received_at": received, "ocpp_version": version}
        call["message"] = [2, frame_id, action, payload]
        answer = {"charge_point_id": cp, "received_at": received, "message": [3, frame_id, reply or {}]}
        out[(received[:10], cp)] += [(received, orjson.dumps(call)), (received, orjson.dumps(answer))]

    for site, evse in network.evses():
        version = charger_profile(network, evse).ocpp_version
        cp = charge_point_id(evse)
        evse_number = int(evse.uid.rsplit("E", 1)[1])
        action, payload = _boot(version)
        add(cp, version, lo, f"boot-{evse.uid}-{start:%Y%m%d}", action, payload)
        day = start - timedelta(days=LOOKBACK_DAYS)
        while day <= end:  # a site east of UTC starts its next local day before midnight UTC
            items = meter_messages(network, registers, site, evse, day, interval)
            sessions = {x.id: x for x in sessions_for_evse_day(network, site, evse, day)} if version == "1.6" else {}
            for i, item in enumerate(items):
                session = sessions.get(item["id"].rsplit("-", 1)[0])
                first = i == 0 or items[i - 1]["transaction_id"] != item["transaction_id"]
                last = i == len(items) - 1 or items[i + 1]["transaction_id"] != item["transaction_id"]
                if session is not None and first:
                    add(cp, version, item["received_at"], *start_transaction(session, item))
                add(cp, version, item["received_at"], item["id"], item["action"], item["message"])
                if session is not None and last:
                    add(cp, version, item["received_at"], *stop_transaction(session, item))
            for n, event in enumerate(status_events(network, site, evse, day)):
                if event["event_type"] == "StatusNotification":
                    frame_id = f"sn-{evse.uid}-{day:%Y%m%d}-{n:04d}"
                    add(cp, version, event["received_at"], frame_id, "StatusNotification",
                        _status_payload(event, version, evse_number))  # fmt: skip
            day += timedelta(days=1)
    return out


def write_ocpp_logs(
    network: Network, interval: timedelta, start: date, end: date, now: datetime, out: Path, plain: bool = False
) -> dict[str, int]:
    """Write the logs; returns counts (files, lines)."""
    files = lines = 0
    for (day, cp), entries in sorted(log_lines(network, interval, start, end, now).items()):
        entries.sort(key=lambda e: e[0])  # as received; a CALL and its answer keep their order
        body = b"\n".join(line for _, line in entries) + b"\n"
        folder = out / day
        folder.mkdir(parents=True, exist_ok=True)
        if plain:
            (folder / f"{cp}.jsonl").write_bytes(body)
        else:
            (folder / f"{cp}.jsonl.gz").write_bytes(gzip.compress(body, mtime=0))
        files += 1
        lines += len(entries)
    return {"files": files, "lines": lines}
