-- The regular opening hours of every location row (`locations__opening_times__regular_hours`), renamed
-- and cast: OCPI weekday 1 = Monday .. 7 = Sunday, begin/end as HH:MM local time.
with source as (

    {{ published_source('ocpi', 'locations__opening_times__regular_hours', 'locations') }}

),

renamed as (

    select
        _dlt_id as raw_record_id,
        _dlt_root_id as location_raw_record_id,
        cast(weekday as integer) as weekday,
        period_begin as period_begin_local,
        period_end as period_end_local,
        cast(partition_date as date) as snapshot_date

    from source

)

select * from renamed
