{#- The few expressions that differ between SQL engines, behind one name each, so the marts'
    SQL stays portable: a second adapter implements `<adapter>__<macro>` and builds the same marts.
    Everything else uses dbt's cross-database macros (dbt.dateadd, dbt.datediff, ...). -#}

{#- A UTC timestamp (without time zone) as wall-clock time in the IANA zone named by `tz`. -#}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'chargelake')(ts, tz)) }}
{%- endmacro %}

{% macro default__utc_to_local(ts, tz) -%}
    timezone({{ tz }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{#- Wall-clock time in the zone named by `tz` as a UTC timestamp (without time zone). -#}
{% macro local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'chargelake')(ts, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc(ts, tz) -%}
    timezone('UTC', timezone({{ tz }}, {{ ts }}))
{%- endmacro %}

{#- The start of the `minutes`-long interval (aligned to the hour) a timestamp falls in. -#}
{% macro floor_to_minutes(ts, minutes) -%}
    {{ dbt.dateadd('minute', minutes ~ ' * floor(' ~ dbt.datediff("cast('2000-01-01' as timestamp)", ts, 'minute') ~ ' / ' ~ minutes ~ ')', "cast('2000-01-01' as timestamp)") }}
{%- endmacro %}

{#- Seconds between two timestamps, with sub-second precision where the engine has it. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'chargelake')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{#- The user's residual-mix factors (var `residual_mix_factors`, a list of {grid_zone, year,
    gco2e_per_kwh, source}) as a relation. AIB's factors may not be redistributed, so the project
    ships none: an empty list gives an empty relation of the same shape. -#}
{% macro residual_mix_factors() -%}
    {%- set rows = var('residual_mix_factors', []) -%}
    {%- if rows | length == 0 -%}
    select
        cast(null as varchar) as grid_zone,
        cast(null as integer) as year,
        cast(null as double) as gco2e_per_kwh,
        cast(null as varchar) as source
    where 1 = 0
    {%- else -%}
    {%- for row in rows %}
    select
        cast('{{ row["grid_zone"] }}' as varchar) as grid_zone,
        cast({{ row["year"] | int }} as integer) as year,
        cast({{ row["gco2e_per_kwh"] | float }} as double) as gco2e_per_kwh,
        cast('{{ row["source"] | replace("'", "''") }}' as varchar) as source
    {% if not loop.last %}union all{% endif %}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A SQL list literal of strings, for `in` from a var: ('a', 'b'); ('') for an empty list. -#}
{% macro in_list(values) -%}
    ({%- for v in values -%}'{{ v }}'{%- if not loop.last %}, {% endif -%}{%- else -%}''{%- endfor -%})
{%- endmacro %}

{#- A timestamp's time of day as 'HH:MM' text, compared with the rate windows of a supply contract. -#}
{% macro hh_mm(ts) -%}
    {{ return(adapter.dispatch('hh_mm', 'chargelake')(ts)) }}
{%- endmacro %}

{% macro default__hh_mm(ts) -%}
    strftime({{ ts }}, '%H:%M')
{%- endmacro %}

{#- One row per `partition_by`, the first by `order_by`, with the `columns` (plain names) of
    `relation` (a ref, a CTE or a parenthesised query). Portable SQL has neither `qualify` nor
    `* exclude`: the rank is filtered in a subquery and left out by naming the columns. -#}
{% macro first_per(relation, partition_by, order_by, columns) -%}
    select {{ column_list(columns) }}
    from (
        select
            source_rows.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as row_rank
        from {{ relation }} as source_rows
    ) as ranked
    where row_rank = 1
{%- endmacro %}

{#- The columns a model documents in its `_<folder>__models.yml`, for the macros that must name
    columns where DuckDB would say `* exclude`. tests/e2e checks every model's documented columns
    against the built warehouse, so this list is the model's real shape.
    Empty (a `*` select, the rank column kept) while dbt parses and in unit tests, which have no
    graph: their expected rows name the columns they check, so an extra column changes nothing. -#}
{% macro documented_columns(model_name) -%}
    {%- if not execute or graph.nodes is not defined -%}{{ return([]) }}{%- endif -%}
    {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', model_name) | list -%}
    {%- if nodes | length == 0 or nodes[0].columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("documented_columns: model " ~ model_name ~ " documents no columns") }}
    {%- endif -%}
    {{ return(nodes[0].columns.keys() | list) }}
{%- endmacro %}

{#- Columns as a select list; `*` for none (see documented_columns). -#}
{% macro column_list(columns, prefix='') -%}
    {%- if columns | length == 0 -%}{{ prefix }}*{%- else -%}
    {%- for column in columns -%}{{ prefix }}{{ column }}{%- if not loop.last %}, {% endif -%}{%- endfor -%}
    {%- endif -%}
{%- endmacro %}

