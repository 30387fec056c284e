-- Elements of the tariffs embedded in CDRs (`cdrs__tariffs__elements`), renamed and cast.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
{{ stg_tariff_elements('cdrs__tariffs__elements', 'cdrs') }}
