-- Every published transaction event, renamed and cast (1:1 with raw `transactions`): the start and
-- stop of charger transactions as OCPP-J logs carry them. Incremental by received-day partition
-- (macros/incremental.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='received_date') }}

with source as (

    {{ change_log_source('telemetry', 'transactions', 'transactions', 'received_date') }}

),

renamed as (

    select
        _dlt_id as transaction_event_id,
        message_id,
        charge_point_id,
        ocpp_version,
        action as ocpp_action,
        event_type,
        transaction_id,
        connector_id,
        evse_id as ocpp_evse_id,
        {{ raw_utc('occurred_at') }} as occurred_at_utc,
        {{ raw_utc('received_at') }} as received_at_utc,
        seq_no,
        trigger_reason,
        charging_state,
        stop_reason,
        meter_kwh,
        id_tag,
        id_token_type,
        reservation_id,
        cast(partition_date as date) as received_date,
        {{ raw_lineage_columns() }}

    from source

)

select * from renamed
