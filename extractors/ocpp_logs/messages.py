"""OCPP messages as the telemetry contract's items: status notifications (alarms) and transaction
events, in either version. Field names follow the OCPP 1.6 and 2.0.1 schemas; what the contract
does not name is kept as JSON in `_extensions` by the flattener. Card identifiers (`idTag`,
`idToken`) are returned as sent: the source pseudonymises them before anything is written.
"""

from __future__ import annotations

from extractors.common.ocpp import spec_id, spec_int, spec_number

# 1.6 carries start and stop as two actions; 2.0.1 names the event in `eventType`.
EVENT_16 = {"StartTransaction": "Started", "StopTransaction": "Ended"}


def status_item(unique_id: str, charge_point: str, version: str, received: str, payload: dict) -> dict:
    """A StatusNotification as the telemetry API's alarm item: 1.6 (status, errorCode, info,
    vendor fields) or 2.0.1 (connectorStatus, evseId). OCPP carries no previous status or severity.
    The id adds the charge point and the receive time to the frame's: unique ids are unique per
    connection only."""
    item = {
        "id": f"{charge_point}/{unique_id}@{received}",
        "charge_point_id": charge_point,
        "ocpp_version": version,
        "connector_id": payload.get("connectorId"),
        "timestamp": payload.get("timestamp") or received,
        "received_at": received,
        "event_type": "StatusNotification",
        "status": payload.get("status") or payload.get("connectorStatus"),
        "error_code": payload.get("errorCode"),
        "info": payload.get("info"),
    }
    extras = {"vendorId": "vendor_id", "vendorErrorCode": "vendor_error_code", "evseId": "evse_id"}
    item.update({name: payload[key] for key, name in extras.items() if payload.get(key) is not None})
    return item


def _kwh(wh: object, where: str) -> float | None:
    return None if wh is None else spec_number(wh, where) / 1000


def transaction_item(
    unique_id: str, charge_point: str, version: str, received: str, action: str, payload: dict
) -> dict:
    """A transaction event: 1.6 StartTransaction (meterStart in Wh; the transaction id arrives in
    its answer) and StopTransaction (meterStop, reason), or a 2.0.1 TransactionEvent (eventType,
    seqNo, triggerReason, transactionInfo, evse, idToken)."""
    where = f"{action} {unique_id!r}"
    item = {
        "message_id": unique_id,
        "charge_point_id": charge_point,
        "ocpp_version": version,
        "action": action,
        "occurred_at": payload.get("timestamp") or received,
        "received_at": received,
    }
    if action == "TransactionEvent":
        info = payload.get("transactionInfo") or {}
        evse = payload.get("evse") or {}
        token = payload.get("idToken") or {}
        return item | {
            "event_type": payload.get("eventType"),
            "transaction_id": spec_id(info.get("transactionId"), where, "transactionId"),
            "connector_id": spec_int(evse.get("connectorId"), where, "connectorId"),
            "evse_id": spec_int(evse.get("id"), where, "evse.id"),
            "seq_no": spec_int(payload.get("seqNo"), where, "seqNo"),
            "trigger_reason": payload.get("triggerReason"),
            "charging_state": info.get("chargingState"),
            "stop_reason": info.get("stoppedReason"),
            "id_tag": token.get("idToken"),
            "id_token_type": token.get("type"),
            "reservation_id": spec_int(payload.get("reservationId"), where, "reservationId"),
        }
    meter = payload.get("meterStart") if action == "StartTransaction" else payload.get("meterStop")
    return item | {
        "event_type": EVENT_16[action],
        "transaction_id": spec_id(payload.get("transactionId"), where, "transactionId"),
        "connector_id": spec_int(payload.get("connectorId"), where, "connectorId"),
        "stop_reason": payload.get("reason"),
        "meter_kwh": _kwh(meter, where),
        "id_tag": payload.get("idTag"),
        "reservation_id": spec_int(payload.get("reservationId"), where, "reservationId"),
    }
