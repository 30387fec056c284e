-- How much of the consumption each cancelled certificate covers: its volume over the energy of the
-- legal entity's sessions in the same grid zone (market) and consumption period, at most all of it.
-- The market-based method applies the share to every session of that entity, zone and period
-- (pro rata: certificates are not tied to particular sessions).
with certificates as (

    select * from {{ ref('energy_attribute_certificates') }}

),

sessions as (

    select * from {{ ref('int_sustainability__session_energy') }}

),

consumption as (

    select
        certificates.certificate_id,
        sum(sessions.energy_kwh) as consumption_kwh
    from certificates
    inner join sessions
        on certificates.legal_entity = sessions.legal_entity
        and certificates.grid_zone = sessions.grid_zone
        and sessions.local_date between certificates.consumption_period_start and certificates.consumption_period_end
    group by certificates.certificate_id

),

final as (

    select
        certificates.certificate_id,
        certificates.legal_entity,
        certificates.grid_zone,
        certificates.instrument,
        certificates.energy_source,
        certificates.consumption_period_start,
        certificates.consumption_period_end,
        certificates.gco2e_per_kwh,
        cast(certificates.volume_mwh as double) * 1000 as volume_kwh,
        coalesce(consumption.consumption_kwh, 0) as consumption_kwh,
        case
            when coalesce(consumption.consumption_kwh, 0) > 0
                then least(1.0, cast(certificates.volume_mwh as double) * 1000 / consumption.consumption_kwh)
            else 0.0
        end as coverage_share
    from certificates
    left join consumption on certificates.certificate_id = consumption.certificate_id

)

select * from final
