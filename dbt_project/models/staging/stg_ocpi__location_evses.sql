-- EVSEs of the latest version of each location.
with evses as (

    select * from {{ source('raw_ocpi', 'locations__evses') }}

),

locations as (

    select location_key, location_id, raw_record_id from {{ ref('stg_ocpi__locations') }}

),

renamed as (

    select
        locations.location_key,
        locations.location_id,
        evses.uid as evse_uid,
        evses.evse_id,
        evses.status as evse_status,
        timezone('UTC', evses.last_updated) as last_updated_at_utc

    from evses
    inner join locations on evses._dlt_root_id = locations.raw_record_id

)

select * from renamed
