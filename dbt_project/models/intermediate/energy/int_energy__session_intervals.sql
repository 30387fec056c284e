-- Each finished session's energy per 15-minute interval, the shape every time-matched figure needs
-- (grid intensity, time-of-use rates, the site's peak interval). Measured where the charger's meter
-- values cover the session: the EVSE's interval energy, shared between the sessions overlapping an
-- interval by their overlap. Where the EVSE sent no meter values in the session's time (a CPMS without
-- telemetry), the session's billed energy is spread evenly over its duration and marked estimated.
-- Incremental: a daily build recomputes, whole, the sessions that are new or changed (times, EVSE,
-- energy) and those overlapping meter intervals rebuilt since the last build (late uploads).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='charging_session_key',
) }}

with all_sessions as (

    select
        charging_session_key,
        location_key,
        location_id,
        evse_uid,
        started_at_utc,
        ended_at_utc,
        energy_kwh
    from {{ ref('int_ocpi__charging_sessions') }}
    where ended_at_utc is not null and started_at_utc is not null and ended_at_utc >= started_at_utc

),

meter_intervals as (

    select evse_uid, interval_start_utc, interval_end_utc, energy_kwh, segments_built_at_utc
    from {{ ref('int_energy__meter_intervals') }}

),

{% if is_incremental() %}
stored as (

    select distinct
        charging_session_key, evse_uid, session_started_at_utc, session_ended_at_utc, session_energy_kwh
    from {{ this }}

),

touched as (

    select all_sessions.charging_session_key
    from all_sessions
    left join stored on all_sessions.charging_session_key = stored.charging_session_key
    where stored.charging_session_key is null
        or stored.evse_uid is distinct from all_sessions.evse_uid
        or stored.session_started_at_utc is distinct from all_sessions.started_at_utc
        or stored.session_ended_at_utc is distinct from all_sessions.ended_at_utc
        or stored.session_energy_kwh is distinct from all_sessions.energy_kwh
    union
    select all_sessions.charging_session_key
    from all_sessions
    inner join meter_intervals
        on all_sessions.evse_uid = meter_intervals.evse_uid
        and meter_intervals.interval_start_utc < all_sessions.ended_at_utc
        and meter_intervals.interval_end_utc > all_sessions.started_at_utc
    where meter_intervals.segments_built_at_utc
        > (select coalesce(max(meter_built_at_utc), cast('1900-01-01' as timestamp)) from {{ this }})

),

sessions as (

    select all_sessions.*
    from all_sessions
    inner join touched on all_sessions.charging_session_key = touched.charging_session_key

),
{% else %}
sessions as (

    select * from all_sessions

),
{% endif %}

candidate_intervals as (

    -- The EVSE intervals of the sessions built now; every session sharing one takes part in its split.
    select distinct meter_intervals.*
    from meter_intervals
    inner join sessions
        on sessions.evse_uid = meter_intervals.evse_uid
        and meter_intervals.interval_start_utc < sessions.ended_at_utc
        and meter_intervals.interval_end_utc > sessions.started_at_utc

),

session_overlaps as (

    select
        all_sessions.charging_session_key,
        all_sessions.evse_uid,
        candidate_intervals.interval_start_utc,
        candidate_intervals.energy_kwh as interval_energy_kwh,
        candidate_intervals.segments_built_at_utc,
        {{ seconds_between(
            'greatest(all_sessions.started_at_utc, candidate_intervals.interval_start_utc)',
            'least(all_sessions.ended_at_utc, candidate_intervals.interval_end_utc)'
        ) }} as overlap_seconds
    from all_sessions
    inner join candidate_intervals
        on all_sessions.evse_uid = candidate_intervals.evse_uid
        and candidate_intervals.interval_start_utc < all_sessions.ended_at_utc
        and candidate_intervals.interval_end_utc > all_sessions.started_at_utc

),

-- Shares are taken over every session on the interval, then kept for the sessions of this build.
shared_intervals as (

    select
        charging_session_key,
        interval_start_utc,
        interval_energy_kwh * case
            when sum(overlap_seconds) over (partition by evse_uid, interval_start_utc) > 0
                then overlap_seconds / sum(overlap_seconds) over (partition by evse_uid, interval_start_utc)
            else 1.0 / count(*) over (partition by evse_uid, interval_start_utc)
        end as energy_kwh,
        'measured' as energy_basis,
        segments_built_at_utc as meter_built_at_utc
    from session_overlaps

),

measured as (

    select *
    from shared_intervals
    where charging_session_key in (select charging_session_key from sessions)

),

unmeasured as (

    select sessions.*
    from sessions
    where charging_session_key not in (select charging_session_key from session_overlaps)

),

spans as (

    select
        unmeasured.*,
        {{ floor_to_minutes('started_at_utc', 15) }} as first_interval_start_utc,
        {{ seconds_between('started_at_utc', 'ended_at_utc') }} as duration_seconds,
        {{ dbt.datediff(floor_to_minutes('started_at_utc', 15), 'ended_at_utc', 'minute') }} / 15 + 1
            as interval_count
    from unmeasured

),

numbers as (

    {{ dbt.generate_series(var('max_session_intervals')) }}

),

estimated as (

    select
        spans.charging_session_key,
        {{ dbt.dateadd('minute', '15 * (numbers.generated_number - 1)', 'spans.first_interval_start_utc') }}
            as interval_start_utc,
        spans.energy_kwh * case
            when spans.duration_seconds = 0 or spans.interval_count > {{ var('max_session_intervals') }}
                then 1.0 / least(spans.interval_count, {{ var('max_session_intervals') }})
            else greatest({{ seconds_between(
                'greatest(spans.started_at_utc, ' ~ dbt.dateadd('minute', '15 * (numbers.generated_number - 1)', 'spans.first_interval_start_utc') ~ ')',
                'least(spans.ended_at_utc, ' ~ dbt.dateadd('minute', '15 * numbers.generated_number', 'spans.first_interval_start_utc') ~ ')'
            ) }}, 0) / spans.duration_seconds
        end as energy_kwh,
        'estimated' as energy_basis,
        cast(null as timestamp) as meter_built_at_utc
    from spans
    inner join numbers on numbers.generated_number <= least(spans.interval_count, {{ var('max_session_intervals') }})

),

combined as (

    select * from measured
    union all
    select * from estimated

),

final as (

    select
        combined.charging_session_key,
        sessions.location_key,
        sessions.location_id,
        sessions.evse_uid,
        combined.interval_start_utc,
        {{ dbt.dateadd('minute', 15, 'combined.interval_start_utc') }} as interval_end_utc,
        combined.energy_kwh,
        combined.energy_basis,
        sessions.started_at_utc as session_started_at_utc,
        sessions.ended_at_utc as session_ended_at_utc,
        sessions.energy_kwh as session_energy_kwh,
        combined.meter_built_at_utc
    from combined
    inner join sessions on combined.charging_session_key = sessions.charging_session_key
    where combined.energy_kwh is not null

)

select * from final
