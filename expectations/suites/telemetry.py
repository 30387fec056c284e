"""Telemetry raw tables: required columns and OCPP enums from the telemetry contract; plausibility
bounds that catch unit errors (W reported as kW, Wh as kWh in power), and time order."""

from __future__ import annotations

from chargelake.contract import load_contract
from expectations.rules import TableRules

# Plausibility: the Megawatt Charging System (IEC/SAE MCS, up to 3.75 MW, 1,250 V, 3,000 A) bounds
# what any EVSE can measure; a larger value is a unit or scaling error, never a real reading.
MAX_POWER_KW = 4_000.0
MAX_VOLTAGE_V = 1_500.0
MAX_CURRENT_A = 3_000.0


def _rules(table: str, window_column: str | None, **extra) -> TableRules:
    contract = load_contract("telemetry")
    spec = contract.tables[table]
    return TableRules(
        "telemetry",
        table,
        key=extra.pop("key", (contract.keys[table],)),
        required=spec.required_columns(),
        enums={c.name: contract.enums[c.enum] for c in spec.columns if c.enum},
        window_column=window_column,
        **extra,
    )


TELEMETRY_RULES: tuple[TableRules, ...] = (
    _rules(
        "meter_values",
        "received_at",
        key=("message_id", "meter_value_index", "sample_index"),
        non_negative=("value_kwh", "soc_pct", "value_v"),
        maximums={"soc_pct": 100.0, "value_kw": MAX_POWER_KW, "value_v": MAX_VOLTAGE_V, "value_a": MAX_CURRENT_A},
        not_before=(("received_at", "measured_at"),),
    ),
    _rules("alarms", "received_at", not_before=(("received_at", "occurred_at"),)),
    _rules("charge_points", None, non_negative=("power_kw", "site_grid_capacity_kw")),
)
