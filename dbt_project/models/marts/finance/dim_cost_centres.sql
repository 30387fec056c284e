-- The cost centres of the user's map, with how many rules point at each and by which kind of key;
-- plus the `unallocated` centre every report uses for what no rule matches. Rule values are not
-- shown: a token uid or contract id is a pseudonym and belongs to the restricted session marts.
with cost_centre_map as (

    select * from {{ ref('stg_derived__cost_centre_map') }}

),

mapped as (

    select
        cost_centre_id,
        max(cost_centre_name) as cost_centre_name,
        count(*) as rule_count,
        {{ ordered_string_agg('key_type', ',', distinct=true) }} as key_types,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to
    from cost_centre_map
    group by cost_centre_id

),

unallocated as (

    select
        'unallocated' as cost_centre_id,
        'Unallocated (no cost-centre rule matches)' as cost_centre_name,
        cast(0 as bigint) as rule_count,
        cast(null as {{ dbt.type_string() }}) as key_types,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to

),

final as (

    select * from mapped
    union all
    select * from unallocated

)

select * from final
