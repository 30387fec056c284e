-- Every published sampled value, renamed and cast (1:1 with raw `meter_values`). Incremental by
-- received-day partition: a build reads only partitions published since the last one
-- (macros/incremental.sql); `dbt build --full-refresh` reads them all.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='received_date') }}

with source as (

    {{ change_log_source('telemetry', 'meter_values', 'meter_values', 'received_date') }}

),

renamed as (

    select
        _dlt_id as sampled_value_id,
        message_id,
        meter_value_index,
        sample_index,
        charge_point_id,
        ocpp_version,
        connector_id,
        evse_id as ocpp_evse_id,
        transaction_id,
        {{ raw_utc('measured_at') }} as measured_at_utc,
        {{ raw_utc('received_at') }} as received_at_utc,
        measurand,
        phase,
        location as measurement_location,
        context as reading_context,
        unit as unit_as_sent,
        multiplier,
        value_raw as value_as_sent,
        value as value_in_unit_as_sent,
        value_kwh as energy_kwh,
        value_kw as power_kw,
        value_a as current_a,
        value_v as voltage_v,
        soc_pct,
        format as value_format,
        signed_meter_data,
        signing_method,
        encoding_method as signed_encoding_method,
        public_key as signing_public_key,
        cast(partition_date as date) as received_date,
        {{ raw_lineage_columns() }}

    from source

)

select * from renamed
