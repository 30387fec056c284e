-- The latest version of each OCPI session.
with sessions as (

    select * from {{ ref('stg_ocpi__sessions') }}

),

latest as (

    {{ latest_version('sessions', 'session_key', documented_columns('stg_ocpi__sessions')) }}

)

select * from latest
