-- One row per charging session: the latest session version joined to its billing CDR (the latest
-- non-credit CDR that names it), with its site's time zone and local times. CDRs are the billing
-- record: a CDR without `session_id`, or whose session object never arrived, is still a charging
-- session and gets a row of its own.
{%- set cdr_columns = documented_columns('int_ocpi__cdrs_latest') %}
with sessions as (

    select * from {{ ref('int_ocpi__sessions_latest') }}

),

sites as (

    select location_key, time_zone from {{ ref('int_ocpi__sites') }}

),

charging_cdrs as (

    select
        *,
        coalesce(session_key, cdr_key) as charging_key
    from {{ ref('int_ocpi__cdrs_latest') }}
    where not is_credit

),

billing_cdrs as (

    {{ first_per(
        'charging_cdrs', 'charging_key', 'last_updated_at_utc desc, cdr_key desc',
        cdr_columns + ['charging_key'] if cdr_columns else []
    ) }}

),

joined as (

    select
        coalesce(sessions.session_key, billing_cdrs.charging_key) as charging_session_key,
        coalesce(sessions.session_id, billing_cdrs.session_id) as session_id,
        sessions.session_key is not null as has_session_object,
        billing_cdrs.cdr_key,
        coalesce(sessions.location_key, billing_cdrs.location_key) as location_key,
        coalesce(sessions.location_id, billing_cdrs.location_id) as location_id,
        coalesce(sessions.evse_uid, billing_cdrs.evse_uid) as evse_uid,
        coalesce(sessions.connector_id, billing_cdrs.connector_id) as connector_id,
        coalesce(sessions.token_uid_pseudonym, billing_cdrs.token_uid_pseudonym) as token_uid_pseudonym,
        coalesce(sessions.token_type, billing_cdrs.token_type) as token_type,
        coalesce(sessions.auth_method, billing_cdrs.auth_method) as auth_method,
        -- A CDR is only sent for a finished session.
        coalesce(sessions.status, 'COMPLETED') as session_status,
        coalesce(sessions.started_at_utc, billing_cdrs.started_at_utc) as started_at_utc,
        coalesce(sessions.ended_at_utc, billing_cdrs.ended_at_utc) as ended_at_utc,
        coalesce(billing_cdrs.energy_kwh, sessions.energy_kwh) as energy_kwh,
        sessions.energy_kwh as session_energy_kwh,
        billing_cdrs.energy_kwh as cdr_energy_kwh,
        billing_cdrs.total_cost_excl_vat as cdr_cost_excl_vat,
        billing_cdrs.total_cost_incl_vat as cdr_cost_incl_vat,
        coalesce(sessions.currency, billing_cdrs.currency) as currency,
        coalesce(sessions.ocpi_version, billing_cdrs.ocpi_version) as ocpi_version,
        greatest(sessions.last_updated_at_utc, billing_cdrs.last_updated_at_utc) as last_updated_at_utc

    from sessions
    full outer join billing_cdrs on sessions.session_key = billing_cdrs.charging_key

),

final as (

    select
        joined.*,
        {{ utc_to_local('joined.started_at_utc', 'sites.time_zone') }} as started_at_local,
        {{ utc_to_local('joined.ended_at_utc', 'sites.time_zone') }} as ended_at_local,
        sites.time_zone,
        cast({{ dbt.datediff('joined.started_at_utc', 'joined.ended_at_utc', 'second') }} as double) / 3600 as duration_hours

    from joined
    left join sites on joined.location_key = sites.location_key

)

select * from final
