-- One row per CDR (latest version) with everything its price depends on, nested as OCPI
-- documents for the costing library: charging periods with their dimensions, the tariffs that
-- apply, and the site's time zone (tariff restrictions are in local time; CDRs carry none).
-- Tariffs: those embedded in the CDR; else the Tariffs-module versions its periods name, valid at
-- the CDR's start (or the earliest known version, when tariff snapshots began after the session).
with cdrs as (

    select * from {{ ref('int_ocpi__cdrs_latest') }}

),

period_dimensions as (

    select
        charging_period_record_id,
        list({'type': dimension_type, 'volume': volume} order by list_index) as dimensions
    from {{ ref('stg_ocpi__cdr_charging_period_dimensions') }}
    group by charging_period_record_id

),

periods as (

    select
        periods.cdr_record_id,
        list(
            {
                'start_date_time': periods.started_at_utc,
                'tariff_id': periods.tariff_id,
                'dimensions': coalesce(period_dimensions.dimensions, [])
            }
            order by periods.list_index
        ) as charging_periods,
        list(distinct periods.tariff_id) filter (where periods.tariff_id is not null) as period_tariff_ids
    from {{ ref('stg_ocpi__cdr_charging_periods') }} as periods
    left join period_dimensions on periods.raw_record_id = period_dimensions.charging_period_record_id
    group by periods.cdr_record_id

),

embedded_tariffs as (

    select cdr_record_id, list(tariff_document order by list_index) as tariffs
    from {{ ref('int_ocpi__cdr_tariff_documents') }}
    group by cdr_record_id

),

module_tariffs as (

    select * from {{ ref('int_ocpi__tariff_documents') }}

),

named_tariffs as (

    select
        cdrs.raw_record_id as cdr_record_id,
        cdrs.country_code || '*' || cdrs.party_id || '*' || named.tariff_id as tariff_key,
        cdrs.started_at_utc
    from cdrs
    inner join periods on cdrs.raw_record_id = periods.cdr_record_id
    cross join unnest(periods.period_tariff_ids) as named (tariff_id)

),

named_versions as (

    select
        named_tariffs.cdr_record_id,
        module_tariffs.tariff_document,
        module_tariffs.valid_from_at_utc <= named_tariffs.started_at_utc as is_valid_at_start
    from named_tariffs
    inner join module_tariffs on named_tariffs.tariff_key = module_tariffs.tariff_key
    where module_tariffs.valid_to_at_utc is null or module_tariffs.valid_to_at_utc > named_tariffs.started_at_utc
    qualify row_number() over (
        partition by named_tariffs.cdr_record_id, named_tariffs.tariff_key
        order by
            (module_tariffs.valid_from_at_utc <= named_tariffs.started_at_utc) desc,
            case when module_tariffs.valid_from_at_utc <= named_tariffs.started_at_utc
                then module_tariffs.valid_from_at_utc end desc,
            module_tariffs.valid_from_at_utc
    ) = 1

),

referenced_tariffs as (

    select
        cdr_record_id,
        list(tariff_document) as tariffs,
        bool_and(is_valid_at_start) as all_valid_at_start
    from named_versions
    group by cdr_record_id

),

site_time_zones as (

    select location_key, max_by(time_zone, valid_from_at_utc) as time_zone
    from {{ ref('int_ocpi__locations_history') }}
    where time_zone is not null
    group by location_key

),

final as (

    select
        cdrs.cdr_key,
        cdrs.raw_record_id as cdr_record_id,
        cdrs.started_at_utc as start_date_time,
        cdrs.ended_at_utc as end_date_time,
        cdrs.is_credit as credit,
        coalesce(periods.charging_periods, []) as charging_periods,
        coalesce(embedded_tariffs.tariffs, referenced_tariffs.tariffs, []) as tariffs,
        case
            when embedded_tariffs.tariffs is not null then 'cdr'
            when referenced_tariffs.all_valid_at_start then 'tariffs_module'
            when referenced_tariffs.tariffs is not null then 'tariffs_module_later_version'
        end as tariff_source,
        site_time_zones.time_zone
    from cdrs
    left join periods on cdrs.raw_record_id = periods.cdr_record_id
    left join embedded_tariffs on cdrs.raw_record_id = embedded_tariffs.cdr_record_id
    left join referenced_tariffs on cdrs.raw_record_id = referenced_tariffs.cdr_record_id
    left join site_time_zones on cdrs.location_key = site_time_zones.location_key

)

select * from final
