"""OCPP-J log lines in the layouts docs/ocpp-logs.md accepts, read into the telemetry API's items;
responses counted, not failed; a bad line rejected with its file and line number, the rest kept."""

import gzip
from datetime import UTC, date, datetime

import orjson
import pytest

from extractors.ocpp_logs.helpers import DayLog, LogFile, file_day, files_for_day, read_file
from extractors.telemetry.columns import meter_value_table

MODIFIED = datetime(2026, 3, 29, 0, 5, tzinfo=UTC)
METER_16 = {
    "connectorId": 1,
    "transactionId": 1742,
    "meterValue": [{"timestamp": "2026-03-28T10:15:00Z", "sampledValue": [{"value": "15234.4"}]}],
}
STATUS_201 = {"timestamp": "2026-03-28T10:16:00Z", "connectorStatus": "Occupied", "evseId": 2, "connectorId": 1}


def log_file(path: str = "logs/2026-03-28/CP-9.jsonl") -> LogFile:
    return LogFile(url=f"/x/{path}", relative_path=path, size=0, modified=MODIFIED, day=file_day(path, MODIFIED))


def read(lines: list, path: str = "logs/2026-03-28/CP-9.jsonl", compress: bool = False) -> DayLog:
    body = b"\n".join(line if isinstance(line, bytes) else orjson.dumps(line) for line in lines) + b"\n"
    log = DayLog()
    read_file(log_file(path), gzip.compress(body) if compress else body, log, set())
    return log


def test_the_documented_layout_and_its_response():
    log = read(
        [
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T10:15:02Z",
                "message": [2, "u1", "MeterValues", METER_16],
            },
            {"charge_point_id": "CP-1", "received_at": "2026-03-28T10:15:02Z", "message": [3, "u1", {}]},
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T10:15:03Z",
                "message": [4, "u2", "NotSupported", "", {}],
            },
        ],
        compress=True,
    )
    (item,) = log.meter_values
    assert (item["id"], item["charge_point_id"], item["ocpp_version"], item["received_at"]) == (
        "u1",
        "CP-1",
        "1.6",
        "2026-03-28T10:15:02Z",
    )
    (row,) = meter_value_table([item], "p").to_pylist()
    assert row["transaction_id"] == "1742" and row["value_kwh"] == pytest.approx(15.2344)
    assert log.counts == {"responses": 1, "call_errors": 1} and not log.rejected
    assert log.files[0]["lines"] == 3 and len(log.files[0]["md5"]) == 32


def test_variants_field_names_string_frames_epoch_times_and_bare_frames():
    frame = [2, "u3", "StatusNotification", STATUS_201]
    log = read(
        [
            {
                "chargeBoxId": "CP-2",
                "ts": 1774692962000,
                "frame": orjson.dumps(frame).decode(),
                "protocol": "ocpp2.0.1",
            },
            [2, "u4", "MeterValues", METER_16],  # charge point from the path, receive time from the payload
        ]
    )
    (status,) = log.alarms
    assert (status["charge_point_id"], status["status"], status["ocpp_version"]) == ("CP-2", "Occupied", "2.0.1")
    assert status["received_at"] == "2026-03-28T10:16:02Z" and status["evse_id"] == 2
    (meter,) = log.meter_values
    assert (meter["charge_point_id"], meter["received_at"], meter["ocpp_version"]) == (
        "CP-9",
        "2026-03-28T10:15:00Z",
        "1.6",
    )


def test_the_charge_point_in_the_path_and_the_version_from_the_shape():
    event = {"eventType": "Updated", "timestamp": "2026-03-28T09:00:00Z", "transactionInfo": {"transactionId": "t"}}
    log = read([[2, "u5", "TransactionEvent", event]], path="logs/charge_point=CS-7/2026/03/28/part-0001.jsonl")
    assert log.meter_values[0]["charge_point_id"] == "CS-7" and log.meter_values[0]["ocpp_version"] == "2.0.1"
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Charging", "timestamp": "2026-03-28T09:00:00Z"}
    log = read([[2, "u6", "StatusNotification", status]], path="logs/CP-11/2026-03-28.log")
    assert log.alarms[0]["charge_point_id"] == "CP-11" and log.alarms[0]["ocpp_version"] == "1.6"


def test_bad_lines_are_rejected_with_file_and_line_and_the_rest_is_kept():
    good = {
        "charge_point_id": "CP-1",
        "received_at": "2026-03-28T10:15:02Z",
        "message": [2, "u1", "MeterValues", METER_16],
    }
    log = read(
        [
            good,
            b"{not json",
            {"charge_point_id": "CP-1", "received_at": "2026-03-28T10:00:00Z", "message": {"a": 1}},
            {"received_at": "2026-03-28T10:00:00Z", "message": [2, "u9", "Heartbeat", {}]},
            {**good, "message": [2, "u7", "MeterValues", METER_16]},
            {**good, "message": [2, "u1", "MeterValues", METER_16]},  # the same message logged twice
        ],
        path="2026-03-28.jsonl",
    )
    assert [(r["line"], r["error"].split(" (")[0]) for r in log.rejected] == [
        (2, "not JSON"),
        (3, "no OCPP-J frame"),
        (4, "no charge point id"),
    ]
    assert {r["file"] for r in log.rejected} == {"2026-03-28.jsonl"}
    assert [i["id"] for i in log.meter_values] == ["u1", "u7"] and log.counts["duplicates_removed"] == 1


def test_other_actions_are_counted_not_stored():
    log = read(
        [
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T10:00:00Z",
                "message": [2, "b", "BootNotification", {}],
            },
            {"charge_point_id": "CP-1", "received_at": "2026-03-28T10:00:01Z", "message": [2, "h", "Heartbeat", {}]},
        ]
    )
    assert not log.meter_values and not log.alarms
    assert log.counts == {"calls_not_stored.BootNotification": 1, "calls_not_stored.Heartbeat": 1}


@pytest.mark.parametrize(
    ("path", "day"),
    [
        ("ocpp/2026/03/28/14/part.jsonl.gz", date(2026, 3, 28)),
        ("ocpp/date=2026-03-27/cp.ndjson", date(2026, 3, 27)),
        ("ocpp/20260326-cp.log", date(2026, 3, 26)),
        ("ocpp/CP-1/messages.jsonl", date(2026, 3, 29)),  # no date: the day it was last modified
    ],
)
def test_a_files_day_comes_from_its_path_else_its_modification(path, day):
    assert file_day(path, MODIFIED) == day


def test_a_day_reads_its_files_and_those_either_side():
    files = [log_file(f"l/2026-03-{d:02d}/a.jsonl") for d in (26, 27, 28, 29, 30)]
    assert [f.day.day for f in files_for_day(files, date(2026, 3, 28))] == [27, 28, 29]


def test_transaction_events_of_both_versions_and_the_16_start_answer():
    start = {"connectorId": 2, "idTag": "04A2B3C4D5", "meterStart": 15234, "timestamp": "2026-03-28T09:00:00Z"}
    stop = {"transactionId": 1742, "meterStop": 27001, "timestamp": "2026-03-28T10:00:00Z", "reason": "EVDisconnected"}
    event = {
        "eventType": "Started",
        "timestamp": "2026-03-28T09:30:00+01:00",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx-201", "chargingState": "Charging"},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": {"idToken": "AABBCCDD", "type": "ISO14443"},
    }
    cp = {"charge_point_id": "CP-1", "received_at": "2026-03-28T09:00:01Z"}
    log = read(
        [
            {**cp, "message": [2, "s1", "StartTransaction", start]},
            {**cp, "message": [3, "s1", {"transactionId": 1742, "idTagInfo": {"status": "Accepted"}}]},
            {**cp, "received_at": "2026-03-28T10:00:01Z", "message": [2, "s2", "StopTransaction", stop]},
            {**cp, "charge_point_id": "CS-2", "ocpp_version": "2.0.1", "message": [2, "t1", "TransactionEvent", event]},
        ]
    )
    started, stopped, event_item = (
        {k: v for k, v in item.items() if not k.startswith("_")} for item in log.transactions
    )
    assert started == {
        "message_id": "s1",
        "charge_point_id": "CP-1",
        "ocpp_version": "1.6",
        "action": "StartTransaction",
        "occurred_at": "2026-03-28T09:00:00Z",
        "received_at": "2026-03-28T09:00:01Z",
        "event_type": "Started",
        "transaction_id": "1742",  # from the central system's answer, as text
        "connector_id": 2,
        "stop_reason": None,
        "meter_kwh": 15.234,
        "id_tag": "04A2B3C4D5",
        "reservation_id": None,
    }
    assert (stopped["event_type"], stopped["transaction_id"], stopped["meter_kwh"], stopped["stop_reason"]) == (
        "Ended",
        "1742",
        27.001,
        "EVDisconnected",
    )
    assert (event_item["event_type"], event_item["transaction_id"], event_item["evse_id"], event_item["seq_no"]) == (
        "Started",
        "tx-201",
        1,
        0,
    )
    assert (event_item["id_tag"], event_item["id_token_type"], event_item["trigger_reason"]) == (
        "AABBCCDD",
        "ISO14443",
        "Authorized",
    )
    # A StopTransaction is also a carrier of meter values (none here) and a TransactionEvent too.
    assert [i["id"] for i in log.meter_values] == ["s2", "t1"]


def test_unique_ids_are_per_connection_not_global():
    message = {**METER_16}
    log = read(
        [
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T10:00:00Z",
                "message": [2, "1", "MeterValues", message],
            },
            {
                "charge_point_id": "CP-2",
                "received_at": "2026-03-28T10:00:00Z",
                "message": [2, "1", "MeterValues", message],
            },
            # CP-1 reconnected and counts from 1 again: another message
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T11:00:00Z",
                "message": [2, "1", "MeterValues", message],
            },
            # a broker's redelivery of the first record: the same message
            {
                "charge_point_id": "CP-1",
                "received_at": "2026-03-28T10:00:00Z",
                "message": [2, "1", "MeterValues", message],
            },
        ]
    )
    assert [(i["charge_point_id"], i["received_at"]) for i in log.meter_values] == [
        ("CP-1", "2026-03-28T10:00:00Z"),
        ("CP-2", "2026-03-28T10:00:00Z"),
        ("CP-1", "2026-03-28T11:00:00Z"),
    ]
    assert log.counts["duplicates_removed"] == 1
    ids = meter_value_table(log.meter_values, "p").column("_dlt_id").to_pylist()
    assert len(set(ids)) == 3
