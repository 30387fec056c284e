-- Energy-register readings per charge point in kWh, one per instant, with Wh/kWh mislabels
-- corrected. A firmware that sends kWh under a "Wh" unit (or the reverse) makes a transaction's
-- register delta 1000x off the energy its own power samples integrate to: such a transaction's
-- readings are scaled by 1000 (or 1/1000) and flagged, never silently trusted.
-- Incremental: a build reads the received-day partitions published since the last one, plus the
-- earlier values of the transactions they touch (a transaction's unit check needs all of them).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['charge_point_id', 'measured_at_utc'],
) }}

{% set partitions = unbuilt_partitions('telemetry', 'meter_values', 'received_date') %}

with all_values as (

    select * from {{ ref('stg_telemetry__meter_values') }}

),

new_values as (

    select * from all_values
    {{ partition_filter(partitions, 'cast(received_date as ' ~ dbt.type_string() ~ ')') }}

),

{% if partitions is not none %}
touched_transactions as (

    select distinct charge_point_id, transaction_id from new_values where transaction_id is not null

),

meter_values as (

    select * from new_values
    union all
    select all_values.*
    from all_values
    inner join touched_transactions
        on all_values.charge_point_id = touched_transactions.charge_point_id
        and all_values.transaction_id = touched_transactions.transaction_id

),
{% else %}
meter_values as (

    select * from new_values

),
{% endif %}

register_values as (

    select
        charge_point_id,
        transaction_id,
        measured_at_utc,
        received_at_utc,
        received_date,
        energy_kwh as register_kwh_as_sent,
        run_id,
        sampled_value_id
    from meter_values
    where measurand = 'Energy.Active.Import.Register'
        and phase is null
        and coalesce(measurement_location, 'Outlet') = 'Outlet'
        and energy_kwh is not null

),

-- A reading received twice (a charger re-sending after a reconnect) counts once: the latest.
registers as (

    {{ first_per(
        'register_values', 'charge_point_id, measured_at_utc', 'received_at_utc desc, sampled_value_id',
        ['charge_point_id', 'transaction_id', 'measured_at_utc', 'received_at_utc', 'received_date',
         'register_kwh_as_sent', 'run_id']
    ) }}

),

power_samples as (

    select
        charge_point_id,
        transaction_id,
        avg(power_kw) as average_power_kw
    from meter_values
    where measurand = 'Power.Active.Import' and phase is null and power_kw is not null
        and transaction_id is not null
    group by charge_point_id, transaction_id

),

transactions as (

    select
        charge_point_id,
        transaction_id,
        max(register_kwh_as_sent) - min(register_kwh_as_sent) as register_delta_kwh,
        {{ seconds_between('min(measured_at_utc)', 'max(measured_at_utc)') }} / 3600.0 as duration_hours
    from registers
    where transaction_id is not null
    group by charge_point_id, transaction_id

),

unit_checks as (

    select
        transactions.charge_point_id,
        transactions.transaction_id,
        -- Ratio of the register's energy to what the power samples integrate to; ~1 when units agree.
        transactions.register_delta_kwh
            / nullif(power_samples.average_power_kw * transactions.duration_hours, 0) as register_to_power_ratio
    from transactions
    inner join power_samples
        on transactions.charge_point_id = power_samples.charge_point_id
        and transactions.transaction_id = power_samples.transaction_id
    where transactions.duration_hours > 0 and power_samples.average_power_kw > 0

),

unit_factors as (

    select
        charge_point_id,
        transaction_id,
        case
            when register_to_power_ratio between {{ var('unit_mislabel_ratio_low') }} * 0.001
                and {{ var('unit_mislabel_ratio_high') }} * 0.001 then 1000.0
            when register_to_power_ratio between {{ var('unit_mislabel_ratio_low') }} * 1000
                and {{ var('unit_mislabel_ratio_high') }} * 1000 then 0.001
            else 1.0
        end as unit_factor
    from unit_checks

),

final as (

    select
        registers.charge_point_id,
        registers.transaction_id,
        registers.measured_at_utc,
        registers.received_at_utc,
        registers.received_date,
        registers.register_kwh_as_sent,
        registers.register_kwh_as_sent * coalesce(unit_factors.unit_factor, 1.0) as register_kwh,
        coalesce(unit_factors.unit_factor, 1.0) != 1.0 as is_unit_corrected,
        registers.run_id,
        cast({{ dbt.current_timestamp() }} as timestamp) as built_at_utc
    from registers
    left join unit_factors
        on registers.charge_point_id = unit_factors.charge_point_id
        and registers.transaction_id = unit_factors.transaction_id

)

select * from final
