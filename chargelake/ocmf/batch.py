"""Verification of many signed values at once, for the derived table `cdr_signed_readings`
(orchestration/defs/derived/): Arrow rows of signed values in (one per OCPI `signed_values[]` entry of
a raw CDR row, with its CDR's public key and encoding method), one row per reading out, each with its
signed value's verification status. A signed value that could not be read at all still gives one row
(no reading), so it is counted.

Rows are keyed by the raw CDR row (`cdr_record_id`, its `_dlt_id`) and the value's position, not by
the CDR key: the key is the warehouse's (stg_ocpi__cdrs), which joins the readings back to its CDRs."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pyarrow as pa

from chargelake.ocmf.readings import page_number
from chargelake.ocmf.verify import verify_signed_value

SCHEMA = pa.schema(
    [
        ("cdr_record_id", pa.string()),
        ("signed_value_index", pa.int64()),
        ("nature", pa.string()),
        ("verification_status", pa.string()),
        ("verification_reason", pa.string()),
        ("signature_algorithm", pa.string()),
        ("meter_serial", pa.string()),
        ("page_number", pa.int64()),
        ("reading_index", pa.int64()),
        ("measured_at_utc", pa.timestamp("us", tz="UTC")),  # as raw timestamps: the warehouse makes it naive UTC
        ("measured_at_text", pa.string()),
        ("clock_state", pa.string()),
        ("reading_reason", pa.string()),
        ("value_text", pa.string()),
        ("unit", pa.string()),
        ("value_kwh", pa.decimal128(24, 6)),
        ("obis_code", pa.string()),
        ("meter_state", pa.string()),
        ("error_flags", pa.string()),
        ("is_usable", pa.bool_()),
    ]
)
KWH = Decimal("0.000001")


INPUT = pa.schema(
    [
        ("cdr_record_id", pa.string()),
        ("signed_value_index", pa.int64()),
        ("nature", pa.string()),
        ("signed_data", pa.string()),
        ("public_key", pa.string()),
        ("encoding_method", pa.string()),
    ]
)


CDR_COLUMNS = ("_dlt_id", "signed_data__public_key", "signed_data__encoding_method")


def signed_values_of(cdrs: pa.Table | None, values: pa.Table | None) -> pa.Table:
    """The signed values of raw CDR rows (the `cdrs` and `cdrs__signed_data__signed_values` rows of one
    published partition), each with what verifying it needs from its CDR row."""
    if cdrs is None or values is None or not cdrs.num_rows or not values.num_rows:
        return INPUT.empty_table()
    cdr_keys = cdrs.select([c for c in CDR_COLUMNS if c in cdrs.column_names])
    for column in CDR_COLUMNS[1:]:
        if column not in cdr_keys.column_names:
            cdr_keys = cdr_keys.append_column(column, pa.nulls(cdr_keys.num_rows, pa.string()))
    # An inner join: a child row without its CDR row is not published content (expectations/publish.py).
    joined = values.select(["_dlt_parent_id", "_dlt_list_idx", "nature", "signed_data"]).join(
        cdr_keys, keys="_dlt_parent_id", right_keys="_dlt_id", join_type="inner"
    )
    out = pa.table(
        {
            "cdr_record_id": joined["_dlt_parent_id"],
            "signed_value_index": joined["_dlt_list_idx"],
            "nature": joined["nature"],
            "signed_data": joined["signed_data"],
            "public_key": joined["signed_data__public_key"],
            "encoding_method": joined["signed_data__encoding_method"],
        }
    ).cast(INPUT)
    return out.sort_by([("cdr_record_id", "ascending"), ("signed_value_index", "ascending")])


def verify_table(signed_values: pa.Table | pa.RecordBatchReader) -> pa.Table:
    batches = signed_values.to_batches() if isinstance(signed_values, pa.Table) else signed_values
    rows: list[dict] = []
    for value in (v for batch in batches for v in batch.to_pylist()):
        check = verify_signed_value(value["signed_data"], value["public_key"], value["encoding_method"])
        base = {
            "cdr_record_id": value["cdr_record_id"],
            "signed_value_index": value["signed_value_index"],
            "nature": value["nature"],
            "verification_status": check.status,
            "verification_reason": check.reason,
            "signature_algorithm": check.algorithm,
            "meter_serial": check.meter_serial,
            "page_number": page_number(check.record.payload) if check.record else None,
        }
        if not check.readings:
            rows.append(base)
            continue
        for r in check.readings:
            rows.append(
                {
                    **base,
                    "reading_index": r.index,
                    "measured_at_utc": r.measured_at.astimezone(UTC),
                    "measured_at_text": r.time_text,
                    "clock_state": r.clock_state,
                    "reading_reason": r.reason,
                    "value_text": r.value_text,
                    "unit": r.unit,
                    "value_kwh": r.value_kwh.quantize(KWH) if r.value_kwh is not None else None,
                    "obis_code": r.obis_code,
                    "meter_state": r.meter_state,
                    "error_flags": r.error_flags,
                    # whatever its signature: a reading the meter marked faulty never backs a bill
                    "is_usable": r.usable,
                }
            )
    return pa.Table.from_pylist(rows, schema=SCHEMA)
