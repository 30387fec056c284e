"""The lineage report of a reporting year (HTML): from each CSRD figure, cost-allocation month and
uptime month to the raw partitions behind it, the gate's publications (API window, rows, Delta
version), their validation results and GE Data Docs.

The mart `rpt_lineage` says which partitions fed which row group; the publication rows
(`audit/publications`) say how each partition got there. Every publication is listed once and each
row group links to it, so a year of a large network stays a page a browser opens. Links are relative
on a local lake (the report folder and the lake can be moved together) and `s3://` URIs on S3.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import duckdb
import pandas as pd

from chargelake.lake import Lake
from expectations.audit import read_publications
from orchestration.audit.publications import describe
from orchestration.defs.reports.csrd import NoDataForPeriodError
from orchestration.defs.reports.render import records, write_html

# rpt_csrd_e1 column -> its heading in the report
FIGURES = {
    "energy_consumption_mwh": "Energy (MWh)",
    "energy_renewable_purchased_mwh": "Renewable, certificates (MWh)",
    "scope_2_location_based_tco2e": "Scope 2 location-based (tCO2e)",
    "scope_2_market_based_tco2e": "Scope 2 market-based (tCO2e)",
    "scope_2_location_based_time_matched_tco2e": "Scope 2 time-matched (tCO2e)",
    "scope_3_category_3_tco2e": "Scope 3 cat. 3 (tCO2e)",
}
MARTS = {
    "rpt_csrd_e1": "CSRD E1 figures (year | legal entity | site)",
    "rpt_cost_allocation": "Cost allocation (month | site)",
    "fct_evse_availability": "EVSE uptime (month | EVSE)",
}


def _link(lake: Lake, folder: str, path: str | None) -> str | None:
    if not path:
        return None
    return path if lake.is_s3 else os.path.relpath(path, folder)


def read_lineage(con: duckdb.DuckDBPyConnection, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    figures = con.execute(
        f"""
        select cast(reporting_year as varchar) || ' | ' || coalesce(legal_entity, 'unassigned') || ' | '
            || location_id as row_group, legal_entity, location_id, {", ".join(FIGURES)}
        from marts.rpt_csrd_e1 where reporting_year = ? order by row_group
        """,
        [year],
    ).df()
    if figures.empty:
        available = [r[0] for r in con.execute("select distinct reporting_year from marts.rpt_csrd_e1").fetchall()]
        raise NoDataForPeriodError(
            f"the warehouse has no CSRD figures for {year} (years with data: {sorted(available) or 'none'})"
        )
    lineage = con.execute(
        """
        select mart, row_group, source_name || '.' || table_name as raw_table,
            cast(partition_date as varchar) as partition_date, publication_id, delta_version
        from marts.rpt_lineage where year(period_start_date) = ?
        order by mart, row_group, raw_table, partition_date
        """,
        [year],
    ).df()
    return figures, lineage


def write_lineage_report(warehouse_path: str, lake: Lake, year: int) -> dict[str, str]:
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        figures, lineage = read_lineage(con, year)
    finally:
        con.close()
    folder = lake.path("reports", "lineage", str(year))
    wanted = set(lineage["publication_id"])
    publications = []
    for row in read_publications(lake).to_pylist():
        if row["publication_id"] in wanted:
            pub = describe(row)
            pub["validation_link"] = _link(lake, folder, pub["validation_result_path"])
            pub["data_docs_link"] = _link(lake, folder, pub["data_docs_path"])
            publications.append(pub)
    publications.sort(key=lambda p: (p["source_table"], p["partition_date"]))
    missing = sorted(wanted - {p["publication_id"] for p in publications})
    groups: dict[str, dict[str, dict[str, list[dict]]]] = {mart: {} for mart in MARTS}
    for row in records(lineage):
        by_table = groups[row["mart"]].setdefault(row["row_group"], {})
        by_table.setdefault(row["raw_table"], []).append(row)
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    context = {
        "year": year,
        "generated": generated,
        "marts": MARTS,
        "figure_columns": FIGURES,
        "figures": {r["row_group"]: r for r in records(figures)},
        "groups": groups,
        "publications": publications,
        "missing": missing,
        "warehouse": warehouse_path,
    }
    fs = lake.filesystem()
    fs.makedirs(folder, exist_ok=True)
    out = {"html": f"{folder}/lineage_{year}.html"}
    data = {"year": year, "figures": context["figures"], "groups": groups, "publications": publications}
    write_html(fs, out["html"], "lineage.html.j2", context, data)
    return out
