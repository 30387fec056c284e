-- Latest version of each OCPI session (the raw zone keeps every version it extracted).
with source as (

    select * from {{ source('raw_ocpi', 'sessions') }}

),

renamed as (

    select
        country_code || '*' || party_id || '*' || id as session_key,
        id as session_id,
        country_code,
        party_id,
        country_code || '*' || party_id || '*' || location_id as location_key,
        location_id,
        evse_uid,
        connector_id,
        cdr_token__uid as token_uid_pseudonym,
        cdr_token__type as token_type,
        auth_method,
        status,
        timezone('UTC', start_date_time) as started_at_utc,
        timezone('UTC', end_date_time) as ended_at_utc,
        cast(kwh as double) as energy_kwh,
        currency,
        cast(total_cost__excl_vat as double) as total_cost_excl_vat,
        cast(total_cost__incl_vat as double) as total_cost_incl_vat,
        {{ raw_version_columns() }}

    from source

),

latest as (

    {{ latest_version('renamed', 'session_key') }}

)

select * from latest
