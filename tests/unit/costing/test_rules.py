"""Costing rules the worked examples do not pin down: local time across DST, wrap-around time
windows, dates, kWh and duration thresholds, credits, missing data, and the reasons given when a
CDR cannot be priced."""

from __future__ import annotations

from decimal import Decimal

from chargelake.costing import cost_cdr, parse_tariff
from tests.unit.costing.scenario import cdr, hours

PEAK = parse_tariff(
    {
        "id": "PEAK",
        "currency": "EUR",
        "elements": [
            {
                "price_components": [{"type": "ENERGY", "price": "0.50", "vat": 19, "step_size": 1}],
                "restrictions": {
                    "start_time": "17:00",
                    "end_time": "21:00",
                    "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                },
            },
            {
                "price_components": [
                    {"type": "FLAT", "price": "0.35", "vat": 19, "step_size": 1},
                    {"type": "ENERGY", "price": "0.30", "vat": 19, "step_size": 1},
                ]
            },
        ],
    }
)


def excl(session, tariff=PEAK, tz="Europe/Berlin"):
    result = cost_cdr(session, [tariff], tz)
    assert result.costed, result.reason
    return result.total_excl_vat


def test_restrictions_use_the_sites_local_time_not_utc():
    # 17:30 in Berlin is 15:30 UTC in summer: peak. Priced in UTC it would be off-peak.
    session = cdr("2026-07-06T17:30", (60, {"ENERGY": 10}), tz="Europe/Berlin")
    assert excl(session) == Decimal("0.35") + Decimal("5.00")
    assert excl(session, tz="UTC") == Decimal("0.35") + Decimal("3.00")


def test_dst_change_days_keep_local_wall_clock():
    # Monday 2026-10-26 after the October change (UTC+1) and Friday 2026-03-27 before the March one.
    for day in ("2026-10-26", "2026-03-27"):
        assert excl(cdr(f"{day}T17:00", (60, {"ENERGY": 10}), tz="Europe/Berlin")) == Decimal("5.35")
        assert excl(cdr(f"{day}T16:59", (60, {"ENERGY": 10}), tz="Europe/Berlin")) == Decimal("3.35")


def test_weekend_is_off_peak():
    assert excl(cdr("2026-07-04T18:00", (60, {"ENERGY": 10}), tz="Europe/Berlin")) == Decimal("3.35")


def test_time_window_wrapping_midnight_and_end_of_day():
    night = parse_tariff(
        {
            "id": "N",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "ENERGY", "price": "0.10", "step_size": 1}],
                    "restrictions": {"start_time": "22:00", "end_time": "06:00"},
                },
                {
                    "price_components": [{"type": "ENERGY", "price": "0.40", "step_size": 1}],
                    "restrictions": {"start_time": "18:00", "end_time": "00:00"},
                },
                {"price_components": [{"type": "ENERGY", "price": "0.30", "step_size": 1}]},
            ],
        }
    )
    at = {
        t: excl(cdr(f"2026-07-06T{t}", (30, {"ENERGY": 1})), night, "UTC")
        for t in ("23:00", "05:59", "06:00", "18:00", "12:00")
    }
    assert at == {
        "23:00": Decimal("0.10"),
        "05:59": Decimal("0.10"),
        "06:00": Decimal("0.30"),
        "18:00": Decimal("0.40"),
        "12:00": Decimal("0.30"),
    }


def test_dates_kwh_and_duration_thresholds():
    tiers = parse_tariff(
        {
            "id": "K",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "ENERGY", "price": "0", "step_size": 1}],
                    "restrictions": {"start_date": "2026-07-01", "end_date": "2026-07-02"},
                },
                {
                    "price_components": [{"type": "ENERGY", "price": "0.20", "step_size": 1}],
                    "restrictions": {"max_kwh": 10},
                },
                {
                    "price_components": [{"type": "ENERGY", "price": "0.40", "step_size": 1}],
                    "restrictions": {"min_kwh": 10, "min_duration": 3600},
                },
                {"price_components": [{"type": "ENERGY", "price": "0.30", "step_size": 1}]},
            ],
        }
    )
    periods = ((30, {"ENERGY": 10}), (30, {"ENERGY": 5}), (30, {"ENERGY": 5}))
    # Promotion day: free. Otherwise the first 10 kWh at 0.20, the next 5 at 0.30 (under an hour),
    # then 0.40 once 10 kWh and an hour have passed.
    assert excl(cdr("2026-07-01T10:00", *periods), tiers, "UTC") == 0
    assert excl(cdr("2026-07-02T10:00", *periods), tiers, "UTC") == Decimal("2.00") + Decimal("1.50") + Decimal("2.00")


def test_credit_cdr_is_the_negative_of_its_periods():
    session = cdr("2026-07-06T10:00", (60, {"ENERGY": 10}), credit=True)
    result = cost_cdr(session, [PEAK], "Europe/Berlin")
    assert result.total_excl_vat == Decimal("-3.35")
    assert result.dimensions["ENERGY"].excl_vat == Decimal("-3.00")


def test_unevaluable_current_restriction_is_reported_and_does_not_hold():
    amps = parse_tariff(
        {
            "id": "A",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "TIME", "price": 1, "step_size": 1}],
                    "restrictions": {"max_current": 32},
                },
                {"price_components": [{"type": "TIME", "price": 2, "step_size": 1}]},
            ],
        }
    )
    result = cost_cdr(cdr("2026-07-06T10:00", (60, {"TIME": 1})), [amps], "UTC")
    assert result.total_excl_vat == 2
    assert any("max_current" in n for n in result.notes)


def test_average_power_stands_in_when_the_cdr_has_no_power_dimension():
    tiered = parse_tariff(
        {
            "id": "P",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "ENERGY", "price": "0.20", "step_size": 1}],
                    "restrictions": {"max_power": 16},
                },
                {"price_components": [{"type": "ENERGY", "price": "0.50", "step_size": 1}]},
            ],
        }
    )
    slow = cdr("2026-07-06T10:00", (60, {"ENERGY": 11, "TIME": 1}))
    fast = cdr("2026-07-06T10:00", (60, {"ENERGY": 50, "TIME": 1}))
    assert excl(slow, tiered, "UTC") == Decimal("2.20")
    assert excl(fast, tiered, "UTC") == Decimal("25.00")


def test_reasons_when_a_cdr_cannot_be_priced():
    session = cdr("2026-07-06T10:00", (60, {"ENERGY": 10}))
    assert "tariff not found" in cost_cdr(session, [], "UTC").reason
    named = {**session, "charging_periods": [{**session["charging_periods"][0], "tariff_id": "OTHER"}]}
    assert cost_cdr(named, [PEAK], "UTC").reason.startswith("tariff not found: OTHER")
    assert "time zone unknown" in cost_cdr(session, [PEAK], None).reason
    assert "not an IANA time zone" in cost_cdr(session, [PEAK], "Mars/Olympus").reason
    assert "no charging periods" in cost_cdr({**session, "charging_periods": []}, [PEAK], "UTC").reason


def test_no_vat_given_means_incl_equals_excl_and_min_price_without_incl_keeps_ratio():
    t = parse_tariff(
        {
            "id": "M",
            "currency": "EUR",
            "min_price": {"excl_vat": 2},
            "elements": [{"price_components": [{"type": "ENERGY", "price": "0.25", "vat": 20, "step_size": 1}]}],
        }
    )
    result = cost_cdr(cdr("2026-07-06T10:00", (60, {"ENERGY": 4})), [t], "UTC")
    assert (result.total_excl_vat, result.total_incl_vat, result.bound) == (2, Decimal("2.4"), "min_price")
    assert result.dimensions["ENERGY"].volume == 4


def test_money_never_passes_through_binary_floats():
    t = parse_tariff(
        {
            "id": "F",
            "currency": "EUR",
            "elements": [{"price_components": [{"type": "ENERGY", "price": 0.1, "step_size": 1}]}],
        }
    )
    result = cost_cdr(cdr("2026-07-06T10:00", (60, {"ENERGY": "3"})), [t], "UTC")
    assert result.total_excl_vat == Decimal("0.3")  # 0.1 * 3 in binary floats is 0.30000000000000004
    assert isinstance(result.total_excl_vat, Decimal)
    assert hours(30) == Decimal("0.5")
