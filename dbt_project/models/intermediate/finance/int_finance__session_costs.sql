-- One row per CDR (latest version): our price recomputed from its charging periods and tariffs
-- beside the CPO's own totals, the difference, and a status with its reason. Credit CDRs are
-- priced negative, so the rows of one charging session sum to what it finally cost.
with cdrs as (

    select * from {{ ref('int_ocpi__cdrs_latest') }}

),

costs as (

    select * from {{ ref('int_finance__cdr_costs') }}

),

inputs as (

    select cdr_key, tariff_source, time_zone from {{ ref('int_finance__cdr_costing_inputs') }}

),

currencies as (

    select currency, minor_units from {{ ref('currencies') }}

),

credits as (

    select
        country_code || '*' || party_id || '*' || credit_reference_id as credited_cdr_key,
        min(cdr_key) as credited_by_cdr_key
    from cdrs
    where is_credit and credit_reference_id is not null
    group by 1

),

recomputed as (

    select
        cdr_key,
        costing_status as recomputed_status,
        not_costable_reason,
        tariff_ids,
        price_bound_applied,
        costing_notes,
        billed_energy_kwh,
        billed_time_hours,
        billed_parking_hours,
        billed_reservation_hours,
        flat_cost_excl_vat as recomputed_flat_cost_excl_vat,
        energy_cost_excl_vat as recomputed_energy_cost_excl_vat,
        time_cost_excl_vat as recomputed_time_cost_excl_vat,
        parking_cost_excl_vat as recomputed_parking_cost_excl_vat,
        reservation_cost_excl_vat as recomputed_reservation_cost_excl_vat,
        total_cost_excl_vat as recomputed_cost_excl_vat,
        total_cost_incl_vat as recomputed_cost_incl_vat
    from costs

),

compared as (

    select
        cdrs.cdr_key,
        cdrs.cdr_id,
        cdrs.country_code,
        cdrs.party_id,
        cdrs.session_key,
        cdrs.location_key,
        cdrs.evse_uid,
        cdrs.started_at_utc,
        cdrs.ended_at_utc,
        cdrs.currency,
        cdrs.ocpi_version,
        cdrs.is_credit,
        cdrs.credit_reference_id,
        cdrs.energy_kwh as cdr_energy_kwh,
        cdrs.fixed_cost_excl_vat as cpo_flat_cost_excl_vat,
        cdrs.energy_cost_excl_vat as cpo_energy_cost_excl_vat,
        cdrs.time_cost_excl_vat as cpo_time_cost_excl_vat,
        cdrs.parking_cost_excl_vat as cpo_parking_cost_excl_vat,
        cdrs.reservation_cost_excl_vat as cpo_reservation_cost_excl_vat,
        cdrs.total_cost_excl_vat as cpo_cost_excl_vat,
        cdrs.total_cost_incl_vat as cpo_cost_incl_vat,
        cdrs.last_updated_at_utc,
        cdrs.run_id,
        recomputed.recomputed_status,
        recomputed.not_costable_reason,
        recomputed.tariff_ids,
        recomputed.price_bound_applied,
        recomputed.costing_notes,
        recomputed.billed_energy_kwh,
        recomputed.billed_time_hours,
        recomputed.billed_parking_hours,
        recomputed.billed_reservation_hours,
        recomputed.recomputed_flat_cost_excl_vat,
        recomputed.recomputed_energy_cost_excl_vat,
        recomputed.recomputed_time_cost_excl_vat,
        recomputed.recomputed_parking_cost_excl_vat,
        recomputed.recomputed_reservation_cost_excl_vat,
        recomputed.recomputed_cost_excl_vat,
        recomputed.recomputed_cost_incl_vat,
        inputs.tariff_source,
        inputs.time_zone,
        credits.credited_by_cdr_key,
        -- One minor unit of the currency (0.01 EUR): CPOs round each figure, OCPI leaves rounding open.
        cast(power(10, -coalesce(currencies.minor_units, 2)) as decimal(38, 9)) as cost_tolerance,
        cdrs.total_cost_excl_vat - recomputed.recomputed_cost_excl_vat as cost_difference_excl_vat,
        cdrs.total_cost_incl_vat - recomputed.recomputed_cost_incl_vat as cost_difference_incl_vat
    from cdrs
    inner join recomputed on cdrs.cdr_key = recomputed.cdr_key
    left join inputs on cdrs.cdr_key = inputs.cdr_key
    left join currencies on cdrs.currency = currencies.currency
    left join credits on cdrs.cdr_key = credits.credited_cdr_key

),

explained as (

    select
        *,
        recomputed_status = 'costed' and abs(cost_difference_excl_vat) <= cost_tolerance
            and coalesce(abs(cost_difference_incl_vat) <= cost_tolerance, true) as is_match,
        concat_ws(
            '; ',
            {%- for dim in ['flat', 'energy', 'time', 'parking', 'reservation'] %}
            case
                when abs(cpo_{{ dim }}_cost_excl_vat - recomputed_{{ dim }}_cost_excl_vat) > cost_tolerance
                    then '{{ dim }} cost: CPO ' || cast(cpo_{{ dim }}_cost_excl_vat as decimal(18, 4))
                        || ', recomputed ' || cast(recomputed_{{ dim }}_cost_excl_vat as decimal(18, 4))
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as dimension_differences,
        ', CPO ' || cast(cpo_cost_excl_vat as decimal(18, 4)) || ', recomputed '
            || cast(recomputed_cost_excl_vat as decimal(18, 4)) as totals_text
    from compared

),

final as (

    select
        cdr_key,
        cdr_id,
        coalesce(session_key, cdr_key) as charging_session_key,
        session_key,
        location_key,
        evse_uid,
        started_at_utc,
        {{ utc_to_local('started_at_utc', 'time_zone') }} as started_at_local,
        ended_at_utc,
        time_zone,
        currency,
        ocpi_version,
        is_credit,
        case when is_credit then country_code || '*' || party_id || '*' || credit_reference_id end
            as credited_cdr_key,
        credited_by_cdr_key,
        tariff_source,
        tariff_ids,
        cdr_energy_kwh,
        billed_energy_kwh,
        billed_time_hours,
        billed_parking_hours,
        billed_reservation_hours,
        recomputed_flat_cost_excl_vat,
        recomputed_energy_cost_excl_vat,
        recomputed_time_cost_excl_vat,
        recomputed_parking_cost_excl_vat,
        recomputed_reservation_cost_excl_vat,
        price_bound_applied,
        recomputed_cost_excl_vat,
        recomputed_cost_incl_vat,
        cpo_flat_cost_excl_vat,
        cpo_energy_cost_excl_vat,
        cpo_time_cost_excl_vat,
        cpo_parking_cost_excl_vat,
        cpo_reservation_cost_excl_vat,
        cpo_cost_excl_vat,
        cpo_cost_incl_vat,
        cost_difference_excl_vat,
        cost_difference_incl_vat,
        cost_tolerance,
        case
            when recomputed_status = 'not_costable' then 'not_costable'
            when is_match then 'match'
            else 'mismatch'
        end as costing_status,
        case
            when recomputed_status = 'not_costable' then not_costable_reason
            when is_match then null
            when dimension_differences != '' then dimension_differences
            when abs(cost_difference_excl_vat) <= cost_tolerance
                then 'VAT differs: CPO ' || cast(cpo_cost_incl_vat as decimal(18, 4))
                    || ' incl. VAT, recomputed ' || cast(recomputed_cost_incl_vat as decimal(18, 4))
            when price_bound_applied is not null
                then 'total differs after ' || price_bound_applied || totals_text
            when coalesce(cpo_flat_cost_excl_vat, cpo_energy_cost_excl_vat, cpo_time_cost_excl_vat,
                    cpo_parking_cost_excl_vat, cpo_reservation_cost_excl_vat) is null
                then 'total differs' || totals_text || ' (the CDR gives no per-dimension costs)'
            else 'total differs' || totals_text
        end as status_reason,
        costing_notes,
        last_updated_at_utc,
        run_id

    from explained

)

select * from final
