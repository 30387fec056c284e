-- Every OCPI token of every daily snapshot; driver identifiers are already pseudonyms in the raw zone.
with source as (

    {{ published_source('ocpi', 'tokens', 'tokens') }}

),

renamed as (

    select
        {{ ocpi_key('uid') }} as token_key,
        uid as token_uid_pseudonym,
        country_code,
        party_id,
        type as token_type,
        contract_id as contract_id_pseudonym,
        issuer,
        group_id,
        valid as is_valid,
        whitelist,
        cast(partition_date as date) as snapshot_date,
        {{ raw_version_columns() }}

    from source

)

select * from renamed
