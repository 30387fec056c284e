"""Writing the report packs into the lake's `reports/` folder (local or S3, through fsspec)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from chargelake.lake import Lake
from orchestration.defs.reports import charts
from orchestration.defs.reports.csrd import read_pack
from orchestration.defs.reports.render import records, write_csvs, write_html, write_workbook


def write_csrd_pack(warehouse_path: str, lake: Lake, year: int) -> dict[str, str]:
    """The CSRD E1 pack of `year`: workbook, one CSV per table and an HTML report with charts."""
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        pack = read_pack(con, year)
    finally:
        con.close()
    fs = lake.filesystem()
    folder = lake.path("reports", "csrd", str(year))
    fs.makedirs(folder, exist_ok=True)
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    about = [
        ("Report", f"CSRD ESRS E1 energy and Scope 2 emissions, reporting year {year}"),
        ("Generated at (UTC)", generated),
        ("Warehouse", warehouse_path),
        (
            "Source marts",
            "rpt_csrd_e1, fct_session_emissions, dim_emission_factors, rpt_cost_allocation, fct_evse_availability, "
            "rpt_lineage",
        ),
        ("Methods", "sheet Methodology; factors with their primary publications in sheet Factors"),
        (
            "Lineage",
            "sheet Lineage: raw CDR partitions and publication ids per site; "
            "`chargelake audit figure` walks one figure back to its API pages",
        ),
    ]
    tables = pack.tables()
    out = {"workbook": f"{folder}/csrd_e1_{year}.xlsx", "html": f"{folder}/csrd_e1_{year}.html"}
    write_workbook(fs, out["workbook"], about, tables)
    for path in write_csvs(fs, folder, f"csrd_e1_{year}", tables):
        out[path.rsplit("/", 1)[-1]] = path
    context = {
        "year": year,
        "generated": generated,
        "about": about,
        "tables": {name: records(df) for name, df in tables.items()},
        "columns": {name: list(df.columns) for name, df in tables.items()},
        "charts": {
            "Energy by site and month": charts.monthly_energy_by_site(pack.monthly_energy),
            "Location- vs market-based emissions": charts.location_vs_market(pack.summary),
            "Cost allocation by cost centre": charts.cost_centres(pack.cost_allocation),
            "EVSE uptime": charts.evse_uptime(pack.uptime),
        },
        "totals": records(pack.summary),
    }
    write_html(fs, out["html"], "csrd.html.j2", context, {"year": year, "tables": context["tables"]})
    return out
