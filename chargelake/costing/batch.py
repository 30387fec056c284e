"""The costing library over Arrow: CDR documents in, one priced row per CDR out.

Used by the warehouse's Python model `int_finance__cdr_costs`: record batches stream through, so a
year of CDRs never sits in memory as Python objects at once. Money leaves as decimal(38, 9): the
engine's exact result, cut at a billionth of a currency unit, never a binary float.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa

from chargelake.costing.engine import BUCKETS, CdrCosting, cost_cdr
from chargelake.costing.tariff import Tariff, TariffError, parse_tariff

MONEY = pa.decimal128(38, 9)
QUANTUM = Decimal("1e-9")
BUCKET_NAMES = {
    "FLAT": "flat",
    "ENERGY": "energy",
    "TIME": "time",
    "PARKING_TIME": "parking",
    "RESERVATION_TIME": "reservation",
}
VOLUME_NAMES = {"FLAT": "flat_fee_count", "ENERGY": "billed_energy_kwh", "TIME": "billed_time_hours"}
VOLUME_NAMES |= {"PARKING_TIME": "billed_parking_hours", "RESERVATION_TIME": "billed_reservation_hours"}

SCHEMA = pa.schema(
    [
        ("cdr_key", pa.string()),
        ("cdr_record_id", pa.string()),
        ("cdr_last_updated_at_utc", pa.timestamp("us")),
        ("tariff_source", pa.string()),
        ("costing_status", pa.string()),
        ("not_costable_reason", pa.string()),
        ("tariff_ids", pa.string()),
        ("price_bound_applied", pa.string()),
        ("costing_notes", pa.string()),
        *[(VOLUME_NAMES[b], MONEY) for b in BUCKETS],
        *[(f"{BUCKET_NAMES[b]}_cost_{v}_vat", MONEY) for b in BUCKETS for v in ("excl", "incl")],
        ("total_cost_excl_vat", MONEY),
        ("total_cost_incl_vat", MONEY),
    ]
)


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def _tariffs(documents: list[Mapping] | None) -> list[Tariff]:
    return [parse_tariff(d) for d in documents or ()]


def row(inputs: Mapping) -> dict:
    """One output row for one input row (the columns of `int_finance__cdr_costing_inputs`)."""
    try:
        result = cost_cdr(inputs, _tariffs(inputs.get("tariffs")), inputs.get("time_zone"))
    except TariffError as exc:
        result = CdrCosting(reason=f"unreadable tariff: {exc}")
    out: dict = {
        "cdr_key": inputs.get("cdr_key"),
        "cdr_record_id": inputs.get("cdr_record_id"),
        "cdr_last_updated_at_utc": inputs.get("last_updated_at_utc"),
        "tariff_source": inputs.get("tariff_source"),
        "costing_status": "costed" if result.costed else "not_costable",
        "not_costable_reason": result.reason,
        "tariff_ids": ",".join(result.tariff_ids) or None,
        "price_bound_applied": result.bound,
        "costing_notes": "; ".join(result.notes) or None,
        "total_cost_excl_vat": _q(result.total_excl_vat),
        "total_cost_incl_vat": _q(result.total_incl_vat),
    }
    for bucket in BUCKETS:
        d = result.dimensions.get(bucket)
        name = BUCKET_NAMES[bucket]
        costed = result.costed
        out[VOLUME_NAMES[bucket]] = _q(d.volume) if d else (Decimal(0) if costed else None)
        out[f"{name}_cost_excl_vat"] = _q(d.excl_vat) if d else (Decimal(0) if costed else None)
        out[f"{name}_cost_incl_vat"] = _q(d.incl_vat) if d else (Decimal(0) if costed else None)
    return out


def cost_batches(reader: pa.RecordBatchReader | pa.Table) -> pa.RecordBatchReader:
    """Price every row of `reader`, batch by batch, lazily."""
    batches = reader.to_batches() if isinstance(reader, pa.Table) else reader

    def generate() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = [row(r) for r in batch.to_pylist()]
            yield pa.RecordBatch.from_pylist(rows, schema=SCHEMA)

    return pa.RecordBatchReader.from_batches(SCHEMA, generate())
