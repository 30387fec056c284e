-- The tariff ids a connector names (`locations__evses__connectors__tariff_ids`), one row per id.
with source as (

    {{ published_source('ocpi', 'locations__evses__connectors__tariff_ids', 'locations') }}

),

renamed as (

    select
        {{ child_columns('connector_record_id') }},
        value as tariff_id

    from source

)

select * from renamed
