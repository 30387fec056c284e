"""The demo's sustainability marts against the simulator's truth: zone-hour energy, outages, cost
centres, allocations to the cent, and every CSRD figure traced to its factors and partitions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

from simulator.server import SimConfig
from tests.e2e.conftest import DAYS, SEED, UNTIL, read_csv


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
