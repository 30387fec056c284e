"""Telemetry from the simulator over HTTP, through the gate into Delta: canonical units, late
uploads landing exactly once, register deltas that add up to each session's energy."""

import itertools
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.gate import gate_partition
from extractors.common.errors import SourceError
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from simulator.process import start_simulator
from simulator.server import SimConfig, SimState
from simulator.telemetry import charger_profile, ocpp_transaction_id
from tests.conftest import SIM_END, SIM_SEED, SIM_START, SIM_TOKEN, served, sim_settings

TELEMETRY = next(s for s in SOURCES if s.name == "telemetry")
DAYS = (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30))


def ingest(lake: Lake, sim, day: date, run_id: str) -> None:
    extract_day(TELEMETRY, sim_settings(sim, lake.url), lake, run_id, day.isoformat())
    for table in TELEMETRY.tables:
        outcome, _ = gate_partition(ref_for(TELEMETRY, lake, run_id, day.isoformat(), table))
        assert outcome.success, outcome.summary()


def raw(lake: Lake, table: str):
    return DeltaTable(lake.raw("telemetry", table)).to_pyarrow_table()


@pytest.fixture(scope="module")
def lake(tmp_path_factory, simulator):
    lake = Lake(str(tmp_path_factory.mktemp("telemetry")))
    for day in DAYS:
        ingest(lake, simulator, day, f"tel-{day}")
    return lake


def test_each_table_is_published_with_canonical_units(lake):
    values = raw(lake, "meter_values").to_pylist()
    assert {v["partition_date"] for v in values} == {d.isoformat() for d in DAYS}
    by_version = defaultdict(list)
    for v in values:
        by_version[v["ocpp_version"]].append(v)
    assert set(by_version) == {"1.6", "2.0.1"}
    register_16 = next(v for v in by_version["1.6"] if v["measurand"] == "Energy.Active.Import.Register")
    assert register_16["unit"] == "Wh" and register_16["value_kwh"] == pytest.approx(
        float(register_16["value_raw"]) / 1000
    )
    power_201 = next(v for v in by_version["2.0.1"] if v["measurand"] == "Power.Active.Import")
    assert power_201["unit"] == "W" and power_201["multiplier"] == 3
    assert power_201["value_kw"] == pytest.approx(float(power_201["value_raw"]))  # value × 10³ W = value kW
    assert all(v["soc_pct"] is None or 0 <= v["soc_pct"] <= 100 for v in values)
    alarms = raw(lake, "alarms")
    assert alarms.num_rows > 0 and "Charging" in alarms.column("status").to_pylist()
    assert raw(lake, "charge_points").num_rows == len(SimConfig(seed=SIM_SEED).build().evses())


def test_register_deltas_equal_each_sessions_energy(lake):
    cfg = SimConfig(seed=SIM_SEED, start=SIM_START, end=SIM_END, token=SIM_TOKEN)
    network = cfg.build()
    buggy = {f"CP-{e.uid}" for _, e in network.evses() if charger_profile(network, e).kwh_as_wh}
    profiles = {e.uid: charger_profile(network, e) for _, e in network.evses()}
    values = raw(lake, "meter_values").filter(pc.field("measurand") == "Energy.Active.Import.Register")
    registers: dict[str, list] = defaultdict(list)
    for v in values.to_pylist():
        registers[v["transaction_id"]].append((v["measured_at"], v["value_kwh"], v["charge_point_id"]))
    start = datetime.combine(DAYS[0], datetime.min.time(), UTC)
    sessions = [
        s
        for s in served("sessions", start, start + timedelta(days=3))
        if s["status"] == "COMPLETED"
        and s["start_date_time"] >= start.isoformat()[:19]
        and s["end_date_time"] < "2026-03-30T20:00"
    ]
    matched = rescaled = reset = 0
    for s in sessions:
        readings = sorted(registers[str(ocpp_transaction_id(network, profiles[s["evse_uid"]], s["id"]))])
        kwhs = [r[1] for r in readings]
        delta = kwhs[-1] - kwhs[0]
        if any(b < a for a, b in itertools.pairwise(kwhs)):
            reset += 1  # the swapped meter: its register restarts; the interval mart handles it
        elif readings[0][2] in buggy:
            assert delta * 1000 == pytest.approx(s["kwh"], abs=0.01), s["id"]  # kWh sent as "Wh"
            rescaled += 1
        else:
            # 10 Wh: the session's kWh and the register are rounded apart (the simulator's own tolerance)
            assert delta == pytest.approx(s["kwh"], abs=0.01), s["id"]
            matched += 1
    assert matched >= 10 and matched + rescaled + reset == len(sessions)


@pytest.fixture(scope="module")
def late_lake(tmp_path_factory):
    # This network has a charger offline over midnight: values measured on 03-02 arrive on 03-03.
    sim = start_simulator(
        date(2026, 3, 2),
        date(2026, 3, 9),
        seed=1,
        token=SIM_TOKEN,
        extra_args=("--sites", "6", "--evses-per-site", "4", "--now", "2026-03-12T00:00:00Z"),
    )
    try:
        lake = Lake(str(tmp_path_factory.mktemp("late")))
        for day in (date(2026, 3, 2), date(2026, 3, 3)):
            ingest(lake, sim, day, f"late-{day}")
        before = raw(lake, "meter_values").num_rows
        ingest(lake, sim, date(2026, 3, 3), "late-again")  # a rerun replaces, never adds
        yield lake, before
    finally:
        sim.stop()


def test_late_uploads_land_once_in_the_day_they_arrived(late_lake):
    lake, before = late_lake
    cfg = SimConfig(seed=1, sites=6, evses_per_site=4, start=date(2026, 3, 2), end=date(2026, 3, 9))
    state = SimState(cfg, cfg.build())
    lo, hi = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    rows, _ = state.telemetry.listing(
        "meter-values", lo - timedelta(days=3), hi, hi, cfg.start - timedelta(days=1), cfg.end
    )
    expected = {r[1] for r in rows if lo.isoformat()[:10] <= r[2][:10] < hi.isoformat()[:10]}
    late = {r[1] for r in rows if r[0][:10] == "2026-03-02" and r[2][:10] == "2026-03-03"}
    assert late, "the simulator's late uploads are the point of this test"

    table = raw(lake, "meter_values")
    assert table.num_rows == before
    per_message = defaultdict(set)
    samples = defaultdict(int)
    for v in table.select(["message_id", "partition_date", "sample_index", "meter_value_index"]).to_pylist():
        per_message[v["message_id"]].add(v["partition_date"])
        samples[(v["message_id"], v["meter_value_index"], v["sample_index"])] += 1
    assert set(per_message) == expected  # none lost
    assert max(samples.values()) == 1  # none twice
    assert all(per_message[m] == {"2026-03-03"} for m in late)  # in the day they arrived
    pub = DeltaTable(lake.publications()).to_pyarrow_table().to_pylist()
    notes = [
        p["extract_notes"] for p in pub if p["table_name"] == "meter_values" and p["partition_date"] == "2026-03-03"
    ]
    assert all('"late_rows": ' in n and '"late_rows": 0' not in n for n in notes)


def telemetry_client(sim, token: str = SIM_TOKEN):
    from extractors.telemetry.helpers import TelemetryClient

    return TelemetryClient(sim.versions_url.replace("/ocpi/versions", "/telemetry/v1"), token)


def crawl_day(client) -> int:
    start = datetime(2026, 3, 30, tzinfo=UTC)
    return sum(len(items) for _, items in client.pages("meter-values", start, start + timedelta(days=1)))


@pytest.mark.parametrize("kind", ["http_429", "http_503", "http_500"])
def test_transient_errors_are_retried(simulator, faults, monkeypatch, kind):
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    expected = crawl_day(telemetry_client(simulator))
    faults([{"module": "meter-values", "kind": kind, "times": 2}])
    assert crawl_day(telemetry_client(simulator)) == expected > 0


def test_persistent_errors_and_a_refused_token_name_the_page(simulator, faults, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    faults([{"module": "meter-values", "kind": "http_500", "times": 5}])
    with pytest.raises(
        SourceError, match=r"HTTP 500: injected failure \(url: http://127\.0\.0\.1:\d+/telemetry/v1/meter-values\?from="
    ):
        crawl_day(telemetry_client(simulator))
    with pytest.raises(SourceError, match=r"HTTP 401: the telemetry token was refused") as err:
        crawl_day(telemetry_client(simulator, "wrong-token-123"))
    assert "wrong-token-123" not in str(err.value)


def test_a_swapped_meter_publishes_and_its_reset_is_kept_for_the_marts(lake):
    # The simulator swaps one meter (register back to 0) on 2026-03-29 at 03:00 local. Its last reading
    # before the swap is in the previous day's partition: the gate sees one day, so the reset is not a
    # failure there, and the drop stays in the raw zone for the interval marts to handle.
    pubs = DeltaTable(lake.publications()).to_pyarrow_table().to_pylist()
    assert {p["action"] for p in pubs if p["source"] == "telemetry"} == {"publish"}
    values = raw(lake, "meter_values").filter(pc.field("measurand") == "Energy.Active.Import.Register").to_pylist()
    swapped = sorted((v["measured_at"], v["value_kwh"]) for v in values if v["charge_point_id"] == "CP-LOC001-E04")
    drops = [(a, b) for a, b in itertools.pairwise(swapped) if b[1] < a[1] * 0.5]
    assert len(drops) == 1 and drops[0][1][1] < 1.0  # back to (almost) zero, once
    # What each day's suite flagged equals the resets inside that day's rows.
    for pub in (p for p in pubs if p["table_name"] == "meter_values"):
        day = [v for v in values if v["partition_date"] == pub["partition_date"]]
        inside = 0
        for cp in {v["charge_point_id"] for v in day}:
            series = sorted((v["measured_at"], v["value_kwh"]) for v in day if v["charge_point_id"] == cp)
            inside += sum(1 for a, b in itertools.pairwise(series) if b[1] < a[1] * 0.5)
        flags = json.loads(pub["validation_flags"])
        assert flags["register_resets"] == inside
        # Power was checked against each EVSE's rating: the run's own charge-point snapshot was found.
        assert flags["power_rows_unchecked"] == 0


def test_a_truncated_page_is_named_and_a_slow_one_still_read(simulator, faults):
    faults([{"module": "meter-values", "kind": "truncated_json", "times": 1}])
    with pytest.raises(
        Exception, match=r"not valid JSON .*url: http://127\.0\.0\.1:\d+/telemetry/v1/meter-values\?from=2026-03-30"
    ):
        crawl_day(telemetry_client(simulator))
    expected = crawl_day(telemetry_client(simulator))
    faults([{"module": "meter-values", "kind": "slow", "delay_ms": 300, "times": 1}])
    assert crawl_day(telemetry_client(simulator)) == expected > 0


def test_an_item_served_twice_is_one_row_and_counted():
    from extractors.telemetry import _fresh

    notes: dict = {}
    seen: set[str] = set()
    first = _fresh([{"id": "a"}, {"id": "b"}], seen, notes)
    again = _fresh([{"id": "b"}, {"id": "c"}], seen, notes)  # the next page repeats b
    assert [i["id"] for i in first + again] == ["a", "b", "c"] and notes["duplicates_removed"] == 1
    with pytest.raises(SourceError, match=r"telemetry item #1 of the page has no 'id' \(url: http://x/p\)"):
        _fresh([{"id": "d"}, {"value": 1}], seen, notes, "http://x/p")
