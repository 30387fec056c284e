-- The emission factors a report may cite, as the seed documents them, with the zones' sites: the
-- table an auditor reads next to `rpt_csrd_e1` (its factor ids point here).
with factors as (

    select * from {{ ref('emission_factors') }}

),

final as (

    select
        factor_id,
        grid_zone,
        year,
        scope,
        method,
        value,
        unit,
        gco2e_per_kwh,
        basis,
        includes_td_losses,
        gases,
        gwp_set,
        publisher,
        publication,
        table_reference,
        url,
        licence,
        verification
    from factors

)

select * from final
