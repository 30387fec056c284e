-- One row per charger transaction: the energy its register readings account for (the sum of its
-- segments, after unit correction) and what may make that figure incomplete or doubtful.
with segments as (

    select * from {{ ref('int_telemetry__register_segments') }}

),

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
        bool_or(is_late) as has_late_data
    from segments
    where is_in_transaction
    group by charge_point_id, evse_uid, location_id, transaction_id

)

select * from final
