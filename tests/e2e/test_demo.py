"""`chargelake demo` on 2 days, end to end, as a user runs it: simulator process, Dagster runs,
Delta lake, dbt warehouse. The marts are compared with what the simulator served."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from orchestration.defs.warehouse.resources import dbt_project, ensure_manifest
from simulator.server import SimConfig
from tests.e2e.conftest import DAYS, SEED, UNTIL, read_csv, served_sessions


def test_demo_succeeds_and_summarises(demo):
    _, proc = demo
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert f"[{DAYS}/{DAYS}]" in out and "warehouse built" in out
    # Per day: sessions, CDRs, meter values, alarms, grid intensity; once (today's snapshot):
    # locations, tariffs, tokens, charge points.
    assert f"partitions (table x day): {5 * DAYS + 4} published, 0 quarantined" in out
    assert "raw/telemetry/meter_values" in out and "raw/carbon/grid_intensity" in out
    assert "derived/cdr_signed_readings" in out and "derived/cost_centre_map" in out
    assert "sessions:" in out and "kWh" in out and "make dev" in out


def test_fct_charging_sessions_has_exactly_the_served_sessions(demo):
    root, _ = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select session_id, energy_kwh, started_at_utc, started_at_local, time_zone from marts.fct_charging_sessions"
    ).fetchall()
    expected = {s["id"]: s for s in served_sessions()}
    assert len(expected) > 20
    assert sorted(r[0] for r in rows) == sorted(expected)
    for session_id, kwh, start_utc, start_local, tz in rows:
        assert float(kwh) == pytest.approx(expected[session_id]["kwh"], abs=1e-3)
        local = start_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        assert start_local == local


def test_lake_is_delta_with_a_commit_per_published_day(demo):
    root, _ = demo
    sessions = root / "lake" / "raw" / "ocpi" / "sessions"
    days = [(UNTIL - timedelta(days=DAYS - i)).isoformat() for i in range(DAYS)]
    assert sorted(p.name for p in sessions.glob("partition_date=*")) == [f"partition_date={d}" for d in days]
    history = [h for h in DeltaTable(str(sessions)).history() if h.get("operation") == "WRITE"]
    assert len(history) == DAYS and all(h.get("chargelake.run_id") for h in history)
    exported = pq.read_table(
        root / "lake" / "marts" / "restricted" / "fct_charging_sessions" / "fct_charging_sessions.parquet"
    )
    assert exported.num_rows == len(served_sessions())


def test_no_raw_driver_identifier_reaches_lake_or_warehouse(demo):
    root, _ = demo
    start = UNTIL - timedelta(days=DAYS)
    network = SimConfig(seed=SEED, start=start, end=UNTIL).build()
    secrets = {v for t in network.tokens for v in (t.uid, t.contract_id, t.visual_number)}
    seen_strings = 0
    for path in (root / "lake").rglob("*"):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            for col in table.column_names:
                if str(table.schema.field(col).type) in ("string", "large_string"):
                    values = set(table.column(col).to_pylist())
                    seen_strings += len(values)
                    assert not values & secrets, f"{path}:{col}"
        elif path.is_file() and path.suffix in (".json", ".crc", ""):
            text = path.read_text(errors="ignore")
            assert not any(s in text for s in secrets), path
    assert seen_strings > 100
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall()
    con.execute("create temp table secrets(v varchar)")
    con.executemany("insert into secrets values (?)", [[s] for s in secrets])
    for schema, table, column in columns:
        hits = con.execute(f'select count(*) from "{schema}"."{table}" where "{column}" in (select v from secrets)')
        assert hits.fetchone()[0] == 0, f"{schema}.{table}.{column}"


def test_recomputed_cost_of_every_billed_session_is_the_true_cost(demo, truth):
    root, _ = demo
    true_cost = {r["session_id"]: r for r in read_csv(truth / "sessions.csv")}
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select session_id, recomputed_cost_excl_vat, recomputed_cost_incl_vat, billed_cost_excl_vat, cost_status"
        " from marts.fct_session_reconciliation where cost_status != 'not_billed'"
    ).fetchall()
    assert len(rows) > 20
    for session_id, excl, incl, billed, status in rows:
        want = true_cost[session_id]
        assert status == "match", session_id
        assert abs(excl - Decimal(want["cost_excl_vat"])) <= Decimal("0.01"), session_id
        assert abs(incl - Decimal(want["cost_incl_vat"])) <= Decimal("0.01"), session_id
        assert abs(billed - excl) <= Decimal("0.01"), session_id


def test_metered_site_day_energy_is_the_true_energy_on_whole_local_days(demo, truth):
    root, _ = demo
    true_energy = {
        (r["location_id"], r["local_date"]): float(r["energy_kwh"]) for r in read_csv(truth / "site_daily_energy.csv")
    }
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select location_id, local_date, time_zone, energy_kwh, hours_in_day from marts.fct_site_energy_daily"
    ).fetchall()
    window = (
        datetime.combine(UNTIL - timedelta(days=DAYS), datetime.min.time(), UTC),
        datetime.combine(UNTIL, datetime.min.time(), UTC),
    )
    compared = 0
    for location_id, local_date, tz, kwh, hours in rows:
        day_start = datetime.combine(local_date, datetime.min.time(), ZoneInfo(tz))
        day_end = datetime.combine(local_date + timedelta(days=1), datetime.min.time(), ZoneInfo(tz))
        assert hours == (day_end - day_start).total_seconds() / 3600
        if window[0] <= day_start and day_end <= window[1]:
            compared += 1
            assert kwh == pytest.approx(true_energy.get((location_id, local_date.isoformat()), 0.0), abs=0.01)
    assert compared >= 3  # one whole local day per site at least


def test_reconciliation_explains_every_difference_and_the_summary_prints_it(demo):
    root, proc = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    unexplained = con.execute(
        "select count(*) from marts.fct_session_reconciliation"
        " where (energy_status != 'match' and energy_reason is null)"
        " or (cost_status != 'match' and cost_reason is null)"
    ).fetchone()[0]
    assert unexplained == 0
    per_cdr = con.execute(
        "select currency, sum(cpo_cost_excl_vat), sum(recomputed_cost_excl_vat) from marts.fct_session_costs group by 1"
    ).fetchall()
    per_site = {
        c: (b, r)
        for c, b, r in con.execute(
            "select currency, sum(billed_cost_excl_vat), sum(recomputed_cost_excl_vat)"
            " from marts.rpt_reconciliation group by 1"
        ).fetchall()
    }
    for currency, billed, recomputed in per_cdr:
        assert per_site[currency] == (billed, recomputed)
        assert f"{currency}: billed {billed:,.2f}, recomputed {recomputed:,.2f} excl. VAT" in proc.stdout


def test_every_model_has_exactly_its_documented_columns_in_order(demo):
    """Each model's yml is its column list: `documented_columns` builds SELECT lists from it (no `* exclude`
    on Spark), BI tools read it as the data dictionary. An undocumented or misplaced column fails here."""
    root, _ = demo
    ensure_manifest()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    built = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns order by ordinal_position"
    ).fetchall():
        built.setdefault((schema, table), []).append(column)
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) > 70
    for node in models:
        relation = (node["schema"], node["alias"])
        assert relation in built, f"{node['name']} was not built into {relation}"
        assert built[relation] == list(node["columns"]), f"{node['name']}: built columns differ from its yml"
