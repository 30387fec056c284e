-- The verified readings of every raw CDR row's signed values, as the derived asset wrote them
-- (orchestration/defs/derived/: OCMF parsing and ECDSA verification, docs/signed-data.md).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
with source as (

    {{ change_log_source('derived', 'cdr_signed_readings', 'cdr_signed_readings') }}

),

renamed as (

    select
        cdr_record_id,
        signed_value_index,
        nature,
        verification_status,
        verification_reason,
        signature_algorithm,
        meter_serial,
        page_number,
        reading_index,
        {{ raw_utc('measured_at_utc') }} as measured_at_utc,
        measured_at_text,
        clock_state,
        reading_reason,
        value_text,
        unit,
        value_kwh,
        obis_code,
        meter_state,
        error_flags,
        is_usable,
        cast(partition_date as date) as partition_date,
        _run_id as run_id

    from source

)

select * from renamed
