"""The register rule of the meter-value suite: resets are flagged and counted, other steps back fail."""

import pandas as pd

from expectations.suites.telemetry import REGISTER, register_order


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "charge_point_id": cp,
                "measured_at": pd.Timestamp(ts),
                "message_id": f"{cp}-{ts}",
                "sample_index": 0,
                "measurand": REGISTER,
                "value_kwh": kwh,
            }
            for cp, ts, kwh in rows
        ]
        + [
            {
                "charge_point_id": "A",
                "measured_at": pd.Timestamp("2026-03-01 10:05"),
                "message_id": "p",
                "sample_index": 1,
                "measurand": "Power.Active.Import",
                "value_kwh": None,
            }
        ]
    )


def test_growing_registers_pass_in_measurement_order_whatever_the_row_order():
    df, flags = register_order(
        frame([("A", "2026-03-01 10:15", 12.0), ("A", "2026-03-01 10:00", 10.0), ("B", "2026-03-01 10:00", 1.0)])
    )
    assert not df["register_went_back"].any() and flags["register_resets"] == 0


def test_a_last_digit_of_rounding_is_not_a_step_back():
    df, _ = register_order(frame([("A", "2026-03-01 10:00", 2628.7938), ("A", "2026-03-01 18:00", 2628.7937)]))
    assert not df["register_went_back"].any()


def test_a_reset_is_flagged_not_failed_and_a_small_step_back_fails():
    rows = [
        ("A", "2026-03-01 10:00", 5000.0),
        ("A", "2026-03-01 11:00", 0.4),  # meter swapped: back to ~0
        ("A", "2026-03-01 12:00", 1.2),
        ("B", "2026-03-01 10:00", 800.0),
        ("B", "2026-03-01 11:00", 799.5),  # 0.5 kWh backwards: a corrupt reading
    ]
    df, flags = register_order(frame(rows))
    assert flags == {"register_resets": 1, "register_reset_charge_points": ["A"]}
    went_back = df[df["register_went_back"]]
    assert list(went_back["charge_point_id"]) == ["B"] and list(went_back["value_kwh"]) == [799.5]
