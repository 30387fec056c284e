-- One row per site (OCPI location): its latest known version, whether it is still current, its time
-- zone and active EVSEs (the rule, shared with every model that needs a site: int_ocpi__sites).
with sites as (

    select * from {{ ref('int_ocpi__sites') }}

)

select * from sites
