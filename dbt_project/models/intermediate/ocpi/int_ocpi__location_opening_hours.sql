-- When each site is open, as weekly windows in local time (minutes from the start of an ISO weekday,
-- 1 = Monday): from the latest location snapshot's `opening_times`. A site that says
-- `twentyfourseven`, or gives no regular hours, is open all week. A window ending at or before its
-- start runs past midnight into the next day. Exceptional openings and closings are not applied.
with locations as (

    {{ first_per(
        ref('int_ocpi__locations_history'), 'location_id', 'last_updated_at_utc desc',
        ['location_id', 'raw_record_id', 'is_open_24_7']
    ) }}

),

regular_hours as (

    select * from {{ ref('stg_ocpi__location_regular_hours') }}

),

windows as (

    select
        locations.location_id,
        regular_hours.weekday,
        cast(substr(period_begin_local, 1, 2) as integer) * 60 + cast(substr(period_begin_local, 4, 2) as integer)
            as open_minute,
        cast(substr(period_end_local, 1, 2) as integer) * 60 + cast(substr(period_end_local, 4, 2) as integer)
            as close_minute
    from locations
    inner join regular_hours on locations.raw_record_id = regular_hours.location_raw_record_id
    where not coalesce(locations.is_open_24_7, false)

),

split as (

    -- a window past midnight: its part before midnight, and the rest on the next weekday
    select location_id, weekday, open_minute, case when close_minute <= open_minute then 1440 else close_minute end
        as close_minute
    from windows
    union all
    select location_id, weekday % 7 + 1 as weekday, 0 as open_minute, close_minute
    from windows
    where close_minute < open_minute and close_minute > 0

),

all_week as (

    select locations.location_id, days.generated_number as weekday, 0 as open_minute, 1440 as close_minute
    from locations
    cross join ({{ dbt.generate_series(7) }}) as days
    where locations.location_id not in (select location_id from windows)

),

final as (

    select location_id, weekday, open_minute, close_minute, false as is_open_24_7 from split
    union all
    select location_id, weekday, open_minute, close_minute, true as is_open_24_7 from all_week

)

select * from final
