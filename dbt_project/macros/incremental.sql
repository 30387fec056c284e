{#- Incremental builds over the raw zone's partitions.

    The gate replaces a raw partition in one Delta commit and writes an audit row naming the run
    that published it. An incremental model keeps the `run_id` of every row it built; a partition
    whose latest publication's run is not among them is new or was re-published (a rerun, a late
    backfill) and is rebuilt whole (delete+insert on the partition column). Nothing else is read:
    the source is a lazily scanned Delta dataset, so the filter prunes files. -#}

{#- The partition dates (YYYY-MM-DD strings) of `source_name.table_name` to build in this run;
    none (not a list) on a full build, when every partition is read. -#}
{% macro unbuilt_partitions(source_name, table_name, partition_column) -%}
    {#- Referenced before anything returns, so dbt sees the dependency when it parses the model. -#}
    {%- set publications = ref('stg_audit__publications') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        with latest as (
            select partition_date, {{ value_at_max('run_id', 'finished_at_utc') }} as run_id
            from {{ publications }}
            where action = 'publish' and source_name = '{{ source_name }}' and table_name = '{{ table_name }}'
            group by partition_date
        ),

        built as (
            select distinct cast({{ partition_column }} as {{ dbt.type_string() }}) as partition_date, run_id from {{ this }}
        )

        select latest.partition_date
        from latest
        left join built on latest.partition_date = built.partition_date and latest.run_id = built.run_id
        where built.run_id is null
        order by 1
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values() | list) }}
{%- endmacro %}

{#- Drop a table or view if it exists, whichever it is (a lazily scanned source is a view; a
    warehouse built before it was one holds a table of the same name). -#}
{% macro drop_lazy_source_if_exists(schema, identifier) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_type from information_schema.tables where table_schema = '" ~ schema
            ~ "' and table_name = '" ~ identifier ~ "'"
        ) -%}
        {%- for row in found -%}
            {%- do run_query(("drop view " if row[0] == 'VIEW' else "drop table ") ~ schema ~ "." ~ identifier) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The rows of a raw table to (re)build: all of them on a full build; on an incremental one, the
    partitions of its family (`family`: the root table a child table is published with) published
    since the last build. The source is referenced first: loading it registers its dataset on the
    connection the model's queries then use. Only rows of recorded publications are read
    (published_runs). -#}
{% macro change_log_source(source_name, table_name, family=none, partition_column='partition_date') -%}
    {%- set relation = lake_source(source_name, table_name) -%}
    {%- if family is none -%}
    {#- a snapshot table read whole (e.g. tariff elements of the Tariffs module): its family is its root -#}
    select * from {{ relation }}
    where {{ published_runs(source_name, table_name.split('__')[0]) }}
    {%- else -%}
    {%- set partitions = unbuilt_partitions(source_name, family, partition_column) -%}
    select * from {{ relation }}
    where {{ published_runs(source_name, family) }}
    {%- if partitions is not none %}
        and {{ partition_values(partitions) }}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A table the lake publishes with an audit row: a raw table (dbt source `raw_<source>`) or a
    derived one (dbt source `derived`: computed in Python from raw partitions, expectations/derived.py). -#}
{% macro lake_source(source_name, table_name) -%}
    {{ return(source(source_name if source_name == 'derived' else 'raw_' ~ source_name, table_name)) }}
{%- endmacro %}

{#- A `where` clause keeping only `partitions` (from unbuilt_partitions); empty on a full build. -#}
{% macro partition_filter(partitions, column='partition_date') -%}
    {%- if partitions is not none -%}
    where {{ partition_values(partitions, column) }}
    {%- endif -%}
{%- endmacro %}

{% macro partition_values(partitions, column='partition_date') -%}
    {{ column }} in ({% for p in partitions %}'{{ p }}'{{ ', ' if not loop.last }}{% else %}null{% endfor %})
{%- endmacro %}

{#- A snapshot (reference-data) table of the raw zone, rows of recorded publications only. -#}
{% macro published_source(source_name, table_name, family) -%}
    select * from {{ lake_source(source_name, table_name) }}
    where {{ published_runs(source_name, family) }}
{%- endmacro %}

{#- The write-audit-publish commit point, as the warehouse sees it: a raw row counts once the gate
    recorded the publication of its run (audit/publications). The gate writes a family's tables one
    Delta commit each, root first, and the publication row last; a process killed in between leaves
    rows of a run without a publication, which no model reads (the root's rows hidden, so the
    children left over from the previous run join nothing), until a rerun publishes the day again
    (docs/operations.md, "A run killed mid-way"). -#}
{% macro published_runs(source_name, family) -%}
    _run_id in (
        select run_id from {{ ref('stg_audit__publications') }}
        where action = 'publish' and source_name = '{{ source_name }}' and table_name = '{{ family }}'
    )
{%- endmacro %}

{#- Raw change-log tables read lazily (source meta `materialization: view`, from each contract's
    catalogue, chargelake/catalogue.py): their views only work inside a dbt process, so they are
    dropped before and after every run. -#}
{% macro lazy_sources() -%}
    {%- set found = [] -%}
    {%- if not execute -%}{{ return(found) }}{%- endif -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.meta.get('materialization') == 'view' -%}
            {%- do found.append((node.schema, node.identifier)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The schema of every source, created before a run: sources loaded through the delta plugin are
    created in their source's schema from parallel threads, and creating the schemas first avoids
    DuckDB's write-write conflict on the catalog. -#}
{% macro create_source_schemas() -%}
    {{ return(adapter.dispatch('create_source_schemas', 'chargelake')()) }}
{%- endmacro %}

{% macro default__create_source_schemas() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set schemas = graph.sources.values() | map(attribute='schema') | unique | sort -%}
    {%- for schema in schemas %}
    create schema if not exists {{ schema }};
    {%- endfor %}
{%- endmacro %}

{#- Spark: each source is a metastore table over its Delta folder (`meta.delta_table_path`), created
    once; Delta reads the table's current version at query time, so nothing is reloaded per run. -#}
{% macro spark__create_source_schemas() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- for schema in graph.sources.values() | map(attribute='schema') | unique | sort -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- endfor -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- do run_query(
            'create table if not exists ' ~ node.schema ~ '.' ~ node.identifier
            ~ " using delta location '" ~ node.meta.delta_table_path ~ "'"
        ) -%}
    {%- endfor -%}
    select 1
{%- endmacro %}

{% macro drop_lazy_sources() -%}
    {{ return(adapter.dispatch('drop_lazy_sources', 'chargelake')()) }}
{%- endmacro %}

{#- Spark's sources are ordinary metastore tables: nothing to drop. -#}
{% macro spark__drop_lazy_sources() -%}
    select 1
{%- endmacro %}

{% macro default__drop_lazy_sources() -%}
    {%- for schema, identifier in lazy_sources() -%}
        {%- do drop_lazy_source_if_exists(schema, identifier) -%}
    {%- endfor -%}
    select 1
{%- endmacro %}


{#- Rows of an upstream incremental model built after everything this model has consumed:
    `consumed_column` in this model keeps the upstream `built_at_utc` it was built from. -#}
{% macro built_since_last_run(consumed_column) -%}
    built_at_utc > (select coalesce(max({{ consumed_column }}), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#- dbt-duckdb leaves the staging table of an incremental Python model behind
    (`<model>__dbt_tmp<timestamp>` in the main schema): dropped after each build of the model. -#}
{% macro drop_python_model_leftovers(relation) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_schema, table_name from information_schema.tables where table_name like '"
            ~ relation.identifier ~ "__dbt_tmp%'"
        ) -%}
        {%- for row in found -%}
            {%- do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- An incremental model built by other code (an upgrade, an edited model) holds rows in another
    shape. The warehouse keeps a fingerprint of each incremental model: its code and the code of every
    model and seed it is built from. When a model selected for this build has a different one, it is
    dropped first, so this build makes it whole again; models outside the selection are left alone
    (a partial build must not lose them). An edited macro or dbt var is not seen: rebuild with
    `--full-refresh` (docs/operations.md). -#}
{% macro rebuild_incremental_models_when_code_changes() -%}
    {%- if execute -%}
        {%- do run_query("drop table if exists main.chargelake_build_fingerprint") -%}
        {%- do run_query("create schema if not exists main") -%}
        {%- do run_query(
            "create table if not exists main.chargelake_model_fingerprints (model " ~ dbt.type_string()
            ~ ", fingerprint " ~ dbt.type_string() ~ ")"
        ) -%}
        {%- set stored = {} -%}
        {%- for row in run_query("select model, fingerprint from main.chargelake_model_fingerprints").rows -%}
            {%- do stored.update({row[0]: row[1]}) -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
                and node.unique_id in selected_resources -%}
                {%- set fingerprint = local_md5(model_lineage_code(node)) -%}
                {%- if stored.get(node.unique_id) != fingerprint -%}
                    {#- Through the adapter, so dbt's relation cache forgets it too. -#}
                    {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
                    {%- if relation is not none -%}
                        {%- do adapter.drop_relation(relation) -%}
                    {%- endif -%}
                    {%- do run_query("delete from main.chargelake_model_fingerprints where model = '" ~ node.unique_id ~ "'") -%}
                    {%- do run_query(
                        "insert into main.chargelake_model_fingerprints values ('"
                        ~ node.unique_id ~ "', '" ~ fingerprint ~ "')"
                    ) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- The code a model's rows depend on: its own and that of every model and seed upstream of it. -#}
{% macro model_lineage_code(node) -%}
    {%- set ns = namespace(frontier=node.depends_on.nodes | list) -%}
    {%- set seen = [node.unique_id] -%}
    {%- for _ in range(100) -%}
        {%- set upstream = [] -%}
        {%- for uid in ns.frontier -%}
            {%- if uid not in seen -%}
                {%- do seen.append(uid) -%}
                {%- set parent = graph.nodes.get(uid) -%}
                {%- if parent is not none -%}
                    {%- do upstream.extend(parent.depends_on.nodes) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set ns.frontier = upstream -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for uid in seen | sort -%}
        {%- set n = graph.nodes.get(uid) -%}
        {%- if n is not none and n.resource_type in ('model', 'seed') -%}
            {%- do parts.append(uid ~ '\n' ~ (n.raw_code or n.checksum.checksum)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(parts | join('\n')) -}}
{%- endmacro %}
