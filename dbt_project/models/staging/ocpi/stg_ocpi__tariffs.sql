-- Every OCPI tariff of every daily snapshot (header columns; elements are stg_ocpi__tariff_elements).
with source as (

    select * from {{ source('raw_ocpi', 'tariffs') }}

),

renamed as (

    select
        {{ ocpi_key('id') }} as tariff_key,
        id as tariff_id,
        country_code,
        party_id,
        currency,
        type as tariff_type,
        min_price__excl_vat as min_price_excl_vat,
        min_price__incl_vat as min_price_incl_vat,
        max_price__excl_vat as max_price_excl_vat,
        max_price__incl_vat as max_price_incl_vat,
        timezone('UTC', start_date_time) as starts_at_utc,
        timezone('UTC', end_date_time) as ends_at_utc,
        cast(partition_date as date) as snapshot_date,
        _dlt_id as raw_record_id,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
