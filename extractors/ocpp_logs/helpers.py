"""Listing, reading and parsing OCPP-J message logs into the telemetry API's item shape.

Files are listed with dlt's filesystem source (fsspec: a local folder, or s3fs for `s3://`). A line
becomes an item of the same shape the telemetry API serves (id, charge point, version, received time,
the OCPP payload), so one reader (`extractors/telemetry/columns.py`) turns either into raw rows and
the two transports publish identical rows for the same messages.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import orjson

from chargelake.config import StorageSettings
from extractors.common.errors import SourceError
from extractors.common.ocpp import meter_values_of, spec_id
from extractors.ocpp_logs.messages import status_item, transaction_item
from extractors.ocpp_logs.settings import (
    CALL,
    CALLERROR,
    CALLRESULT,
    CHARGE_POINT_KEYS,
    FILE_DAY_SLACK,
    LOG_SUFFIXES,
    MESSAGE_KEYS,
    METER_VALUE_ACTIONS,
    ONLY_16,
    ONLY_201,
    PATH_DATE,
    RECEIVED_KEYS,
    STATUS_ACTIONS,
    TRANSACTION_ACTIONS,
    VERSION_KEYS,
)


class LineError(ValueError):
    """A line that is not an OCPP-J message this reader understands; the message says why."""


@dataclass(frozen=True)
class LogFile:
    url: str  # as the filesystem names it (s3://bucket/key, or a local path)
    relative_path: str
    size: int
    modified: datetime
    day: date  # the day its lines were received, give or take a file straddling midnight


@dataclass
class DayLog:
    """What a day's files held: items per kind, per-file records for the publication, counts of what
    was not stored, and the lines that could not be read (file and line number)."""

    meter_values: list[dict] = field(default_factory=list)
    alarms: list[dict] = field(default_factory=list)
    transactions: list[dict] = field(default_factory=list)
    # 1.6 StartTransaction requests whose answer (with the transaction id) is still to come
    pending_starts: dict[tuple[str, str], dict] = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    rejected: list[dict] = field(default_factory=list)


def is_log(path: str) -> bool:
    name = path.lower().removesuffix(".gz")
    return name.endswith(LOG_SUFFIXES)


def file_day(relative_path: str, modified: datetime) -> date:
    match = PATH_DATE.search(relative_path)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return modified.astimezone(UTC).date()


def log_filesystem(url: str, storage: StorageSettings | None = None) -> Any:
    """The fsspec filesystem of a log URL: s3fs with the run's S3 settings (`AWS_*`, an http
    endpoint allowed) for `s3://`, the local filesystem otherwise."""
    if url.startswith("s3://"):
        import s3fs

        return s3fs.S3FileSystem(**(storage or StorageSettings.from_env()).s3fs_options())
    import fsspec

    return fsspec.filesystem("file")


def list_log_files(url: str, filesystem: Any = None) -> list[LogFile]:
    """Every log file under `url` (recursively), through dlt's filesystem source."""
    from dlt.sources.filesystem import filesystem as dlt_filesystem

    filesystem = filesystem or log_filesystem(url)
    listing = dlt_filesystem(bucket_url=url, credentials=filesystem, file_glob="**/*")
    out = []
    for page in listing:
        for item in page if isinstance(page, list) else [page]:
            if not is_log(item["relative_path"]):
                continue
            modified = item["modification_date"]
            modified = datetime.fromtimestamp(modified.timestamp(), UTC)
            out.append(
                LogFile(
                    url=item["file_url"],
                    relative_path=item["relative_path"],
                    size=int(item["size_in_bytes"]),
                    modified=modified,
                    day=file_day(item["relative_path"], modified),
                )
            )
    return sorted(out, key=lambda f: f.relative_path)


def files_for_day(files: list[LogFile], day: date) -> list[LogFile]:
    slack = timedelta(days=FILE_DAY_SLACK)
    return [f for f in files if day - slack <= f.day <= day + slack]


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    """The first of `keys` the object has (the documented name first: one lookup per line)."""
    value = obj.get(keys[0])
    if value is None:
        for key in keys[1:]:
            value = obj.get(key)
            if value is not None:
                break
    return value


def _iso(value: Any) -> str:
    """A receive time as RFC 3339 text: text is kept as written; a number is Unix time (seconds, or
    milliseconds when it is too large to be seconds)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    raise LineError(f"receive time {value!r} is neither text nor a number")


def _version(declared: Any, action: str, payload: dict) -> str:
    """OCPP version: as the line declares it (`1.6`, `ocpp1.6`, `2.0.1`, `ocpp2.0.1`), else by the
    action and the payload's shape (fields only one version has)."""
    if declared in ("1.6", "2.0.1"):  # the common case: one lookup
        return declared
    if declared:
        text = str(declared).lower().removeprefix("ocpp")
        if text.startswith("1.6"):
            return "1.6"
        if text.startswith("2.0"):
            return "2.0.1"
    if action in ONLY_201 or "evseId" in payload or "connectorStatus" in payload or "chargingStation" in payload:
        return "2.0.1"
    if action in ONLY_16 or "connectorId" in payload or "chargePointVendor" in payload:
        return "1.6"
    return "1.6" if action == "MeterValues" else "2.0.1"


def _path_charge_point(relative_path: str) -> str | None:
    """For frame-only logs: the charge point named by the path, `charge_point=CP-1/` or the nearest
    segment (file stem first) that is not a date."""
    parts = PurePosixPath(relative_path).parts
    for part in parts:
        if "=" in part and part.split("=", 1)[0] in CHARGE_POINT_KEYS:
            return part.split("=", 1)[1]
    stem = parts[-1].split(".", 1)[0]
    for candidate in (stem, *reversed(parts[:-1])):
        if candidate and not PATH_DATE.fullmatch(candidate) and not candidate.isdigit():
            return candidate
    return None


def _payload_time(payload: dict) -> str | None:
    """For frame-only logs: the message's own time (its `timestamp`, else its first meter value's)."""
    values = meter_values_of(payload)
    stamp = payload.get("timestamp") or (values[0].get("timestamp") if values and isinstance(values[0], dict) else None)
    return stamp if isinstance(stamp, str) else None


class Frame(NamedTuple):
    kind: int  # CALL, CALLRESULT or CALLERROR
    unique_id: str
    charge_point: str | None
    action: str | None = None  # CALL only
    payload: Any = None  # a CALL's request, a CALLRESULT's response
    received: str | None = None
    declared_version: Any = None


def parse_line(line: bytes, path_charge_point: str | None) -> Frame:
    """One log line as an OCPP-J frame with its envelope (`path_charge_point`: the charge point the
    file's path names, for frame-only logs)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc})") from None
    wrapped = isinstance(obj, dict)
    frame = _first(obj, MESSAGE_KEYS) if wrapped else obj
    if isinstance(frame, str):
        try:
            frame = orjson.loads(frame)
        except orjson.JSONDecodeError:
            raise LineError("its message is text that is not a JSON frame") from None
    if not isinstance(frame, list) or len(frame) < 3 or frame[0] not in (CALL, CALLRESULT, CALLERROR):
        raise LineError("no OCPP-J frame ([2, id, action, payload], [3, id, payload] or [4, id, code, ...])")
    kind, unique_id = frame[0], frame[1]
    if not isinstance(unique_id, str) or not unique_id:
        raise LineError(f"the frame's unique id {unique_id!r} is not a non-empty string")
    charge_point = (_first(obj, CHARGE_POINT_KEYS) if wrapped else None) or path_charge_point
    if kind == CALLRESULT:
        return Frame(kind, unique_id, charge_point, payload=frame[2])
    if kind == CALLERROR:
        return Frame(kind, unique_id, charge_point)
    if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
        raise LineError("a CALL frame must be [2, id, action, payload object]")
    action, payload = frame[2], frame[3]
    if not charge_point:
        raise LineError("no charge point id (a charge_point_id field, or the charge point in the file's path)")
    received = _first(obj, RECEIVED_KEYS) if wrapped else None
    received = _iso(received) if received is not None else _payload_time(payload)
    if received is None:
        raise LineError("no receive time (a received_at field, or a timestamp in the payload)")
    declared = _first(obj, VERSION_KEYS) if wrapped else None
    return Frame(kind, unique_id, str(charge_point), action, payload, received, declared)


def _reject(day_log: DayLog, log: LogFile, number: int, error: str, line: bytes) -> None:
    text = line[:500].decode(errors="replace")
    day_log.rejected.append({"file": log.relative_path, "line": number, "error": error, "text": text})


def read_file(log: LogFile, data: bytes, day_log: DayLog, seen: set[tuple[str, str, str]]) -> None:
    """Every line of one file into `day_log` (items of any receive day: the caller keeps the day's)."""
    text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    path_charge_point = _path_charge_point(log.relative_path)
    lines = used = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        lines += 1
        try:
            frame = parse_line(line, path_charge_point)
        except LineError as exc:
            _reject(day_log, log, number, str(exc), line)
            continue
        if frame.kind == CALLRESULT:
            day_log.counts["responses"] += 1
            if day_log.pending_starts:  # a 1.6 StartTransaction.conf carries the transaction id
                start = day_log.pending_starts.pop((frame.charge_point, frame.unique_id), None)
                if start is not None and isinstance(frame.payload, dict):
                    try:
                        start["transaction_id"] = spec_id(frame.payload.get("transactionId"), "", "")
                    except SourceError:
                        day_log.counts["start_answers_without_a_transaction_id"] += 1
            continue
        if frame.kind == CALLERROR:
            day_log.counts["call_errors"] += 1
            continue
        # A broker's redelivery repeats the record (same receive time); a charger that reuses a unique
        # id after reconnecting sends a new message (another receive time): only the first is a duplicate.
        key = (frame.charge_point, frame.unique_id, frame.received)
        if key in seen:
            day_log.counts["duplicates_removed"] += 1
            continue
        seen.add(key)
        try:
            stored = _store(frame, day_log, {"_file": log.relative_path, "_line": number})
        except SourceError as exc:
            _reject(day_log, log, number, str(exc), line)
            continue
        used += stored
        if not stored:
            day_log.counts[f"calls_not_stored.{frame.action}"] += 1
    day_log.files.append(
        {
            "file": log.url,
            "size": len(data),
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "modified": log.modified.isoformat(),
            "lines": lines,
            "messages_read": used,
        }
    )


def _store(frame: Frame, day_log: DayLog, origin: dict) -> bool:
    """The frame's items, by what its action carries (a StopTransaction or TransactionEvent is both
    meter values and a transaction event); False when it carries nothing stored."""
    version = _version(frame.declared_version, frame.action, frame.payload)
    cp, uid, received, payload = frame.charge_point, frame.unique_id, frame.received, frame.payload
    stored = False
    if frame.action in METER_VALUE_ACTIONS:
        item = {"id": uid, "charge_point_id": cp, "ocpp_version": version, "received_at": received}
        day_log.meter_values.append({**item, "message": payload, **origin})
        stored = True
    if frame.action in STATUS_ACTIONS:
        day_log.alarms.append({**status_item(uid, cp, version, received, payload), **origin})
        stored = True
    if frame.action in TRANSACTION_ACTIONS:
        item = {**transaction_item(uid, cp, version, received, frame.action, payload), **origin}
        day_log.transactions.append(item)
        if frame.action == "StartTransaction":
            day_log.pending_starts[(cp, uid)] = item
        stored = True
    return stored
