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
