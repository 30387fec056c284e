"""Cost statements: per cost centre and month, the lines of `rpt_cost_allocation` a budget holder is
charged, as one workbook (a sheet per cost centre, a summary first) and one CSV per cost centre.
The figures are the mart's, to the cent, so the statements of a month add up to the sites' totals."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from chargelake.lake import Lake
from orchestration.defs.reports.csrd import NoDataForPeriodError
from orchestration.defs.reports.render import write_workbook

LINES = """
select cost_centre_id, any_value(cost_centre_name) as cost_centre_name, location_id,
    any_value(legal_entity) as legal_entity, cast(sum(session_count) as bigint) as sessions,
    sum(energy_kwh) as energy_kwh,
    any_value(tariff_currency) as tariff_currency, sum(tariff_charges_excl_vat) as tariff_charges_excl_vat,
    contract_currency as currency, sum(energy_cost) as energy_cost, sum(demand_charge) as demand_charge,
    sum(energy_cost) + sum(demand_charge) as site_cost, sum(lb_co2e_kg) as lb_co2e_kg,
    sum(mb_co2e_kg) as mb_co2e_kg
from marts.rpt_cost_allocation
where month_start_local_date = ?
group by cost_centre_id, location_id, contract_currency
order by cost_centre_id, location_id
"""


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def read_statements(con: duckdb.DuckDBPyConnection, month: date) -> pd.DataFrame:
    lines = con.execute(LINES, [month]).df()
    if lines.empty:
        available = [
            r[0].strftime("%Y-%m")
            for r in con.execute(
                "select distinct month_start_local_date from marts.rpt_cost_allocation order by 1"
            ).fetchall()
        ]
        raise NoDataForPeriodError(
            f"the warehouse has no cost allocation for {month:%Y-%m} (months: {available or 'none'})"
        )
    return lines


def write_cost_statements(warehouse_path: str, lake: Lake, month: date) -> dict[str, str]:
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        lines = read_statements(con, month)
    finally:
        con.close()
    fs = lake.filesystem()
    folder = lake.path("reports", "costs", f"{month:%Y-%m}")
    fs.makedirs(folder, exist_ok=True)
    summary = (
        lines.groupby(["cost_centre_id", "cost_centre_name", "currency"], dropna=False)
        .agg(
            sessions=("sessions", "sum"),
            energy_kwh=("energy_kwh", "sum"),
            energy_cost=("energy_cost", "sum"),
            demand_charge=("demand_charge", "sum"),
            site_cost=("site_cost", "sum"),
            tariff_charges_excl_vat=("tariff_charges_excl_vat", "sum"),
            lb_co2e_kg=("lb_co2e_kg", "sum"),
            mb_co2e_kg=("mb_co2e_kg", "sum"),
        )
        .reset_index()
    )
    tables = {"Summary": summary}
    out: dict[str, str] = {}
    for centre, group in lines.groupby("cost_centre_id", sort=True):
        tables[str(centre)[:31]] = group.reset_index(drop=True)
        path = f"{folder}/cost_statement_{_safe(str(centre))}_{month:%Y-%m}.csv"
        with fs.open(path, "w") as fh:
            group.to_csv(fh, index=False)
        out[str(centre)] = path
    about = [
        ("Report", f"Cost statements, {month:%B %Y} (site-local month)"),
        ("Generated at (UTC)", datetime.now(UTC).replace(microsecond=0).isoformat()),
        ("Source mart", "rpt_cost_allocation (docs/cost-allocation.md)"),
        ("Site cost", "energy cost at the supply contract's time-of-use rates + share of the demand charge"),
        ("Tariff charges", "what the sessions were billed by the CPO (CDR totals, excl. VAT)"),
    ]
    out["workbook"] = f"{folder}/cost_statements_{month:%Y-%m}.xlsx"
    write_workbook(fs, out["workbook"], about, tables)
    return out
