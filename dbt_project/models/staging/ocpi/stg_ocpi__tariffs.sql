-- Every OCPI tariff of every daily snapshot (header columns; elements are stg_ocpi__tariff_elements).
with source as (

    {{ published_source('ocpi', 'tariffs', 'tariffs') }}

),

renamed as (

    select
        {{ tariff_header_columns() }},
        country_code,
        party_id,
        cast(partition_date as date) as snapshot_date,
        _dlt_id as raw_record_id,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
