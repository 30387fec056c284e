-- Energy per EVSE and 15-minute interval from energy-register deltas (the rule:
-- int_energy__meter_intervals). Incremental: the intervals that model rebuilt since this one last
-- ran (a newer `segments_built_at_utc`), replaced by EVSE and interval start.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['charge_point_id', 'interval_start_utc'],
    on_schema_change='fail',
) }}

with meter_intervals as (

    select * from {{ ref('int_energy__meter_intervals') }}
    {% if is_incremental() %}
    where segments_built_at_utc
        > (select coalesce(max(segments_built_at_utc), cast('1900-01-01' as timestamp)) from {{ this }})
    {% endif %}

)

select * from meter_intervals
