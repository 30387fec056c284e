{#- Shared shapes of the staging models over the raw change log. -#}

{#- Columns every raw root table carries: when this version was last updated, which partition and
    run published it, which dlt load extracted it. -#}
{% macro raw_version_columns() -%}
        timezone('UTC', last_updated) as last_updated_at_utc,
        cast(partition_date as date) as partition_date,
        _run_id as run_id,
        _dlt_load_id as load_id
{%- endmacro %}

{#- The latest version of each object: the raw zone keeps every version it extracted. -#}
{% macro latest_version(cte, key) -%}
    select *
    from {{ cte }}
    qualify row_number() over (
        partition by {{ key }} order by last_updated_at_utc desc, load_id desc
    ) = 1
{%- endmacro %}
