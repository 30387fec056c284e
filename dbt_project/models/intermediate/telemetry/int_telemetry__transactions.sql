-- One row per charger transaction: the energy its register readings account for (the sum of its
-- segments, after unit correction) and what may make that figure incomplete or doubtful.
-- Incremental: transactions with segments built since the last run are summed again, whole.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['charge_point_id', 'transaction_id'],
) }}

with all_segments as (

    select * from {{ ref('int_telemetry__register_segments') }}
    where is_in_transaction

),

{% if is_incremental() %}
touched as (

    select distinct charge_point_id, transaction_id
    from all_segments
    where {{ built_since_last_run('segments_built_at_utc') }}

),

segments as (

    select all_segments.*
    from all_segments
    inner join touched
        on all_segments.charge_point_id = touched.charge_point_id
        and all_segments.transaction_id = touched.transaction_id

),
{% else %}
segments as (

    select * from all_segments

),
{% endif %}

final as (

    select
        charge_point_id,
        evse_uid,
        location_id,
        transaction_id,
        min(started_at_utc) as first_reading_at_utc,
        max(ended_at_utc) as last_reading_at_utc,
        count(*) + 1 as reading_count,
        sum(energy_kwh) as energy_kwh,
        bool_or(is_register_reset) as has_register_reset,
        bool_or(is_register_glitch) as has_register_glitch,
        bool_or(is_gap) as has_gap,
        bool_or(is_unit_corrected) as has_unit_correction,
        bool_or(is_late) as has_late_data,
        max(built_at_utc) as segments_built_at_utc
    from segments
    group by charge_point_id, evse_uid, location_id, transaction_id

)

select * from final
