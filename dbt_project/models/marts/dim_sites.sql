-- One row per site (OCPI location), with its time zone and EVSE count.
with locations as (

    select * from {{ ref('stg_ocpi__locations') }}

),

evses as (

    select location_key, count(*) as evse_count
    from {{ ref('stg_ocpi__location_evses') }}
    group by location_key

),

final as (

    select
        locations.location_key,
        locations.location_id,
        locations.location_name,
        locations.address,
        locations.city,
        locations.postal_code,
        locations.country_iso3,
        locations.latitude,
        locations.longitude,
        locations.time_zone,
        locations.operator_name,
        coalesce(evses.evse_count, 0) as evse_count,
        locations.last_updated_at_utc

    from locations
    left join evses on locations.location_key = evses.location_key

)

select * from final
