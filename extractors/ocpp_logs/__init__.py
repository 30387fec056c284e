"""dlt source for OCPP-J message logs: the charger traffic a CSMS or its broker writes to object
storage (a local folder, or `s3://bucket/prefix`), one JSON line per message.

It is a second transport of the telemetry source, not a source of its own: the same contract, suites
and raw tables (`raw/telemetry/meter_values`, `alarms`), so every mart works unchanged and a day
reads the same whether it came through the telemetry API or the logs. A day's partition holds the
messages *received* that day; it reads the files of the day (and the days either side, for files
that straddle midnight), each file once per run, and records every file it read (path, size, MD5)
in the publication. Charge points are reference data OCPP does not carry (location, rating): they
come from the telemetry API where one is configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from chargelake.pseudonymise import pseudonym
from extractors.common.errors import SourceError
from extractors.ocpp_logs.helpers import DayLog, files_for_day, list_log_files, log_filesystem, read_file
from extractors.ocpp_logs.settings import REJECTED_IN_NOTES
from extractors.telemetry.columns import SCHEMA, flattened_table, items_received_between, meter_value_table
from extractors.telemetry.settings import FLATTEN_BATCH, TABLES

NOT_FROM_LOGS = (
    "charge points are reference data OCPP messages do not carry: set CHARGELAKE_TELEMETRY_URL to read "
    "them from the telemetry API"
)


class LogDay:
    """The day's files, listed and read once however many tables ask for them."""

    def __init__(self, url: str, day_start: datetime, filesystem: Any) -> None:
        self.url, self.day, self.filesystem = url, day_start.date(), filesystem
        self._log: DayLog | None = None

    def read(self) -> DayLog:
        if self._log is None:
            fs = self.filesystem or log_filesystem(self.url)
            log, seen = DayLog(), set()
            try:
                files = files_for_day(list_log_files(self.url, fs), self.day)
            except (OSError, ValueError) as exc:
                raise SourceError(f"OCPP logs at {self.url} cannot be listed: {exc}") from None
            for f in files:
                try:
                    data = fs.cat_file(f.url)
                except OSError as exc:
                    raise SourceError(f"OCPP log file {f.url} cannot be read: {exc}") from None
                read_file(f, data, log, seen)
            self._log = log
        return self._log


def _origin(item: dict) -> str:
    return f"file {item['_file']} line {item['_line']}"


def _reject(log: DayLog, item: dict, error: str) -> None:
    log.rejected.append(
        {
            "file": item["_file"],
            "line": item["_line"],
            "error": error,
            "message_id": item.get("id") or item.get("message_id"),
        }
    )


def _converted(items: list[dict], convert, log: DayLog) -> Iterator[pa.Table]:
    """Tables of a batch; a message that cannot be read is rejected with its file and line, and the
    rest of the batch (and of the file) is kept."""
    try:
        yield convert(items, f"the OCPP logs ({_origin(items[0])} ..)")
        return
    except SourceError:
        pass
    for item in items:
        try:
            yield convert([item], _origin(item))
        except SourceError as exc:
            _reject(log, item, str(exc))


def _notes(log: DayLog, notes: dict, rows: int) -> None:
    notes.update(
        rows=rows,
        source_files=log.files,
        frames_not_stored=dict(sorted(log.counts.items())),
        rejected_lines=len(log.rejected),
    )
    if log.rejected:
        notes["rejected_examples"] = log.rejected[:REJECTED_IN_NOTES]


def _flat(table: str, rename: dict[str, str] | None = None, pseudonym_key: str | None = None):
    """A converter of items into `table` by the contract, without the reader's bookkeeping (file,
    line: the API's items have none) and with card identifiers pseudonymised."""

    def convert(items: list[dict], where: str) -> pa.Table:
        clean = []
        for item in items:
            row = {k: v for k, v in item.items() if not k.startswith("_")}
            if pseudonym_key and row.get("id_tag") is not None:
                row["id_tag"] = pseudonym(pseudonym_key, str(row["id_tag"]))
            clean.append(row)
        return flattened_table(table, clean, where, rename)

    return convert


def items_resource(
    name: str, day: LogDay, start: datetime, end: datetime, notes: dict, stats: dict, convert, empty=None
) -> DltResource:
    """The day's items of one kind (meter values, alarms, transaction events) as Arrow tables, a
    batch at a time; `empty`: a table yielded last, so the table lands even on a day without rows."""

    def tables() -> Iterator[Any]:
        log = day.read()
        items = items_received_between(getattr(log, name), start, end)
        rows = 0
        for i in range(0, len(items), FLATTEN_BATCH):
            for table in _converted(items[i : i + FLATTEN_BATCH], convert, log):
                rows += table.num_rows
                yield table
        _notes(log, notes, rows)
        stats["_rejected"] = log.rejected
        if empty is not None:
            yield empty

    return dlt.resource(tables, name=name, write_disposition="append")


@dlt.source(name="telemetry")
def ocpp_logs_source(
    log_url: str,
    day_start: datetime,
    day_end: datetime,
    tables: Sequence[str] = TABLES,
    stats: dict[str, Any] | None = None,
    pseudonym_key: str | None = None,
    filesystem: Any = None,
    api_url: str | None = None,
    api_token: str | None = None,
) -> list[DltResource]:
    """`pseudonym_key`: what card identifiers in transaction events are pseudonymised with.
    `filesystem`: an fsspec filesystem for `log_url`; None: s3fs with the lake's S3 settings for
    `s3://`, else the local filesystem. `api_url`/`api_token`: the telemetry API, for charge points."""
    stats = stats if stats is not None else {}
    if "transactions" in tables and not pseudonym_key:
        raise ValueError("transaction events carry card identifiers: give the pseudonym key")
    day = LogDay(log_url, day_start, filesystem)
    out = []
    for table in tables:
        notes = stats.setdefault(table, {})
        if table == "meter_values":
            convert, empty = meter_value_table, SCHEMA.empty_table()
            out.append(items_resource("meter_values", day, day_start, day_end, notes, stats, convert, empty))
        elif table == "alarms":
            convert = _flat("alarms", {"timestamp": "occurred_at"})
            out.append(items_resource("alarms", day, day_start, day_end, notes, stats, convert))
        elif table == "transactions":
            convert = _flat("transactions", pseudonym_key=pseudonym_key)
            out.append(items_resource("transactions", day, day_start, day_end, notes, stats, convert))
        elif table == "charge_points":
            if api_url and api_token:
                from extractors.telemetry import charge_points
                from extractors.telemetry.helpers import TelemetryClient

                out.append(charge_points(TelemetryClient(api_url, api_token), notes))
            else:
                stats.setdefault("skipped", {})["charge_points"] = NOT_FROM_LOGS
    return out
