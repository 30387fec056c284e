-- One grid intensity per zone and period: a published actual beats a forecast, a later update beats an
-- earlier one (APIs revise the last hours). Forecast-only periods stay, flagged by their kind.
with intensity as (

    select * from {{ ref('stg_carbon__grid_intensity') }}
    where gco2e_per_kwh is not null

),

ranked as (

    {{ first_per(
        'intensity', 'grid_zone, period_start_at_utc',
        "case when intensity_kind = 'actual' then 0 else 1 end, updated_at_utc desc nulls last, run_id desc",
        ['grid_zone', 'intensity_source', 'period_start_at_utc', 'period_end_at_utc', 'intensity_kind',
         'gco2e_per_kwh', 'updated_at_utc', 'partition_date', 'run_id']
    ) }}

)

select * from ranked
