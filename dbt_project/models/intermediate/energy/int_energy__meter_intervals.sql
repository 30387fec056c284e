-- Energy per EVSE and 15-minute interval from energy-register deltas (not power integration):
-- each segment between two readings is split across the intervals it spans in proportion to the
-- time it spends in each. Resets, glitches, gaps, unit corrections and late readings are carried
-- as flags; energy is never negative and never counted twice.
-- Incremental: the intervals that segments built since the last run touch are summed again from
-- every segment overlapping them (keyed by EVSE and interval start).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['charge_point_id', 'interval_start_utc'],
    on_schema_change='fail',
) }}

with all_segments as (

    select * from {{ ref('int_telemetry__register_segments') }}

),

{% if is_incremental() %}
touched as (

    select
        charge_point_id,
        {{ floor_to_minutes('min(started_at_utc)', 15) }} as touched_from_utc,
        max(ended_at_utc) as touched_to_utc
    from all_segments
    where {{ built_since_last_run('segments_built_at_utc') }}
    group by charge_point_id

),

segments as (

    select all_segments.*, touched.touched_from_utc, touched.touched_to_utc
    from all_segments
    inner join touched
        on all_segments.charge_point_id = touched.charge_point_id
        and all_segments.ended_at_utc >= touched.touched_from_utc
        and all_segments.started_at_utc <= touched.touched_to_utc

),
{% else %}
segments as (

    select
        *,
        cast(null as timestamp) as touched_from_utc,
        cast(null as timestamp) as touched_to_utc
    from all_segments

),
{% endif %}

site_ids as (

    select
        location_id,
        location_key,
        time_zone,
        count(*) over (partition by location_id) as sites_with_id
    from {{ ref('int_ocpi__sites') }}

),

sites as (

    select location_id, location_key, time_zone
    from site_ids
    where sites_with_id = 1

),

bounded as (

    select
        segments.*,
        {{ floor_to_minutes('started_at_utc', 15) }} as first_interval_start_utc,
        {{ floor_to_minutes('ended_at_utc', 15) }} as end_interval_start_utc
    from segments
    -- Idle stretches between transactions carry no energy and no interval rows.
    where is_in_transaction or energy_kwh > 0

),

spans as (

    select
        bounded.*,
        case
            when end_interval_start_utc = ended_at_utc and ended_at_utc > started_at_utc
                then {{ dbt.datediff('first_interval_start_utc', 'end_interval_start_utc', 'minute') }} / 15
            else {{ dbt.datediff('first_interval_start_utc', 'end_interval_start_utc', 'minute') }} / 15 + 1
        end as interval_count
    from bounded

),

numbers as (

    {{ dbt.generate_series(var('max_segment_intervals')) }}

),

split as (

    select
        spans.*,
        {{ dbt.dateadd('minute', '15 * (numbers.generated_number - 1)', 'spans.first_interval_start_utc') }}
            as interval_start_utc
    from spans
    inner join numbers on numbers.generated_number <= least(spans.interval_count, {{ var('max_segment_intervals') }})
    {% if is_incremental() %}
    -- Only the touched intervals: others would miss segments outside the scope.
    where {{ dbt.dateadd('minute', '15 * (numbers.generated_number - 1)', 'spans.first_interval_start_utc') }}
        between spans.touched_from_utc and spans.touched_to_utc
    {% endif %}

),

shares as (

    select
        split.*,
        case
            when duration_seconds = 0 or interval_count > {{ var('max_segment_intervals') }}
                then case when interval_start_utc = first_interval_start_utc then 1.0 else 0.0 end
            else {{ seconds_between(
                'greatest(started_at_utc, interval_start_utc)',
                'least(ended_at_utc, ' ~ dbt.dateadd('minute', 15, 'interval_start_utc') ~ ')'
            ) }} / duration_seconds
        end as share
    from split

),

intervals as (

    select
        charge_point_id,
        evse_uid,
        location_id,
        interval_start_utc,
        sum(energy_kwh * share) as energy_kwh,
        count(distinct transaction_id) filter (where is_in_transaction) as transaction_count,
        bool_or(is_in_transaction) as is_charging,
        bool_or(is_register_reset) as has_register_reset,
        bool_or(is_register_glitch) as has_register_glitch,
        bool_or(is_gap) as has_gap,
        bool_or(is_unit_corrected) as has_unit_correction,
        bool_or(is_late) as has_late_data,
        bool_or(interval_count > {{ var('max_segment_intervals') }}) as has_unlocated_energy,
        max(received_date) as last_received_date,
        max(built_at_utc) as segments_built_at_utc
    from shares
    group by charge_point_id, evse_uid, location_id, interval_start_utc

),

final as (

    select
        intervals.charge_point_id,
        intervals.evse_uid,
        sites.location_key,
        intervals.location_id,
        intervals.interval_start_utc,
        {{ dbt.dateadd('minute', 15, 'intervals.interval_start_utc') }} as interval_end_utc,
        {{ utc_to_local('intervals.interval_start_utc', 'sites.time_zone') }} as interval_start_local,
        cast({{ utc_to_local('intervals.interval_start_utc', 'sites.time_zone') }} as date) as local_date,
        sites.time_zone,
        intervals.energy_kwh,
        intervals.energy_kwh * 4 as average_power_kw,
        intervals.transaction_count,
        intervals.is_charging,
        intervals.has_register_reset,
        intervals.has_register_glitch,
        intervals.has_gap,
        intervals.has_unit_correction,
        intervals.has_late_data,
        intervals.has_unlocated_energy,
        intervals.last_received_date,
        intervals.segments_built_at_utc
    from intervals
    left join sites on intervals.location_id = sites.location_id

)

select * from final
