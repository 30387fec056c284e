-- CO2e of every finished session three ways (docs/emissions.md), with the factor rows behind each:
-- 1. location-based, annual: energy x the Scope 2 grid-average factor of the site's zone for the
--    session's year (the latest published year not after it; its age is shown);
-- 2. location-based, time-matched: each 15-minute interval's energy x the grid intensity of its
--    half-hour or hour, the annual factor where no intensity was published (share covered shown);
-- 3. market-based (GHG Protocol Scope 2 hierarchy): cancelled certificates of the entity's zone and
--    period first, then the contract's supplier-specific factor, then the user's residual mix, then
--    the grid average, flagged as a fallback.
-- Transmission and distribution losses and upstream emissions are Scope 3 category 3: apart.
with sessions as (

    select * from {{ ref('int_sustainability__session_energy') }}

),

intervals as (

    select * from {{ ref('int_energy__session_intervals') }}

),

intensity as (

    select * from {{ ref('int_sustainability__grid_intensity') }}

),

factors as (

    select * from {{ ref('emission_factors') }}

),

coverage as (

    select * from {{ ref('int_sustainability__certificate_coverage') }}

),

residual_mix as (

    {{ residual_mix_factors() }}

),

annual_candidates as (

    select
        sessions.charging_session_key,
        factors.factor_id,
        factors.year,
        factors.gco2e_per_kwh,
        row_number() over (partition by sessions.charging_session_key order by factors.year desc) as year_rank
    from sessions
    inner join factors
        on factors.grid_zone = sessions.grid_zone
        and factors.scope = 'scope_2'
        and factors.method = 'location_based_grid_average'
        and factors.year <= sessions.reporting_year

),

-- The latest factor year not after the reporting year.
annual as (

    select charging_session_key, factor_id, year, gco2e_per_kwh
    from annual_candidates
    where year_rank = 1

),

scope_3_years as (

    select
        sessions.charging_session_key,
        sessions.grid_zone,
        max(factors.year) as year
    from sessions
    inner join factors
        on factors.grid_zone = sessions.grid_zone
        and factors.scope = 'scope_3_category_3'
        and factors.year <= sessions.reporting_year
    group by sessions.charging_session_key, sessions.grid_zone

),

scope_3 as (

    select
        scope_3_years.charging_session_key,
        sum(factors.gco2e_per_kwh) as gco2e_per_kwh,
        {{ ordered_string_agg('factors.factor_id', ',') }} as factor_ids
    from scope_3_years
    inner join factors
        on factors.grid_zone = scope_3_years.grid_zone
        and factors.year = scope_3_years.year
        and factors.scope = 'scope_3_category_3'
    group by scope_3_years.charging_session_key

),

interval_intensity as (

    select
        intervals.charging_session_key,
        intervals.energy_kwh,
        intensity.gco2e_per_kwh,
        intensity.intensity_kind
    from intervals
    inner join sessions on intervals.charging_session_key = sessions.charging_session_key
    left join intensity
        on intensity.grid_zone = sessions.grid_zone
        and intervals.interval_start_utc >= intensity.period_start_at_utc
        and intervals.interval_start_utc < intensity.period_end_at_utc

),

time_matched as (

    select
        charging_session_key,
        sum(energy_kwh * gco2e_per_kwh) / 1000 as matched_co2e_kg,
        coalesce(sum(case when gco2e_per_kwh is not null then energy_kwh end), 0) as matched_energy_kwh,
        coalesce(sum(case when gco2e_per_kwh is null then energy_kwh end), 0) as unmatched_energy_kwh,
        coalesce(bool_or(intensity_kind = 'forecast'), false) as uses_forecast
    from interval_intensity
    group by charging_session_key

),

certificates as (

    select
        sessions.charging_session_key,
        least(1.0, sum(coverage.coverage_share)) as certificate_share,
        least(1.0, sum(case when coverage.energy_source = 'renewable' then coverage.coverage_share else 0 end))
            as renewable_certificate_share,
        least(1.0, sum(case when coverage.energy_source = 'nuclear' then coverage.coverage_share else 0 end))
            as nuclear_certificate_share,
        sum(coverage.coverage_share * coverage.gco2e_per_kwh) / nullif(sum(coverage.coverage_share), 0)
            as certificate_gco2e_per_kwh,
        {{ ordered_string_agg('coverage.certificate_id', ',') }} as certificate_ids
    from sessions
    inner join coverage
        on coverage.legal_entity = sessions.legal_entity
        and coverage.grid_zone = sessions.grid_zone
        and sessions.local_date between coverage.consumption_period_start and coverage.consumption_period_end
    where coverage.coverage_share > 0
    group by sessions.charging_session_key

),

residual_candidates as (

    select
        sessions.charging_session_key,
        residual_mix.gco2e_per_kwh,
        residual_mix.year,
        residual_mix.source,
        row_number() over (partition by sessions.charging_session_key order by residual_mix.year desc) as year_rank
    from sessions
    inner join residual_mix
        on residual_mix.grid_zone = sessions.grid_zone
        and residual_mix.year <= sessions.reporting_year

),

residual as (

    select charging_session_key, gco2e_per_kwh, year, source
    from residual_candidates
    where year_rank = 1

),

combined as (

    select
        sessions.*,
        annual.factor_id as lb_factor_id,
        annual.year as lb_factor_year,
        annual.gco2e_per_kwh as lb_gco2e_per_kwh,
        time_matched.matched_co2e_kg,
        time_matched.matched_energy_kwh,
        time_matched.unmatched_energy_kwh,
        time_matched.uses_forecast,
        coalesce(certificates.certificate_share, 0.0) as certificate_share,
        certificates.certificate_gco2e_per_kwh,
        certificates.certificate_ids,
        coalesce(certificates.renewable_certificate_share, 0.0) as renewable_certificate_share,
        coalesce(certificates.nuclear_certificate_share, 0.0) as nuclear_certificate_share,
        case
            when sessions.supplier_gco2e_per_kwh is not null then 'supplier_specific'
            when residual.gco2e_per_kwh is not null then 'residual_mix'
            when annual.gco2e_per_kwh is not null then 'grid_average_fallback'
            else 'no_factor'
        end as mb_remainder_basis,
        coalesce(sessions.supplier_gco2e_per_kwh, residual.gco2e_per_kwh, annual.gco2e_per_kwh)
            as mb_remainder_gco2e_per_kwh,
        case
            when sessions.supplier_gco2e_per_kwh is not null
                then 'supplier ' || coalesce(sessions.supplier_factor_source, 'not named') || ' ('
                    || coalesce(cast(sessions.supplier_factor_year as {{ dbt.type_string() }}), 'year not given') || ')'
            when residual.gco2e_per_kwh is not null
                then 'residual mix ' || residual.source || ' (' || cast(residual.year as {{ dbt.type_string() }}) || ')'
            else annual.factor_id
        end as mb_remainder_reference,
        scope_3.gco2e_per_kwh as s3_gco2e_per_kwh,
        scope_3.factor_ids as s3_factor_ids
    from sessions
    left join annual on sessions.charging_session_key = annual.charging_session_key
    left join time_matched on sessions.charging_session_key = time_matched.charging_session_key
    left join certificates on sessions.charging_session_key = certificates.charging_session_key
    left join residual on sessions.charging_session_key = residual.charging_session_key
    left join scope_3 on sessions.charging_session_key = scope_3.charging_session_key

),

final as (

    select
        charging_session_key,
        cdr_key,
        location_key,
        location_id,
        legal_entity,
        grid_zone,
        grid_zone_source,
        started_at_utc,
        local_date,
        reporting_year,
        energy_kwh,
        measured_energy_kwh,
        estimated_energy_kwh,
        case
            when grid_zone is null then 'no_grid_zone'
            when lb_factor_id is null then 'no_factor'
            else 'ok'
        end as lb_status,
        lb_factor_id,
        lb_factor_year,
        reporting_year - lb_factor_year as lb_factor_age_years,
        lb_gco2e_per_kwh,
        energy_kwh * lb_gco2e_per_kwh / 1000 as lb_co2e_kg,
        case
            when unmatched_energy_kwh = 0 then matched_co2e_kg
            when lb_gco2e_per_kwh is not null
                then coalesce(matched_co2e_kg, 0) + unmatched_energy_kwh * lb_gco2e_per_kwh / 1000
        end as tm_co2e_kg,
        case when energy_kwh > 0 then 100.0 * matched_energy_kwh / energy_kwh end as tm_intensity_coverage_pct,
        unmatched_energy_kwh > 0 as tm_uses_annual_fallback,
        uses_forecast as tm_uses_forecast,
        100.0 * certificate_share as mb_certificate_share_pct,
        energy_kwh * renewable_certificate_share as renewable_certificate_energy_kwh,
        energy_kwh * nuclear_certificate_share as nuclear_certificate_energy_kwh,
        certificate_ids as mb_certificate_ids,
        case when certificate_share >= 1.0 then 'certificates' else mb_remainder_basis end as mb_remainder_basis,
        mb_remainder_reference,
        mb_remainder_gco2e_per_kwh,
        case
            when certificate_share >= 1.0 then energy_kwh * certificate_gco2e_per_kwh / 1000
            when mb_remainder_gco2e_per_kwh is not null
                then energy_kwh * (
                    certificate_share * coalesce(certificate_gco2e_per_kwh, 0)
                    + (1.0 - certificate_share) * mb_remainder_gco2e_per_kwh
                ) / 1000
        end as mb_co2e_kg,
        s3_factor_ids,
        energy_kwh * s3_gco2e_per_kwh / 1000 as s3_cat3_co2e_kg,
        cdr_partition_date,
        cdr_run_id
    from combined

)

select * from final
