-- One row per publish or quarantine of a raw partition (the gate's audit trail), renamed and cast.
with source as (

    select * from {{ source('audit', 'publications') }}

),

renamed as (

    select
        publication_id,
        action,
        source as source_name,
        table_name,
        partition_date,
        run_id,
        rows as row_count,
        cast({{ json_text('delta_versions', 'table_name') }} as bigint) as delta_version,
        suite,
        validation_success,
        {{ raw_utc('started_at') }} as started_at_utc,
        {{ raw_utc('finished_at') }} as finished_at_utc,
        code_version

    from source

)

select * from renamed
