-- Days of the week an element of a CDR-embedded tariff is restricted to, one row per day.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='partition_date') }}
{{ stg_tariff_element_days('cdrs__tariffs__elements__restrictions__day_of_week', 'cdrs') }}
