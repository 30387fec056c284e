-- Minutes each EVSE spent in each status within its site's opening hours, per site-local month: what
-- the UK Public Charge Point Regulations count (reg. 7: opening hours only). Status intervals are cut
-- at local midnights and intersected with that weekday's opening windows; an EVSE whose site has no
-- location snapshot is taken as open all week.
with intervals as (

    select * from {{ ref('int_telemetry__evse_status_intervals') }}
    where valid_to_at_utc > valid_from_at_utc

),

opening_hours as (

    select * from {{ ref('int_ocpi__location_opening_hours') }}

),

numbers as (

    {{ dbt.generate_series(var('max_calendar_days')) }}

),

days as (

    select
        intervals.*,
        {{ dbt.dateadd('day', 'numbers.generated_number - 1', dbt.date_trunc('day', 'valid_from_local')) }}
            as day_start_local
    from intervals
    inner join numbers
        on numbers.generated_number <= {{ dbt.datediff(dbt.date_trunc('day', 'valid_from_local'), 'valid_to_local', 'day') }}
            + case when valid_to_local = {{ dbt.date_trunc('day', 'valid_to_local') }} then 0 else 1 end

),

windows as (

    select days.*, opening_hours.open_minute, opening_hours.close_minute
    from days
    inner join opening_hours
        on days.location_id = opening_hours.location_id
        and opening_hours.weekday = {{ iso_weekday('days.day_start_local') }}
    union all
    select days.*, 0 as open_minute, 1440 as close_minute
    from days
    where days.location_id is null
        or days.location_id not in (select location_id from opening_hours)

),

open_overlaps as (

    select
        evse_uid,
        status,
        {{ dbt.date_trunc('month', 'day_start_local') }} as month_start_local,
        greatest({{ seconds_between(
            'greatest(valid_from_local, ' ~ dbt.dateadd('minute', 'open_minute', 'day_start_local') ~ ')',
            'least(valid_to_local, ' ~ dbt.dateadd('minute', 'close_minute', 'day_start_local') ~ ')'
        ) }}, 0) / 60.0 as open_minutes
    from windows

),

final as (

    select
        evse_uid,
        cast(month_start_local as date) as month_start_local_date,
        status,
        sum(open_minutes) as open_minutes
    from open_overlaps
    group by evse_uid, month_start_local, status

)

select * from final
