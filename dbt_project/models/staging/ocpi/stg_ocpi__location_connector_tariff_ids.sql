-- The tariff ids a connector names (`locations__evses__connectors__tariff_ids`), one row per id.
with source as (

    select * from {{ source('raw_ocpi', 'locations__evses__connectors__tariff_ids') }}

),

renamed as (

    select
        {{ child_columns('connector_record_id') }},
        value as tariff_id

    from source

)

select * from renamed
