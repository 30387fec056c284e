"""Walking one CSRD figure back: the mart row, the sessions it sums (recomputed here), the emission
factor rows it used, and the raw partitions (CDRs, meter values, grid intensity) with the gate's
publications and the API windows they were extracted from."""

from __future__ import annotations

import duckdb

from chargelake.lake import Lake
from orchestration.audit.publications import publications_of

# CSRD column -> (per-session column of fct_session_emissions, divisor to the report's unit)
FIGURES = {
    "energy_consumption_mwh": ("energy_kwh", 1000),
    "energy_renewable_purchased_mwh": ("renewable_certificate_energy_kwh", 1000),
    "energy_nuclear_mwh": ("nuclear_certificate_energy_kwh", 1000),
    "scope_2_location_based_tco2e": ("lb_co2e_kg", 1000),
    "scope_2_location_based_time_matched_tco2e": ("tm_co2e_kg", 1000),
    "scope_2_market_based_tco2e": ("mb_co2e_kg", 1000),
    "scope_3_category_3_tco2e": ("s3_cat3_co2e_kg", 1000),
}


class FigureNotFoundError(LookupError):
    """The figure asked for is not in the warehouse; the message says what is."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _report_row(con, year: int, site: str, entity: str | None) -> dict:
    rows = _rows(
        con,
        "select * from marts.rpt_csrd_e1 where reporting_year = ? and location_id = ?"
        " and (? is null or legal_entity = ?)",
        [year, site, entity, entity],
    )
    if not rows:
        sites = [
            r[0]
            for r in con.execute(
                "select distinct location_id from marts.rpt_csrd_e1 where reporting_year = ? order by 1", [year]
            ).fetchall()
        ]
        raise FigureNotFoundError(f"rpt_csrd_e1 has no row for {year} and site {site!r} (sites in {year}: {sites})")
    if len(rows) > 1:
        entities = sorted(r["legal_entity"] for r in rows)
        raise FigureNotFoundError(
            f"site {site!r} reports under several legal entities in {year}: pick --entity {entities}"
        )
    return rows[0]


def trace_figure(warehouse_path: str, lake: Lake, year: int, site: str, figure: str, entity: str | None = None) -> dict:
    if figure not in FIGURES:
        raise FigureNotFoundError(f"{figure!r} is not a traceable rpt_csrd_e1 figure (one of: {', '.join(FIGURES)})")
    column, divisor = FIGURES[figure]
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        row = _report_row(con, year, site, entity)
        scope = [year, row["location_key"], row["legal_entity"]]
        sessions = _rows(
            con,
            f"""
            select e.charging_session_key, e.cdr_key, e.energy_kwh, e.measured_energy_kwh, e.{column} as amount,
                e.lb_factor_id, e.s3_factor_ids, e.mb_remainder_basis, e.mb_remainder_reference,
                e.mb_certificate_ids, e.grid_zone, cast(e.cdr_partition_date as varchar) as cdr_partition_date,
                e.cdr_run_id, s.evse_uid, s.started_at_utc, s.ended_at_utc
            from marts.fct_session_emissions e
            join marts.fct_charging_sessions s using (charging_session_key)
            where e.reporting_year = ? and e.location_key = ? and coalesce(e.legal_entity, 'unassigned') = ?
            order by s.started_at_utc
            """,
            scope,
        )
        factor_ids = set()
        for s in sessions:
            if figure.startswith("scope_2_location") or figure.startswith("scope_2_market"):
                factor_ids.add(s["lb_factor_id"])
            if figure.startswith("scope_3"):
                factor_ids.update((s["s3_factor_ids"] or "").split(","))
        factors = _rows(
            con,
            "select factor_id, grid_zone, year, value, unit, gco2e_per_kwh, publisher, publication,"
            " table_reference, url, verification from marts.dim_emission_factors"
            " where list_contains(?, factor_id) order by factor_id",
            [sorted(f for f in factor_ids if f)],
        )
        meter_days = _rows(
            con,
            """
            select distinct cast(r.received_date as varchar) as received_date, r.run_id
            from intermediate.int_telemetry__register_readings r
            join staging.stg_telemetry__charge_points c using (charge_point_id)
            join marts.fct_charging_sessions s on s.evse_uid = c.evse_uid
            join marts.fct_session_emissions e using (charging_session_key)
            where e.reporting_year = ? and e.location_key = ? and coalesce(e.legal_entity, 'unassigned') = ?
                and r.measured_at_utc between s.started_at_utc and s.ended_at_utc
            """,
            scope,
        )
        intensity_days = []
        if "time_matched" in figure:
            intensity_days = _rows(
                con,
                "select distinct cast(partition_date as varchar) as partition_date, run_id"
                " from intermediate.int_sustainability__grid_intensity where grid_zone = ?"
                " and year(period_start_at_utc) = ?",
                [row["grid_zone"], year],
            )
    finally:
        con.close()

    recomputed = sum(float(s["amount"] or 0) for s in sessions) / divisor
    value = row[figure]
    cdr_runs = {(s["cdr_partition_date"], s["cdr_run_id"]) for s in sessions if s["cdr_partition_date"]}
    raw = {
        "ocpi.cdrs": _matching(lake, "ocpi", "cdrs", cdr_runs),
        "telemetry.meter_values": _matching(
            lake, "telemetry", "meter_values", {(d["received_date"], d["run_id"]) for d in meter_days}
        ),
    }
    if intensity_days:
        raw["carbon.grid_intensity"] = _matching(
            lake, "carbon", "grid_intensity", {(d["partition_date"], d["run_id"]) for d in intensity_days}
        )
    return {
        "report": "rpt_csrd_e1",
        "reporting_year": year,
        "legal_entity": row["legal_entity"],
        "location_id": site,
        "figure": figure,
        "value": None if value is None else float(value),
        "recomputed": recomputed,
        "matches": value is not None and abs(float(value) - recomputed) <= 1e-9 * max(1.0, abs(recomputed)),
        "formula": f"sum of fct_session_emissions.{column} over the sessions / {divisor}",
        "sessions": len(sessions),
        "energy_kwh": sum(float(s["energy_kwh"] or 0) for s in sessions),
        "measured_energy_kwh": sum(float(s["measured_energy_kwh"] or 0) for s in sessions),
        "market_based_bases": sorted({s["mb_remainder_basis"] for s in sessions if s["mb_remainder_basis"]}),
        "certificates": sorted({c for s in sessions for c in (s["mb_certificate_ids"] or "").split(",") if c}),
        "factors": factors,
        "raw_partitions": raw,
    }


def _matching(lake: Lake, source: str, table: str, days_runs: set[tuple[str, str]]) -> list[dict]:
    """The publications that put exactly these (partition, run) rows in the raw table."""
    days = {d for d, _ in days_runs}
    return [
        p
        for p in publications_of(lake, source, table, days)
        if p["action"] == "publish" and (p["partition_date"], p["run_id"]) in days_runs
    ]
