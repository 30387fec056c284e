-- Each finished session with the energy its emissions are computed on (the sum of its 15-minute
-- intervals, measured or estimated), the legal entity and grid zone of its site on the session's local
-- day (UTC day where the site's time zone is unknown), and the CDR partition it was billed in (lineage).
with sessions as (

    select * from {{ ref('int_ocpi__charging_sessions') }}

),

intervals as (

    select
        charging_session_key,
        sum(energy_kwh) as energy_kwh,
        sum(case when energy_basis = 'measured' then energy_kwh else 0 end) as measured_energy_kwh,
        sum(case when energy_basis = 'estimated' then energy_kwh else 0 end) as estimated_energy_kwh
    from {{ ref('int_energy__session_intervals') }}
    group by charging_session_key

),

supply as (

    select * from {{ ref('int_energy__site_supply') }}

),

cdrs as (

    select cdr_key, partition_date, run_id from {{ ref('int_ocpi__cdrs_latest') }}

),

final as (

    select
        sessions.charging_session_key,
        sessions.cdr_key,
        sessions.location_key,
        sessions.location_id,
        supply.legal_entity,
        supply.grid_zone,
        supply.grid_zone_source,
        supply.contract_id,
        supply.supplier_gco2e_per_kwh,
        supply.supplier_factor_year,
        supply.supplier_factor_source,
        sessions.started_at_utc,
        -- a site without a known time zone reports by UTC date
        cast(coalesce(sessions.started_at_local, sessions.started_at_utc) as date) as local_date,
        cast(extract(year from coalesce(sessions.started_at_local, sessions.started_at_utc)) as integer)
            as reporting_year,
        intervals.energy_kwh,
        intervals.measured_energy_kwh,
        intervals.estimated_energy_kwh,
        cdrs.partition_date as cdr_partition_date,
        cdrs.run_id as cdr_run_id
    from sessions
    inner join intervals on sessions.charging_session_key = intervals.charging_session_key
    left join supply
        on sessions.location_key = supply.location_key
        and cast(coalesce(sessions.started_at_local, sessions.started_at_utc) as date)
            between supply.valid_from_local_date and supply.valid_to_local_date
    left join cdrs on sessions.cdr_key = cdrs.cdr_key

)

select * from final
