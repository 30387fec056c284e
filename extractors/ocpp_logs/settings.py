"""OCPP-J message logs: which files are logs, how a line may be laid out, which actions carry what.

A log is NDJSON / JSON Lines, plain or gzip, one line per message a CSMS (or its broker) received
or sent. docs/ocpp-logs.md shows the accepted layouts with examples.
"""

from __future__ import annotations

import re

# File names read as logs (a `.gz` after any of them: gzip). Anything else under the prefix (a
# manifest, a _SUCCESS marker) is listed and ignored.
LOG_SUFFIXES = (".jsonl", ".ndjson", ".json", ".log", ".txt")

# A file's day: the first date in its path (`2026/03/28`, `2026-03-28`, `date=2026-03-28`,
# `20260328`), else its last-modified day (UTC). Logs are written as messages arrive, so a file holds
# the lines received on its day, give or take a file that straddles midnight: a day's run reads the
# files of the day and of the days either side, and keeps the lines received on the day.
PATH_DATE = re.compile(r"(?<!\d)(20\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
FILE_DAY_SLACK = 1

# OCPP-J message types (RPC framework): a CALL is a request, its CALLRESULT or CALLERROR the answer.
CALL, CALLRESULT, CALLERROR = 2, 3, 4

# The object layout's field names, first match wins: the name this project documents, then the
# spellings common CSMS and broker exports use.
CHARGE_POINT_KEYS = ("charge_point_id", "chargePointId", "charge_point", "chargeBoxId", "identity", "cp_id")
RECEIVED_KEYS = ("received_at", "receivedAt", "received", "timestamp", "ts", "time")
MESSAGE_KEYS = ("message", "frame", "payload", "msg")
VERSION_KEYS = ("ocpp_version", "ocppVersion", "protocol", "subprotocol")

# Actions (charger to CSMS) that carry meter values and status. Other CALLs (Heartbeat, Authorize,
# DataTransfer, the CSMS's own requests, ...) are counted per action and not stored.
METER_VALUE_ACTIONS = frozenset({"MeterValues", "StopTransaction", "TransactionEvent"})
STATUS_ACTIONS = frozenset({"StatusNotification"})
TRANSACTION_ACTIONS = frozenset({"StartTransaction", "StopTransaction", "TransactionEvent"})
# Actions only one version has: how a line without a declared version is read.
ONLY_16 = frozenset({"StartTransaction", "StopTransaction", "DiagnosticsStatusNotification"})
ONLY_201 = frozenset({"TransactionEvent", "NotifyEvent", "NotifyReport", "NotifyChargingLimit"})

# Malformed lines kept in the extraction notes (all of them go to the run's quarantine file).
REJECTED_IN_NOTES = 20
