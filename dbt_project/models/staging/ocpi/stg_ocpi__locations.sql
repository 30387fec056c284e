-- Every OCPI location of every daily snapshot, renamed and cast.
with source as (

    {{ published_source('ocpi', 'locations', 'locations') }}

),

renamed as (

    select
        {{ ocpi_key('id') }} as location_key,
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
        opening_times__twentyfourseven as is_open_24_7,
        cast(partition_date as date) as snapshot_date,
        _dlt_id as raw_record_id,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
