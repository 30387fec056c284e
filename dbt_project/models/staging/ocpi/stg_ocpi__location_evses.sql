-- Every EVSE of every location row (the `locations__evses` child table), renamed and cast.
with source as (

    {{ published_source('ocpi', 'locations__evses', 'locations') }}

),

renamed as (

    select
        _dlt_id as raw_record_id,
        _dlt_root_id as location_raw_record_id,
        uid as evse_uid,
        evse_id,
        status as evse_status,
        {{ raw_utc('last_updated') }} as last_updated_at_utc,
        cast(partition_date as date) as snapshot_date

    from source

)

select * from renamed
