"""What a person reads after a run: billed against recomputed money and billed against metered
energy, from the reconciliation marts, with the reasons for what differs."""

from __future__ import annotations

import duckdb


def reconciliation_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = []
    for cur, billed, recomputed, diff, matched, mismatched, uncostable, credited in con.execute(
        """
        select currency, sum(billed_cost_excl_vat), sum(recomputed_cost_excl_vat),
            sum(cost_difference_excl_vat), sum(cost_match_count), sum(cost_mismatch_count),
            sum(not_costable_count), sum(credited_session_count)
        from marts.rpt_reconciliation
        where billed_session_count > 0
        group by currency order by currency
        """
    ).fetchall():
        diff = diff if abs(diff) >= 0.005 else 0  # no "-0.00" for a sub-cent rounding difference
        lines.append(
            f"  {cur}: billed {billed:,.2f}, recomputed {recomputed:,.2f} excl. VAT (difference {diff:,.2f}); "
            f"sessions: {matched} match, {mismatched} differ, {uncostable} not costable, {credited} credited"
        )
    billed_kwh, metered_kwh, energy_match, energy_mismatch, no_meter = con.execute(
        """
        select coalesce(sum(billed_metered_energy_kwh), 0), coalesce(sum(metered_energy_kwh), 0),
            coalesce(sum(energy_match_count), 0), coalesce(sum(energy_mismatch_count), 0),
            coalesce(sum(no_meter_data_count), 0)
        from marts.rpt_reconciliation
        """
    ).fetchone()
    lines.append(
        f"  energy: billed {billed_kwh:,.1f} kWh against {metered_kwh:,.1f} kWh metered; sessions: "
        f"{energy_match} match, {energy_mismatch} differ, {no_meter} without meter data"
    )
    lines.extend(signed_data_lines(con))
    for kind, reason, n in con.execute(
        """
        select 'cost', cost_reason, count(*) from marts.fct_session_reconciliation
        where cost_status in ('mismatch', 'not_costable') group by 2
        union all
        select 'energy', energy_reason, count(*) from marts.fct_session_reconciliation
        where energy_status = 'mismatch' group by 2
        order by 3 desc, 2 limit 5
        """
    ).fetchall():
        lines.append(f"    {n} x {kind}: {reason}")
    return ["reconciliation (marts.rpt_reconciliation):", *lines] if lines else []


def signed_data_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """How much of the billed energy a calibrated meter's valid signature proves (docs/signed-data.md)."""
    billed, backed, valid, mismatch, invalid, unverifiable, unsigned = con.execute(
        """
        select coalesce(sum(billed_energy_kwh), 0), coalesce(sum(signed_valid_energy_kwh), 0),
            coalesce(sum(signed_valid_session_count), 0), coalesce(sum(signed_energy_mismatch_count), 0),
            coalesce(sum(signed_invalid_session_count), 0), coalesce(sum(signed_unverifiable_session_count), 0),
            coalesce(sum(unsigned_session_count), 0)
        from marts.rpt_reconciliation
        """
    ).fetchone()
    if not billed:
        return []
    costs = ", ".join(
        f"{currency} {100 * float(part) / float(total):.1f} %"
        for currency, part, total in con.execute(
            """
            select currency, sum(signed_valid_cost_excl_vat), sum(billed_cost_excl_vat)
            from marts.rpt_reconciliation where billed_cost_excl_vat != 0 group by currency order by currency
            """
        ).fetchall()
    )
    return [
        f"  signed meter data: {100 * float(backed) / float(billed):.1f} % of billed energy "
        f"({float(backed):,.1f} of {float(billed):,.1f} kWh) backed by valid signatures (of billed cost: {costs}); "
        f"sessions: {valid} valid, {invalid} invalid signature, {mismatch} billing other energy than signed, "
        f"{unverifiable} unverifiable, {unsigned} unsigned"
    ]


def sustainability_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The figures a sustainability team asks for first: energy, CO2e both ways, fleet uptime."""
    mwh, lb, tm, mb, s3, no_factor = con.execute(
        """
        select coalesce(sum(energy_consumption_mwh), 0), sum(scope_2_location_based_tco2e),
            sum(scope_2_location_based_time_matched_tco2e), sum(scope_2_market_based_tco2e),
            sum(scope_3_category_3_tco2e), coalesce(sum(energy_without_factor_mwh), 0)
        from marts.rpt_csrd_e1
        """
    ).fetchone()

    def t(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.3f}"

    lines = [
        f"  energy: {mwh * 1000:,.1f} kWh; Scope 2 location-based {t(lb)} tCO2e (time-matched {t(tm)}), "
        f"market-based {t(mb)} tCO2e; Scope 3 cat. 3 {t(s3)} tCO2e"
    ]
    if no_factor:
        lines.append(f"    {no_factor * 1000:,.1f} kWh without an emission factor (zone or factor unknown)")
    evses, observed, up, nevi_low, uk_low = con.execute(
        """
        select count(distinct evse_uid), coalesce(sum(observed_minutes), 0),
            coalesce(sum(observed_minutes - outage_minutes + excluded_minutes), 0),
            count(distinct case when is_below_nevi_threshold then evse_uid end),
            count(distinct case when is_below_uk_threshold then evse_uid end)
        from marts.fct_evse_availability
        """
    ).fetchone()
    if observed:
        lines.append(
            f"  uptime: fleet {100 * up / observed:.2f} % of {evses} EVSEs' observed time; "
            f"{nevi_low} EVSEs below NEVI's 97 %, {uk_low} below the UK's 99 % (rapid)"
        )
    return ["emissions and uptime (marts.rpt_csrd_e1, marts.fct_evse_availability):", *lines]
