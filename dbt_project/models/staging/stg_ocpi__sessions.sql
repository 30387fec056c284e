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
        timezone('UTC', last_updated) as last_updated_at_utc,
        cast(partition_date as date) as partition_date,
        _run_id as run_id,
        _dlt_load_id as load_id

    from source

),

latest as (

    select *
    from renamed
    qualify row_number() over (
        partition by session_key order by last_updated_at_utc desc, load_id desc
    ) = 1

)

select * from latest
