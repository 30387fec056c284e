-- One row per charging session: energy three ways (the OCPI session's kWh, the billing CDR's
-- total_energy, the meter-register delta of the charger transaction that matches it) and cost two
-- ways (what the CPO billed, net of credit CDRs, and what we recompute), each with a status and a
-- reason for every difference (docs/costing.md, "Reconciliation").
with charging_sessions as (

    select * from {{ ref('int_ocpi__charging_sessions') }}

),

session_costs as (

    select
        charging_session_key,
        count(*) as cdr_count,
        count(*) filter (where is_credit) as credit_cdr_count,
        sum(cpo_cost_excl_vat) as billed_cost_excl_vat,
        sum(cpo_cost_incl_vat) as billed_cost_incl_vat,
        sum(recomputed_cost_excl_vat) as recomputed_cost_excl_vat,
        sum(recomputed_cost_incl_vat) as recomputed_cost_incl_vat,
        max(cost_tolerance) as cost_tolerance,
        count(*) filter (where costing_status = 'not_costable') as not_costable_cdr_count,
        {{ ordered_string_agg(
            "case when costing_status != 'match' then cdr_id || ': ' || status_reason end", '; ', order_by='cdr_key'
        ) }} as cdr_reasons,
        {{ ordered_string_agg(
            'case when credited_by_cdr_key is not null then cdr_id end', ', ', order_by='cdr_key'
        ) }} as credited_cdr_ids
    from {{ ref('int_finance__session_costs') }}
    group by charging_session_key

),

transactions as (

    select * from {{ ref('int_telemetry__transactions') }}

),

signed_energy as (

    select * from {{ ref('int_ocpi__cdr_signed_energy') }}

),

transaction_candidates as (

    -- The charger transaction of a session: the same id where the CPMS uses one id for both,
    -- otherwise the transaction on the same EVSE that overlaps the session the longest.
    select
        charging_sessions.charging_session_key,
        transactions.*,
        row_number() over (
            partition by charging_sessions.charging_session_key
            order by
                (transactions.transaction_id = charging_sessions.session_id) desc,
                {{ seconds_between(
                    'greatest(transactions.first_reading_at_utc, charging_sessions.started_at_utc)',
                    'least(transactions.last_reading_at_utc, coalesce(charging_sessions.ended_at_utc, transactions.last_reading_at_utc))'
                ) }} desc
        ) as transaction_rank
    from charging_sessions
    inner join transactions
        on charging_sessions.evse_uid = transactions.evse_uid
        and transactions.first_reading_at_utc < coalesce(charging_sessions.ended_at_utc, transactions.last_reading_at_utc)
        and transactions.last_reading_at_utc > charging_sessions.started_at_utc

),

matched as (

    select * from transaction_candidates where transaction_rank = 1

),

joined as (

    select
        charging_sessions.charging_session_key,
        charging_sessions.session_id,
        charging_sessions.cdr_key,
        charging_sessions.location_key,
        charging_sessions.evse_uid,
        charging_sessions.session_status,
        charging_sessions.started_at_utc,
        charging_sessions.ended_at_utc,
        charging_sessions.started_at_local,
        charging_sessions.currency,
        charging_sessions.session_energy_kwh,
        charging_sessions.cdr_energy_kwh,
        matched.energy_kwh as meter_energy_kwh,
        matched.transaction_id,
        matched.last_reading_at_utc,
        matched.has_register_reset,
        matched.has_register_glitch,
        matched.has_gap,
        matched.has_unit_correction,
        matched.has_late_data,
        session_costs.cdr_count,
        session_costs.credit_cdr_count,
        session_costs.credited_cdr_ids,
        session_costs.billed_cost_excl_vat,
        session_costs.billed_cost_incl_vat,
        session_costs.recomputed_cost_excl_vat,
        session_costs.recomputed_cost_incl_vat,
        session_costs.cost_tolerance,
        session_costs.not_costable_cdr_count,
        session_costs.cdr_reasons,
        cast(charging_sessions.cdr_energy_kwh as double) - matched.energy_kwh as cdr_minus_meter_kwh,
        signed_energy.signed_status as cdr_signed_status,
        signed_energy.signed_reason as cdr_signed_reason,
        cast(signed_energy.signed_energy_kwh as decimal(24, 6)) as signed_energy_kwh,
        cast(cast(charging_sessions.cdr_energy_kwh as decimal(24, 6)) - signed_energy.signed_energy_kwh
            as decimal(24, 6)) as cdr_minus_signed_kwh,
        greatest(
            {{ var('energy_tolerance_kwh') }},
            abs(cast(charging_sessions.cdr_energy_kwh as double)) * {{ var('energy_tolerance_pct') }} / 100
        ) as energy_tolerance_kwh
    from charging_sessions
    left join session_costs on charging_sessions.charging_session_key = session_costs.charging_session_key
    left join matched on charging_sessions.charging_session_key = matched.charging_session_key
    left join signed_energy on charging_sessions.cdr_key = signed_energy.cdr_key

),

statuses as (

    select
        *,
        case
            when cdr_energy_kwh is null then 'not_billed'
            when meter_energy_kwh is null then 'no_meter_data'
            when abs(cdr_minus_meter_kwh) <= energy_tolerance_kwh then 'match'
            else 'mismatch'
        end as energy_status,
        case
            when cdr_count is null then 'not_billed'
            when not_costable_cdr_count > 0 then 'not_costable'
            when abs(billed_cost_excl_vat - recomputed_cost_excl_vat) <= cost_tolerance * cdr_count
                and coalesce(abs(billed_cost_incl_vat - recomputed_cost_incl_vat) <= cost_tolerance * cdr_count, true)
                then 'match'
            else 'mismatch'
        end as cost_status,
        case
            when cdr_energy_kwh is null then 'not_billed'
            when cdr_signed_status is null then 'unsigned'
            when cdr_signed_status = 'valid'
                and abs(cdr_minus_signed_kwh) > {{ var('signed_energy_tolerance_kwh') }} then 'energy_mismatch'
            else cdr_signed_status
        end as signed_status
    from joined

),

final as (

    select
        charging_session_key,
        session_id,
        cdr_key,
        location_key,
        evse_uid,
        session_status,
        started_at_utc,
        ended_at_utc,
        started_at_local,
        -- The UTC month where the site's time zone is unknown.
        cast({{ dbt.date_trunc('month', 'coalesce(started_at_local, started_at_utc)') }} as date) as local_month,
        currency,
        session_energy_kwh,
        cdr_energy_kwh,
        meter_energy_kwh,
        cdr_minus_meter_kwh,
        energy_tolerance_kwh,
        transaction_id,
        energy_status,
        case
            when energy_status = 'not_billed' then 'no CDR yet (session ' || lower(session_status) || ')'
            when energy_status = 'no_meter_data' then 'no meter data for this EVSE and time'
            when energy_status = 'match' and has_unit_correction then 'matches after a Wh/kWh unit correction'
            when energy_status = 'match' then null
            when has_register_reset then 'register reset (meter swap) during the session: meter energy incomplete'
            when last_reading_at_utc < {{ dbt.dateadd('minute', -5, 'ended_at_utc') }}
                then 'meter data incomplete: last reading ' || {{ format_time('last_reading_at_utc', '%Y-%m-%d %H:%M') }}
                    || ' UTC, before the session end (late data not received yet)'
            when has_gap then 'gap in the meter readings during the session'
            when has_register_glitch then 'register went back during the session'
            when has_unit_correction then 'Wh/kWh unit error corrected, energy still differs'
            when cdr_minus_meter_kwh > 0
                then 'CDR bills ' || cast(round(cdr_minus_meter_kwh, 3) as {{ dbt.type_string() }}) || ' kWh ('
                    || cast(round(100 * cdr_minus_meter_kwh / nullif(meter_energy_kwh, 0), 1) as {{ dbt.type_string() }})
                    || ' %) more than the meter delivered: over-billed unless credited'
            else 'CDR bills ' || cast(round(-cdr_minus_meter_kwh, 3) as {{ dbt.type_string() }}) || ' kWh ('
                || cast(round(-100 * cdr_minus_meter_kwh / nullif(meter_energy_kwh, 0), 1) as {{ dbt.type_string() }})
                || ' %) less than the meter delivered'
        end as energy_reason,
        cdr_count,
        credit_cdr_count,
        billed_cost_excl_vat,
        billed_cost_incl_vat,
        recomputed_cost_excl_vat,
        recomputed_cost_incl_vat,
        billed_cost_excl_vat - recomputed_cost_excl_vat as cost_difference_excl_vat,
        cost_status,
        case
            when cost_status = 'not_billed' then 'no CDR yet (session ' || lower(session_status) || ')'
            when cost_status = 'match' and credit_cdr_count > 0
                then 'credit CDR: ' || credited_cdr_ids || ' credited and re-issued; the net matches'
            when cost_status = 'match' then null
            else cdr_reasons
        end as cost_reason,
        has_register_reset,
        has_gap,
        has_unit_correction,
        has_late_data,
        signed_status,
        case
            when signed_status = 'energy_mismatch'
                then 'CDR bills ' || cast(round(cdr_minus_signed_kwh, 3) as {{ dbt.type_string() }})
                    || ' kWh more than the signed meter readings (negative: less)'
            when signed_status in ('invalid', 'unverifiable', 'not_usable') then cdr_signed_reason
        end as signed_reason,
        signed_energy_kwh,
        cdr_minus_signed_kwh,
        signed_status = 'valid' as is_backed_by_signed_readings
    from statuses

)

select * from final
