-- Every kWh a site drew per 15-minute interval, with who drew it and what the supply contract charges
-- for it: the sessions' interval energy, plus metered energy no session accounts for (a charger
-- drawing outside any known session: it belongs to the site, allocated to nobody). Priced at the
-- contract's time-of-use rate for the interval's local start time.
with session_intervals as (

    select location_key, location_id, evse_uid, charging_session_key, interval_start_utc, energy_kwh, energy_basis
    from {{ ref('int_energy__session_intervals') }}

),

sessions as (

    select evse_uid, started_at_utc, ended_at_utc
    from {{ ref('int_ocpi__charging_sessions') }}
    where ended_at_utc is not null

),

meter_intervals as (

    select * from {{ ref('int_energy__meter_intervals') }}

),

outside_sessions as (

    select
        meter_intervals.location_key,
        meter_intervals.location_id,
        meter_intervals.evse_uid,
        cast(null as {{ dbt.type_string() }}) as charging_session_key,
        meter_intervals.interval_start_utc,
        meter_intervals.energy_kwh,
        'measured' as energy_basis
    from meter_intervals
    where meter_intervals.energy_kwh <> 0
        and not exists (
            select 1
            from sessions
            where sessions.evse_uid = meter_intervals.evse_uid
                and sessions.started_at_utc < meter_intervals.interval_end_utc
                and sessions.ended_at_utc > meter_intervals.interval_start_utc
        )

),

consumption as (

    select * from session_intervals
    union all
    select * from outside_sessions

),

sites as (

    select location_key, time_zone from {{ ref('int_ocpi__sites') }}

),

supply as (

    select * from {{ ref('int_energy__site_supply') }}

),

rates as (

    select * from {{ ref('site_energy_rates') }}

),

localised as (

    select
        consumption.*,
        {{ utc_to_local('consumption.interval_start_utc', "coalesce(sites.time_zone, 'UTC')") }} as interval_start_local
    from consumption
    left join sites on consumption.location_key = sites.location_key

),

rate_candidates as (

    select
        localised.*,
        supply.legal_entity,
        supply.contract_id,
        supply.contract_currency,
        supply.demand_charge_per_kw_month,
        rates.rate_name,
        rates.price_per_kwh,
        -- decimal(19, 9) x decimal(18, 6) needs 38 digits: exact on every engine (Spark cuts the scale of
        -- a product wider than 38 digits to 6; DuckDB does not).
        cast(cast(localised.energy_kwh as decimal(19, 9)) * rates.price_per_kwh as decimal(38, 15)) as energy_cost,
        row_number() over (
            partition by localised.location_key, localised.evse_uid, localised.charging_session_key, localised.interval_start_utc
            order by rates.start_time_local, rates.rate_name
        ) as rate_rank
    from localised
    left join supply
        on localised.location_key = supply.location_key
        and cast(localised.interval_start_local as date) between supply.valid_from_local_date and supply.valid_to_local_date
    left join rates
        on supply.contract_id = rates.contract_id
        and (
            rates.day_type = 'all'
            or (rates.day_type = 'weekday' and {{ iso_weekday('localised.interval_start_local') }} between 1 and 5)
            or (rates.day_type = 'weekend' and {{ iso_weekday('localised.interval_start_local') }} in (6, 7))
        )
        and (
            (rates.start_time_local < rates.end_time_local
                and {{ hh_mm('localised.interval_start_local') }} >= rates.start_time_local
                and {{ hh_mm('localised.interval_start_local') }} < rates.end_time_local)
            or (rates.start_time_local > rates.end_time_local
                and ({{ hh_mm('localised.interval_start_local') }} >= rates.start_time_local
                    or {{ hh_mm('localised.interval_start_local') }} < rates.end_time_local))
        )

),

-- One rate per interval: the earliest-starting matching window.
priced as (

    select {{ column_list(documented_columns(model.name)) }}
    from rate_candidates
    where rate_rank = 1

)

select * from priced
