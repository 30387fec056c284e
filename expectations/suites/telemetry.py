"""Telemetry raw tables: required columns and OCPP enums from the telemetry contract; plausibility
bounds that catch unit errors (W reported as kW, Wh as kWh in power), and time order."""

from __future__ import annotations

import pandas as pd

from chargelake.contract import load_contract
from expectations.rules import Related, TableRules

# Plausibility: the Megawatt Charging System (IEC/SAE MCS, up to 3.75 MW, 1,250 V, 3,000 A) bounds
# what any EVSE can measure; a larger value is a unit or scaling error, never a real reading.
MAX_POWER_KW = 4_000.0
MAX_VOLTAGE_V = 1_500.0
MAX_CURRENT_A = 3_000.0


# A register that falls to under half its previous reading was reset or its meter swapped: flagged,
# counted, and left to the interval marts. Any other step back is a corrupt reading and fails the day.
RESET_FRACTION = 0.5
REGISTER = "Energy.Active.Import.Register"
# Registers are reported to 0.1-1 Wh; a reading a last digit below the one before is rounding (found
# on the reference network: 2628.7938 then 2628.7937 kWh across two sessions), not a meter going back.
TOLERANCE_KWH = 0.001


# Power may exceed an EVSE's rating briefly and by measurement tolerance; 10% above it is not a
# reading of that EVSE (a unit or scaling error, or the wrong charger's values).
POWER_MARGIN = 1.10


def power_within_rating(df: pd.DataFrame, related: Related) -> tuple[pd.DataFrame, dict]:
    """`power_over_rating`: active power above the charge point's rated maximum (from the charge-point
    snapshot) by more than the margin. Rows of charge points the snapshot lacks are counted, unchecked."""
    df = df.assign(power_over_rating=False)
    points = related("charge_points", ["id", "power_kw"])
    power = df["value_kw"].notna()
    if points is None or not power.any():
        return df, {"power_rows_unchecked": int(power.sum())}
    rating = df["charge_point_id"].map(points.drop_duplicates("id").set_index("id")["power_kw"])
    over = power & rating.notna() & (df["value_kw"] > rating * POWER_MARGIN)
    df.loc[over, "power_over_rating"] = True
    return df, {"power_rows_unchecked": int((power & rating.isna()).sum())}


def energy_sign(df: pd.DataFrame) -> pd.DataFrame:
    """`energy_below_zero`: an import or export energy below zero (a sign or scaling error). Only a
    net register (`Energy.Active.Net`, `Energy.Reactive.Net`, ...) may go negative: a bidirectional
    (V2G) charger exports more than it imported."""
    net = df["measurand"].str.endswith(".Net", na=False)
    return df.assign(energy_below_zero=(df["value_kwh"] < 0) & ~net)


def meter_value_checks(df: pd.DataFrame, related: Related) -> tuple[pd.DataFrame, dict]:
    df = energy_sign(df)
    df, register_flags = register_order(df)
    df, power_flags = power_within_rating(df, related)
    return df, {**register_flags, **power_flags}


def register_order(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """`register_went_back`: the EVSE's energy register fell below its previous reading without
    a reset. Checked per charge point (the meter is the EVSE's) in measurement order."""
    df = df.assign(register_went_back=False)
    registers = df[(df["measurand"] == REGISTER) & df["value_kwh"].notna()]
    registers = registers.sort_values(["charge_point_id", "measured_at", "message_id", "sample_index"])
    previous = registers.groupby("charge_point_id")["value_kwh"].shift()
    back = registers["value_kwh"] < previous - TOLERANCE_KWH
    reset = back & (registers["value_kwh"] < previous * RESET_FRACTION)
    df.loc[registers.index[back & ~reset], "register_went_back"] = True
    flags = {
        "register_resets": int(reset.sum()),
        "register_reset_charge_points": sorted(set(registers.loc[reset, "charge_point_id"])),
    }
    return df, flags


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
        # OCPP unique ids are unique per connection only: two chargers may both send message "1",
        # and one charger may use it again after reconnecting.
        key=("charge_point_id", "message_id", "received_at", "meter_value_index", "sample_index"),
        non_negative=("soc_pct", "value_v"),
        maximums={"soc_pct": 100.0, "value_kw": MAX_POWER_KW, "value_v": MAX_VOLTAGE_V, "value_a": MAX_CURRENT_A},
        not_before=(("received_at", "measured_at"),),
        derive=meter_value_checks,
        derive_reads=(
            "charge_point_id",
            "measured_at",
            "message_id",
            "sample_index",
            "measurand",
            "value_kwh",
            "value_kw",
        ),
        must_be_false=("energy_below_zero", "register_went_back", "power_over_rating"),
    ),
    _rules("alarms", "received_at", not_before=(("received_at", "occurred_at"),)),
    _rules("charge_points", None, non_negative=("power_kw", "site_grid_capacity_kw")),
    _rules(
        "transactions",
        "received_at",
        key=("charge_point_id", "message_id", "received_at"),
        non_negative=("meter_kwh",),
        not_before=(("received_at", "occurred_at"),),
    ),
)
