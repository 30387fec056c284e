-- Every charge point of every daily snapshot, renamed and cast (1:1 with raw `charge_points`).
with source as (

    {{ published_source('telemetry', 'charge_points', 'charge_points') }}

),

renamed as (

    select
        id as charge_point_id,
        evse_uid,
        evse_id,
        location_id,
        ocpp_version,
        power_kw as max_power_kw,
        is_dc,
        grid_zone,
        legal_entity,
        site_grid_capacity_kw,
        cast(partition_date as date) as snapshot_date,
        {{ raw_lineage_columns() }}

    from source

)

select * from renamed
