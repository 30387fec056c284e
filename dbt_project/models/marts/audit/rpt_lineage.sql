-- Where every reported figure comes from: for each row group of the reporting marts and its period,
-- the raw partitions that fed it, with the gate's publication, the Delta version it wrote and the
-- validation result (docs/audit.md). One row per (mart, row group, raw partition).
--   rpt_csrd_e1          year | legal entity | site   <- CDR partitions of its sessions, meter-value
--                                                       partitions of their measured energy
--   rpt_cost_allocation  month | site                 <- the same, for the sessions of the month
--   fct_evse_availability month | EVSE                <- alarm partitions of its status reports that month
--                                                       and the month before (a status carries over)
with emissions as (

    select * from {{ ref('fct_session_emissions') }}

),

sessions as (

    select charging_session_key, evse_uid, started_at_utc, ended_at_utc, started_at_local
    from {{ ref('fct_charging_sessions') }}

),

readings as (

    select charge_point_id, measured_at_utc, received_date, run_id
    from {{ ref('int_telemetry__register_readings') }}

),

charge_points as (

    {{ first_per(ref('stg_telemetry__charge_points'), 'charge_point_id', 'snapshot_date desc', ['charge_point_id', 'evse_uid']) }}

),

alarms as (

    select charge_point_id, occurred_at_utc, received_date, run_id
    from {{ ref('stg_telemetry__alarms') }}

),

availability as (

    select distinct evse_uid, charge_point_id, location_id, month_start_local_date
    from {{ ref('fct_evse_availability') }}

),

publications as (

    select * from {{ ref('stg_audit__publications') }}
    where action = 'publish'

),

session_groups as (

    select
        emissions.charging_session_key,
        cast(emissions.reporting_year as {{ dbt.type_string() }}) || ' | ' || coalesce(emissions.legal_entity, 'unassigned')
            || ' | ' || emissions.location_id as csrd_group,
        cast(emissions.local_date as date) as local_date,
        emissions.location_id,
        emissions.reporting_year,
        emissions.cdr_partition_date,
        emissions.cdr_run_id
    from emissions

),

session_meter_partitions as (

    select distinct session_groups.charging_session_key, readings.received_date, readings.run_id
    from session_groups
    inner join sessions on session_groups.charging_session_key = sessions.charging_session_key
    inner join charge_points on sessions.evse_uid = charge_points.evse_uid
    inner join readings
        on charge_points.charge_point_id = readings.charge_point_id
        and readings.measured_at_utc between sessions.started_at_utc and sessions.ended_at_utc

),

session_partitions as (

    select charging_session_key, 'ocpi' as source_name, 'cdrs' as table_name,
        cdr_partition_date as partition_date, cdr_run_id as run_id
    from session_groups
    where cdr_partition_date is not null
    union all
    select charging_session_key, 'telemetry', 'meter_values', received_date, run_id
    from session_meter_partitions

),

grouped as (

    -- each session counts in its CSRD row (year) and its cost-allocation row (month)
    select distinct
        marts.mart,
        case marts.mart
            when 'rpt_csrd_e1' then session_groups.csrd_group
            else {{ format_time('session_groups.local_date', '%Y-%m') }} || ' | ' || session_groups.location_id
        end as row_group,
        case marts.mart
            when 'rpt_csrd_e1' then {{ dbt.date_trunc('year', 'session_groups.local_date') }}
            else {{ dbt.date_trunc('month', 'session_groups.local_date') }}
        end as period_start,
        session_partitions.source_name, session_partitions.table_name,
        session_partitions.partition_date, session_partitions.run_id
    from session_groups
    inner join session_partitions on session_groups.charging_session_key = session_partitions.charging_session_key
    cross join (select 'rpt_csrd_e1' as mart union all select 'rpt_cost_allocation') as marts
    union all
    select distinct
        'fct_evse_availability',
        {{ format_time('availability.month_start_local_date', '%Y-%m') }} || ' | ' || availability.evse_uid,
        availability.month_start_local_date,
        'telemetry', 'alarms', alarms.received_date, alarms.run_id
    from availability
    inner join alarms
        on availability.charge_point_id = alarms.charge_point_id
        and {{ dbt.date_trunc('month', 'alarms.occurred_at_utc') }}
            between {{ dbt.dateadd('month', -1, 'availability.month_start_local_date') }}
            and availability.month_start_local_date

),

final as (

    select
        grouped.mart,
        grouped.row_group,
        cast(grouped.period_start as date) as period_start_date,
        grouped.source_name,
        grouped.table_name,
        cast(grouped.partition_date as date) as partition_date,
        grouped.run_id,
        publications.publication_id,
        publications.delta_version,
        publications.row_count as partition_row_count,
        publications.validation_success,
        publications.suite,
        publications.finished_at_utc as published_at_utc
    from grouped
    left join publications
        on publications.source_name = grouped.source_name
        and publications.table_name = grouped.table_name
        and cast(publications.partition_date as date) = cast(grouped.partition_date as date)
        and publications.run_id = grouped.run_id

)

select * from final
