-- Each tariff embedded in a CDR row as one OCPI Tariff document: what the CPO says it priced the
-- CDR with, which takes precedence over the Tariffs module when the CDR is re-costed. Incremental
-- by the CDRs' raw partition, like the staging it reads.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}

{% set partitions = unbuilt_partitions('ocpi', 'cdrs', 'partition_date') %}

with headers as (

    select * from {{ ref('stg_ocpi__cdr_tariffs') }}
    {{ partition_filter(partitions, 'cast(partition_date as ' ~ dbt.type_string() ~ ')') }}

),

{{ tariff_documents('headers', ref('stg_ocpi__cdr_tariff_elements'), ref('stg_ocpi__cdr_tariff_price_components'), ref('stg_ocpi__cdr_tariff_element_days')) }},

final as (

    select
        headers.cdr_record_id,
        headers.list_index,
        headers.tariff_key,
        documents.tariff_document,
        headers.partition_date,
        headers.run_id
    from headers
    inner join documents on headers.raw_record_id = documents.tariff_record_id

)

select * from final
