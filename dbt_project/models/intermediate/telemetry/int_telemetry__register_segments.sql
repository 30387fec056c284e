-- The energy between each pair of consecutive register readings of a charge point: the building
-- block of interval energy. A register that falls is a reset or meter swap when it drops to under
-- half its previous reading (the segment's energy is unknown: 0, flagged), otherwise a glitch
-- (0, flagged): energy is never negative and never counted twice.
-- Incremental: readings built since the last run change the segments of their charge point from
-- the reading before the earliest of them on; those segments are rebuilt (keyed by their end).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['charge_point_id', 'ended_at_utc'],
) }}

with all_readings as (

    select * from {{ ref('int_telemetry__register_readings') }}

),

{% if is_incremental() %}
changed_from as (

    select charge_point_id, min(measured_at_utc) as changed_from_utc
    from all_readings
    where {{ built_since_last_run('readings_built_at_utc') }}
    group by charge_point_id

),

scope_start as (

    select
        changed_from.charge_point_id,
        changed_from.changed_from_utc,
        coalesce(max(all_readings.measured_at_utc), changed_from.changed_from_utc) as scope_start_utc
    from changed_from
    left join all_readings
        on changed_from.charge_point_id = all_readings.charge_point_id
        and all_readings.measured_at_utc < changed_from.changed_from_utc
    group by changed_from.charge_point_id, changed_from.changed_from_utc

),

readings as (

    select all_readings.*
    from all_readings
    inner join scope_start
        on all_readings.charge_point_id = scope_start.charge_point_id
        and all_readings.measured_at_utc >= scope_start.scope_start_utc

),
{% else %}
readings as (

    select * from all_readings

),
{% endif %}

charge_points as (

    {{ first_per(
        ref('stg_telemetry__charge_points'), 'charge_point_id', 'snapshot_date desc',
        ['charge_point_id', 'evse_uid', 'location_id']
    ) }}

),

paired as (

    select
        charge_point_id,
        lag(measured_at_utc) over by_time as started_at_utc,
        measured_at_utc as ended_at_utc,
        lag(register_kwh) over by_time as start_register_kwh,
        register_kwh as end_register_kwh,
        lag(transaction_id) over by_time as start_transaction_id,
        transaction_id as end_transaction_id,
        is_unit_corrected or coalesce(lag(is_unit_corrected) over by_time, false) as is_unit_corrected,
        greatest(received_at_utc, lag(received_at_utc) over by_time) as received_at_utc,
        greatest(received_date, lag(received_date) over by_time) as received_date,
        greatest(built_at_utc, lag(built_at_utc) over by_time) as readings_built_at_utc
    from readings
    window by_time as (partition by charge_point_id order by measured_at_utc)

),

classified as (

    select
        paired.*,
        end_register_kwh - start_register_kwh as register_delta_kwh,
        start_transaction_id is not null and start_transaction_id = end_transaction_id as is_in_transaction,
        end_register_kwh < start_register_kwh - {{ var('register_tolerance_kwh') }}
            and end_register_kwh < start_register_kwh * 0.5 as is_register_reset,
        end_register_kwh < start_register_kwh - {{ var('register_tolerance_kwh') }}
            and end_register_kwh >= start_register_kwh * 0.5 as is_register_glitch,
        {{ seconds_between('started_at_utc', 'ended_at_utc') }} as duration_seconds
    from paired
    where started_at_utc is not null

),

final as (

    select
        classified.charge_point_id,
        charge_points.evse_uid,
        charge_points.location_id,
        coalesce(classified.end_transaction_id, classified.start_transaction_id) as transaction_id,
        classified.started_at_utc,
        classified.ended_at_utc,
        classified.duration_seconds,
        classified.start_register_kwh,
        classified.end_register_kwh,
        case
            when classified.register_delta_kwh < 0 then 0.0
            else classified.register_delta_kwh
        end as energy_kwh,
        classified.is_in_transaction,
        classified.is_register_reset,
        classified.is_register_glitch,
        classified.is_in_transaction
            and classified.duration_seconds > {{ var('meter_gap_minutes') }} * 60 as is_gap,
        classified.is_unit_corrected,
        {{ seconds_between('classified.ended_at_utc', 'classified.received_at_utc') }}
            > {{ var('late_data_minutes') }} * 60 as is_late,
        classified.received_date,
        classified.readings_built_at_utc,
        cast({{ dbt.current_timestamp() }} as timestamp) as built_at_utc
    from classified
    left join charge_points on classified.charge_point_id = charge_points.charge_point_id

)

select * from final
