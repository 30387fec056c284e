"""`chargelake demo` on 2 days, end to end, as a user runs it: simulator process, Dagster runs,
Delta lake, dbt warehouse. The marts are compared with what the simulator served."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from simulator.server import SimConfig, SimState

UNTIL = date(2026, 11, 20)
DAYS = 2
SEED = 42


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "CHARGELAKE_PSEUDONYM_KEY": "e2e-key",
    }
    cmd = [sys.executable, "-m", "orchestration.cli", "demo", "--days", str(DAYS), "--until", UNTIL.isoformat()]
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2]
    )
    return root, proc


def served_sessions() -> list[dict]:
    start = UNTIL - timedelta(days=DAYS)
    cfg = SimConfig(seed=SEED, start=start, end=UNTIL)
    lo = datetime(start.year, start.month, start.day, tzinfo=UTC)
    return SimState(cfg, cfg.build()).listing("sessions", lo, lo + timedelta(days=DAYS))


def test_demo_succeeds_and_summarises(demo):
    _, proc = demo
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert f"[{DAYS}/{DAYS}]" in out and "warehouse built" in out
    # Per day: sessions, CDRs, meter values, alarms, grid intensity; once (today's snapshot):
    # locations, tariffs, tokens, charge points.
    assert f"partitions (table x day): {5 * DAYS + 4} published, 0 quarantined" in out
    assert "raw/telemetry/meter_values" in out and "raw/carbon/grid_intensity" in out
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
    exported = pq.read_table(root / "lake" / "marts" / "fct_charging_sessions" / "fct_charging_sessions.parquet")
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


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> Path:
    """The simulator's ground truth for the demo's network (sessions.csv, site_daily_energy.csv...)."""
    from simulator.truth import write_truth

    start = UNTIL - timedelta(days=DAYS)
    out = tmp_path_factory.mktemp("truth")
    write_truth(SimConfig(seed=SEED, start=start, end=UNTIL).build(), start - timedelta(days=1), UNTIL, out)
    return out


def read_csv(path: Path) -> list[dict]:
    import csv

    with path.open() as fh:
        return list(csv.DictReader(fh))


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


def test_zone_hour_energy_of_the_sessions_is_the_true_energy(demo):
    """The 15-minute session energy the emissions use, summed per grid zone and UTC hour, is what the
    simulated sessions drew in that hour (sessions sharing an interval split it, but never across a zone)."""
    from simulator.sessions import sessions_between
    from simulator.truth import _split

    root, _ = demo
    start = UNTIL - timedelta(days=DAYS)
    network = SimConfig(seed=SEED, start=start, end=UNTIL).build()
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        """
        select e.grid_zone, date_trunc('hour', i.interval_start_utc), sum(i.energy_kwh), list(distinct s.session_id)
        from intermediate.int_energy__session_intervals i
        join marts.fct_session_emissions e using (charging_session_key)
        join marts.fct_charging_sessions s using (charging_session_key)
        group by 1, 2
        """
    ).fetchall()
    ours = {(zone, hour): kwh for zone, hour, kwh, _ in rows}
    ids = {i for *_, session_ids in rows for i in session_ids}
    expected: dict = {}
    for s in sessions_between(network, start - timedelta(days=1), UNTIL):
        if s.id in ids:
            for hour, kwh in _split(s, timedelta(hours=1), lambda t: t.replace(minute=0, second=0)).items():
                key = (s.site.template.grid_zone, hour.replace(tzinfo=None))
                expected[key] = expected.get(key, 0.0) + kwh
    assert len(ours) > 20 and set(ours) == set(expected)
    for key, kwh in expected.items():
        assert ours[key] == pytest.approx(kwh, abs=0.01), key


def test_outage_minutes_per_evse_are_the_true_outages(demo, truth):
    root, _ = demo
    lo = datetime.combine(UNTIL - timedelta(days=DAYS), datetime.min.time())
    hi = datetime.combine(UNTIL, datetime.min.time())
    expected: dict = {}
    spanning_start = set()
    for o in read_csv(truth / "evse_outages.csv"):
        begin = datetime.fromisoformat(o["started_at_utc"]).astimezone(UTC).replace(tzinfo=None)
        end = datetime.fromisoformat(o["ended_at_utc"]).astimezone(UTC).replace(tzinfo=None)
        if begin < lo < end:
            spanning_start.add(o["evse_uid"])  # began before the data: its start was never reported
        minutes = max((min(end, hi) - max(begin, lo)).total_seconds() / 60, 0)
        key = (o["evse_uid"], o["kind"])
        expected[key] = expected.get(key, 0.0) + minutes
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select evse_uid, sum(faulted_minutes), sum(unavailable_minutes), sum(offline_minutes)"
        " from marts.fct_evse_availability group by 1"
    ).fetchall()
    assert len(rows) == 12
    compared = 0
    for evse, faulted, unavailable, offline in rows:
        if evse in spanning_start:
            continue
        for kind, ours in (("Faulted", faulted), ("Unavailable", unavailable), ("Offline", offline)):
            assert ours == pytest.approx(expected.get((evse, kind), 0.0), abs=0.1), (evse, kind)
            compared += ours > 0
    assert compared >= 1  # at least one real outage was found, not only zeros


def test_cost_centres_get_the_true_sessions_and_charges(demo, truth):
    root, _ = demo
    centre_of_group = {"FLEET-OPS": "CC-LOGISTICS", "FLEET-SALES": "CC-SALES", "STAFF": "CC-PEOPLE"}
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    billed = dict(con.execute("select session_id, cdr_key is not null from marts.fct_charging_sessions").fetchall())
    expected: dict = {}
    for s in read_csv(truth / "sessions.csv"):
        if s["session_id"] in billed:  # counted once it is known; charged once a CDR billed it
            key = (s["location_id"], centre_of_group.get(s["token_group"], "unallocated"))
            n, cost = expected.get(key, (0, Decimal(0)))
            charged = Decimal(s["cost_excl_vat"]) if billed[s["session_id"]] else Decimal(0)
            expected[key] = (n + 1, cost + charged)
    rows = con.execute(
        "select location_id, cost_centre_id, sum(session_count), sum(tariff_charges_excl_vat)"
        " from marts.rpt_cost_allocation where session_count > 0 group by 1, 2"
    ).fetchall()
    assert {(r[0], r[1]) for r in rows} == set(expected)
    assert any(r[1] == "unallocated" for r in rows)  # VISITORS have no cost centre: kept, not dropped
    for location_id, centre, n, charges in rows:
        want_n, want_cost = expected[(location_id, centre)]
        assert n == want_n
        assert abs((charges or 0) - want_cost) <= Decimal("0.01") * want_n


def test_allocations_tie_out_to_the_site_totals_to_the_cent(demo):
    root, _ = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        """
        with exact as (
            select location_key, cast(date_trunc('month', interval_start_local) as date) as month,
                sum(energy_cost) as energy_cost, sum(energy_kwh) as kwh
            from intermediate.int_finance__site_interval_energy_costs group by 1, 2
        )
        select a.location_key, a.month_start_local_date, sum(a.energy_cost), sum(a.demand_charge),
            any_value(e.energy_cost), max(a.site_peak_demand_kw), any_value(c.demand_charge_per_kw_month),
            sum(a.energy_kwh), any_value(e.kwh)
        from marts.rpt_cost_allocation a
        join exact e on a.location_key = e.location_key and a.month_start_local_date = e.month
        join main.site_energy_contracts c on a.contract_id = c.contract_id
        group by 1, 2
        """
    ).fetchall()
    assert len(rows) == 3
    cent = Decimal("0.01")
    for _site, _month, energy_cost, demand, exact_cost, peak_kw, rate, kwh, exact_kwh in rows:
        assert energy_cost == exact_cost.quantize(cent)
        assert demand == (Decimal(str(peak_kw)) * rate).quantize(cent)
        assert kwh == pytest.approx(exact_kwh)


def test_every_csrd_figure_traces_to_its_factor_rows_and_raw_partitions(demo):
    root, proc = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select location_key, reporting_year, location_based_factor_ids, scope_2_location_based_tco2e,"
        " scope_2_market_based_tco2e, cdr_publication_ids, cdr_partition_count from marts.rpt_csrd_e1"
    ).fetchall()
    factors = {r[0] for r in con.execute("select factor_id from marts.dim_emission_factors").fetchall()}
    publications = {
        r[0]: r[1:]
        for r in con.execute(
            "select publication_id, source_name, table_name, validation_success from staging.stg_audit__publications"
        ).fetchall()
    }
    assert len(rows) == 3
    for site, year, factor_ids, lb, mb, pub_ids, partitions in rows:
        assert set(factor_ids.split(",")) <= factors
        per_session = con.execute(
            "select sum(lb_co2e_kg) / 1000, sum(mb_co2e_kg) / 1000 from marts.fct_session_emissions"
            " where location_key = ? and reporting_year = ?",
            [site, year],
        ).fetchone()
        assert (lb, mb) == pytest.approx(per_session)
        ids = pub_ids.split(",")
        assert len(ids) == partitions == DAYS
        assert all(publications[i] == ("ocpi", "cdrs", True) for i in ids)
    total_lb = sum(r[3] for r in rows)
    assert f"Scope 2 location-based {total_lb:,.3f} tCO2e" in proc.stdout
    assert "uptime: fleet" in proc.stdout


def test_the_csrd_pack_the_demo_writes_shows_the_marts_figures(demo):
    """The workbook (opened with openpyxl), its CSVs and the HTML report's embedded data carry the
    same figures as rpt_csrd_e1, and the HTML works offline (no external script or stylesheet)."""
    import csv
    import json
    import re

    from openpyxl import load_workbook

    root, proc = demo
    workbook = Path(re.search(r"CSRD E1 2026: (\S+\.xlsx)", proc.stdout).group(1))
    html = Path(re.search(r"HTML report: (\S+\.html)", proc.stdout).group(1))
    assert workbook.parent == root / "lake" / "reports" / "csrd" / "2026"
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    expected = {
        entity: (mwh, lb, mb)
        for entity, mwh, lb, mb in con.execute(
            "select legal_entity, sum(energy_consumption_mwh), sum(scope_2_location_based_tco2e),"
            " sum(scope_2_market_based_tco2e) from marts.rpt_csrd_e1 where reporting_year = 2026 group by 1"
        ).fetchall()
    }
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames[:4] == ["About", "Summary", "Sites", "Factors"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    seen = {}
    for row in rows[1:]:
        seen[row[col["legal_entity"]]] = (
            row[col["energy_consumption_mwh"]],
            row[col["scope_2_location_based_tco2e"]],
            row[col["scope_2_market_based_tco2e"]],
        )
    assert seen.keys() == expected.keys()
    for entity, figures in expected.items():
        assert seen[entity] == pytest.approx(figures)
    factor_ids = {r[0] for r in list(book["Factors"].iter_rows(values_only=True))[1:]}
    assert "NL-2021-S2-LB" in factor_ids
    with (workbook.parent / "csrd_e1_2026_summary.csv").open() as fh:
        assert {r["legal_entity"] for r in csv.DictReader(fh)} == expected.keys()
    page = html.read_text()
    assert "<svg" in page and page.count("<figure>") == 4
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # nothing fetched: works offline
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    for row in data["tables"]["Summary"]:
        assert (
            row["energy_consumption_mwh"],
            row["scope_2_location_based_tco2e"],
            row["scope_2_market_based_tco2e"],
        ) == pytest.approx(expected[row["legal_entity"]])


def test_report_costs_writes_statements_that_tie_out_to_the_mart(demo):
    from openpyxl import load_workbook

    root, _ = demo
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
    }

    def report(*args):
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "report", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )

    done = report("costs", "--period", "2026-11")
    assert done.returncode == 0, done.stderr
    book = load_workbook(root / "lake" / "reports" / "costs" / "2026-11" / "cost_statements_2026-11.xlsx")
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    per_centre = dict(
        con.execute(
            "select cost_centre_id, sum(energy_cost) + sum(demand_charge) from marts.rpt_cost_allocation"
            " where month_start_local_date = '2026-11-01' group by 1"
        ).fetchall()
    )
    assert set(book.sheetnames) == {"About", "Summary", *per_centre}
    for centre, total in per_centre.items():
        rows = list(book[centre].iter_rows(values_only=True))
        col = rows[0].index("site_cost")
        assert sum(Decimal(str(r[col])) for r in rows[1:]) == total
        assert (root / "lake" / "reports" / "costs" / "2026-11" / f"cost_statement_{centre}_2026-11.csv").exists()
    for args, message in (
        (("costs", "--period", "2026-13"), "is not a month"),
        (("csrd", "--period", "1999"), "no CSRD figures for 1999"),
    ):
        refused = report(*args)
        assert refused.returncode == 2 and message in refused.stderr
        assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1


def test_the_report_assets_materialise_in_dagster(demo, monkeypatch):
    from dagster import DagsterInstance, materialize

    from orchestration.ingest.resources import ChargeLakeResource
    from orchestration.reports.assets import cost_statements, csrd_e1_pack

    root, _ = demo
    monkeypatch.setenv("CHARGELAKE_LAKE_URL", str(root / "lake"))
    monkeypatch.setenv("CHARGELAKE_WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
    resources = {"chargelake": ChargeLakeResource()}
    with DagsterInstance.ephemeral() as instance:
        pack = materialize([csrd_e1_pack], resources=resources, instance=instance, partition_key="2026-11-01")
        assert pack.success
        (event,) = pack.asset_materializations_for_node("reports__csrd_e1")
        assert event.metadata["written"].value is True and event.metadata["year"].value == 2026
        month = materialize([cost_statements], resources=resources, instance=instance, partition_key="2026-11-01")
        assert month.success
        (event,) = month.asset_materializations_for_node("reports__cost_statements")
        assert event.metadata["cost_centres"].value >= 3


def cli_json(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_audit_figure_walks_a_csrd_number_back_to_its_api_windows(demo):
    import json

    root, _ = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    site, value, sessions = con.execute(
        "select r.location_id, r.scope_2_location_based_tco2e, r.session_count from marts.rpt_csrd_e1 r"
        " where r.reporting_year = 2026 order by r.location_id limit 1"
    ).fetchone()
    done = cli_json(root, "audit", "figure", "--year", "2026", "--site", site, "scope_2_location_based_tco2e", "--json")
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout)
    assert trace["matches"] and trace["value"] == pytest.approx(value) and trace["sessions"] == sessions
    (factor,) = trace["factors"]
    assert factor["url"].startswith("https://") and factor["verification"]
    cdrs = trace["raw_partitions"]["ocpi.cdrs"]
    assert 1 <= len(cdrs) <= DAYS
    for pub in cdrs:
        day = pub["partition_date"]
        assert f"date_from={day}T00:00:00Z" in pub["api_request"] and pub["validation_success"]
        assert pub["delta_versions"]["cdrs"] >= 1 and pub["landed_files"]
    assert trace["raw_partitions"]["telemetry.meter_values"]  # measured energy: its meter-value partitions
    text = cli_json(root, "audit", "figure", "--year", "2026", "--site", site, "scope_2_location_based_tco2e")
    assert "(equal)" in text.stdout and "API: GET cdrs module ?date_from=" in text.stdout
    missing = cli_json(root, "audit", "figure", "--year", "2026", "--site", "NOPE", "energy_consumption_mwh")
    assert missing.returncode == 2 and "no row for 2026 and site 'NOPE'" in missing.stderr


def test_audit_partition_lists_every_publication_and_what_the_table_holds(demo):
    import json

    root, _ = demo
    day = (UNTIL - timedelta(days=1)).isoformat()
    done = cli_json(root, "audit", "partition", "ocpi.sessions", day, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["rows_now"] == out["current_publication"]["rows"] > 0
    assert [p["action"] for p in out["history"]] == ["publish"]
    for args, message in (
        (("audit", "partition", "ocpi.cdrs", "1999-01-01"), "no publication of ocpi.cdrs for 1999-01-01"),
        (("audit", "partition", "cdrs", day), "is not SOURCE.TABLE"),
    ):
        refused = cli_json(root, *args)
        assert refused.returncode == 2 and message in refused.stderr and "Traceback" not in refused.stderr


def test_rpt_lineage_names_a_publication_for_every_partition_behind_every_row_group(demo):
    root, _ = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    groups = {
        (mart, group): tables
        for mart, group, tables in con.execute(
            "select mart, row_group, list(distinct source_name || '.' || table_name)"
            " from marts.rpt_lineage group by 1, 2"
        ).fetchall()
    }
    csrd = con.execute(
        "select reporting_year || ' | ' || legal_entity || ' | ' || location_id from marts.rpt_csrd_e1"
    ).fetchall()
    for (group,) in csrd:
        assert sorted(groups[("rpt_csrd_e1", group)]) == ["ocpi.cdrs", "telemetry.meter_values"]
    evses = con.execute("select distinct evse_uid from marts.fct_evse_availability").fetchall()
    assert len([g for m, g in groups if m == "fct_evse_availability"]) == len(evses)
    unaudited, wrong_version = con.execute(
        "select count(*) filter (where publication_id is null),"
        " count(*) filter (where delta_version is null or delta_version < 1) from marts.rpt_lineage"
    ).fetchone()
    assert unaudited == 0 and wrong_version == 0
