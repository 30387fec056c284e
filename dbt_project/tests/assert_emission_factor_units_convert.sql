-- gco2e_per_kwh is the published value converted, not a second number typed by hand: it must agree with
-- `value` in `unit` to 0.01 g (1 lb/MWh = 0.45359237 g/kWh). A unit not known here fails the test.
with factors as (

    select * from {{ ref('emission_factors') }}

),

converted as (

    select
        factor_id,
        gco2e_per_kwh,
        case
            when unit in ('g CO2/kWh', 'g CO2e/kWh') then value
            when unit in ('kg CO2/kWh', 'kg CO2e/kWh') then value * 1000
            when unit in ('lb CO2/MWh', 'lb CO2e/MWh') then value * 0.45359237
        end as expected_gco2e_per_kwh
    from factors

)

select *
from converted
where expected_gco2e_per_kwh is null or abs(expected_gco2e_per_kwh - gco2e_per_kwh) > 0.01
