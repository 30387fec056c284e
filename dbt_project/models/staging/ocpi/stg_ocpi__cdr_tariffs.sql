-- Tariffs embedded in CDRs (the `cdrs__tariffs` child table): what the CPO says the CDR was priced with.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs__tariffs', 'cdrs') }}

),

renamed as (

    select
        {{ child_columns('cdr_record_id') }},
        {{ ocpi_key('id') }} as tariff_key,
        id as tariff_id,
        currency,
        type as tariff_type,
        min_price__excl_vat as min_price_excl_vat,
        min_price__incl_vat as min_price_incl_vat,
        max_price__excl_vat as max_price_excl_vat,
        max_price__incl_vat as max_price_incl_vat,
        timezone('UTC', start_date_time) as starts_at_utc,
        timezone('UTC', end_date_time) as ends_at_utc,
        timezone('UTC', last_updated) as last_updated_at_utc

    from source

)

select * from renamed
