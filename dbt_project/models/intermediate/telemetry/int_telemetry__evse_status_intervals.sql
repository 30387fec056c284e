-- One status per EVSE (charge point) over time, from its connectors' status intervals: the charge
-- point is Offline while its connection is lost; Faulted or Unavailable when connector 0 (the whole
-- charge point) says so or every connector does; else Charging if any connector is in a session,
-- Reserved, Available, or Unknown. Each interval runs to the next change of any connector; the last
-- one to the telemetry horizon (the end of the last received day), so nothing is counted past the data.
-- Times are given in UTC and in the site's local time (UTC where the site's time zone is unknown).
with statuses as (

    select * from {{ ref('int_telemetry__status_intervals') }}

),

charge_points as (

    {{ first_per(
        ref('stg_telemetry__charge_points'), 'charge_point_id', 'snapshot_date desc',
        ['charge_point_id', 'evse_uid', 'location_id', 'max_power_kw']
    ) }}

),

sites as (

    {{ first_per(ref('int_ocpi__sites'), 'location_id', 'is_current desc nulls last', ['location_id', 'time_zone']) }}

),

horizon as (

    select {{ dbt.dateadd('day', 1, 'cast(max(received_date) as timestamp)') }} as horizon_at_utc
    from {{ ref('stg_telemetry__alarms') }}

),

breakpoints as (

    select distinct charge_point_id, valid_from_at_utc as at_utc
    from statuses

),

states as (

    select
        breakpoints.charge_point_id,
        breakpoints.at_utc,
        bool_or(statuses.status = 'Offline') as is_offline,
        bool_or(statuses.connector_id = 0 and statuses.status = 'Faulted') as whole_faulted,
        bool_or(statuses.connector_id = 0 and statuses.status = 'Unavailable') as whole_unavailable,
        count(case when statuses.connector_id > 0 then 1 end) as connectors,
        count(case when statuses.connector_id > 0 and statuses.status = 'Faulted' then 1 end) as faulted,
        count(case when statuses.connector_id > 0 and statuses.status = 'Unavailable' then 1 end) as unavailable,
        bool_or(statuses.connector_id > 0 and statuses.status in (
            'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Occupied'
        )) as in_session,
        bool_or(statuses.connector_id > 0 and statuses.status = 'Reserved') as reserved,
        bool_or(statuses.connector_id > 0 and statuses.status = 'Available') as available,
        max(case when statuses.status = 'Faulted' then statuses.error_code end) as error_code
    from breakpoints
    inner join statuses
        on breakpoints.charge_point_id = statuses.charge_point_id
        and statuses.valid_from_at_utc <= breakpoints.at_utc
        and (statuses.valid_to_at_utc > breakpoints.at_utc or statuses.valid_to_at_utc is null)
    group by breakpoints.charge_point_id, breakpoints.at_utc

),

classified as (

    select
        charge_point_id,
        at_utc,
        case
            when is_offline then 'Offline'
            when whole_faulted or (connectors > 0 and faulted = connectors) then 'Faulted'
            when whole_unavailable or (connectors > 0 and unavailable = connectors) then 'Unavailable'
            when in_session then 'Charging'
            when reserved then 'Reserved'
            when available then 'Available'
            else 'Unknown'
        end as status,
        error_code
    from states

),

bounded as (

    select
        classified.charge_point_id,
        charge_points.evse_uid,
        charge_points.location_id,
        charge_points.max_power_kw,
        classified.status,
        case when classified.status = 'Faulted' then classified.error_code end as error_code,
        classified.at_utc as valid_from_at_utc,
        coalesce(
            lead(classified.at_utc) over (partition by classified.charge_point_id order by classified.at_utc),
            greatest(horizon.horizon_at_utc, classified.at_utc)
        ) as valid_to_at_utc
    from classified
    cross join horizon
    left join charge_points on classified.charge_point_id = charge_points.charge_point_id

),

final as (

    select
        bounded.*,
        coalesce(sites.time_zone, 'UTC') as time_zone,
        {{ utc_to_local('bounded.valid_from_at_utc', "coalesce(sites.time_zone, 'UTC')") }} as valid_from_local,
        {{ utc_to_local('bounded.valid_to_at_utc', "coalesce(sites.time_zone, 'UTC')") }} as valid_to_local
    from bounded
    left join sites on bounded.location_id = sites.location_id

)

select * from final
