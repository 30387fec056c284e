-- Connectors of every EVSE of every location row (`locations__evses__connectors`), renamed and cast.
with source as (

    {{ published_source('ocpi', 'locations__evses__connectors', 'locations') }}

),

renamed as (

    select
        {{ child_columns('evse_record_id') }},
        _dlt_root_id as location_raw_record_id,
        id as connector_id,
        standard as connector_standard,
        format as connector_format,
        power_type,
        max_voltage as max_voltage_v,
        max_amperage as max_current_a,
        max_electric_power as max_power_w,
        {{ raw_utc('last_updated') }} as last_updated_at_utc

    from source

)

select * from renamed
