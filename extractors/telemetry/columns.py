"""OCPP MeterValues messages → one Arrow row per sampled value, columnar.

This is the volume path (hundreds of thousands of values a day): values are gathered into plain
column lists and converted by Arrow in bulk, never handed to dlt's per-row normaliser. Both OCPP
shapes are read: 1.6 (strings, `unit`, the register as default measurand) and 2.0.1 (numbers,
`unitOfMeasure` with a power-of-ten `multiplier`). Canonical columns carry kWh, kW, A, V and %.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from chargelake.contract import API_VERSION, EXTENSIONS, ID, load_contract
from extractors.common.errors import SourceError
from extractors.telemetry.settings import CANONICAL_COLUMNS, DEFAULT_MEASURAND, DEFAULT_UNIT_16

SCHEMA = load_contract("telemetry").tables["meter_values"].arrow_schema()
CANONICAL = [column for _, column, _ in CANONICAL_COLUMNS]
_CANONICAL_BY_KEY: dict[tuple[str, str], tuple[str, float]] = {}


def canonical(measurand: str, unit: str) -> tuple[str, float] | None:
    """(column, factor) of a measurand in a unit, or None when it has no canonical column."""
    key = (measurand, unit)
    if key not in _CANONICAL_BY_KEY:
        found = None
        for prefix, column, factors in CANONICAL_COLUMNS:
            if measurand.startswith(prefix) and unit in factors:
                found = (column, factors[unit])
        _CANONICAL_BY_KEY[key] = found
    return _CANONICAL_BY_KEY[key]


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        raise SourceError(f"{where}: value {raw!r} is not a number")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise SourceError(f"{where}: value {raw!r} is not a number") from None


def meter_value_table(items: list[dict], where: str) -> pa.Table:
    """The sampled values of a page of items (`where` names the page in errors)."""
    cols: dict[str, list] = {f.name: [] for f in SCHEMA}
    for item in items:
        msg = item.get("message") or {}
        version = str(item.get("ocpp_version", ""))
        is_16 = version.startswith("1.")
        for mi, meter_value in enumerate(msg.get("meterValue") or []):
            measured = meter_value.get("timestamp")
            for si, sample in enumerate(meter_value.get("sampledValue") or []):
                at = f"{where}: message {item.get('id')!r} value {mi}.{si}"
                uom = sample.get("unitOfMeasure") or {}
                unit = sample.get("unit") or uom.get("unit") or DEFAULT_UNIT_16
                multiplier = int(uom.get("multiplier") or 0) if not is_16 else 0
                measurand = sample.get("measurand") or DEFAULT_MEASURAND
                raw = sample.get("value")
                value = _number(raw, at) * (10**multiplier)
                cols["message_id"].append(item.get("id"))
                cols["meter_value_index"].append(mi)
                cols["sample_index"].append(si)
                cols["charge_point_id"].append(item.get("charge_point_id"))
                cols["ocpp_version"].append(version)
                cols["connector_id"].append(item.get("connector_id"))
                cols["evse_id"].append(msg.get("evseId"))
                cols["transaction_id"].append(item.get("transaction_id") or msg.get("transactionId"))
                cols["measured_at"].append(measured)
                cols["received_at"].append(item.get("received_at"))
                cols["measurand"].append(measurand)
                cols["phase"].append(sample.get("phase"))
                cols["location"].append(sample.get("location"))
                cols["context"].append(sample.get("context"))
                cols["format"].append(sample.get("format"))
                cols["unit"].append(unit)
                cols["multiplier"].append(multiplier)
                cols["value_raw"].append(raw if isinstance(raw, str) else repr(raw))
                cols["value"].append(value)
                target = canonical(measurand, unit)
                for column in CANONICAL:
                    cols[column].append(value * target[1] if target and target[0] == column else None)
                cols[ID].append(f"{item.get('id')}/{mi}/{si}")
                cols[API_VERSION].append(version)
                cols[EXTENSIONS].append(None)
    arrays = []
    for f in SCHEMA:
        if pa.types.is_timestamp(f.type):
            arrays.append(_timestamps(cols[f.name], f.type, f.name, where))
        else:
            arrays.append(pa.array(cols[f.name], f.type))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _timestamps(values: list, typ: pa.DataType, name: str, where: str) -> pa.Array:
    """ISO timestamps with an offset; one without (OCPP requires UTC with offset) is named, not guessed."""
    strings = pa.array(values, pa.string())
    try:
        return strings.cast(typ)
    except pa.ArrowInvalid:
        for v in values:
            try:
                pa.array([v], pa.string()).cast(typ)
            except pa.ArrowInvalid:
                raise SourceError(f"{where}: {name} {v!r} is not a timestamp with a UTC offset") from None
        raise


def items_received_between(items: list[dict], start: datetime, end: datetime) -> list[dict]:
    """Items received in [start, end), before any flattening: the lookback days cost only their
    transfer. OCPP's `...Z` timestamps compare as text; anything else is parsed."""
    lo, hi = start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for item in items:
        received = item.get("received_at")
        if isinstance(received, str) and len(received) == 20 and received.endswith("Z"):
            keep = lo <= received < hi
        else:
            try:
                ts = datetime.fromisoformat(str(received))
            except ValueError:
                keep = True  # kept, so the flattening names the bad timestamp
            else:
                ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
                keep = start <= ts < end
        if keep:
            out.append(item)
    return out


def received_between(table: pa.Table, start, end) -> pa.Table:
    """The rows received in [start, end): a day's partition of late-arriving telemetry."""
    received = table["received_at"]
    return table.filter(
        pc.and_(
            pc.greater_equal(received, pa.scalar(start, received.type)),
            pc.less(received, pa.scalar(end, received.type)),
        )
    )
