-- One row per site (OCPI location): its latest known version, whether it is still current, its time
-- zone and active EVSEs. Sites only known from CDRs (never in a location snapshot) are included, and so
-- are locations that sessions name but no snapshot or CDR describes (e.g. not published to us): a row
-- with the key alone, so no session loses its site in a join.
with location_versions as (

    {{ first_per(
        ref('int_ocpi__locations_history'), 'location_key', 'last_updated_at_utc desc',
        documented_columns('int_ocpi__locations_history')
    ) }}

),

evses as (

    select * from {{ ref('stg_ocpi__location_evses') }}

),

evse_counts as (

    select
        location_raw_record_id,
        count(*) filter (where evse_status is distinct from 'REMOVED') as evse_count
    from evses
    group by location_raw_record_id

),

cdrs_of_other_sites as (

    select *
    from {{ ref('int_ocpi__cdrs_latest') }}
    where location_key not in (select location_key from location_versions)

),

cdr_sites as (

    {{ first_per(
        'cdrs_of_other_sites', 'location_key', 'last_updated_at_utc desc',
        documented_columns('int_ocpi__cdrs_latest')
    ) }}

),

from_snapshots as (

    select
        location_versions.location_key,
        location_versions.location_id,
        location_versions.location_name,
        location_versions.address,
        location_versions.city,
        location_versions.postal_code,
        location_versions.country_iso3,
        location_versions.latitude,
        location_versions.longitude,
        location_versions.time_zone,
        location_versions.operator_name,
        coalesce(evse_counts.evse_count, 0) as evse_count,
        'location_snapshot' as site_source,
        location_versions.is_current,
        location_versions.closed_reason,
        location_versions.first_snapshot_date,
        location_versions.last_snapshot_date,
        location_versions.last_updated_at_utc
    from location_versions
    left join evse_counts on location_versions.raw_record_id = evse_counts.location_raw_record_id

),

from_cdrs as (

    select
        location_key,
        location_id,
        location_name,
        location_address as address,
        location_city as city,
        location_postal_code as postal_code,
        location_country_iso3 as country_iso3,
        location_latitude as latitude,
        location_longitude as longitude,
        cast(null as {{ dbt.type_string() }}) as time_zone,
        cast(null as {{ dbt.type_string() }}) as operator_name,
        cast(null as bigint) as evse_count,
        'cdr' as site_source,
        cast(null as boolean) as is_current,
        cast(null as {{ dbt.type_string() }}) as closed_reason,
        cast(null as date) as first_snapshot_date,
        cast(null as date) as last_snapshot_date,
        last_updated_at_utc
    from cdr_sites

),

described as (

    select * from from_snapshots
    union all
    select * from from_cdrs

),

named_only as (

    select distinct
        location_key,
        location_id,
        cast(null as {{ dbt.type_string() }}) as location_name,
        cast(null as {{ dbt.type_string() }}) as address,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as country_iso3,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(null as {{ dbt.type_string() }}) as time_zone,
        cast(null as {{ dbt.type_string() }}) as operator_name,
        cast(null as bigint) as evse_count,
        'session_reference' as site_source,
        cast(null as boolean) as is_current,
        cast(null as {{ dbt.type_string() }}) as closed_reason,
        cast(null as date) as first_snapshot_date,
        cast(null as date) as last_snapshot_date,
        cast(null as timestamp) as last_updated_at_utc
    from {{ ref('int_ocpi__sessions_latest') }}
    where location_key not in (select location_key from described)

),

final as (

    select * from described
    union all
    select * from named_only

)

select * from final
