-- The signed values of the latest version of every CDR, with what verifying them needs from the
-- CDR: its public key and encoding method (docs/signed-data.md).
with cdrs as (

    select * from {{ ref('int_ocpi__cdrs_latest') }}

),

signed_values as (

    select * from {{ ref('stg_ocpi__cdr_signed_values') }}

),

final as (

    select
        cdrs.cdr_key,
        cdrs.last_updated_at_utc as cdr_last_updated_at_utc,
        cdrs.raw_record_id as cdr_record_id,
        signed_values.list_index as signed_value_index,
        signed_values.nature,
        signed_values.signed_data,
        cdrs.signed_data_public_key as public_key,
        cdrs.signed_data_encoding_method as encoding_method
    from cdrs
    inner join signed_values on signed_values.cdr_record_id = cdrs.raw_record_id

)

select * from final
