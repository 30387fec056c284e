{#- What the spark target needs beyond dbt-spark: the models' `delete+insert` incremental strategy
    (dbt-spark has append, merge and insert_overwrite). A model's unique key may repeat (a partition
    date, a session's intervals): every target row whose key the new rows carry is removed, then the
    new rows are inserted, as dbt-duckdb does. On Delta that is a MERGE ... DELETE and an INSERT: two
    commits, so a reader between them misses the rows being rebuilt (the DuckDB build swaps whole
    warehouse files instead; docs/scaling.md). -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
        {%- if file_format != 'delta' -%}
            {%- do exceptions.raise_compiler_error("delete+insert needs file_format 'delta', not " ~ file_format) -%}
        {%- endif -%}
        {%- do return(raw_strategy) -%}
    {%- endif -%}
    {%- do return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) -%}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy != 'delete+insert' -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set delete_sql -%}
        merge into {{ target }} as target_rows
        using (select distinct {{ keys | join(', ') }} from {{ source }}) as new_keys
        on {% for key in keys %}target_rows.{{ key }} = new_keys.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
        when matched then delete
    {%- endset -%}
    {%- do run_query(delete_sql) -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    insert into {{ target }} select {{ columns }} from {{ source }}
{%- endmacro %}

{#- dbt-spark's session connection puts seed values into the SQL with `%` formatting, unescaped: a
    value with a quote (`Germany's`) or a percent sign breaks the insert. Seeds carry sources and
    methodology text, so the values are written as escaped literals instead. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(column, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {{- ', ' if not loop.last -}}
                {%- endfor -%})
                {{- ',' if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}

{#- A contract's `not_null` on Delta: dbt-spark asks for `alter column ... set not null`, which Delta
    refuses on a table that already holds rows (every table built by `create ... as select`). A CHECK
    constraint enforces the same rule on the rows there and on every later write. -#}
{% macro spark__alter_column_set_constraints(relation, column_dict) -%}
    {%- for column_name in column_dict -%}
        {%- for constraint in column_dict[column_name]['constraints'] if constraint.type == 'not_null' -%}
            {%- set name = column_name ~ '_not_null' -%}
            {%- call statement() -%}
                alter table {{ relation }} drop constraint if exists {{ name }}
            {%- endcall -%}
            {%- call statement() -%}
                alter table {{ relation }} add constraint {{ name }} check ({{ column_name }} is not null)
            {%- endcall -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endmacro %}

{#- dbt-spark's `datediff` counts elapsed time rounded up (`ceil(seconds / 60)`), DuckDB's (and dbt's
    definition) counts the boundaries crossed: from 10:14:30 to 10:15:10 is one minute. Interval
    flooring and counting rely on the latter, so the clock parts count boundaries here too. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart in seconds -%}
        (floor(unix_seconds(cast({{ second_date }} as timestamp)) / {{ seconds[datepart] }})
            - floor(unix_seconds(cast({{ first_date }} as timestamp)) / {{ seconds[datepart] }}))
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- dbt-spark's `dateadd` for clock parts goes through whole unix seconds and drops the fraction;
    microseconds keep it (in bigint arithmetic: 480 minutes in microseconds overflows an int). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set micros = {'hour': 3600000000, 'minute': 60000000, 'second': 1000000} -%}
    {%- if datepart in micros -%}
        timestamp_micros(unix_micros(cast({{ from_date_or_timestamp }} as timestamp))
            + cast(({{ interval }}) * cast({{ micros[datepart] }} as bigint) as bigint))
    {%- else -%}
        {{ dbt.spark__dateadd(datepart, interval, from_date_or_timestamp) }}
    {%- endif -%}
{%- endmacro %}
