-- The verified readings of the signed values of every CDR's latest version. Verification is
-- cryptography over the record's exact bytes, done in Python once per raw CDR row by the derived
-- asset (orchestration/defs/derived/, chargelake/ocmf); this joins its rows to the latest versions.
-- A left join: a signed value the derived table does not cover yet keeps a null status, which the
-- not_null test on verification_status refuses, so it is never reported as unsigned.
with signed_values as (

    select * from {{ ref('int_ocpi__cdr_signed_values') }}

),

verified as (

    select * from {{ ref('stg_derived__cdr_signed_readings') }}

),

final as (

    select
        signed_values.cdr_key,
        signed_values.cdr_last_updated_at_utc,
        signed_values.signed_value_index,
        signed_values.nature,
        verified.verification_status,
        verified.verification_reason,
        verified.signature_algorithm,
        verified.meter_serial,
        verified.page_number,
        verified.reading_index,
        verified.measured_at_utc,
        verified.measured_at_text,
        verified.clock_state,
        verified.reading_reason,
        verified.value_text,
        verified.unit,
        verified.value_kwh,
        verified.obis_code,
        verified.meter_state,
        verified.error_flags,
        verified.is_usable
    from signed_values
    left join verified
        on signed_values.cdr_record_id = verified.cdr_record_id
        and signed_values.signed_value_index = verified.signed_value_index

)

select * from final
