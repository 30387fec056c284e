{#- Schemas are named exactly as configured (staging, intermediate, marts), not target_custom:
    BI tools and docs refer to `marts.fct_charging_sessions`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
