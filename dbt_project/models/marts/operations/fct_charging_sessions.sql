-- One row per charging session with site-local times and, once billed, its CDR's energy and cost.
with charging_sessions as (

    select * from {{ ref('int_ocpi__charging_sessions') }}

),

sites as (

    select location_key, time_zone from {{ ref('dim_sites') }}

),

final as (

    select
        charging_sessions.charging_session_key,
        charging_sessions.session_id,
        charging_sessions.has_session_object,
        charging_sessions.cdr_key,
        charging_sessions.location_key,
        charging_sessions.location_id,
        charging_sessions.evse_uid,
        charging_sessions.connector_id,
        charging_sessions.token_uid_pseudonym,
        charging_sessions.token_type,
        charging_sessions.auth_method,
        charging_sessions.session_status,
        charging_sessions.started_at_utc,
        charging_sessions.ended_at_utc,
        {{ utc_to_local('charging_sessions.started_at_utc', 'sites.time_zone') }} as started_at_local,
        {{ utc_to_local('charging_sessions.ended_at_utc', 'sites.time_zone') }} as ended_at_local,
        sites.time_zone,
        charging_sessions.energy_kwh,
        charging_sessions.session_energy_kwh,
        charging_sessions.cdr_energy_kwh,
        date_diff('second', charging_sessions.started_at_utc, charging_sessions.ended_at_utc) / 3600.0
            as duration_hours,
        charging_sessions.cdr_cost_excl_vat,
        charging_sessions.cdr_cost_incl_vat,
        charging_sessions.currency,
        charging_sessions.ocpi_version,
        charging_sessions.last_updated_at_utc

    from charging_sessions
    left join sites on charging_sessions.location_key = sites.location_key

)

select * from final
