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
from typing import Any

import orjson

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

    @property
    def name(self) -> str:
        return PurePosixPath(self.relative_path).name


@dataclass
class DayLog:
    """What a day's files held: items per kind, per-file records for the publication, counts of what
    was not stored, and the lines that could not be read (file and line number)."""

    meter_values: list[dict] = field(default_factory=list)
    alarms: list[dict] = field(default_factory=list)
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


def log_filesystem(url: str) -> Any:
    """The fsspec filesystem of a log URL: s3fs with the lake's S3 settings (`AWS_*`, an http
    endpoint allowed) for `s3://`, the local filesystem otherwise."""
    if url.startswith("s3://"):
        import s3fs

        from chargelake.lake import s3fs_options

        return s3fs.S3FileSystem(**s3fs_options())
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


def _payload_time(action: str, payload: dict) -> str | None:
    values = payload.get("meterValue") or payload.get("transactionData") or []
    stamp = payload.get("timestamp") or (values[0].get("timestamp") if values and isinstance(values[0], dict) else None)
    return stamp if isinstance(stamp, str) else None


def parse_line(line: bytes, log: LogFile) -> tuple[int, str | None, dict | None, str, str | None, str, Any]:
    """(message type, action, payload, charge point, received time, unique id, declared version)."""
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
    if kind != CALL:
        return kind, None, None, "", None, unique_id, None
    if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
        raise LineError("a CALL frame must be [2, id, action, payload object]")
    action, payload = frame[2], frame[3]
    charge_point = _first(obj, CHARGE_POINT_KEYS) if wrapped else None
    received = _first(obj, RECEIVED_KEYS) if wrapped else None
    declared = _first(obj, VERSION_KEYS) if wrapped else None
    charge_point = charge_point or _path_charge_point(log.relative_path)
    if not charge_point:
        raise LineError("no charge point id (a charge_point_id field, or the charge point in the file's path)")
    received = _iso(received) if received is not None else _payload_time(action, payload)
    if received is None:
        raise LineError("no receive time (a received_at field, or a timestamp in the payload)")
    return kind, action, payload, str(charge_point), received, unique_id, declared


def status_item(unique_id: str, charge_point: str, version: str, received: str, payload: dict) -> dict:
    """A StatusNotification as the telemetry API's alarm item: 1.6 (status, errorCode, info,
    vendor fields) or 2.0.1 (connectorStatus, evseId). OCPP carries no previous status or severity;
    what the contract does not name is kept as JSON in `_extensions`."""
    item = {
        "id": unique_id,
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


def read_file(log: LogFile, data: bytes, day_log: DayLog, seen: set[tuple[str, str]]) -> None:
    """Every line of one file into `day_log` (items of any receive day: the caller keeps the day's)."""
    text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    lines = used = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        lines += 1
        try:
            kind, action, payload, charge_point, received, unique_id, declared = parse_line(line, log)
        except LineError as exc:
            day_log.rejected.append(
                {
                    "file": log.relative_path,
                    "line": number,
                    "error": str(exc),
                    "text": line[:500].decode(errors="replace"),
                }
            )
            continue
        if kind == CALLRESULT:
            day_log.counts["responses"] += 1
            continue
        if kind == CALLERROR:
            day_log.counts["call_errors"] += 1
            continue
        if (charge_point, unique_id) in seen:
            day_log.counts["duplicates_removed"] += 1
            continue
        seen.add((charge_point, unique_id))
        version = _version(declared, action, payload)
        if action in METER_VALUE_ACTIONS:
            day_log.meter_values.append(
                {
                    "id": unique_id,
                    "charge_point_id": charge_point,
                    "ocpp_version": version,
                    "received_at": received,
                    "message": payload,
                    "_file": log.relative_path,
                    "_line": number,
                }
            )
            used += 1
        elif action in STATUS_ACTIONS:
            item = status_item(unique_id, charge_point, version, received, payload)
            day_log.alarms.append({**item, "_file": log.relative_path, "_line": number})
            used += 1
        else:
            day_log.counts[f"calls_not_stored.{action}"] += 1
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
