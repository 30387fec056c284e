-- Charging costs and emissions per cost centre, site and site-local month (docs/cost-allocation.md):
-- sessions, kWh and tariff charges of the sessions that started in the month; the site's energy cost
-- (supply contract time-of-use rates on interval energy); the month's demand charge (contract rate x
-- the site's highest 15-minute demand), shared by each cost centre's energy in that peak interval;
-- CO2e location- and market-based. Energy cost and demand charge are rounded per site and month and
-- split with the largest-remainder method, so the cost centres add up to the site total to the cent.
-- Energy nobody's session accounts for, and sessions without a rule, are the `unallocated` line.
with interval_costs as (

    select * from {{ ref('int_finance__site_interval_energy_costs') }}

),

session_centres as (

    select * from {{ ref('int_finance__session_cost_centres') }}

),

emissions as (

    select charging_session_key, lb_co2e_kg, tm_co2e_kg, mb_co2e_kg
    from {{ ref('fct_session_emissions') }}

),

currencies as (

    select currency, minor_units from {{ ref('currencies') }}

),

consumption as (

    select
        interval_costs.*,
        cast({{ dbt.date_trunc('month', 'interval_costs.interval_start_local') }} as date) as month_start_local_date,
        coalesce(session_centres.cost_centre_id, 'unallocated') as cost_centre_id,
        coalesce(session_centres.cost_centre_name, 'Unallocated (no cost-centre rule matches)') as cost_centre_name
    from interval_costs
    left join session_centres on interval_costs.charging_session_key = session_centres.charging_session_key

),

site_intervals as (

    select
        location_key,
        month_start_local_date,
        interval_start_utc,
        round(sum(energy_kwh) * 4, 6) as demand_kw
    from consumption
    group by location_key, month_start_local_date, interval_start_utc

),

site_peaks as (

    select location_key, month_start_local_date, interval_start_utc as peak_interval_start_utc, demand_kw as peak_demand_kw
    from (
        {{ first_per(
            'site_intervals', 'location_key, month_start_local_date', 'demand_kw desc, interval_start_utc',
            ['location_key', 'month_start_local_date', 'interval_start_utc', 'demand_kw']
        ) }}
    ) as peaks

),

centre_month as (

    select
        consumption.location_key,
        consumption.location_id,
        consumption.month_start_local_date,
        consumption.cost_centre_id,
        max(consumption.cost_centre_name) as cost_centre_name,
        max(consumption.legal_entity) as legal_entity,
        max(consumption.contract_id) as contract_id,
        max(consumption.contract_currency) as contract_currency,
        max(consumption.demand_charge_per_kw_month) as demand_charge_per_kw_month,
        sum(consumption.energy_kwh) as energy_kwh,
        sum(consumption.energy_cost) as energy_cost_exact,
        bool_or(consumption.price_per_kwh is null and consumption.energy_kwh <> 0) as has_unpriced_energy,
        round(sum(case when consumption.interval_start_utc = site_peaks.peak_interval_start_utc
            then consumption.energy_kwh * 4 else 0 end), 6) as peak_interval_demand_kw,
        max(site_peaks.peak_demand_kw) as site_peak_demand_kw,
        max(site_peaks.peak_interval_start_utc) as site_peak_interval_start_utc
    from consumption
    inner join site_peaks
        on consumption.location_key = site_peaks.location_key
        and consumption.month_start_local_date = site_peaks.month_start_local_date
    group by consumption.location_key, consumption.location_id, consumption.month_start_local_date, consumption.cost_centre_id

),

site_month_contracts as (

    select location_key, month_start_local_date, max(contract_currency) as contract_currency,
        max(demand_charge_per_kw_month) as demand_charge_per_kw_month, max(site_peak_demand_kw) as site_peak_demand_kw
    from centre_month
    group by location_key, month_start_local_date

),

amounts as (

    select
        centre_month.location_key,
        centre_month.month_start_local_date,
        centre_month.cost_centre_id,
        'energy_cost' as component,
        centre_month.energy_cost_exact as exact_amount
    from centre_month
    union all
    select
        centre_month.location_key,
        centre_month.month_start_local_date,
        centre_month.cost_centre_id,
        'demand_charge' as component,
        cast(site_month_contracts.demand_charge_per_kw_month as decimal(38, 9))
            * cast(site_month_contracts.site_peak_demand_kw as decimal(38, 9))
            * cast(case when site_month_contracts.site_peak_demand_kw > 0
                then centre_month.peak_interval_demand_kw / site_month_contracts.site_peak_demand_kw else 0 end
                as decimal(38, 9)) as exact_amount
    from centre_month
    inner join site_month_contracts
        on centre_month.location_key = site_month_contracts.location_key
        and centre_month.month_start_local_date = site_month_contracts.month_start_local_date

),

scaled as (

    select
        amounts.*,
        power(10, coalesce(currencies.minor_units, 2)) as scale,
        amounts.exact_amount * power(10, coalesce(currencies.minor_units, 2)) as exact_units
    from amounts
    inner join site_month_contracts
        on amounts.location_key = site_month_contracts.location_key
        and amounts.month_start_local_date = site_month_contracts.month_start_local_date
    left join currencies on site_month_contracts.contract_currency = currencies.currency
    where amounts.exact_amount is not null

),

floored as (

    select
        scaled.*,
        floor(exact_units) as floor_units,
        round(sum(exact_units) over site_component) - sum(floor(exact_units)) over site_component as leftover_units,
        row_number() over (
            partition by location_key, month_start_local_date, component
            order by exact_units - floor(exact_units) desc, cost_centre_id
        ) as remainder_rank
    from scaled
    window site_component as (partition by location_key, month_start_local_date, component)

),

allocated as (

    select
        location_key,
        month_start_local_date,
        cost_centre_id,
        sum(case when component = 'energy_cost'
            then (floor_units + case when remainder_rank <= leftover_units then 1 else 0 end) / scale end) as energy_cost,
        sum(case when component = 'demand_charge'
            then (floor_units + case when remainder_rank <= leftover_units then 1 else 0 end) / scale end)
            as demand_charge
    from floored
    group by location_key, month_start_local_date, cost_centre_id

),

session_month as (

    select
        session_centres.location_key,
        cast({{ dbt.date_trunc('month', 'session_centres.started_at_local') }} as date) as month_start_local_date,
        session_centres.cost_centre_id,
        count(*) as session_count,
        max(session_centres.currency) as tariff_currency,
        sum(session_centres.cdr_cost_excl_vat) as tariff_charges_excl_vat,
        sum(emissions.lb_co2e_kg) as lb_co2e_kg,
        sum(emissions.tm_co2e_kg) as tm_co2e_kg,
        sum(emissions.mb_co2e_kg) as mb_co2e_kg
    from session_centres
    left join emissions on session_centres.charging_session_key = emissions.charging_session_key
    group by 1, 2, 3

),

final as (

    select
        centre_month.month_start_local_date,
        centre_month.location_key,
        centre_month.location_id,
        centre_month.legal_entity,
        centre_month.cost_centre_id,
        centre_month.cost_centre_name,
        coalesce(session_month.session_count, 0) as session_count,
        centre_month.energy_kwh,
        session_month.tariff_currency,
        cast(session_month.tariff_charges_excl_vat as decimal(38, 9)) as tariff_charges_excl_vat,
        centre_month.contract_id,
        centre_month.contract_currency,
        cast(allocated.energy_cost as decimal(38, 9)) as energy_cost,
        cast(allocated.demand_charge as decimal(38, 9)) as demand_charge,
        centre_month.peak_interval_demand_kw,
        centre_month.site_peak_demand_kw,
        centre_month.site_peak_interval_start_utc,
        centre_month.has_unpriced_energy,
        session_month.lb_co2e_kg,
        session_month.tm_co2e_kg,
        session_month.mb_co2e_kg
    from centre_month
    left join allocated
        on centre_month.location_key = allocated.location_key
        and centre_month.month_start_local_date = allocated.month_start_local_date
        and centre_month.cost_centre_id = allocated.cost_centre_id
    left join session_month
        on centre_month.location_key = session_month.location_key
        and centre_month.month_start_local_date = session_month.month_start_local_date
        and centre_month.cost_centre_id = session_month.cost_centre_id

)

select * from final
