-- Latest version of each OCPI tariff (header; elements stay in the raw child tables).
with source as (

    select * from {{ source('raw_ocpi', 'tariffs') }}

),

renamed as (

    select
        country_code || '*' || party_id || '*' || id as tariff_key,
        id as tariff_id,
        country_code,
        party_id,
        currency,
        type as tariff_type,
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
        partition by tariff_key order by last_updated_at_utc desc, load_id desc
    ) = 1

)

select * from latest
