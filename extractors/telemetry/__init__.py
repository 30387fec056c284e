"""dlt source for the OCPP-shaped telemetry API: meter values, alarms (status notifications and
events) and charge points.

A day's extraction holds what the API *received* that day: it reads the measurements of the day and
of the `lookback_days` before it, and keeps the values received in the day. A value uploaded late by
a charger that was offline therefore lands exactly once, in the partition of the day it arrived;
marts use its measurement time. Charge points are reference data: a complete snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources import DltResource

from extractors.common.errors import SourceError
from extractors.telemetry.columns import (
    SCHEMA,
    flattened_table,
    items_received_between,
    meter_value_table,
    received_between,
)
from extractors.telemetry.helpers import TelemetryClient
from extractors.telemetry.settings import DEFAULT_LOOKBACK_DAYS, ENDPOINTS, FLATTEN_BATCH, NOT_SERVED_BY_API, TABLES


def _fresh(items: list[dict], seen: set[str], notes: dict, url: str | None = None) -> list[dict]:
    """Items not seen before in this extraction (a page repeated across a cursor is one)."""
    out = []
    for i, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        if not item_id:
            raise SourceError(f"telemetry item #{i} of the page has no 'id'", url)
        if item_id in seen:
            notes["duplicates_removed"] = notes.get("duplicates_removed", 0) + 1
            continue
        seen.add(item_id)
        out.append(item)
    return out


def _count(table: pa.Table, before: datetime) -> int:
    measured = table["measured_at"]
    return pc.sum(pc.less(measured, pa.scalar(before, measured.type))).as_py() or 0


def _late_notes(table: pa.Table, day_start: datetime, oldest: datetime, notes: dict) -> None:
    """Count values measured before the day; values from the oldest earlier day read hint at later
    ones beyond the lookback, which the run reports rather than silently miss."""
    notes["late_rows"] = notes.get("late_rows", 0) + _count(table, day_start)
    if oldest < day_start:
        edge = _count(table, oldest + timedelta(days=1))
        notes["rows_from_oldest_lookback_day"] = notes.get("rows_from_oldest_lookback_day", 0) + edge


def meter_values(client: TelemetryClient, start: datetime, end: datetime, lookback: int, notes: dict) -> DltResource:
    oldest = start - timedelta(days=lookback)

    def tables() -> Iterator[Any]:
        seen: set[str] = set()
        rows = 0
        for url, items in client.pages(ENDPOINTS["meter_values"], oldest, end):
            fresh = items_received_between(_fresh(items, seen, notes, url), start, end)
            # Flattened a batch at a time: the values of a whole page as Python objects would set the
            # process's peak memory; a batch's are freed before the next.
            for i in range(0, len(fresh), FLATTEN_BATCH):
                table = received_between(meter_value_table(fresh[i : i + FLATTEN_BATCH], f"page {url}"), start, end)
                if table.num_rows:
                    _late_notes(table, start, oldest, notes)
                    rows += table.num_rows
                    yield table
        notes["rows"] = rows
        yield SCHEMA.empty_table()

    return dlt.resource(tables, name="meter_values", write_disposition="append")


def alarms(client: TelemetryClient, start: datetime, end: datetime, lookback: int, notes: dict) -> DltResource:
    def tables() -> Iterator[Any]:
        seen: set[str] = set()
        rows = 0
        for url, items in client.pages(ENDPOINTS["alarms"], start - timedelta(days=lookback), end):
            table = received_between(
                flattened_table("alarms", _fresh(items, seen, notes), f"page {url}", {"timestamp": "occurred_at"}),
                start,
                end,
            )
            rows += table.num_rows
            yield table
        notes["rows"] = rows

    return dlt.resource(tables, name="alarms", write_disposition="append")


def charge_points(client: TelemetryClient, notes: dict) -> DltResource:
    def tables() -> Iterator[Any]:
        url, items = client.listing(ENDPOINTS["charge_points"])
        table = flattened_table("charge_points", items, f"page {url}")
        notes["rows"] = table.num_rows
        yield table

    return dlt.resource(tables, name="charge_points", write_disposition="append")


@dlt.source(name="telemetry")
def telemetry_source(
    base_url: str,
    token: str,
    day_start: datetime,
    day_end: datetime,
    tables: Sequence[str] = TABLES,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    stats: dict[str, Any] | None = None,
) -> list[DltResource]:
    """`stats` receives per table: rows, duplicates removed, late rows (measured before the day) and
    rows from the oldest day read (if any, values may be later than the lookback reaches)."""
    stats = stats if stats is not None else {}
    client = TelemetryClient(base_url, token)
    out = []
    for table in tables:
        notes = stats.setdefault(table, {})
        if table == "meter_values":
            out.append(meter_values(client, day_start, day_end, lookback_days, notes))
        elif table == "alarms":
            out.append(alarms(client, day_start, day_end, lookback_days, notes))
        elif table == "charge_points":
            out.append(charge_points(client, notes))
        elif table in NOT_SERVED_BY_API:
            stats.setdefault("skipped", {})[table] = NOT_SERVED_BY_API[table]
    return out
