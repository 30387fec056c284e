-- Latest version of each OCPI CDR.
with source as (

    select * from {{ source('raw_ocpi', 'cdrs') }}

),

renamed as (

    select
        country_code || '*' || party_id || '*' || id as cdr_key,
        id as cdr_id,
        country_code,
        party_id,
        country_code || '*' || party_id || '*' || session_id as session_key,
        session_id,
        cdr_location__id as location_id,
        cdr_location__evse_uid as evse_uid,
        cdr_location__connector_id as connector_id,
        cdr_token__uid as token_uid_pseudonym,
        auth_method,
        timezone('UTC', start_date_time) as started_at_utc,
        timezone('UTC', end_date_time) as ended_at_utc,
        cast(total_energy as double) as energy_kwh,
        cast(total_time as double) as charging_time_hours,
        cast(total_parking_time as double) as parking_time_hours,
        currency,
        cast(total_cost__excl_vat as double) as total_cost_excl_vat,
        cast(total_cost__incl_vat as double) as total_cost_incl_vat,
        coalesce(credit, false) as is_credit,
        {{ raw_version_columns() }}

    from source

),

latest as (

    {{ latest_version('renamed', 'cdr_key') }}

)

select * from latest
