-- Dimensions of every CDR charging period (`cdrs__charging_periods__dimensions`): OCPI volumes in
-- the dimension's own unit (kWh, hours, A, kW; see the OCPI CdrDimensionType).
with source as (

    select * from {{ source('raw_ocpi', 'cdrs__charging_periods__dimensions') }}

),

renamed as (

    select
        {{ child_columns('charging_period_record_id') }},
        type as dimension_type,
        volume

    from source

)

select * from renamed
