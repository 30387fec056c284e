-- Charging periods of every CDR row (the `cdrs__charging_periods` child table).
with source as (

    select * from {{ source('raw_ocpi', 'cdrs__charging_periods') }}

),

renamed as (

    select
        {{ child_columns('cdr_record_id') }},
        timezone('UTC', start_date_time) as started_at_utc,
        tariff_id

    from source

)

select * from renamed
