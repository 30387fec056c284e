{#- The few expressions that differ between SQL engines, behind one name each, so the marts'
    SQL stays portable: a second adapter implements `<adapter>__<macro>` and builds the same marts.
    Everything else uses dbt's cross-database macros (dbt.dateadd, dbt.datediff, ...). -#}

{#- A timestamp of the raw zone (Delta: a UTC instant) as the warehouse's UTC timestamp. DuckDB reads
    it as `timestamptz` and the warehouse keeps naive UTC; Spark's `timestamp` is an instant shown in
    the session time zone, which the spark target sets to UTC. -#}
{% macro raw_utc(column) -%}
    {{ return(adapter.dispatch('raw_utc', 'chargelake')(column)) }}
{%- endmacro %}

{% macro default__raw_utc(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}

{% macro spark__raw_utc(column) -%}
    {{ column }}
{%- endmacro %}

{#- The value at `$.<key>` of a JSON object held as text, as text (`key_sql` is a SQL expression). -#}
{% macro json_text(document, key_sql) -%}
    {{ return(adapter.dispatch('json_text', 'chargelake')(document, key_sql)) }}
{%- endmacro %}

{% macro default__json_text(document, key_sql) -%}
    json_extract_string({{ document }}, '$.' || {{ key_sql }})
{%- endmacro %}

{% macro spark__json_text(document, key_sql) -%}
    get_json_object({{ document }}, concat('$.', {{ key_sql }}))
{%- endmacro %}

{#- A UTC timestamp (without time zone) as wall-clock time in the IANA zone named by `tz`. -#}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'chargelake')(ts, tz)) }}
{%- endmacro %}

{% macro spark__utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{% macro default__utc_to_local(ts, tz) -%}
    timezone({{ tz }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{#- Wall-clock time in the zone named by `tz` as a UTC timestamp (without time zone). -#}
{% macro local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'chargelake')(ts, tz)) }}
{%- endmacro %}

{% macro spark__local_to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
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

{% macro spark__seconds_between(start_ts, end_ts) -%}
    (cast(unix_micros({{ end_ts }}) - unix_micros({{ start_ts }}) as double) / 1000000)
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
        cast(null as {{ dbt.type_string() }}) as grid_zone,
        cast(null as integer) as year,
        cast(null as double) as gco2e_per_kwh,
        cast(null as {{ dbt.type_string() }}) as source
    where 1 = 0
    {%- else -%}
    {%- for row in rows %}
    select
        cast('{{ row["grid_zone"] }}' as {{ dbt.type_string() }}) as grid_zone,
        cast({{ row["year"] | int }} as integer) as year,
        cast({{ row["gco2e_per_kwh"] | float }} as double) as gco2e_per_kwh,
        cast('{{ row["source"] | replace("'", "''") }}' as {{ dbt.type_string() }}) as source
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

{% macro spark__hh_mm(ts) -%}
    date_format({{ ts }}, 'HH:mm')
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

{#- Text values of a group (those passing `where`, a SQL condition) joined by `separator` in the
    order of `order_by` (default: the values themselves), so the result is the same on every engine
    and every run; null when there is none. -#}
{% macro ordered_string_agg(expression, separator, order_by=none, distinct=false, where=none) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'chargelake')(expression, separator, order_by or expression, distinct, where)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, separator, order_by, distinct, where) -%}
    string_agg({{ 'distinct ' if distinct }}{{ expression }}, '{{ separator }}' order by {{ order_by }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#- Spark's `listagg(distinct ...)` fails when a query has two of them (a ClassCastException in 4.0),
    so distinct values are collected as a set and sorted instead. -#}
{% macro spark__ordered_string_agg(expression, separator, order_by, distinct, where) -%}
    {%- set filter = ' filter (where ' ~ where ~ ')' if where else '' -%}
    {%- if distinct -%}
    case when count({{ expression }}){{ filter }} > 0
        then array_join(array_sort(collect_set({{ expression }}){{ filter }}), '{{ separator }}') end
    {%- else -%}
    listagg({{ expression }}, '{{ separator }}') within group (order by {{ order_by }}){{ filter }}
    {%- endif -%}
{%- endmacro %}

{#- The `value` of the row with the largest (smallest) `ordering` in a group. -#}
{% macro value_at_max(value, ordering) -%}
    {{ return(adapter.dispatch('value_at_max', 'chargelake')(value, ordering)) }}
{%- endmacro %}

{% macro default__value_at_max(value, ordering) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro spark__value_at_max(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro value_at_min(value, ordering) -%}
    {{ return(adapter.dispatch('value_at_min', 'chargelake')(value, ordering)) }}
{%- endmacro %}

{% macro default__value_at_min(value, ordering) -%}
    arg_min({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro spark__value_at_min(value, ordering) -%}
    min_by({{ value }}, {{ ordering }})
{%- endmacro %}

{#- ISO day of the week of a date or timestamp: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_weekday(ts) -%}
    {{ return(adapter.dispatch('iso_weekday', 'chargelake')(ts)) }}
{%- endmacro %}

{% macro default__iso_weekday(ts) -%}
    extract(isodow from {{ ts }})
{%- endmacro %}

{% macro spark__iso_weekday(ts) -%}
    extract(dayofweek_iso from {{ ts }})
{%- endmacro %}

{#- True when `text` contains a match of the regular expression `pattern` (a SQL string literal). -#}
{% macro regex_found(text, pattern) -%}
    {{ return(adapter.dispatch('regex_found', 'chargelake')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_found(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{#- Spark's string literals read backslash escapes: the pattern's backslashes are doubled. -#}
{% macro spark__regex_found(text, pattern) -%}
    regexp_like({{ text }}, {{ pattern | replace('\\', '\\\\') }})
{%- endmacro %}

{#- The last non-null value of `expression` in the window that follows the call (`... over (...)`). -#}
{% macro last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'chargelake')(expression)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expression) -%}
    last_value({{ expression }}, true)
{%- endmacro %}

{#- A date or timestamp as text in a strftime `format` (only %Y %m %d %H %M %S and the literal
    separators - : space T), the same text on every engine. -#}
{% macro format_time(ts, format) -%}
    {{ return(adapter.dispatch('format_time', 'chargelake')(ts, format)) }}
{%- endmacro %}

{% macro default__format_time(ts, format) -%}
    strftime({{ ts }}, '{{ format }}')
{%- endmacro %}

{% macro spark__format_time(ts, format) -%}
    {%- set java = format | replace('T', "'T'") | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    date_format({{ ts }}, "{{ java }}")
{%- endmacro %}

{#- Nested documents (what the costing library reads): a struct from a dict of field name to SQL
    expression (in that order), a list aggregated in the order of `order_by`, an empty list. -#}
{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of', 'chargelake')(fields)) }}
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    { {%- for name, expression in fields.items() %}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct({%- for name, expression in fields.items() %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}

{% macro ordered_list_agg(expression, order_by, where=none) -%}
    {{ return(adapter.dispatch('ordered_list_agg', 'chargelake')(expression, order_by, where)) }}
{%- endmacro %}

{% macro default__ordered_list_agg(expression, order_by, where) -%}
    list({{ expression }} order by {{ order_by }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#- Spark has no ordered aggregate into a list: the values are collected with their sort key,
    sorted, and the key dropped. -#}
{% macro spark__ordered_list_agg(expression, order_by, where) -%}
    transform(
        array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'value', {{ expression }}))
            {%- if where %} filter (where {{ where }}){% endif %}),
        entry -> entry.value
    )
{%- endmacro %}

{% macro empty_list() -%}
    {{ return(adapter.dispatch('empty_list', 'chargelake')()) }}
{%- endmacro %}

{% macro default__empty_list() -%}
    []
{%- endmacro %}

{% macro spark__empty_list() -%}
    array()
{%- endmacro %}

{#- `cross join` each element of the list `list_expression` as a row, its value in `alias.column`. -#}
{% macro cross_join_unnest(list_expression, alias, column) -%}
    {{ return(adapter.dispatch('cross_join_unnest', 'chargelake')(list_expression, alias, column)) }}
{%- endmacro %}

{% macro default__cross_join_unnest(list_expression, alias, column) -%}
    cross join unnest({{ list_expression }}) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro spark__cross_join_unnest(list_expression, alias, column) -%}
    lateral view explode({{ list_expression }}) {{ alias }} as {{ column }}
{%- endmacro %}

