-- One row per CDR (latest version) with everything its price depends on, nested as OCPI
-- documents for the costing library: charging periods with their dimensions, the tariffs that
-- apply, and the site's time zone (tariff restrictions are in local time; CDRs carry none).
-- Tariffs: those embedded in the CDR; else the Tariffs-module tariffs its periods name; else those
-- its connector names in the location snapshot; each in the version valid at the CDR's start (or
-- the earliest known version, when snapshots began after the session).
-- Incremental: a build prepares the CDRs whose latest version it has not prepared yet, and again
-- those whose tariffs were not found or only in a later version (snapshots may have arrived since).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='cdr_key') }}

with cdrs as (

    select * from {{ ref('int_ocpi__cdrs_latest') }} as latest
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as prepared
        where prepared.cdr_key = latest.cdr_key
            and prepared.last_updated_at_utc = latest.last_updated_at_utc
            and prepared.tariff_source is not null
            and prepared.tariff_source not like '%later_version'
    )
    {% endif %}

),

cdr_periods as (

    select *
    from {{ ref('stg_ocpi__cdr_charging_periods') }}
    where cdr_record_id in (select raw_record_id from cdrs)

),

period_dimensions as (

    select
        charging_period_record_id,
        {{ ordered_list_agg(struct_of({'type': 'dimension_type', 'volume': 'volume'}), 'list_index') }} as dimensions
    from {{ ref('stg_ocpi__cdr_charging_period_dimensions') }}
    where charging_period_record_id in (select raw_record_id from cdr_periods)
    group by charging_period_record_id

),

periods as (

    select
        periods.cdr_record_id,
        {{ ordered_list_agg(struct_of({
            'start_date_time': 'periods.started_at_utc',
            'tariff_id': 'periods.tariff_id',
            'dimensions': 'coalesce(period_dimensions.dimensions, ' ~ empty_list() ~ ')'
        }), 'periods.list_index') }} as charging_periods
    from cdr_periods as periods
    left join period_dimensions on periods.raw_record_id = period_dimensions.charging_period_record_id
    group by periods.cdr_record_id

),

embedded_tariffs as (

    select cdr_record_id, {{ ordered_list_agg('tariff_document', 'list_index') }} as tariffs
    from {{ ref('int_ocpi__cdr_tariff_documents') }}
    where cdr_record_id in (select raw_record_id from cdrs)
    group by cdr_record_id

),

module_tariffs as (

    select * from {{ ref('int_ocpi__tariff_documents') }}

),

locations as (

    select * from {{ ref('int_ocpi__locations_history') }}

),

connector_tariff_candidates as (

    -- The tariffs the CDR's connector names in the location version valid at the session start
    -- (or the earliest known version, when location snapshots began after the session).
    select
        cdrs.raw_record_id as cdr_record_id,
        cdrs.country_code || '*' || cdrs.party_id || '*' || tariff_ids.tariff_id as tariff_key,
        tariff_ids.tariff_id,
        cdrs.started_at_utc,
        dense_rank() over (
            partition by cdrs.raw_record_id
            order by
                (locations.valid_from_at_utc <= cdrs.started_at_utc) desc,
                case when locations.valid_from_at_utc <= cdrs.started_at_utc then locations.valid_from_at_utc end desc,
                locations.valid_from_at_utc
        ) as location_version_rank
    from cdrs
    inner join locations on cdrs.location_key = locations.location_key
    inner join {{ ref('stg_ocpi__location_evses') }} as evses
        on locations.raw_record_id = evses.location_raw_record_id and cdrs.evse_uid = evses.evse_uid
    inner join {{ ref('stg_ocpi__location_connectors') }} as connectors
        on evses.raw_record_id = connectors.evse_record_id and cdrs.connector_id = connectors.connector_id
    inner join {{ ref('stg_ocpi__location_connector_tariff_ids') }} as tariff_ids
        on connectors.raw_record_id = tariff_ids.connector_record_id
    where locations.valid_to_at_utc is null or locations.valid_to_at_utc > cdrs.started_at_utc

),

connector_named_tariffs as (

    select cdr_record_id, tariff_key, tariff_id, started_at_utc
    from connector_tariff_candidates
    where location_version_rank = 1

),

wanted_tariffs as (

    select
        cdrs.raw_record_id as cdr_record_id,
        cdrs.country_code || '*' || cdrs.party_id || '*' || named.tariff_id as tariff_key,
        named.tariff_id,
        cdrs.started_at_utc,
        'named' as basis
    from cdrs
    inner join (
        select distinct cdr_record_id, tariff_id from cdr_periods where tariff_id is not null
    ) as named on cdrs.raw_record_id = named.cdr_record_id

    union all

    select cdr_record_id, tariff_key, tariff_id, started_at_utc, 'location_connector' as basis
    from connector_named_tariffs

),

version_candidates as (

    -- The version of each wanted tariff valid at the session start, else the earliest later one.
    -- Tariff ids are unique within a CPO platform and its sub-operators (mod_tariffs), which may
    -- publish tariffs under their own party: the CDR's own party's tariff wins where both exist.
    select
        wanted_tariffs.cdr_record_id,
        wanted_tariffs.basis,
        wanted_tariffs.tariff_id,
        module_tariffs.tariff_document,
        module_tariffs.tariff_type,
        module_tariffs.valid_from_at_utc <= wanted_tariffs.started_at_utc as is_valid_at_start,
        row_number() over (
            partition by wanted_tariffs.cdr_record_id, wanted_tariffs.basis, wanted_tariffs.tariff_id
            order by
                (module_tariffs.tariff_key = wanted_tariffs.tariff_key) desc,
                (module_tariffs.valid_from_at_utc <= wanted_tariffs.started_at_utc) desc,
                case when module_tariffs.valid_from_at_utc <= wanted_tariffs.started_at_utc
                    then module_tariffs.valid_from_at_utc end desc,
                module_tariffs.valid_from_at_utc
        ) as version_rank
    from wanted_tariffs
    inner join module_tariffs on wanted_tariffs.tariff_id = module_tariffs.tariff_id
    where module_tariffs.valid_to_at_utc is null or module_tariffs.valid_to_at_utc > wanted_tariffs.started_at_utc

),

wanted_versions as (

    select cdr_record_id, basis, tariff_id, tariff_document, tariff_type, is_valid_at_start
    from version_candidates
    where version_rank = 1

),

referenced_tariffs as (

    -- A connector may name several tariffs (regular, ad hoc, charging profiles): a CDR is priced
    -- with the regular one(s) (type REGULAR or none) when there are any.
    select
        cdr_record_id,
        basis,
        {{ ordered_list_agg('tariff_document', 'tariff_id') }} as tariffs,
        bool_and(is_valid_at_start) as all_valid_at_start
    from wanted_versions
    where basis = 'named' or coalesce(tariff_type, 'REGULAR') = 'REGULAR'
        or not exists (
            select 1 from wanted_versions as regular
            where regular.cdr_record_id = wanted_versions.cdr_record_id
                and regular.basis = wanted_versions.basis
                and coalesce(regular.tariff_type, 'REGULAR') = 'REGULAR'
        )
    group by cdr_record_id, basis

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
        cdrs.last_updated_at_utc,
        coalesce(periods.charging_periods, {{ empty_list() }}) as charging_periods,
        coalesce(embedded_tariffs.tariffs, named_tariffs.tariffs, connector_tariffs.tariffs, {{ empty_list() }}) as tariffs,
        case
            when embedded_tariffs.tariffs is not null then 'cdr'
            when named_tariffs.tariffs is not null
                then 'tariffs_module' || case when named_tariffs.all_valid_at_start then '' else '_later_version' end
            when connector_tariffs.tariffs is not null
                then 'location_connector'
                    || case when connector_tariffs.all_valid_at_start then '' else '_later_version' end
        end as tariff_source,
        site_time_zones.time_zone
    from cdrs
    left join periods on cdrs.raw_record_id = periods.cdr_record_id
    left join embedded_tariffs on cdrs.raw_record_id = embedded_tariffs.cdr_record_id
    left join referenced_tariffs as named_tariffs
        on cdrs.raw_record_id = named_tariffs.cdr_record_id and named_tariffs.basis = 'named'
    left join referenced_tariffs as connector_tariffs
        on cdrs.raw_record_id = connector_tariffs.cdr_record_id and connector_tariffs.basis = 'location_connector'
    left join site_time_zones on cdrs.location_key = site_time_zones.location_key

)

select * from final
