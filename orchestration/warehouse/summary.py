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
