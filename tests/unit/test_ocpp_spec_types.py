"""Meter values built from the OCPP JSON schemas' own type rules, not from the simulator's habits:
every 1.6 and 2.0.1 measurand, unit, phase, context and location, integer and string transaction ids,
numbers and strings as values, milli-/micro-/nanosecond timestamps with `Z` or an offset, several
meterValue entries per message, TransactionEvent and StopTransaction carriers, signed values.

The enums below are the schemas' (OCPP 1.6 `MeterValues.json`, OCPP 2.0.1 `MeterValuesRequest.json`
and `TransactionEventRequest.json`); the expected canonical values are computed here from the units'
definitions, independently of the extractor's tables.
"""

from datetime import UTC, datetime

import pytest

from chargelake.contract import load_contract
from extractors.common.errors import SourceError
from extractors.telemetry.columns import meter_value_table

MEASURANDS_16 = (
    "Energy.Active.Export.Register",
    "Energy.Active.Import.Register",
    "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register",
    "Energy.Active.Export.Interval",
    "Energy.Active.Import.Interval",
    "Energy.Reactive.Export.Interval",
    "Energy.Reactive.Import.Interval",
    "Power.Active.Export",
    "Power.Active.Import",
    "Power.Offered",
    "Power.Reactive.Export",
    "Power.Reactive.Import",
    "Power.Factor",
    "Current.Import",
    "Current.Export",
    "Current.Offered",
    "Voltage",
    "Frequency",
    "Temperature",
    "SoC",
    "RPM",
)
MEASURANDS_201 = (
    "Current.Export",
    "Current.Import",
    "Current.Offered",
    "Energy.Active.Export.Register",
    "Energy.Active.Import.Register",
    "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register",
    "Energy.Active.Export.Interval",
    "Energy.Active.Import.Interval",
    "Energy.Active.Net",
    "Energy.Reactive.Export.Interval",
    "Energy.Reactive.Import.Interval",
    "Energy.Reactive.Net",
    "Energy.Apparent.Net",
    "Energy.Apparent.Import",
    "Energy.Apparent.Export",
    "Frequency",
    "Power.Active.Export",
    "Power.Active.Import",
    "Power.Factor",
    "Power.Offered",
    "Power.Reactive.Export",
    "Power.Reactive.Import",
    "SoC",
    "Voltage",
)
# 1.6 UnitOfMeasure (its schema spells Celsius "Celcius"; the errata accepts both).
UNITS_16 = (
    "Wh",
    "kWh",
    "varh",
    "kvarh",
    "W",
    "kW",
    "VA",
    "kVA",
    "var",
    "kvar",
    "A",
    "V",
    "K",
    "Celcius",
    "Celsius",
    "Fahrenheit",
    "Percent",
)
PHASES = ("L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1")
CONTEXTS = (
    "Interruption.Begin",
    "Interruption.End",
    "Sample.Clock",
    "Sample.Periodic",
    "Transaction.Begin",
    "Transaction.End",
    "Trigger",
    "Other",
)
LOCATIONS = ("Cable", "EV", "Inlet", "Outlet", "Body")


def expected_canonical(measurand: str, unit: str, value: float) -> dict[str, float | None]:
    """kWh for active energy in Wh/kWh, kW for active power in W/kW, A, V and % as they are."""
    out: dict[str, float | None] = dict.fromkeys(("value_kwh", "value_kw", "value_a", "value_v", "soc_pct"))
    if measurand.startswith("Energy.Active.") and unit in ("Wh", "kWh"):
        out["value_kwh"] = value / 1000 if unit == "Wh" else value
    elif measurand.startswith("Power.Active.") and unit in ("W", "kW"):
        out["value_kw"] = value / 1000 if unit == "W" else value
    elif measurand.startswith("Current.") and unit == "A":
        out["value_a"] = value
    elif measurand == "Voltage" and unit == "V":
        out["value_v"] = value
    elif measurand == "SoC" and unit == "Percent":
        out["soc_pct"] = value
    return out


def envelope(version: str, message: dict, **fields) -> dict:
    return {
        "id": fields.pop("id", "m1"),
        "charge_point_id": "CP-REAL-1",
        "ocpp_version": version,
        "received_at": "2026-03-28T10:15:04Z",
        "message": message,
        **fields,
    }


def test_every_16_measurand_in_every_unit_phase_context_and_location():
    samples = []
    for i, (measurand, unit) in enumerate((m, u) for m in MEASURANDS_16 for u in UNITS_16):
        samples.append(
            {
                "value": f"{100 + i}.25",
                "measurand": measurand,
                "unit": unit,
                "phase": PHASES[i % len(PHASES)],
                "context": CONTEXTS[i % len(CONTEXTS)],
                "location": LOCATIONS[i % len(LOCATIONS)],
                "format": "Raw",
            }
        )
    message = {"connectorId": 2, "transactionId": 1742, "meterValue": [{"timestamp": "2026-03-28T10:15:00Z"}]}
    message["meterValue"][0]["sampledValue"] = samples
    rows = meter_value_table([envelope("1.6", message)], "page p").to_pylist()
    assert len(rows) == len(MEASURANDS_16) * len(UNITS_16)
    enum = load_contract("telemetry").enums["ocpp_measurand"]
    for sample, row in zip(samples, rows, strict=True):
        value = float(sample["value"])
        unit = "Celsius" if sample["unit"] == "Celcius" else sample["unit"]
        assert row["measurand"] == sample["measurand"] and row["measurand"] in enum
        assert (row["unit"], row["phase"], row["context"], row["location"]) == (
            unit,
            sample["phase"],
            sample["context"],
            sample["location"],
        )
        assert row["value"] == value and row["value_raw"] == sample["value"] and row["multiplier"] == 0
        for column, expected in expected_canonical(row["measurand"], unit, value).items():
            assert row[column] == (pytest.approx(expected) if expected is not None else None), (sample, column)
        assert row["transaction_id"] == "1742" and row["connector_id"] == 2


@pytest.mark.parametrize("multiplier", [-3, 0, 3])
def test_every_201_measurand_with_unit_of_measure_and_multiplier(multiplier):
    units = {"Energy": "Wh", "Power": "W", "Current": "A", "Voltage": "V", "SoC": "Percent", "Frequency": "Hz"}
    samples = [
        {
            "value": 12.5 + i,
            "measurand": m,
            "unitOfMeasure": {"unit": units.get(m.split(".")[0], "W"), "multiplier": multiplier},
            "phase": PHASES[i % len(PHASES)],
        }
        for i, m in enumerate(MEASURANDS_201)
    ]
    event = {
        "eventType": "Updated",
        "timestamp": "2026-03-28T10:15:00.123+01:00",
        "triggerReason": "MeterValuePeriodic",
        "seqNo": 4,
        "transactionInfo": {"transactionId": "f3b1c2d4-tx"},
        "evse": {"id": 3, "connectorId": 1},
        "meterValue": [{"timestamp": "2026-03-28T10:15:00.123+01:00", "sampledValue": samples}],
    }
    rows = meter_value_table([envelope("2.0.1", event)], "page p").to_pylist()
    for sample, row in zip(samples, rows, strict=True):
        value = sample["value"] * 10**multiplier
        assert row["value"] == pytest.approx(value) and row["multiplier"] == multiplier
        assert row["value_raw"] == repr(sample["value"])
        for column, expected in expected_canonical(row["measurand"], row["unit"], value).items():
            assert row[column] == (pytest.approx(expected) if expected is not None else None), (sample, column)
        assert (row["transaction_id"], row["evse_id"], row["connector_id"]) == ("f3b1c2d4-tx", 3, 1)
        assert row["measured_at"] == datetime(2026, 3, 28, 9, 15, 0, 123000, tzinfo=UTC)


def test_several_meter_values_per_message_and_any_timestamp_precision():
    stamps = (
        "2026-03-28T10:00:00Z",
        "2026-03-28T10:00:01.5Z",
        "2026-03-28T10:00:02.123Z",
        "2026-03-28T10:00:03.123456Z",
        "2026-03-28T10:00:04.123456789Z",
        "2026-03-28T12:00:05.250+02:00",
        "2026-03-28T05:00:06-05:00",
    )
    message = {
        "connectorId": 1,
        "transactionId": 7,
        "meterValue": [{"timestamp": t, "sampledValue": [{"value": str(1000 + i)}]} for i, t in enumerate(stamps)],
    }
    rows = meter_value_table([envelope("1.6", message)], "page p").to_pylist()
    assert [(r["meter_value_index"], r["sample_index"]) for r in rows] == [(i, 0) for i in range(len(stamps))]
    assert [r["measured_at"] for r in rows] == [
        datetime(2026, 3, 28, 10, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 10, 0, 1, 500000, tzinfo=UTC),
        datetime(2026, 3, 28, 10, 0, 2, 123000, tzinfo=UTC),
        datetime(2026, 3, 28, 10, 0, 3, 123456, tzinfo=UTC),
        datetime(2026, 3, 28, 10, 0, 4, 123456, tzinfo=UTC),  # nanoseconds: Arrow keeps microseconds
        datetime(2026, 3, 28, 10, 0, 5, 250000, tzinfo=UTC),
        datetime(2026, 3, 28, 10, 0, 6, tzinfo=UTC),
    ]
    # Unique ids are unique per connection only: the row id adds the charge point and receive time.
    assert {r["_dlt_id"] for r in rows} == {f"CP-REAL-1/m1@2026-03-28T10:15:04Z/{i}/0" for i in range(len(stamps))}


def test_signed_values_are_kept_beside_the_number():
    signed_201 = {
        "signedMeterData": "T0NNRnx7IkZWIjoiMS4wIn18eyJTRCI6IjMwNDUifQ==",
        "signingMethod": "ECDSA-secp256r1-SHA256",
        "encodingMethod": "OCMF",
        "publicKey": "3059301306072a8648ce3d020106082a8648ce3d03010703420004",
    }
    event = {
        "transactionInfo": {"transactionId": "tx-9"},
        "evse": {"id": 1},
        "meterValue": [
            {
                "timestamp": "2026-03-28T10:15:00Z",
                "sampledValue": [
                    {"value": 15.234, "unitOfMeasure": {"unit": "kWh"}, "signedMeterValue": signed_201},
                ],
            }
        ],
    }
    stop_16 = {  # StopTransaction.req: the meter values travel in `transactionData`
        "transactionId": 55,
        "meterStop": 15234,
        "timestamp": "2026-03-28T10:20:00Z",
        "transactionData": [
            {
                "timestamp": "2026-03-28T10:20:00Z",
                "sampledValue": [
                    {"value": "15234", "context": "Transaction.End"},
                    {"value": "OCMF|{...}|{...}", "format": "SignedData", "context": "Transaction.End"},
                ],
            }
        ],
    }
    rows = meter_value_table([envelope("2.0.1", event), envelope("1.6", stop_16, id="m2")], "page p").to_pylist()
    signed, register, blob = rows
    assert signed["value_kwh"] == pytest.approx(15.234) and signed["transaction_id"] == "tx-9"
    assert (signed["signed_meter_data"], signed["signing_method"], signed["encoding_method"]) == (
        signed_201["signedMeterData"],
        "ECDSA-secp256r1-SHA256",
        "OCMF",
    )
    assert signed["public_key"] == signed_201["publicKey"]
    assert register["value_kwh"] == pytest.approx(15.234) and register["transaction_id"] == "55"
    assert blob["value"] is None and blob["value_kwh"] is None and blob["value_raw"] == "OCMF|{...}|{...}"
    assert blob["signed_meter_data"] == "OCMF|{...}|{...}" and blob["format"] == "SignedData"


def test_ids_as_the_schemas_type_them_and_a_wrong_type_is_named():
    message = {"connectorId": "2", "transactionId": 12, "meterValue": [{"timestamp": "2026-03-28T10:15:00Z"}]}
    message["meterValue"][0]["sampledValue"] = [{"value": "1"}]
    (row,) = meter_value_table([envelope("1.6", message)], "page p").to_pylist()
    assert (row["connector_id"], row["transaction_id"]) == (2, "12")
    message["transactionId"] = True
    with pytest.raises(SourceError, match=r"page p: message 'm1': transactionId True is neither an integer nor"):
        meter_value_table([envelope("1.6", message)], "page p")
    message["transactionId"], message["connectorId"] = 12, "left"
    with pytest.raises(SourceError, match=r"page p: message 'm1': connectorId 'left' is not an integer"):
        meter_value_table([envelope("1.6", message)], "page p")
