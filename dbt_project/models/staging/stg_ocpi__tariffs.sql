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
        _dlt_id as raw_record_id,
        {{ raw_version_columns() }}

    from source

),

latest as (

    {{ latest_version('renamed', 'tariff_key') }}

)

select * from latest
