-- Each version of each Tariffs-module tariff as one OCPI Tariff document (nested elements, price
-- components and restrictions), with the period it was valid: what a CDR without embedded tariffs
-- is priced with.
with history as (

    select * from {{ ref('int_ocpi__tariffs_history') }}

),

headers as (

    select * from {{ ref('stg_ocpi__tariffs') }}

),

{{ tariff_documents('headers', ref('stg_ocpi__tariff_elements'), ref('stg_ocpi__tariff_price_components'), ref('stg_ocpi__tariff_element_days')) }},

final as (

    select
        history.tariff_key,
        history.tariff_id,
        history.tariff_type,
        history.valid_from_at_utc,
        history.valid_to_at_utc,
        history.is_current,
        history.raw_record_id as tariff_record_id,
        documents.tariff_document
    from history
    inner join documents on history.raw_record_id = documents.tariff_record_id

)

select * from final
