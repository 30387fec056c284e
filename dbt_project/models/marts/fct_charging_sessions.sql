-- One row per charging session (latest version), joined to its latest non-credit CDR.
with sessions as (

    select * from {{ ref('stg_ocpi__sessions') }}

),

sites as (

    select location_key, time_zone from {{ ref('dim_sites') }}

),

cdrs as (

    select *
    from {{ ref('stg_ocpi__cdrs') }}
    where not is_credit
    qualify row_number() over (partition by session_key order by last_updated_at_utc desc) = 1

),

final as (

    select
        sessions.session_key,
        sessions.session_id,
        sessions.location_key,
        sessions.location_id,
        sessions.evse_uid,
        sessions.connector_id,
        sessions.token_uid_pseudonym,
        sessions.token_type,
        sessions.auth_method,
        sessions.status as session_status,
        sessions.started_at_utc,
        sessions.ended_at_utc,
        timezone(sites.time_zone, timezone('UTC', sessions.started_at_utc)) as started_at_local,
        timezone(sites.time_zone, timezone('UTC', sessions.ended_at_utc)) as ended_at_local,
        sites.time_zone,
        coalesce(cdrs.energy_kwh, sessions.energy_kwh) as energy_kwh,
        date_diff('second', sessions.started_at_utc, sessions.ended_at_utc) / 3600.0 as duration_hours,
        cdrs.cdr_key,
        cdrs.total_cost_excl_vat as cdr_cost_excl_vat,
        cdrs.total_cost_incl_vat as cdr_cost_incl_vat,
        sessions.currency,
        sessions.last_updated_at_utc

    from sessions
    left join sites on sessions.location_key = sites.location_key
    left join cdrs on sessions.session_key = cdrs.session_key

)

select * from final
