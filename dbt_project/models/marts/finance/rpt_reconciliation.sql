-- Per site, month (site-local) and currency: what was billed, what we recomputed, how much differs
-- and why, and how billed energy compares with the meters. Built for a finance team to read.
with sessions as (

    select * from {{ ref('fct_session_reconciliation') }}

),

sites as (

    select location_key, location_name from {{ ref('dim_sites') }}

),

summary as (

    select
        location_key,
        local_month,
        currency,
        count(*) as session_count,
        count(*) filter (where cost_status != 'not_billed') as billed_session_count,
        coalesce(sum(billed_cost_excl_vat), 0) as billed_cost_excl_vat,
        coalesce(sum(billed_cost_incl_vat), 0) as billed_cost_incl_vat,
        coalesce(sum(recomputed_cost_excl_vat), 0) as recomputed_cost_excl_vat,
        coalesce(sum(recomputed_cost_incl_vat), 0) as recomputed_cost_incl_vat,
        coalesce(sum(billed_cost_excl_vat - recomputed_cost_excl_vat) filter (where cost_status = 'mismatch'), 0)
            as mismatched_difference_excl_vat,
        count(*) filter (where cost_status = 'match') as cost_match_count,
        count(*) filter (where cost_status = 'mismatch') as cost_mismatch_count,
        count(*) filter (where cost_status = 'not_costable') as not_costable_count,
        count(*) filter (where credit_cdr_count > 0) as credited_session_count,
        sum(cdr_energy_kwh) as billed_energy_kwh,
        sum(meter_energy_kwh) filter (where energy_status in ('match', 'mismatch')) as metered_energy_kwh,
        sum(cdr_energy_kwh) filter (where energy_status in ('match', 'mismatch')) as billed_metered_energy_kwh,
        count(*) filter (where energy_status = 'match') as energy_match_count,
        count(*) filter (where energy_status = 'mismatch') as energy_mismatch_count,
        count(*) filter (where energy_status = 'no_meter_data') as no_meter_data_count,
        coalesce(sum(cdr_energy_kwh) filter (where is_backed_by_signed_readings), 0) as signed_valid_energy_kwh,
        coalesce(sum(billed_cost_excl_vat) filter (where is_backed_by_signed_readings), 0)
            as signed_valid_cost_excl_vat,
        count(*) filter (where is_backed_by_signed_readings) as signed_valid_session_count,
        count(*) filter (where signed_status = 'unsigned') as unsigned_session_count,
        count(*) filter (where signed_status = 'invalid') as signed_invalid_session_count,
        count(*) filter (where signed_status in ('unverifiable', 'not_usable')) as signed_unverifiable_session_count,
        count(*) filter (where signed_status = 'energy_mismatch') as signed_energy_mismatch_count,
        {{ ordered_string_agg(
            "case when cost_status in ('mismatch', 'not_costable') then cost_reason end", ' | ', distinct=true
        ) }}
            as cost_reasons,
        {{ ordered_string_agg(
            "case when energy_status = 'mismatch' then energy_reason end", ' | ', distinct=true
        ) }}
            as energy_reasons
    from sessions
    group by location_key, local_month, currency

),

final as (

    select
        summary.location_key,
        sites.location_name,
        summary.local_month,
        summary.currency,
        summary.session_count,
        summary.billed_session_count,
        summary.billed_cost_excl_vat,
        summary.billed_cost_incl_vat,
        summary.recomputed_cost_excl_vat,
        summary.recomputed_cost_incl_vat,
        summary.billed_cost_excl_vat - summary.recomputed_cost_excl_vat as cost_difference_excl_vat,
        summary.mismatched_difference_excl_vat,
        summary.cost_match_count,
        summary.cost_mismatch_count,
        summary.not_costable_count,
        summary.credited_session_count,
        summary.billed_energy_kwh,
        summary.metered_energy_kwh,
        summary.billed_metered_energy_kwh,
        summary.energy_match_count,
        summary.energy_mismatch_count,
        summary.no_meter_data_count,
        summary.signed_valid_energy_kwh,
        round(100.0 * summary.signed_valid_energy_kwh / nullif(summary.billed_energy_kwh, 0), 2)
            as signed_valid_energy_pct,
        summary.signed_valid_cost_excl_vat,
        round(100.0 * summary.signed_valid_cost_excl_vat / nullif(summary.billed_cost_excl_vat, 0), 2)
            as signed_valid_cost_pct,
        summary.signed_valid_session_count,
        summary.unsigned_session_count,
        summary.signed_invalid_session_count,
        summary.signed_unverifiable_session_count,
        summary.signed_energy_mismatch_count,
        summary.cost_reasons,
        summary.energy_reasons
    from summary
    left join sites on summary.location_key = sites.location_key

)

select * from final
