"""Verification of many signed values at once, for the dbt Python model `int_ocpi__cdr_signed_readings`:
Arrow rows of signed values in (one per OCPI `signed_values[]` entry, with its CDR's public key and
encoding method), one row per reading out, each with its signed value's verification status. A
signed value that could not be read at all still gives one row (no reading), so it is counted."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pyarrow as pa

from chargelake.ocmf.readings import page_number
from chargelake.ocmf.verify import verify_signed_value

SCHEMA = pa.schema(
    [
        ("cdr_key", pa.string()),
        ("cdr_last_updated_at_utc", pa.timestamp("us")),
        ("signed_value_index", pa.int64()),
        ("nature", pa.string()),
        ("verification_status", pa.string()),
        ("verification_reason", pa.string()),
        ("signature_algorithm", pa.string()),
        ("meter_serial", pa.string()),
        ("page_number", pa.int64()),
        ("reading_index", pa.int64()),
        ("measured_at_utc", pa.timestamp("us")),  # naive UTC, as every *_at_utc column
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


def verify_table(signed_values: pa.Table | pa.RecordBatchReader) -> pa.Table:
    batches = signed_values.to_batches() if isinstance(signed_values, pa.Table) else signed_values
    rows: list[dict] = []
    for value in (v for batch in batches for v in batch.to_pylist()):
        check = verify_signed_value(value["signed_data"], value["public_key"], value["encoding_method"])
        base = {
            "cdr_key": value["cdr_key"],
            "cdr_last_updated_at_utc": value["cdr_last_updated_at_utc"],
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
                    "measured_at_utc": r.measured_at.astimezone(UTC).replace(tzinfo=None),
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
