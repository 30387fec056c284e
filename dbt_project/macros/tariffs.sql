{#- Staging shapes shared by the Tariffs module's tables and the tariffs embedded in CDRs
    (`tariffs__*` and `cdrs__tariffs__*` have the same contract columns). -#}

{#- The columns of a tariff header, from the Tariffs module or embedded in a CDR. -#}
{% macro tariff_header_columns() -%}
        {{ ocpi_key('id') }} as tariff_key,
        id as tariff_id,
        currency,
        type as tariff_type,
        min_price__excl_vat as min_price_excl_vat,
        min_price__incl_vat as min_price_incl_vat,
        max_price__excl_vat as max_price_excl_vat,
        max_price__incl_vat as max_price_incl_vat,
        {{ raw_utc('start_date_time') }} as starts_at_utc,
        {{ raw_utc('end_date_time') }} as ends_at_utc
{%- endmacro %}

{#- Child-table lineage: a row's own id, its parent row's id and its position in the parent's list. -#}
{% macro child_columns(parent_name) -%}
        _dlt_id as raw_record_id,
        _dlt_parent_id as {{ parent_name }},
        _dlt_list_idx as list_index,
        cast(partition_date as date) as partition_date,
        _run_id as run_id
{%- endmacro %}

{% macro stg_tariff_elements(table, change_log_family=none) -%}
with source as (

    {{ change_log_source('ocpi', table, change_log_family) }}

),

renamed as (

    select
        {{ child_columns('tariff_record_id') }},
        restrictions__start_time as restriction_start_time_local,
        restrictions__end_time as restriction_end_time_local,
        restrictions__start_date as restriction_start_date_local,
        restrictions__end_date as restriction_end_date_local,
        restrictions__min_kwh as restriction_min_energy_kwh,
        restrictions__max_kwh as restriction_max_energy_kwh,
        restrictions__min_current as restriction_min_current_a,
        restrictions__max_current as restriction_max_current_a,
        restrictions__min_power as restriction_min_power_kw,
        restrictions__max_power as restriction_max_power_kw,
        restrictions__min_duration as restriction_min_duration_seconds,
        restrictions__max_duration as restriction_max_duration_seconds,
        restrictions__reservation as restriction_reservation

    from source

)

select * from renamed
{%- endmacro %}

{% macro stg_tariff_price_components(table, change_log_family=none) -%}
with source as (

    {{ change_log_source('ocpi', table, change_log_family) }}

),

renamed as (

    select
        {{ child_columns('element_record_id') }},
        type as dimension_type,
        price as price_excl_vat,
        vat as vat_pct,
        step_size

    from source

)

select * from renamed
{%- endmacro %}

{% macro stg_tariff_element_days(table, change_log_family=none) -%}
with source as (

    {{ change_log_source('ocpi', table, change_log_family) }}

),

renamed as (

    select
        {{ child_columns('element_record_id') }},
        value as day_of_week

    from source

)

select * from renamed
{%- endmacro %}

{#- One OCPI Tariff document per tariff row, rebuilt as nested lists in the OCPI field names the
    costing library reads (`chargelake.costing.parse_tariff`). -#}
{% macro tariff_documents(headers, elements, components, days) -%}
header_elements as (

    select * from {{ elements }}
    where tariff_record_id in (select raw_record_id from {{ headers }})

),

days as (

    select element_record_id, {{ ordered_list_agg('day_of_week', 'list_index') }} as day_of_week
    from {{ days }}
    where element_record_id in (select raw_record_id from header_elements)
    group by element_record_id

),

components as (

    select
        element_record_id,
        {{ ordered_list_agg(struct_of({
            'type': 'dimension_type', 'price': 'price_excl_vat', 'vat': 'vat_pct', 'step_size': 'step_size'
        }), 'list_index') }} as price_components
    from {{ components }}
    where element_record_id in (select raw_record_id from header_elements)
    group by element_record_id

),

elements as (

    select
        elements.tariff_record_id,
        {{ ordered_list_agg(struct_of({
            'price_components': 'components.price_components',
            'restrictions': struct_of({
                'start_time': 'elements.restriction_start_time_local',
                'end_time': 'elements.restriction_end_time_local',
                'start_date': 'elements.restriction_start_date_local',
                'end_date': 'elements.restriction_end_date_local',
                'min_kwh': 'elements.restriction_min_energy_kwh',
                'max_kwh': 'elements.restriction_max_energy_kwh',
                'min_current': 'elements.restriction_min_current_a',
                'max_current': 'elements.restriction_max_current_a',
                'min_power': 'elements.restriction_min_power_kw',
                'max_power': 'elements.restriction_max_power_kw',
                'min_duration': 'elements.restriction_min_duration_seconds',
                'max_duration': 'elements.restriction_max_duration_seconds',
                'day_of_week': 'days.day_of_week',
                'reservation': 'elements.restriction_reservation'
            })
        }), 'elements.list_index') }} as elements
    from header_elements as elements
    left join components on elements.raw_record_id = components.element_record_id
    left join days on elements.raw_record_id = days.element_record_id
    group by elements.tariff_record_id

),

documents as (

    select
        headers.raw_record_id as tariff_record_id,
        {{ struct_of({
            'id': 'headers.tariff_id',
            'currency': 'headers.currency',
            'min_price': struct_of({'excl_vat': 'headers.min_price_excl_vat', 'incl_vat': 'headers.min_price_incl_vat'}),
            'max_price': struct_of({'excl_vat': 'headers.max_price_excl_vat', 'incl_vat': 'headers.max_price_incl_vat'}),
            'start_date_time': 'headers.starts_at_utc',
            'end_date_time': 'headers.ends_at_utc',
            'elements': 'coalesce(elements.elements, ' ~ empty_list() ~ ')'
        }) }} as tariff_document
    from {{ headers }} as headers
    left join elements on headers.raw_record_id = elements.tariff_record_id

)
{%- endmacro %}
