-- Dimensions of every CDR charging period (`cdrs__charging_periods__dimensions`): OCPI volumes in
-- the dimension's own unit (kWh, hours, A, kW; see the OCPI CdrDimensionType).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs__charging_periods__dimensions', 'cdrs') }}

),

renamed as (

    select
        {{ child_columns('charging_period_record_id') }},
        type as dimension_type,
        volume

    from source

)

select * from renamed
