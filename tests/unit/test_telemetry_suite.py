"""The register rule of the meter-value suite: resets are flagged and counted, other steps back fail."""

import pandas as pd

from expectations.suites.telemetry import REGISTER, power_within_rating, register_order


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


def power_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "charge_point_id": ["A", "A", "B", "C"],
            "value_kw": [22.0, 24.5, 60.0, 7.0],
            "measurand": ["Power.Active.Import"] * 4,
        }
    )


def test_power_above_the_evse_rating_by_more_than_the_margin_fails():
    points = pd.DataFrame({"id": ["A", "B"], "power_kw": [22.0, 50.0]})
    df, flags = power_within_rating(power_frame(), lambda table, columns: points if table == "charge_points" else None)
    assert list(df["power_over_rating"]) == [False, True, True, False]  # 24.5 > 22 × 1.1; 60 > 55; C unknown
    assert flags == {"power_rows_unchecked": 1}


def test_without_a_charge_point_snapshot_power_is_counted_unchecked():
    df, flags = power_within_rating(power_frame(), lambda table, columns: None)
    assert not df["power_over_rating"].any() and flags == {"power_rows_unchecked": 4}
