-- Every extracted version of every OCPI CDR, renamed and cast.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('ocpi', 'cdrs', 'cdrs') }}

),

renamed as (

    select
        {{ ocpi_key('id') }} as cdr_key,
        id as cdr_id,
        country_code,
        party_id,
        {{ ocpi_key('session_id') }} as session_key,
        session_id,
        {{ ocpi_key('cdr_location__id') }} as location_key,
        cdr_location__id as location_id,
        cdr_location__name as location_name,
        cdr_location__address as location_address,
        cdr_location__city as location_city,
        cdr_location__postal_code as location_postal_code,
        cdr_location__country as location_country_iso3,
        cast(cdr_location__coordinates__latitude as double) as location_latitude,
        cast(cdr_location__coordinates__longitude as double) as location_longitude,
        cdr_location__evse_uid as evse_uid,
        cdr_location__evse_id as evse_id,
        cdr_location__connector_id as connector_id,
        cdr_token__uid as token_uid_pseudonym,
        cdr_token__type as token_type,
        auth_method,
        {{ raw_utc('start_date_time') }} as started_at_utc,
        {{ raw_utc('end_date_time') }} as ended_at_utc,
        total_energy as energy_kwh,
        total_time as charging_time_hours,
        total_parking_time as parking_time_hours,
        currency,
        total_cost__excl_vat as total_cost_excl_vat,
        total_cost__incl_vat as total_cost_incl_vat,
        coalesce(credit, false) as is_credit,
        credit_reference_id,
        total_fixed_cost__excl_vat as fixed_cost_excl_vat,
        total_fixed_cost__incl_vat as fixed_cost_incl_vat,
        total_energy_cost__excl_vat as energy_cost_excl_vat,
        total_energy_cost__incl_vat as energy_cost_incl_vat,
        total_time_cost__excl_vat as time_cost_excl_vat,
        total_time_cost__incl_vat as time_cost_incl_vat,
        total_parking_cost__excl_vat as parking_cost_excl_vat,
        total_parking_cost__incl_vat as parking_cost_incl_vat,
        total_reservation_cost__excl_vat as reservation_cost_excl_vat,
        total_reservation_cost__incl_vat as reservation_cost_incl_vat,
        signed_data__encoding_method as signed_data_encoding_method,
        signed_data__encoding_method_version as signed_data_encoding_method_version,
        signed_data__public_key as signed_data_public_key,
        signed_data__url as signed_data_url,
        _dlt_id as raw_record_id,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
