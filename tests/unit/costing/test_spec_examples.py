"""Every worked example of OCPI 2.2.1 mod_tariffs and mod_cdrs, priced by `chargelake.costing`.

The tariffs are the spec's own example files (tests/fixtures/ocpi-2.2.1/examples, verbatim); the
sessions are built from each example's sentence. Where the spec's arithmetic contradicts its own
rule, the test follows the rule and says so.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from chargelake.costing import cost_cdr, parse_tariff
from tests.conftest import EXAMPLES_221
from tests.unit.costing.scenario import cdr, hours


def tariff(name: str):
    return parse_tariff(json.loads((EXAMPLES_221 / f"{name}.json").read_text()))


def priced(name: str, session: dict, tz: str = "UTC"):
    result = cost_cdr(session, [tariff(name)], tz)
    assert result.costed, result.reason
    return result


def totals(result) -> tuple[Decimal, Decimal]:
    return round(result.total_excl_vat, 3), round(result.total_incl_vat, 3)


CHARGE_20_KWH = (60, {"ENERGY": 20, "TIME": 1})

CASES = [
    # (spec example, tariff file, session, expected excl., expected incl.)
    ("0.25/kWh, 20 kWh", "tariff_8_simple_025kwh", cdr("2024-05-06T10:00", CHARGE_20_KWH), "5.00", "5.50"),
    ("0.25/kWh + start fee, 20 kWh", "tariff_9_025kwh_start", cdr("2024-05-06T10:00", CHARGE_20_KWH), "5.50", "6.10"),
    ("min price, 20 kWh", "tariff_12_025kwh_min_price", cdr("2024-05-06T10:00", CHARGE_20_KWH), "5.00", "5.50"),
    (
        "min price, under 2 kWh",
        "tariff_12_025kwh_min_price",
        cdr("2024-05-06T10:00", (30, {"ENERGY": "1.5", "TIME": "0.5"})),
        "0.50",
        "0.55",
    ),
    (
        "0.25/kWh + parking + start fee: 20 kWh, parks 40 min",
        "tariff_10_025kwh_parking_start",
        cdr("2024-05-06T10:00", CHARGE_20_KWH, (40, {"PARKING_TIME": hours(40)})),
        "7.00",
        "7.90",
    ),
    (
        "max price, 50 kWh",
        "tariff_6_025kwh_start_max_price",
        cdr("2019-05-06T10:00", (120, {"ENERGY": 50, "TIME": 2})),
        "10.00",
        "11.00",
    ),
    (
        "max price, 30 kWh",
        "tariff_6_025kwh_start_max_price",
        cdr("2019-05-06T10:00", (90, {"ENERGY": 30, "TIME": "1.5"})),
        "8.00",
        "8.85",
    ),
    ("2/hour, 2.5 hours", "tariff_1_simple_2hour", cdr("2024-05-06T10:00", (150, {"TIME": "2.5"})), "5.00", "5.50"),
    (
        "3/hour + 5/hour parking: 2.5 h, parks 42 min",
        "tariff_13_simple_3hour_5parking",
        cdr("2024-05-06T10:00", (150, {"TIME": "2.5"}), (42, {"PARKING_TIME": hours(42)})),
        "11.25",
        "12.75",
    ),
    (
        # The spec rounds 4.75 x 1.052 = 4.997 to 5.00 in its prose.
        "ad hoc 1.90/hour, 2.5 hours",
        "tariff_2_alt_text",
        cdr("2024-05-06T10:00", (150, {"TIME": "2.5"})),
        "4.75",
        "4.997",
    ),
    (
        "alt url: start fee + 20.45 kWh billed per 100 Wh",
        "tariff_3_alt_url",
        cdr("2024-05-06T10:00", (60, {"ENERGY": "20.45", "TIME": 1})),
        "5.625",  # the spec prints 5.63 (cents)
        "6.238",  # the spec prints 6.24
    ),
    (
        "complex: Monday 09:30, 165 min at 16 A, parks 42 min",
        "tariff_4_complex",
        cdr(
            "2024-05-06T09:30",
            (165, {"TIME": hours(165), "MAX_CURRENT": 16, "MIN_CURRENT": 16}),
            (42, {"PARKING_TIME": hours(42)}),
        ),
        "9.00",
        "10.30",
    ),
    (
        # The spec's table bills 114 minutes at 1.25/hour as 2.28; 114/60 x 1.25 is 2.375 (2.28 is
        # 114 minutes at 1.20). We follow the tariff, so the total is 12.375, not 12.28.
        "complex: Saturday 13:30, 114 min at 43 A, parks 71 min",
        "tariff_4_complex",
        cdr(
            "2024-05-04T13:30",
            (114, {"TIME": hours(114), "MAX_CURRENT": 43, "MIN_CURRENT": 43}),
            (71, {"PARKING_TIME": hours(71)}),
        ),
        "12.375",
        "13.975",
    ),
    ("free of charge", "tariff_5_free_of_charge", cdr("2024-05-06T10:00", CHARGE_20_KWH), "0.00", "0.00"),
    (
        "reservation 5/hour: reserved 15 min, then 20 kWh",
        "tariff_15_reservation_5_euro_per_hour",
        cdr("2024-05-06T10:00", (15, {"RESERVATION_TIME": hours(15)}), CHARGE_20_KWH),
        "6.75",
        "7.60",
    ),
    (
        "reservation fee + 5/hour per 5 min: reserved 13 min, then 20 kWh",
        "tariff_16_reservation_2_euro_fee_5_euro_per_hour",
        cdr("2024-05-06T10:00", (13, {"RESERVATION_TIME": hours(13)}), CHARGE_20_KWH),
        "8.75",
        "10.00",
    ),
    (
        "reservation with expire fee: reserved 22 min, then 20 kWh",
        "tariff_17_reservation_with_expire_fee",
        cdr("2024-05-06T10:00", (22, {"RESERVATION_TIME": hours(22)}), CHARGE_20_KWH),
        "6.50",
        "7.30",
    ),
    (
        "reservation with expire fee: expired after 1 hour",
        "tariff_17_reservation_with_expire_fee",
        cdr("2024-05-06T10:00", (60, {"RESERVATION_TIME": 1})),
        "6.00",
        "7.20",
    ),
    (
        "reservation with expire time: reserved 22 min, then 20 kWh",
        "tariff_18_reservation_with_expire_time",
        cdr("2024-05-06T10:00", (22, {"RESERVATION_TIME": hours(22)}), CHARGE_20_KWH),
        "7.00",
        "7.90",
    ),
    (
        "reservation with expire time: expired after 1.5 hours",
        "tariff_18_reservation_with_expire_time",
        cdr("2024-05-06T10:00", (90, {"RESERVATION_TIME": "1.5"})),
        "9.00",
        "10.80",
    ),
    (
        "step size #1: 16:55 charges 10 min, parks 2 min",
        "tariff_14_step_size",
        cdr(
            "2024-05-06T16:55",
            (5, {"TIME": hours(5)}),
            (5, {"TIME": hours(5)}),
            (2, {"PARKING_TIME": hours(2)}),
        ),
        "0.55",
        "0.55",
    ),
    (
        "step size #2: 16:35 charges 35 min, no parking",
        "tariff_14_step_size",
        cdr("2024-05-06T16:35", (25, {"TIME": hours(25)}), (10, {"TIME": hours(10)})),
        "1.30",
        "1.30",
    ),
    (
        "step size #3: 19:40 charges 12 min, parks 20 min (free after 20:00)",
        "tariff_14_step_size",
        cdr(
            "2024-05-06T19:40",
            (12, {"TIME": hours(12)}),
            (8, {"PARKING_TIME": hours(8)}),
            (12, {"PARKING_TIME": hours(12)}),
        ),
        "0.73",
        "0.73",
    ),
    (
        "max_power: 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW",
        "tariffrestriction_example_max_power",
        cdr(
            "2024-05-06T10:00",
            (10, {"ENERGY": 1, "MAX_POWER": 6}),
            (50, {"ENERGY": 40, "MAX_POWER": 48}),
            (8, {"ENERGY": "0.5", "MAX_POWER": 4}),
        ),
        "20.30",
        "24.36",
    ),
    (
        "max_duration: 5 kWh in the first 30 min, 1.2 kWh in the next 10",
        "tariffrestriction_example_max_duration",
        cdr("2024-05-06T10:00", (30, {"ENERGY": 5}), (10, {"ENERGY": "1.2"})),
        "0.30",
        "0.36",
    ),
]


@pytest.mark.parametrize(("example", "name", "session", "excl", "incl"), CASES, ids=[c[0] for c in CASES])
def test_mod_tariffs_worked_examples(example, name, session, excl, incl):
    assert totals(priced(name, session)) == (Decimal(excl), Decimal(incl)), example


def test_mod_cdrs_step_size_examples():
    """mod_cdrs "step_size": rounding applies to the session total, never per period."""
    energy = parse_tariff(
        {
            "id": "E",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "ENERGY", "price": "0.20", "step_size": 500}],
                    "restrictions": {"end_time": "17:00"},
                },
                {"price_components": [{"type": "ENERGY", "price": "0.27", "step_size": 500}]},
            ],
        }
    )
    # 4.3 kWh before 17:00 and 1.1 after: 5.4 rounds to 5.5 kWh, the extra 0.1 at the later price.
    session = cdr("2024-05-06T16:00", (60, {"ENERGY": "4.3"}), (30, {"ENERGY": "1.1"}))
    assert cost_cdr(session, [energy], "UTC").total_excl_vat == Decimal("4.3") * Decimal("0.20") + Decimal(
        "1.2"
    ) * Decimal("0.27")

    time_tariff = parse_tariff(
        {
            "id": "T",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [{"type": "TIME", "price": 5, "step_size": 600}],
                    "restrictions": {"end_time": "17:00"},
                },
                {"price_components": [{"type": "TIME", "price": 7, "step_size": 600}]},
            ],
        }
    )
    # 6 min before 17:00 and 22 after: 28 rounds to 30 minutes in total, 24 of them after 17:00.
    session = cdr("2024-05-06T16:54", (6, {"TIME": hours(6)}), (22, {"TIME": hours(22)}))
    assert cost_cdr(session, [time_tariff], "UTC").total_excl_vat == hours(6) * 5 + hours(24) * 7

    both = parse_tariff(
        {
            "id": "B",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [
                        {"type": "TIME", "price": 1, "step_size": 600},
                        {"type": "PARKING_TIME", "price": 2, "step_size": 600},
                    ]
                }
            ],
        }
    )
    # 21 min charging (not rounded: followed by parking), 16 min parking rounded to 20.
    session = cdr("2024-05-06T10:00", (21, {"TIME": hours(21)}), (16, {"PARKING_TIME": hours(16)}))
    result = cost_cdr(session, [both], "UTC")
    assert result.dimensions["TIME"].volume == hours(21)
    assert result.dimensions["PARKING_TIME"].volume == hours(20)


def test_spec_cdr_example_is_reproduced():
    """examples/cdr_example.json: 1.973 h at 2.00/hour per 5 minutes bills 2 hours: 4.00 / 4.40."""
    example = json.loads((EXAMPLES_221 / "cdr_example.json").read_text())
    result = cost_cdr(example, [parse_tariff(t) for t in example["tariffs"]], None)
    assert (result.total_excl_vat, result.total_incl_vat) == (Decimal("4.00"), Decimal("4.40"))
    assert result.total_excl_vat == Decimal(str(example["total_cost"]["excl_vat"]))
    assert result.tariff_ids == ("12",)


def test_step_size_one_still_rounds_up_to_whole_units():
    """mod_tariffs: 115.2 Wh at step_size 1 bills 116 Wh; at 25, 125 Wh; at 500, 500 Wh."""
    for step, billed_wh in ((1, 116), (25, 125), (500, 500)):
        t = parse_tariff(
            {
                "id": "S",
                "currency": "EUR",
                "elements": [{"price_components": [{"type": "ENERGY", "price": "0.25", "step_size": step}]}],
            }
        )
        result = cost_cdr(cdr("2024-05-06T10:00", (10, {"ENERGY": "0.1152"})), [t], "UTC")
        assert result.dimensions["ENERGY"].volume * 1000 == billed_wh
