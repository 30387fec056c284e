-- Latest version of each OCPI location (a site).
with source as (

    select * from {{ source('raw_ocpi', 'locations') }}

),

renamed as (

    select
        country_code || '*' || party_id || '*' || id as location_key,
        id as location_id,
        country_code,
        party_id,
        name as location_name,
        address,
        city,
        postal_code,
        country as country_iso3,
        cast(coordinates__latitude as double) as latitude,
        cast(coordinates__longitude as double) as longitude,
        time_zone,
        parking_type,
        operator__name as operator_name,
        publish as is_published,
        timezone('UTC', last_updated) as last_updated_at_utc,
        cast(partition_date as date) as partition_date,
        _dlt_id as raw_record_id,
        _dlt_load_id as load_id

    from source

),

latest as (

    select *
    from renamed
    qualify row_number() over (
        partition by location_key order by last_updated_at_utc desc, load_id desc
    ) = 1

)

select * from latest
