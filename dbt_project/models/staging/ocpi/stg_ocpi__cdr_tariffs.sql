-- Tariffs embedded in CDRs (the `cdrs__tariffs` child table): what the CPO says the CDR was priced with.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs__tariffs', 'cdrs') }}

),

renamed as (

    select
        {{ child_columns('cdr_record_id') }},
        {{ tariff_header_columns() }},
        {{ raw_utc('last_updated') }} as last_updated_at_utc

    from source

)

select * from renamed
