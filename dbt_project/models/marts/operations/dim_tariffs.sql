-- Every version of every tariff with the period it was valid (from the daily snapshots).
with tariff_versions as (

    select * from {{ ref('int_ocpi__tariffs_history') }}

),

final as (

    select
        tariff_key || '@' || {{ format_time('valid_from_at_utc', '%Y-%m-%dT%H:%M:%S') }} as tariff_version_key,
        tariff_key,
        tariff_id,
        country_code,
        party_id,
        currency,
        tariff_type,
        min_price_excl_vat,
        max_price_excl_vat,
        starts_at_utc,
        ends_at_utc,
        valid_from_at_utc,
        valid_to_at_utc,
        is_current,
        closed_reason,
        first_snapshot_date,
        last_snapshot_date,
        raw_record_id

    from tariff_versions

)

select * from final
