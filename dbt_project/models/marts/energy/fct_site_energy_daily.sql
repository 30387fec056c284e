-- One row per site and local calendar day (23- and 25-hour days included) from the site's first to
-- its last day with data: metered energy, sessions started, peak 15-minute demand, utilisation and
-- headroom against the site's grid connection.
with intervals as (

    select * from {{ ref('int_energy__meter_intervals') }}

),

sessions as (

    select location_key, cast(started_at_local as date) as local_date, count(*) as session_count
    from {{ ref('int_ocpi__charging_sessions') }}
    group by 1, 2

),

sites as (

    select location_key, location_id, time_zone, evse_count
    from {{ ref('int_ocpi__sites') }}

),

grid_connections as (

    select location_id, max(site_grid_capacity_kw) as grid_connection_kw, count(*) as metered_evse_count
    from {{ ref('stg_telemetry__charge_points') }}
    where snapshot_date = (select max(snapshot_date) from {{ ref('stg_telemetry__charge_points') }})
    group by location_id

),

site_intervals as (

    select
        location_key,
        local_date,
        interval_start_utc,
        sum(energy_kwh) as energy_kwh,
        count(*) filter (where is_charging) as charging_evse_intervals,
        bool_or(has_register_reset or has_register_glitch or has_gap or has_unit_correction
            or has_unlocated_energy) as has_flagged_interval
    from intervals
    where location_key is not null
    group by location_key, local_date, interval_start_utc

),

ranked_intervals as (

    select
        *,
        row_number() over (
            partition by location_key, local_date order by energy_kwh desc, interval_start_utc
        ) as peak_rank
    from site_intervals

),

daily as (

    select
        location_key,
        local_date,
        sum(energy_kwh) as energy_kwh,
        max(energy_kwh) * 4 as peak_demand_kw,
        -- The first interval with the peak, so ties give the same answer on every build.
        min(interval_start_utc) filter (where peak_rank = 1) as peak_interval_start_utc,
        sum(charging_evse_intervals) as charging_evse_intervals,
        bool_or(has_flagged_interval) as has_flagged_interval
    from ranked_intervals
    group by location_key, local_date

),

site_days as (

    select location_key, local_date from daily
    union
    select location_key, local_date from sessions

),

site_ranges as (

    select location_key, min(local_date) as first_date, max(local_date) as last_date
    from site_days
    group by location_key

),

numbers as (

    {{ dbt.generate_series(var('max_calendar_days')) }}

),

calendar as (

    select
        site_ranges.location_key,
        cast({{ dbt.dateadd('day', 'numbers.generated_number - 1', 'site_ranges.first_date') }} as date) as local_date
    from site_ranges
    inner join numbers
        on numbers.generated_number <= {{ dbt.datediff('site_ranges.first_date', 'site_ranges.last_date', 'day') }} + 1

),

final as (

    select
        calendar.location_key,
        sites.location_id,
        calendar.local_date,
        sites.time_zone,
        {{ seconds_between(
            local_to_utc('cast(calendar.local_date as timestamp)', 'sites.time_zone'),
            local_to_utc(dbt.dateadd('day', 1, 'cast(calendar.local_date as timestamp)'), 'sites.time_zone')
        ) }} / 3600.0 as hours_in_day,
        coalesce(daily.energy_kwh, 0) as energy_kwh,
        coalesce(sessions.session_count, 0) as session_count,
        coalesce(daily.peak_demand_kw, 0) as peak_demand_kw,
        daily.peak_interval_start_utc,
        coalesce(grid_connections.metered_evse_count, sites.evse_count) as evse_count,
        100.0 * coalesce(daily.charging_evse_intervals, 0) * 0.25
            / nullif(coalesce(grid_connections.metered_evse_count, sites.evse_count) * {{ seconds_between(
                local_to_utc('cast(calendar.local_date as timestamp)', 'sites.time_zone'),
                local_to_utc(dbt.dateadd('day', 1, 'cast(calendar.local_date as timestamp)'), 'sites.time_zone')
            ) }} / 3600.0, 0) as utilisation_pct,
        grid_connections.grid_connection_kw,
        grid_connections.grid_connection_kw - coalesce(daily.peak_demand_kw, 0) as headroom_kw,
        coalesce(daily.has_flagged_interval, false) as has_flagged_interval
    from calendar
    left join daily on calendar.location_key = daily.location_key and calendar.local_date = daily.local_date
    left join sessions on calendar.location_key = sessions.location_key and calendar.local_date = sessions.local_date
    left join sites on calendar.location_key = sites.location_key
    left join grid_connections on sites.location_id = grid_connections.location_id

)

select * from final
