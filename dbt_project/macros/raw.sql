{#- Shared shapes of the staging and intermediate models over the raw zone. -#}

{#- The OCPI key of an object: ids are unique per CPO (`country_code*party_id*id`). -#}
{% macro ocpi_key(id_column, prefix='') -%}
    {{ prefix }}country_code || '*' || {{ prefix }}party_id || '*' || {{ id_column }}
{%- endmacro %}

{#- Columns every raw root table carries: when this version was last updated, which partition and
    run published it, which dlt load extracted it, which OCPI version the CPO spoke. -#}
{% macro raw_version_columns() -%}
        {{ raw_utc('last_updated') }} as last_updated_at_utc,
        cast(partition_date as date) as partition_date,
        _api_version as ocpi_version,
        {{ raw_lineage_columns() }}
{%- endmacro %}

{#- Which run published a raw row and which dlt load extracted it (every source; see audit/publications). -#}
{% macro raw_lineage_columns() -%}
        _run_id as run_id,
        _dlt_load_id as load_id
{%- endmacro %}

{#- The latest version of each object: the raw change log keeps every version it extracted.
    `columns` are the CTE's columns (`documented_columns(model)`). -#}
{% macro latest_version(cte, key, columns) -%}
    {{ first_per(cte, key, 'last_updated_at_utc desc, load_id desc', columns) }}
{%- endmacro %}

{#- History over daily snapshots of reference data: one row per object version with the period it
    was valid. A version is closed when a newer one appears (`superseded`), when the object is
    missing from a later snapshot (`missing_from_snapshot`), or when `removed_when` holds for it
    (`removed`, e.g. a token marked invalid): it is never silently kept as current. -#}
{% macro snapshot_history(model_name, key, removed_when='false') -%}
{%- set columns = documented_columns(model_name) -%}
with snapshot_rows as (

    select * from {{ ref(model_name) }}

),

snapshot_days as (

    select
        snapshot_date,
        lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
    from (select distinct snapshot_date from snapshot_rows) as days

),

ranked_versions as (

    select
        *,
        min(snapshot_date) over (partition by {{ key }}, last_updated_at_utc) as first_snapshot_date,
        max(snapshot_date) over (partition by {{ key }}, last_updated_at_utc) as last_snapshot_date,
        row_number() over (
            partition by {{ key }}, last_updated_at_utc order by snapshot_date desc, load_id desc
        ) as snapshot_rank
    from snapshot_rows

),

versions as (

    select
        {% if columns %}{{ column_list(columns) }}, first_snapshot_date, last_snapshot_date{% else %}*{% endif %}
    from ranked_versions
    where snapshot_rank = 1

),

ordered as (

    select
        versions.*,
        lead(versions.last_updated_at_utc) over (
            partition by versions.{{ key }} order by versions.last_updated_at_utc
        ) as next_version_at_utc,
        snapshot_days.next_snapshot_date as missing_from_snapshot_date
    from versions
    left join snapshot_days on versions.last_snapshot_date = snapshot_days.snapshot_date

),

history as (

    select
        {% if columns -%}
        {{ column_list(columns, 'ordered.') }},
        ordered.first_snapshot_date,
        ordered.last_snapshot_date,
        {%- else -%}
        ordered.*,
        {%- endif %}
        ordered.last_updated_at_utc as valid_from_at_utc,
        case
            when ordered.next_version_at_utc is not null then ordered.next_version_at_utc
            when ordered.missing_from_snapshot_date is not null
                then cast(ordered.missing_from_snapshot_date as timestamp)
        end as valid_to_at_utc,
        case
            when ordered.next_version_at_utc is not null then 'superseded'
            when ordered.missing_from_snapshot_date is not null then 'missing_from_snapshot'
            when {{ removed_when }} then 'removed'
        end as closed_reason
    from ordered

)

select
    *,
    closed_reason is null as is_current
from history
{%- endmacro %}
