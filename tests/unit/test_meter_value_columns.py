"""OCPP 1.6 and 2.0.1 sampled values in canonical units; what cannot be read is named, not guessed."""

import pytest

from extractors.common.errors import SourceError
from extractors.telemetry.columns import meter_value_table


def item(version: str, samples: list[dict], ts: str = "2026-03-01T10:00:00Z") -> dict:
    return {
        "id": "m1",
        "charge_point_id": "CP1",
        "ocpp_version": version,
        "connector_id": 1,
        "transaction_id": "T1",
        "timestamp": ts,
        "received_at": "2026-03-01T10:00:05Z",
        "message": {"meterValue": [{"timestamp": ts, "sampledValue": samples}]},
    }


def test_ocpp_16_strings_default_to_the_register_in_wh():
    rows = meter_value_table(
        [item("1.6", [{"value": "12345.6"}, {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"}])], "p"
    ).to_pylist()
    assert rows[0]["measurand"] == "Energy.Active.Import.Register" and rows[0]["unit"] == "Wh"
    assert rows[0]["value_kwh"] == pytest.approx(12.3456) and rows[0]["value_raw"] == "12345.6"
    assert rows[1]["value_kw"] == pytest.approx(7.4) and rows[1]["value_kwh"] is None


def test_ocpp_201_numbers_with_multiplier_and_other_units():
    samples = [
        {"value": 7.4, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W", "multiplier": 3}},
        {"value": 81, "measurand": "SoC", "unitOfMeasure": {"unit": "Percent"}},
        {"value": 2.5, "measurand": "Power.Reactive.Import", "unitOfMeasure": {"unit": "kvar"}},
        {"value": 16.0, "measurand": "Current.Import", "phase": "L2", "unitOfMeasure": {"unit": "A"}},
    ]
    power, soc, reactive, current = meter_value_table([item("2.0.1", samples)], "p").to_pylist()
    assert power["value"] == pytest.approx(7400) and power["value_kw"] == pytest.approx(7.4)
    assert soc["soc_pct"] == 81 and current["value_a"] == 16.0 and current["phase"] == "L2"
    assert reactive["value"] == 2.5 and all(reactive[c] is None for c in ("value_kwh", "value_kw", "value_a"))


def test_a_timestamp_without_offset_is_named():
    with pytest.raises(
        SourceError, match=r"page x: measured_at '2026-03-01T10:00:00' is not a timestamp with a UTC offset"
    ):
        meter_value_table([item("1.6", [{"value": "1"}], ts="2026-03-01T10:00:00")], "page x")


def test_a_value_that_is_not_a_number_is_named():
    with pytest.raises(SourceError, match=r"page x: message 'm1' value 0.0: value 'n/a' is not a number"):
        meter_value_table([item("1.6", [{"value": "n/a"}])], "page x")
