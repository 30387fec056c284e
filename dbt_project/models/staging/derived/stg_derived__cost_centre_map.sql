-- The user's cost-centre map as the derived asset published it: token uids and contract ids are
-- pseudonyms already (orchestration/defs/derived/, chargelake/cost_centres.py), so the warehouse
-- never needs the key. The table holds one snapshot; its rows count once its audit row is written.
with source as (

    {{ published_source('derived', 'cost_centre_map', 'cost_centre_map') }}

),

renamed as (

    select
        cost_centre_id,
        cost_centre_name,
        key_type,
        key_value,
        key_priority,
        valid_from,
        valid_to,
        cast(partition_date as date) as snapshot_date,
        _run_id as run_id

    from source

)

select * from renamed
