-- The latest version of each OCPI CDR (credit CDRs included; they reverse an earlier CDR).
with cdrs as (

    select * from {{ ref('stg_ocpi__cdrs') }}

),

latest as (

    {{ latest_version('cdrs', 'cdr_key', documented_columns('stg_ocpi__cdrs')) }}

)

select * from latest
