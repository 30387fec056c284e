-- One row per charging session with site-local times and, once billed, its CDR's energy and cost
-- (the rule: int_ocpi__charging_sessions).
with charging_sessions as (

    select * from {{ ref('int_ocpi__charging_sessions') }}

),

final as (

    select
        charging_session_key,
        session_id,
        has_session_object,
        cdr_key,
        location_key,
        location_id,
        evse_uid,
        connector_id,
        token_uid_pseudonym,
        token_type,
        auth_method,
        session_status,
        started_at_utc,
        ended_at_utc,
        started_at_local,
        ended_at_local,
        time_zone,
        energy_kwh,
        session_energy_kwh,
        cdr_energy_kwh,
        duration_hours,
        cdr_cost_excl_vat,
        cdr_cost_incl_vat,
        currency,
        ocpi_version,
        last_updated_at_utc

    from charging_sessions

)

select * from final
