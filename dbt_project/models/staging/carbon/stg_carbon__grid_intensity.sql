-- Every published intensity period, renamed and cast (1:1 with raw `grid_intensity`).
with source as (

    {{ published_source('carbon', 'grid_intensity', 'grid_intensity') }}

),

renamed as (

    select
        zone as grid_zone,
        source as intensity_source,
        region_name,
        {{ raw_utc('period_start_at') }} as period_start_at_utc,
        {{ raw_utc('period_end_at') }} as period_end_at_utc,
        kind as intensity_kind,
        gco2e_per_kwh,
        actual_gco2e_per_kwh,
        forecast_gco2e_per_kwh,
        is_estimated,
        estimation_method,
        emission_factor_type,
        intensity_index,
        {{ raw_utc('updated_at') }} as updated_at_utc,
        cast(partition_date as date) as partition_date,
        {{ raw_lineage_columns() }}

    from source

)

select * from renamed
