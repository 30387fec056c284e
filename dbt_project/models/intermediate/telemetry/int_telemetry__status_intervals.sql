-- Status intervals per charge point and connector: from each status change to the next. A lost
-- connection is an `Offline` interval; when it is restored, the last status reported before it
-- resumes until the next notification. The last interval of each connector is open (null end).
with alarms as (

    select * from {{ ref('stg_telemetry__alarms') }}

),

status_events as (

    select
        charge_point_id,
        connector_id,
        occurred_at_utc,
        event_type,
        error_code,
        case
            when event_type = 'StatusNotification' then status
            when event_type = 'ConnectionLost' then 'Offline'
        end as reported_status
    from alarms
    where event_type in ('StatusNotification', 'ConnectionLost', 'ConnectionRestored')

),

carried as (

    select
        *,
        {{ last_value_ignore_nulls("case when event_type = 'StatusNotification' then reported_status end") }} over (
            partition by charge_point_id, connector_id
            order by occurred_at_utc
            rows between unbounded preceding and current row
        ) as last_notified_status
    from status_events

),

intervals as (

    select
        charge_point_id,
        connector_id,
        coalesce(reported_status, last_notified_status, 'Unknown') as status,
        case when event_type = 'StatusNotification' then error_code end as error_code,
        event_type as started_by,
        occurred_at_utc as valid_from_at_utc,
        lead(occurred_at_utc) over (
            partition by charge_point_id, connector_id order by occurred_at_utc
        ) as valid_to_at_utc
    from carried

)

select * from intervals
