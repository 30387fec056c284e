"""The tables of the CSRD E1 pack for one reporting year, read from the marts.

Every figure is a sum of `rpt_csrd_e1` rows (or of the marts it is built from), so a test can check
the pack against the warehouse and an auditor can walk each figure back (`chargelake audit figure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

METHODOLOGY = [
    (
        "Scope",
        "Purchased electricity for EV charging: Scope 2 (GHG Protocol). T&D losses and upstream: Scope 3 cat. 3.",
    ),
    (
        "Location-based",
        "Session energy x the Scope 2 grid-average factor of the site's zone, latest year not after"
        " the reporting year (sheet Factors).",
    ),
    (
        "Time-matched",
        "15-minute energy x the grid intensity of its half-hour or hour; annual factor where none"
        " was published. Supplementary.",
    ),
    (
        "Market-based",
        "Cancelled certificates first (pro rata), then the supplier-specific factor, then the"
        " user's residual mix, then the grid average (flagged).",
    ),
    (
        "Energy split",
        "Renewable or nuclear only where cancelled certificates prove it; the rest is reported as"
        " unknown mix, not guessed (ESRS E1-5 §37).",
    ),
    (
        "Energy",
        "Measured from meter values where the charger sent them, else the billed energy spread over"
        " the session (estimated; sheet Completeness).",
    ),
    (
        "Lineage",
        "Sheet Lineage (mart rpt_lineage): per site, every raw partition behind its figures, with the"
        " gate's publication id, the Delta version it committed and the validation result.",
    ),
    ("Documentation", "docs/emissions.md, docs/emission-factors.md, docs/availability.md, docs/cost-allocation.md"),
]


@dataclass
class CsrdPack:
    year: int
    summary: pd.DataFrame
    sites: pd.DataFrame
    factors: pd.DataFrame
    completeness: pd.DataFrame
    lineage: pd.DataFrame
    monthly_energy: pd.DataFrame
    cost_allocation: pd.DataFrame
    uptime: pd.DataFrame
    methodology: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Sheet / CSV name -> table, in reading order."""
        return {
            "Summary": self.summary,
            "Sites": self.sites,
            "Factors": self.factors,
            "Methodology": self.methodology,
            "Completeness": self.completeness,
            "Lineage": self.lineage,
            "Monthly energy": self.monthly_energy,
            "Cost allocation": self.cost_allocation,
            "Uptime": self.uptime,
        }


class NoDataForPeriodError(LookupError):
    """The warehouse has no CSRD row for the year asked for."""


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


def read_pack(con: duckdb.DuckDBPyConnection, year: int) -> CsrdPack:
    sites = _df(
        con,
        """
        select legal_entity, location_id, location_name, grid_zone, session_count,
            energy_consumption_mwh, energy_renewable_purchased_mwh, energy_nuclear_mwh, energy_unknown_mix_mwh,
            scope_2_location_based_tco2e, scope_2_market_based_tco2e, scope_2_location_based_time_matched_tco2e,
            scope_3_category_3_tco2e, location_based_factor_ids, market_based_bases, certificate_ids,
            scope_3_factor_ids
        from marts.rpt_csrd_e1 where reporting_year = ? order by legal_entity, location_id
        """,
        [year],
    )
    if sites.empty:
        available = [
            r[0] for r in con.execute("select distinct reporting_year from marts.rpt_csrd_e1 order by 1").fetchall()
        ]
        raise NoDataForPeriodError(
            f"the warehouse has no CSRD figures for {year} (years with data: {available or 'none'})"
        )
    summary = _df(
        con,
        """
        select legal_entity, count(*) as sites, cast(sum(session_count) as bigint) as sessions,
            sum(energy_consumption_mwh) as energy_consumption_mwh,
            sum(energy_renewable_purchased_mwh) as energy_renewable_purchased_mwh,
            sum(energy_nuclear_mwh) as energy_nuclear_mwh, sum(energy_unknown_mix_mwh) as energy_unknown_mix_mwh,
            sum(scope_2_location_based_tco2e) as scope_2_location_based_tco2e,
            sum(scope_2_market_based_tco2e) as scope_2_market_based_tco2e,
            sum(scope_2_location_based_time_matched_tco2e) as scope_2_location_based_time_matched_tco2e,
            sum(scope_3_category_3_tco2e) as scope_3_category_3_tco2e,
            sum(energy_without_factor_mwh) as energy_without_factor_mwh
        from marts.rpt_csrd_e1 where reporting_year = ? group by legal_entity order by legal_entity
        """,
        [year],
    )
    factors = _df(
        con,
        """
        with used as (
            select distinct trim(unnest(string_split(coalesce(location_based_factor_ids, '') || ','
                || coalesce(scope_3_factor_ids, ''), ','))) as factor_id
            from marts.rpt_csrd_e1 where reporting_year = ?
        )
        select f.factor_id, f.grid_zone, f.year, f.scope, f.method, f.value, f.unit, f.gco2e_per_kwh, f.basis,
            f.gases, f.publisher, f.publication, f.table_reference, f.url, f.licence, f.verification
        from marts.dim_emission_factors f join used using (factor_id) order by f.factor_id
        """,
        [year],
    )
    completeness = _df(
        con,
        """
        select legal_entity, location_id, session_count, measured_energy_pct, estimated_energy_pct,
            time_matched_coverage_pct, energy_without_factor_mwh, max_factor_age_years
        from marts.rpt_csrd_e1 where reporting_year = ? order by legal_entity, location_id
        """,
        [year],
    )
    lineage = _df(
        con,
        """
        select row_group, source_name || '.' || table_name as raw_table, partition_date, run_id, publication_id,
            delta_version, partition_row_count, validation_success, published_at_utc
        from marts.rpt_lineage where mart = 'rpt_csrd_e1' and year(period_start_date) = ?
        order by row_group, raw_table, partition_date
        """,
        [year],
    )
    monthly = _df(
        con,
        """
        select strftime(date_trunc('month', local_date), '%Y-%m') as month, location_id,
            sum(energy_kwh) as energy_kwh, sum(lb_co2e_kg) as lb_co2e_kg, sum(mb_co2e_kg) as mb_co2e_kg
        from marts.fct_session_emissions where reporting_year = ? group by 1, 2 order by 1, 2
        """,
        [year],
    )
    costs = _df(
        con,
        """
        select cost_centre_id, any_value(cost_centre_name) as cost_centre_name, contract_currency as currency,
            cast(sum(session_count) as bigint) as sessions, sum(energy_kwh) as energy_kwh,
            sum(tariff_charges_excl_vat) as tariff_charges_excl_vat, sum(energy_cost) as energy_cost,
            sum(demand_charge) as demand_charge, sum(lb_co2e_kg) as lb_co2e_kg, sum(mb_co2e_kg) as mb_co2e_kg
        from marts.rpt_cost_allocation where year(month_start_local_date) = ?
        group by cost_centre_id, contract_currency order by currency, cost_centre_id
        """,
        [year],
    )
    uptime = _df(
        con,
        """
        select evse_uid, location_id, max(max_power_kw) as max_power_kw, sum(observed_minutes) as observed_minutes,
            sum(outage_minutes) as outage_minutes, sum(excluded_minutes) as excluded_minutes,
            100.0 * sum(observed_minutes - outage_minutes + excluded_minutes) / nullif(sum(observed_minutes), 0)
                as uptime_pct,
            arg_max(nevi_uptime_pct, month_start_local_date) as nevi_uptime_pct,
            bool_or(nevi_applies) as nevi_applies,
            arg_max(uk_reliability_ytd_pct, month_start_local_date) as uk_reliability_pct,
            bool_or(uk_applies) as uk_applies
        from marts.fct_evse_availability where year(month_start_local_date) = ?
        group by evse_uid, location_id order by location_id, evse_uid
        """,
        [year],
    )
    methodology = pd.DataFrame(METHODOLOGY, columns=["topic", "method"])
    return CsrdPack(year, summary, sites, factors, completeness, lineage, monthly, costs, uptime, methodology)
