"""OCPP meter values → one Arrow row per sampled value, columnar.

This is the volume path (hundreds of thousands of values a day): values are gathered into plain
column lists and converted by Arrow in bulk, never handed to dlt's per-row normaliser. Messages are
read as the OCPP 1.6 and 2.0.1 schemas type them (`extractors/common/ocpp.py`): 1.6 strings, `unit`
and integer transaction ids; 2.0.1 numbers, `unitOfMeasure` with a power-of-ten `multiplier`, string
transaction ids in `TransactionEvent`; signed meter values kept beside the number. Canonical columns
carry kWh, kW, A, V and %.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from chargelake.contract import API_VERSION, EXTENSIONS, ID, load_contract
from extractors.common.errors import SourceError
from extractors.common.flatten import Flattener
from extractors.common.ocpp import (
    DEFAULT_MEASURAND,
    SIGNED_DATA,
    connector_of,
    evse_of,
    meter_values_of,
    signed_of,
    spec_id,
    spec_int,
    spec_number,
    transaction_of,
    unit_of,
)
from extractors.telemetry.settings import CANONICAL_COLUMNS

SCHEMA = load_contract("telemetry").tables["meter_values"].arrow_schema()
CANONICAL = [column for _, column, _ in CANONICAL_COLUMNS]
_CANONICAL_BY_KEY: dict[tuple[str, str], tuple[str, float] | None] = {}


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


def meter_value_table(items: list[dict], where: str) -> pa.Table:
    """The sampled values of a page of items (`where` names the page in errors). An item is the
    telemetry API's envelope (id, charge point, version, received time) around one OCPP message."""
    cols: dict[str, list] = {f.name: [] for f in SCHEMA}
    for item in items:
        msg = item.get("message") or {}
        version = str(item.get("ocpp_version", ""))
        at_message = f"{where}: message {item.get('id')!r}"
        tx = item.get("transaction_id")
        tx = spec_id(transaction_of(msg) if tx is None else tx, at_message, "transactionId")
        connector = connector_of(msg) if item.get("connector_id") is None else item.get("connector_id")
        connector = spec_int(connector, at_message, "connectorId")
        evse = spec_int(evse_of(msg), at_message, "evseId")
        for mi, meter_value in enumerate(meter_values_of(msg)):
            measured = meter_value.get("timestamp")
            for si, sample in enumerate(meter_value.get("sampledValue") or []):
                at = f"{at_message} value {mi}.{si}"
                unit, multiplier = unit_of(sample)
                measurand = sample.get("measurand") or DEFAULT_MEASURAND
                raw = sample.get("value")
                signed = signed_of(sample)
                # A 1.6 SignedData value is the signed blob itself: kept as sent, no number.
                value = None if sample.get("format") == SIGNED_DATA else spec_number(raw, at)
                if value is not None and multiplier:
                    value *= 10**multiplier
                cols["message_id"].append(item.get("id"))
                cols["meter_value_index"].append(mi)
                cols["sample_index"].append(si)
                cols["charge_point_id"].append(item.get("charge_point_id"))
                cols["ocpp_version"].append(version)
                cols["connector_id"].append(connector)
                cols["evse_id"].append(evse)
                cols["transaction_id"].append(tx)
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
                target = canonical(measurand, unit) if value is not None else None
                for column in CANONICAL:
                    cols[column].append(value * target[1] if target and target[0] == column else None)
                cols["signed_meter_data"].append(signed.get("signedMeterData") if signed else None)
                cols["signing_method"].append(signed.get("signingMethod") if signed else None)
                cols["encoding_method"].append(signed.get("encodingMethod") if signed else None)
                cols["public_key"].append(signed.get("publicKey") if signed else None)
                # OCPP unique ids are unique per connection only (a charger may count from 1 again
                # after reconnecting): the row id adds the charge point and the receive time.
                cols[ID].append(f"{item.get('charge_point_id')}/{item.get('id')}@{item.get('received_at')}/{mi}/{si}")
                cols[API_VERSION].append(version)
                cols[EXTENSIONS].append(None)
    arrays = []
    for f in SCHEMA:
        if pa.types.is_timestamp(f.type):
            arrays.append(timestamps(cols[f.name], f.type, f.name, where))
        else:
            arrays.append(_column(cols[f.name], f, where))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def flattened_table(table: str, items: list[dict], where: str, rename: dict[str, str] | None = None) -> pa.Table:
    """Items of a small table (alarms, charge points) by the contract, through the shared flattener:
    fields the contract does not name are kept as JSON in `_extensions`."""
    flattener = Flattener(load_contract("telemetry"), table, "v1")
    for i, item in enumerate(items):
        record = {rename.get(k, k) if rename else k: v for k, v in item.items()}
        flattener.add(record, f"{table} item #{i} ({item.get('id')!r}) of {where}")
    return dict(flattener.drain(include_empty=True))[table]


def _column(values: list, f: pa.Field, where: str) -> pa.Array:
    try:
        return pa.array(values, f.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise SourceError(f"{where}: column {f.name} cannot hold what was sent ({exc})") from None


# RFC 3339 allows any number of fractional digits; Arrow reads at most microseconds.
_SUB_MICRO = re.compile(r"(\.\d{6})\d+")


def timestamps(values: list, typ: pa.DataType, name: str, where: str) -> pa.Array:
    """RFC 3339 timestamps with `Z` or an offset, to the microsecond (finer digits are dropped); one
    without an offset (OCPP requires one) is named, not guessed."""
    strings = pa.array(values, pa.string())
    try:
        return strings.cast(typ)
    except pa.ArrowInvalid:
        pass
    trimmed = [_SUB_MICRO.sub(r"\1", v) if isinstance(v, str) else v for v in values]
    try:
        return pa.array(trimmed, pa.string()).cast(typ)
    except pa.ArrowInvalid:
        for v, t in zip(values, trimmed, strict=True):
            try:
                pa.array([t], pa.string()).cast(typ)
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
