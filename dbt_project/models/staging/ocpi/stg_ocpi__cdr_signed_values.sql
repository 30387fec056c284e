-- Signed meter values of every CDR row (the `cdrs__signed_data__signed_values` child table). The
-- signed record is kept exactly as received: its bytes are what the meter signed.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs__signed_data__signed_values', 'cdrs') }}

),

renamed as (

    select
        {{ child_columns('cdr_record_id') }},
        nature,
        plain_data,
        signed_data

    from source

)

select * from renamed
