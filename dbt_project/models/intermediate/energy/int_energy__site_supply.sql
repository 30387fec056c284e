-- Who buys each site's electricity, in which grid zone, under which supply contract: one row per site
-- and contract period (one open row when the site has no contract). The zone comes from the contract
-- (the user knows the connection), else the telemetry API's charge points, else the country when it
-- is a single zone (seed `country_grid_zones`); a site with none stays without a zone, visibly.
with sites as (

    select location_key, location_id, country_iso3, time_zone from {{ ref('int_ocpi__sites') }}

),

contracts as (

    select * from {{ ref('site_energy_contracts') }}

),

telemetry_sites as (

    select
        location_id,
        max(grid_zone) as grid_zone,
        max(legal_entity) as legal_entity
    from {{ ref('stg_telemetry__charge_points') }}
    group by location_id

),

country_zones as (

    select country_iso3, grid_zone from {{ ref('country_grid_zones') }}

),

final as (

    select
        sites.location_key,
        sites.location_id,
        sites.country_iso3,
        sites.time_zone,
        contracts.contract_id,
        coalesce(contracts.valid_from, cast('1900-01-01' as date)) as valid_from_local_date,
        coalesce(contracts.valid_to, cast('9999-12-31' as date)) as valid_to_local_date,
        coalesce(contracts.legal_entity, telemetry_sites.legal_entity) as legal_entity,
        coalesce(contracts.grid_zone, telemetry_sites.grid_zone, country_zones.grid_zone) as grid_zone,
        case
            when contracts.grid_zone is not null then 'site_energy_contracts'
            when telemetry_sites.grid_zone is not null then 'telemetry_charge_points'
            when country_zones.grid_zone is not null then 'country_grid_zones'
        end as grid_zone_source,
        contracts.supplier,
        contracts.product,
        contracts.currency as contract_currency,
        contracts.demand_charge_per_kw_month,
        contracts.supplier_gco2e_per_kwh,
        contracts.supplier_factor_year,
        contracts.supplier_factor_source
    from sites
    left join contracts on sites.location_id = contracts.location_id
    left join telemetry_sites on sites.location_id = telemetry_sites.location_id
    left join country_zones on sites.country_iso3 = country_zones.country_iso3

)

select * from final
