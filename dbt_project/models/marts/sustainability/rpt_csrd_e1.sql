-- ESRS E1 figures per reporting year, legal entity and site (docs/emissions.md, "CSRD E1"):
-- E1-5 §37 energy consumption in MWh, split by source only where a contractual instrument says so
-- (renewable or nuclear certificates); the rest of the grid electricity is reported as unknown mix,
-- not guessed. E1-6 §44/§49 gross Scope 2 location-based and market-based in tCO2e (AR 47: both),
-- Scope 3 category 3 apart. Each figure names the factor rows used and the raw partitions behind it.
with emissions as (

    select * from {{ ref('fct_session_emissions') }}

),

publications as (

    select publication_id, partition_date, run_id
    from {{ ref('stg_audit__publications') }}
    where action = 'publish' and source_name = 'ocpi' and table_name = 'cdrs'

),

sites as (

    select location_key, location_name from {{ ref('dim_sites') }}

),

lineage as (

    select
        emissions.reporting_year,
        emissions.legal_entity,
        emissions.location_key,
        count(distinct emissions.cdr_partition_date) as cdr_partition_count,
        min(emissions.cdr_partition_date) as first_cdr_partition_date,
        max(emissions.cdr_partition_date) as last_cdr_partition_date,
        {{ ordered_string_agg('publications.publication_id', ',', distinct=true) }}
            as cdr_publication_ids
    from emissions
    left join publications
        on cast(emissions.cdr_partition_date as {{ dbt.type_string() }}) = cast(publications.partition_date as {{ dbt.type_string() }})
        and emissions.cdr_run_id = publications.run_id
    group by 1, 2, 3

),

figures as (

    select
        reporting_year,
        coalesce(legal_entity, 'unassigned') as legal_entity,
        location_key,
        max(location_id) as location_id,
        max(grid_zone) as grid_zone,
        count(*) as session_count,
        sum(energy_kwh) / 1000 as energy_consumption_mwh,
        sum(renewable_certificate_energy_kwh) / 1000 as energy_renewable_purchased_mwh,
        sum(nuclear_certificate_energy_kwh) / 1000 as energy_nuclear_mwh,
        (sum(energy_kwh) - sum(renewable_certificate_energy_kwh) - sum(nuclear_certificate_energy_kwh)) / 1000
            as energy_unknown_mix_mwh,
        sum(lb_co2e_kg) / 1000 as scope_2_location_based_tco2e,
        sum(tm_co2e_kg) / 1000 as scope_2_location_based_time_matched_tco2e,
        sum(mb_co2e_kg) / 1000 as scope_2_market_based_tco2e,
        sum(s3_cat3_co2e_kg) / 1000 as scope_3_category_3_tco2e,
        {{ ordered_string_agg('lb_factor_id', ',', distinct=true) }} as location_based_factor_ids,
        {{ ordered_string_agg('mb_remainder_basis', ',', distinct=true) }} as market_based_bases,
        {{ ordered_string_agg('mb_remainder_reference', ' | ', distinct=true) }} as market_based_references,
        {{ ordered_string_agg('mb_certificate_ids', ',', distinct=true) }} as certificate_ids,
        {{ ordered_string_agg('s3_factor_ids', ',', distinct=true) }} as scope_3_factor_ids,
        100.0 * sum(measured_energy_kwh) / nullif(sum(energy_kwh), 0) as measured_energy_pct,
        100.0 * sum(estimated_energy_kwh) / nullif(sum(energy_kwh), 0) as estimated_energy_pct,
        100.0 * sum(energy_kwh * tm_intensity_coverage_pct / 100) / nullif(sum(energy_kwh), 0)
            as time_matched_coverage_pct,
        sum(case when lb_status <> 'ok' then energy_kwh else 0 end) / 1000 as energy_without_factor_mwh,
        max(lb_factor_age_years) as max_factor_age_years
    from emissions
    group by reporting_year, coalesce(legal_entity, 'unassigned'), location_key

),

final as (

    select
        figures.reporting_year,
        figures.legal_entity,
        figures.location_key,
        figures.location_id,
        sites.location_name,
        figures.grid_zone,
        figures.session_count,
        figures.energy_consumption_mwh,
        figures.energy_renewable_purchased_mwh,
        figures.energy_nuclear_mwh,
        figures.energy_unknown_mix_mwh,
        figures.scope_2_location_based_tco2e,
        figures.scope_2_location_based_time_matched_tco2e,
        figures.scope_2_market_based_tco2e,
        figures.scope_3_category_3_tco2e,
        figures.location_based_factor_ids,
        figures.market_based_bases,
        figures.market_based_references,
        figures.certificate_ids,
        figures.scope_3_factor_ids,
        figures.measured_energy_pct,
        figures.estimated_energy_pct,
        figures.time_matched_coverage_pct,
        figures.energy_without_factor_mwh,
        figures.max_factor_age_years,
        lineage.cdr_partition_count,
        lineage.first_cdr_partition_date,
        lineage.last_cdr_partition_date,
        lineage.cdr_publication_ids
    from figures
    left join lineage
        on figures.reporting_year = lineage.reporting_year
        and figures.legal_entity = coalesce(lineage.legal_entity, 'unassigned')
        and figures.location_key = lineage.location_key
    left join sites on figures.location_key = sites.location_key

)

select * from final
