"""Carbon raw table: required columns and enums from the carbon contract; intensity within what any
grid has shown (lignite-only generation is ~1,100 gCO2e/kWh; 2,000 leaves room and catches kg/MWh
mix-ups the other way round)."""

from __future__ import annotations

from chargelake.contract import load_contract
from expectations.rules import TableRules

MAX_GCO2E_PER_KWH = 2_000.0


def _rules() -> TableRules:
    contract = load_contract("carbon")
    spec = contract.tables["grid_intensity"]
    return TableRules(
        "carbon",
        "grid_intensity",
        key=("zone", "source", "period_start_at"),
        required=spec.required_columns(),
        enums={c.name: contract.enums[c.enum] for c in spec.columns if c.enum},
        non_negative=("gco2e_per_kwh", "actual_gco2e_per_kwh", "forecast_gco2e_per_kwh"),
        maximums={"gco2e_per_kwh": MAX_GCO2E_PER_KWH},
        window_column="period_start_at",
        not_before=(("period_end_at", "period_start_at"),),
    )


CARBON_RULES: tuple[TableRules, ...] = (_rules(),)
