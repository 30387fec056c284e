-- Charging periods of every CDR row (the `cdrs__charging_periods` child table).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs__charging_periods', 'cdrs') }}

),

renamed as (

    select
        {{ child_columns('cdr_record_id') }},
        {{ raw_utc('start_date_time') }} as started_at_utc,
        tariff_id

    from source

)

select * from renamed
