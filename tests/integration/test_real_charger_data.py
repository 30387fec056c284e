"""Payloads as real chargers send them, served by an independent telemetry API (not the simulator),
through extract, gate and publish: an OCPP 1.6 MeterValues.req with an integer transactionId, power
in kW, a current on phase L1-N and a Temperature reading; a 2.0.1 TransactionEvent; a StopTransaction
whose meter values travel in `transactionData`. Fixtures follow the OCPP schemas (see
tests/fixtures/ocpp/README.md), not the simulator's habits."""

import json
from datetime import date

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from chargelake.config import Settings
from chargelake.lake import Lake
from expectations.gate import gate_partition
from extractors.common.errors import SourceError
from extractors.common.landing import load_to_landing
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from tests.conftest import FIXTURES
from tests.cpo_stub.telemetry import TelemetryStub, serve

TELEMETRY = next(s for s in SOURCES if s.name == "telemetry")
DAY = date(2026, 3, 28)
TOKEN = "stub-telemetry-token-31"


def fixture_items() -> dict[str, list[dict]]:
    return json.loads((FIXTURES / "ocpp" / "real_charger_items.json").read_text())


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    stub = TelemetryStub(TOKEN, fixture_items())
    server, url = serve(stub)
    try:
        lake = Lake(str(tmp_path_factory.mktemp("real-charger")))
        settings = Settings(
            lake_url=lake.url,
            warehouse_path=str(tmp_path_factory.mktemp("wh") / "w.duckdb"),
            ocpi_url=None,
            ocpi_token=None,
            ocpi_token_plain=None,
            ocpi_party=None,
            telemetry_url=url,
            telemetry_token=TOKEN,
            pseudonym_key="test-key-for-real-charger-data-0001",
        )
        extract_day(TELEMETRY, settings, lake, "real-1", DAY.isoformat())
        outcomes = {
            t: gate_partition(ref_for(TELEMETRY, lake, "real-1", DAY.isoformat(), t))[0] for t in TELEMETRY.tables
        }
        yield lake, outcomes
    finally:
        server.shutdown()


def raw(lake: Lake, table: str) -> list[dict]:
    return DeltaTable(lake.raw("telemetry", table)).to_pyarrow_table().to_pylist()


def test_a_real_16_payload_is_published_normalised_with_its_measurands(published):
    lake, outcomes = published
    assert all(o.success for o in outcomes.values()), {t: o.summary() for t, o in outcomes.items()}
    rows = {(r["message_id"], r["measurand"], r["phase"]): r for r in raw(lake, "meter_values")}
    register = rows[("cp17-mv-0193", "Energy.Active.Import.Register", None)]
    power = rows[("cp17-mv-0193", "Power.Active.Import", None)]
    current = rows[("cp17-mv-0193", "Current.Import", "L1-N")]
    temperature = rows[("cp17-mv-0193", "Temperature", None)]
    assert register["transaction_id"] == "1742" and register["connector_id"] == 1
    assert register["unit"] == "Wh" and register["value_kwh"] == pytest.approx(15.2344)  # Wh -> kWh
    assert power["unit"] == "kW" and power["value_kw"] == pytest.approx(7.36)  # kW stays kW
    assert current["value_a"] == pytest.approx(10.7) and current["location"] == "Outlet"
    assert temperature["unit"] == "Celsius" and temperature["value"] == pytest.approx(31.5)
    assert temperature["value_raw"] == "31.5" and all(
        temperature[c] is None for c in ("value_kwh", "value_kw", "value_a", "value_v", "soc_pct")
    )


def test_201_transaction_events_and_16_stop_transactions_are_read(published):
    lake, _ = published
    rows = raw(lake, "meter_values")
    event = [r for r in rows if r["message_id"] == "cp18-te-0007"]
    assert {r["transaction_id"] for r in event} == {"b7c4d1e2-0a9f-4c2e-9d1f-3e5a7b9c1d20"}
    assert {(r["evse_id"], r["connector_id"]) for r in event} == {(1, 1)}
    power = next(r for r in event if r["measurand"] == "Power.Active.Import")
    assert power["value_kw"] == pytest.approx(11.04)  # 11.04 x 10^3 W
    signed = next(r for r in event if r["signed_meter_data"])
    assert signed["encoding_method"] == "OCMF" and signed["value_kwh"] == pytest.approx(20.125)
    stop = [r for r in rows if r["message_id"] == "cp17-st-0042"]
    assert [r["transaction_id"] for r in stop] == ["1742"] and stop[0]["context"] == "Transaction.End"
    alarms = raw(lake, "alarms")
    assert {a["status"] for a in alarms} >= {"Charging", "Faulted"}


def test_an_error_inside_a_resource_names_the_table_and_the_cause(tmp_path):
    import dlt

    @dlt.resource(name="meter_values")
    def broken():
        yield pa.table({"x": pa.array(["a"])})
        raise pa.ArrowTypeError("Expected bytes, got a 'int' object")

    @dlt.source(name="telemetry")
    def source():
        return [broken()]

    with pytest.raises(SourceError) as caught:
        load_to_landing(source(), Lake(str(tmp_path)), "err-1")
    message = str(caught.value)
    assert message == "telemetry.meter_values: extraction failed: ArrowTypeError: Expected bytes, got a 'int' object"
    assert "with exception" not in message
