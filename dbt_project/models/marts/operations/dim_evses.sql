-- One row per EVSE: its site, OCPI identity and status in the latest location snapshot, its connectors
-- and rated power, and the telemetry charge point that reports for it. EVSEs only the telemetry API
-- knows are included too, so availability rows always find their EVSE.
with location_versions as (

    {{ first_per(
        ref('int_ocpi__locations_history'), 'location_key', 'last_updated_at_utc desc',
        ['location_key', 'location_id', 'raw_record_id']
    ) }}

),

evses as (

    select * from {{ ref('stg_ocpi__location_evses') }}

),

connectors as (

    select
        evse_record_id,
        count(*) as connector_count,
        max(max_power_w) / 1000.0 as max_connector_power_kw,
        {{ ordered_string_agg('power_type', ',', distinct=true) }} as power_types,
        {{ ordered_string_agg('connector_standard', ',', distinct=true) }} as connector_standards
    from {{ ref('stg_ocpi__location_connectors') }}
    group by evse_record_id

),

charge_points as (

    {{ first_per(
        ref('stg_telemetry__charge_points'), 'evse_uid', 'snapshot_date desc',
        ['charge_point_id', 'evse_uid', 'evse_id', 'location_id', 'max_power_kw', 'is_dc']
    ) }}

),

from_ocpi as (

    select
        location_versions.location_key,
        location_versions.location_id,
        evses.evse_uid,
        evses.evse_id,
        evses.evse_status,
        connectors.connector_count,
        connectors.power_types,
        connectors.connector_standards,
        connectors.max_connector_power_kw,
        evses.last_updated_at_utc
    from location_versions
    inner join evses on location_versions.raw_record_id = evses.location_raw_record_id
    left join connectors on evses.raw_record_id = connectors.evse_record_id

),

final as (

    select
        coalesce(from_ocpi.location_key, sites.location_key, charge_points.location_id)
            || '/' || coalesce(from_ocpi.evse_uid, charge_points.evse_uid) as evse_key,
        coalesce(from_ocpi.location_key, sites.location_key) as location_key,
        coalesce(from_ocpi.location_id, charge_points.location_id) as location_id,
        coalesce(from_ocpi.evse_uid, charge_points.evse_uid) as evse_uid,
        coalesce(from_ocpi.evse_id, charge_points.evse_id) as evse_id,
        from_ocpi.evse_status,
        from_ocpi.connector_count,
        from_ocpi.power_types,
        from_ocpi.connector_standards,
        coalesce(from_ocpi.max_connector_power_kw, charge_points.max_power_kw) as max_power_kw,
        coalesce(from_ocpi.max_connector_power_kw, charge_points.max_power_kw) >= 50 as is_rapid,
        charge_points.charge_point_id,
        case
            when from_ocpi.evse_uid is not null and charge_points.evse_uid is not null then 'ocpi_and_telemetry'
            when from_ocpi.evse_uid is not null then 'ocpi'
            else 'telemetry'
        end as evse_source,
        from_ocpi.last_updated_at_utc
    from from_ocpi
    full outer join charge_points on from_ocpi.evse_uid = charge_points.evse_uid
    left join (select distinct location_key, location_id from location_versions) as sites
        on charge_points.location_id = sites.location_id

)

select * from final
