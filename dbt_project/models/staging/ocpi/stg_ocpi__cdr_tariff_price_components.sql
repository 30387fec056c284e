-- Price components of the elements of tariffs embedded in CDRs.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
{{ stg_tariff_price_components('cdrs__tariffs__elements__price_components', 'cdrs') }}
