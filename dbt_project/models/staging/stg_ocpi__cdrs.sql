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
        partition by cdr_key order by last_updated_at_utc desc, load_id desc
    ) = 1

)

select * from latest
