-- Every published status notification and event, renamed and cast (1:1 with raw `alarms`).
-- Incremental by received-day partition (macros/incremental.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='received_date') }}

with source as (

    {{ change_log_source('telemetry', 'alarms', 'alarms', 'received_date') }}

),

renamed as (

    select
        id as alarm_id,
        charge_point_id,
        ocpp_version,
        connector_id,
        {{ raw_utc('occurred_at') }} as occurred_at_utc,
        {{ raw_utc('received_at') }} as received_at_utc,
        event_type,
        status,
        previous_status,
        error_code,
        severity,
        info,
        cast(partition_date as date) as received_date,
        {{ raw_lineage_columns() }}

    from source

)

select * from renamed
