-- Every extracted version of every OCPI session, renamed and cast (the raw zone is a change log).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'sessions', 'sessions') }}

),

renamed as (

    select
        {{ ocpi_key('id') }} as session_key,
        id as session_id,
        country_code,
        party_id,
        {{ ocpi_key('location_id') }} as location_key,
        location_id,
        evse_uid,
        connector_id,
        cdr_token__uid as token_uid_pseudonym,
        cdr_token__type as token_type,
        auth_method,
        status,
        {{ raw_utc('start_date_time') }} as started_at_utc,
        {{ raw_utc('end_date_time') }} as ended_at_utc,
        kwh as energy_kwh,
        currency,
        total_cost__excl_vat as total_cost_excl_vat,
        total_cost__incl_vat as total_cost_incl_vat,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
