-- One row per signed meter reading of every CDR (latest version), with the verification status of
-- its signed record and the reason, and the CDR's outcome: whether its billed energy is backed by
-- valid, usable signed readings (docs/signed-data.md).
with readings as (

    select * from {{ ref('int_ocpi__cdr_signed_readings') }}

),

cdrs as (

    select * from {{ ref('int_ocpi__cdrs_latest') }}

),

signed_energy as (

    select * from {{ ref('int_ocpi__cdr_signed_energy') }}

),

final as (

    select
        readings.cdr_key,
        cdrs.cdr_id,
        cdrs.session_key,
        cdrs.location_key,
        cdrs.location_id,
        cdrs.evse_uid,
        cdrs.started_at_utc as cdr_started_at_utc,
        cdrs.energy_kwh as cdr_energy_kwh,
        readings.signed_value_index,
        readings.nature,
        readings.verification_status,
        readings.verification_reason,
        readings.signature_algorithm,
        readings.meter_serial,
        readings.page_number,
        readings.reading_index,
        readings.measured_at_utc,
        readings.measured_at_text,
        readings.clock_state,
        readings.reading_reason,
        readings.value_text,
        readings.unit,
        readings.value_kwh,
        readings.obis_code,
        readings.meter_state,
        readings.error_flags,
        readings.is_usable,
        readings.verification_status = 'valid' and coalesce(readings.is_usable, false) as is_valid_and_usable,
        signed_energy.signed_status as cdr_signed_status,
        signed_energy.signed_energy_kwh as cdr_signed_energy_kwh
    from readings
    inner join cdrs on readings.cdr_key = cdrs.cdr_key
    left join signed_energy on readings.cdr_key = signed_energy.cdr_key

)

select * from final
